using EcgExperiments.Core;
using EcgExperiments.Data.MitBih;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.Data.Splits;
using EcgExperiments.Data.Ucr;
using EcgExperiments.Pipeline;
using EcgExperiments.Signals.Beats;
using EcgExperiments.Signals.Filtering;
using EcgExperiments.Signals.Normalisation;
using EcgExperiments.Signals.Resampling;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Training.Generative.Tests;

/// <summary>Small-scale views of the shared real databases for the generative trainers (data loading stays out of Training).</summary>
internal static class GenerativeTestData
{
    /// <summary>PTB-XL records (ecg_id order) as 12 × <paramref name="length"/> views: first <paramref name="train"/> for training, then validation, then test.</summary>
    public static (EcgDataView Train, EcgDataView Validation, EcgDataView Test) PtbXl(int train, int validation, int test, int length)
    {
        var db = PtbXlDatabase.Open(RealData.PtbXl);
        var records = db.Records.Take(train + validation + test).ToArray();
        var signals = new EcgSignal[records.Length];
        Parallel.For(0, records.Length, i =>
        {
            var s = db.LoadSignal(records[i]);
            signals[i] = s.Length == length ? s : Interpolate.LinearToLength(s, length);
        });
        var examples = records.Select((r, i) => new EcgExample(r.RecordId, db.PatientOf(r.RecordId), signals[i].Leads.SelectMany(l => l).ToArray(), 0)).ToArray();
        var schema = new EcgSchema([12, length], signals[0].SamplingRate, ["ecg"], signals[0].LeadNames);
        return (InMemoryDataView.Create(schema, examples[..train]), InMemoryDataView.Create(schema, examples[train..(train + validation)]),
            InMemoryDataView.Create(schema, examples[(train + validation)..]));
    }

    /// <summary>The 500-row ECG5000 TRAIN file as [140, 1] series, class 0 = normal (UCR class 1), 1 = abnormal, with stratified 5-fold ids.</summary>
    public static (EcgDataView All, int[] Fold) Ecg5000(int folds, int seed)
    {
        var data = UcrDataset.Load(Path.Combine(RealData.Ecg5000, "ECG5000_TRAIN.txt"));
        var schema = new EcgSchema([data.SeriesLength, 1], null, ["normal", "abnormal"]);
        var examples = data.Rows.Select(r => new EcgExample($"train:{r.Index}", $"train:{r.Index}", r.Values,
            r.Label == Ecg5000Database.NormalClass ? 0 : 1)).ToArray();
        var fold = StratifiedKFold.FoldOf(examples.Select(e => e.Label.ToString()).ToArray(), folds, seed);
        return (InMemoryDataView.Create(schema, examples), fold);
    }

    /// <summary>
    /// The anomaly protocol of SPEC §2.4 on beats (label 0 = normal), seeded: <paramref name="trainNormal"/> normal beats
    /// train; the next <paramref name="validationNormal"/> and 10 % of the anomalies validate; the next
    /// <paramref name="testNormal"/> and the other 90 % of the anomalies test.
    /// </summary>
    public static (EcgDataView Train, EcgDataView Validation, EcgDataView Test) AnomalySplit(EcgDataView beats, int trainNormal, int validationNormal, int testNormal, int seed)
    {
        var rng = new Random(seed);
        var normal = Enumerable.Range(0, beats.Count).Where(i => beats.Index.Labels[i] == 0).ToArray();
        rng.Shuffle(normal);
        var anomalies = Enumerable.Range(0, beats.Count).Where(i => beats.Index.Labels[i] != 0).ToArray();
        rng.Shuffle(anomalies);
        int validationAnomalies = anomalies.Length / 10, validationEnd = trainNormal + validationNormal;
        return (beats.Subset(normal[..trainNormal]), beats.Subset([.. normal[trainNormal..validationEnd], .. anomalies[..validationAnomalies]]),
            beats.Subset([.. normal[validationEnd..(validationEnd + testNormal)], .. anomalies[validationAnomalies..]]));
    }

    /// <summary>A detector's scores of <paramref name="data"/> with anomalous = label ≠ 0, for the anomaly evaluator.</summary>
    public static Evaluation.BinaryScores AnomalyScores(Training.AnomalyPredictor model, EcgDataView data, bool test)
    {
        var anomalous = data.Index.Labels.Select(l => l != 0).ToArray();
        var scores = model.Transform(data).Column(EcgColumns.Score).Select(x => (double)x).ToArray();
        return test ? Evaluation.BinaryScores.ForTest(anomalous, scores) : Evaluation.BinaryScores.ForValidation(anomalous, scores);
    }

    /// <summary>
    /// SPEC §2.4 1-D beats of a few MIT-BIH records: MLII, BeatGAN's 3–45 Hz FIR (filtfilt over the whole record),
    /// windows [R − 140, R + 180), each beat min-max scaled to [−1, 1]; labels in BeatGAN's mapping (0 = N).
    /// </summary>
    public static EcgDataView MitBihBeats(IReadOnlyList<string> records)
    {
        var db = MitBihDatabase.Open(RealData.MitBih);
        var filter = FilterPresets.BeatGanBandPass(360);
        var perRecord = new List<EcgExample>[records.Count];
        Parallel.For(0, records.Count, k =>
        {
            var id = records[k];
            var lead = db.LoadLead(id, LeadSelection.MlIIOrV5);
            var filtered = Filter.FiltFilt(filter, lead.Leads[0]);
            var beats = db.Beats(id, BeatClassMapping.BeatGan);
            var set = BeatWindows.Fixed(filtered, beats.Select(b => b.RPeak).ToArray(), new FixedBeatWindowOptions(), id);
            var list = new List<EcgExample>(set.Count);
            for (int w = 0; w < set.Count; w++)
            {
                var beat = beats[set.BeatIndices[w]];
                var values = new float[set.WindowLength];
                Scaling.MinMax(set.Window(w), values, -1f, 1f);
                list.Add(new EcgExample(beat.Id, id, values, beat.ClassIndex));
            }
            perRecord[k] = list;
        });
        var schema = new EcgSchema([1, 320], 360, BeatClassMapping.BeatGan.Classes, ["MLII"]);
        return InMemoryDataView.Create(schema, perRecord.SelectMany(l => l).ToArray());
    }
}
