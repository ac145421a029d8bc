using EcgExperiments.Experiments.Sources;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments;

internal static class SourceRegistrations
{
    public static void Register(ComponentRegistry<IDataSource> r) => r
        .Register<SyntheticSourceOptions>("synthetic", "seeded ECGSYN 12-lead records, NORM vs hypertrophy-like", o => new SyntheticSource(o))
        .Register<PtbXlSourceOptions>("ptbxl", "PTB-XL 12-lead records, NORM vs HYP (SPEC §2.1); official split strat_fold 1–8/9/10", o => new PtbXlSource(o))
        .Register<MitBihBeatsSourceOptions>("mitbih_beats", "MIT-BIH beats, AAMI or BeatGAN classes, 428/320-sample windows (SPEC §2.2, §2.4); official split de Chazal DS1/DS2", o => new MitBihBeatsSource(o))
        .Register<Ecg5000SourceOptions>("ecg5000", "UCR ECG5000 TRAIN file (500 × 140), normal vs abnormal or 5 classes", o => new Ecg5000Source(o));
}
