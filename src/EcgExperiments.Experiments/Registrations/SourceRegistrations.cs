using EcgExperiments.Experiments.Sources;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments;

internal static class SourceRegistrations
{
    public static void Register(ComponentRegistry<IDataSource> r) => r
        .Register<SyntheticSourceOptions>("synthetic", "seeded ECGSYN 12-lead records, NORM vs hypertrophy-like", o => new SyntheticSource(o))
        .Register<PtbXlSourceOptions>("ptbxl", "PTB-XL 12-lead records labelled by data.labels: NORM vs HYP (SPEC §2.1), a benchmark preset (superdiagnostic, …) or free classes; binary, multi-class or multi-label; official split strat_fold 1–8/9/10", o => new PtbXlSource(o))
        .Register<MitBihBeatsSourceOptions>("mitbih_beats", "MIT-BIH beats, a mapping preset (aami, beat_gan, n_vs_v, beat_vs_non_beat) or a custom symbol → class map, 428/320-sample windows (SPEC §2.2, §2.4); records by number or DS1/DS2; official split de Chazal DS1/DS2", o => new MitBihBeatsSource(o))
        .Register<Ecg5000SourceOptions>("ecg5000", "UCR ECG5000 TRAIN file (500 × 140), normal vs abnormal or 5 classes", o => new Ecg5000Source(o))
        .Register<UcrSourceOptions>("ucr", "any UCR-format dataset by folder and name (TRAIN/TEST .tsv/.txt/.arff), classes by label; official split the archive's TRAIN/TEST files", o => new UcrSource(o))
        .Register<WfdbFolderSourceOptions>("wfdb_folder", "your own folder of WFDB records with a labels CSV (record, label or labels, patient_id, fold); leads by name, resampled to target_rate; official split the fold column", o => new WfdbFolderSource(o));
}
