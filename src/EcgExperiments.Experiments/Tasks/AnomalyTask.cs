using System.Globalization;
using System.Text.Json.Nodes;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Tasks;

/// <summary>
/// Anomaly detection: the detector's scores (higher = more anomalous) get the same test report a binary classifier gets,
/// so reports, sweeps and <c>verify</c> treat both alike — classes [normal, anomaly], anomaly positive; scores scaled as
/// the spec says (SPEC §2.4: min-max over each set); the decision threshold fitted on the validation scores only (best
/// F1 by default, or Youden); ROC-AUC, AP and F1 with intervals; and a constant score as the baseline (ROC-AUC 0.5, AP =
/// anomaly prevalence) — the "random anomaly score" a detector must beat. Per original class, <c>roc_auc_vs_normal</c>
/// ranks that class's examples against the normal ones.
/// </summary>
public sealed class AnomalyTask : IExperimentTask
{
    public static readonly string[] Classes = ["normal", "anomaly"];

    public TaskKind Kind => TaskKind.Anomaly;

    public (string Metric, bool HigherIsBetter) Headline => (MetricNames.RocAuc, true);

    /// <summary>Index of <c>evaluation.normal_class</c> (default the data's first class).</summary>
    public static int NormalClass(ExperimentSpec spec, EcgSchema schema)
    {
        if (spec.Evaluation.NormalClass is not { } name) return 0;
        for (int i = 0; i < schema.ClassNames.Count; i++)
            if (string.Equals(schema.ClassNames[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        throw new ArgumentException($"evaluation.normal_class '{name}' is not a class of the data [{string.Join(", ", schema.ClassNames)}]");
    }

    public (string Key, string Message)? Check(ExperimentSpec spec, EcgSchema schema)
    {
        if (schema.MultiLabel)
            return ("data", $"an anomaly detector needs one class per example (normal or not); the data carries label sets [{string.Join(", ", schema.ClassNames)}] (multi-label)");
        if (schema.ClassNames.Count < 2)
            return ("data", $"an anomaly detector needs a normal class and at least one other, the data has [{string.Join(", ", schema.ClassNames)}]");
        if (spec.Evaluation.NormalClass is { } nc && !schema.ClassNames.Contains(nc, StringComparer.OrdinalIgnoreCase))
            return ("evaluation.normal_class", $"'{nc}' is not a class of the data [{string.Join(", ", schema.ClassNames)}]");
        return null;
    }

    public TaskEvaluation Evaluate(TaskContext c, IEcgPredictor model)
    {
        var detector = (AnomalyPredictor)model;
        int normal = NormalClass(c.Spec, c.Test.Ecg);
        var valScores = Scores(detector, c.Validation);
        var testScores = Scores(detector, c.Test);
        var valAnomaly = c.Validation.Index.Labels.Select(l => l != normal).ToArray();
        var testAnomaly = c.Test.Index.Labels.Select(l => l != normal).ToArray();
        if (!testAnomaly.Any(a => a) || testAnomaly.All(a => a))
            throw new InvalidOperationException($"the test split needs both normal and anomalous examples to evaluate a detector (it has {testAnomaly.Count(a => a)} anomalous of {testAnomaly.Length})");
        var scaling = c.Spec.Evaluation.ScoreScaling;
        var (val, test) = AnomalyEvaluator.Scale(BinaryScores.ForValidation(valAnomaly, valScores), BinaryScores.ForTest(testAnomaly, testScores), scaling);
        var details = new JsonObject { ["score_scaling"] = scaling.ToString() };
        DecisionThreshold threshold;
        double? rawThreshold = null;
        if (valAnomaly.Any(a => a) && valAnomaly.Any(a => !a))
        {
            threshold = ThresholdSelector.Fit(val, c.Spec.Evaluation.Threshold == ThresholdKind.Youden ? ThresholdRule.Youden : ThresholdRule.BestF1);
            rawThreshold = RawThreshold(threshold.Value, valScores, scaling);
        }
        else
        {
            // Honest protocols may keep anomalies out of validation entirely: then no threshold can be fitted on it.
            threshold = new DecisionThreshold(0.5, ThresholdRule.FixedAt(0.5), double.NaN, double.NaN, val.Scores.Count, "");
            details["threshold_note"] = "fixed 0.5 (validation has no anomalies to fit one)";
        }
        var labels = testAnomaly.Select(a => a ? 1 : 0).ToArray();
        var scores = ClassificationScores.Binary(labels, test.Scores.ToArray(), Classes, positiveClass: 1, areProbabilities: false, threshold: threshold.Value);
        var trainLabels = c.Train.Index.Labels.Select(l => l != normal ? 1 : 0).ToArray();
        var report = ClassificationEvaluator.Evaluate(scores, new EvaluationOptions { TrainingLabels = trainLabels, Bootstrap = c.Bootstrap() });

        var perClass = new JsonObject();
        var names = c.Test.Ecg.ClassNames;
        var testLabels = c.Test.Index.Labels;
        for (int k = 0; k < names.Count; k++)
        {
            if (k == normal) continue;
            var idx = Enumerable.Range(0, c.Test.Count).Where(i => testLabels[i] == k || testLabels[i] == normal).ToArray();
            var auc = RankingMetrics.RocAuc(idx.Select(i => testLabels[i] == k).ToArray(), idx.Select(i => testScores[i]).ToArray());
            if (auc is { } a) perClass[names[k]] = new JsonObject { ["roc_auc"] = a, ["count"] = idx.Count(i => testLabels[i] == k) };
        }
        details["per_class_vs_normal"] = perClass;
        details["normal_class"] = names[normal];
        if (rawThreshold is { } raw) details["raw_score_threshold"] = raw;
        var table = report.ToTable().Concat(perClass.Select(kv =>
            new MetricEntry("roc_auc_vs_normal", kv.Key, kv.Value!["roc_auc"]!.GetValue<double>(), null, null, null))).ToList();
        var rows = Enumerable.Range(0, c.Test.Count).Select(i => (IReadOnlyList<string>)
        [
            c.Test.Index.Ids[i], c.Test.Index.Groups[i], names[testLabels[i]], testAnomaly[i] ? "1" : "0",
            testScores[i].ToString("R", CultureInfo.InvariantCulture),
        ]).ToList();
        return new TaskEvaluation
        {
            Metrics = table,
            Baseline = report.Baseline?.ToTable() ?? [],
            BaselineKind = "constant score (class prior): ROC-AUC 0.5",
            Report = report,
            Model = detector.WithThreshold(rawThreshold),
            Threshold = threshold,
            Details = details,
            Predictions = new PredictionTable(["id", "patient", "label", "anomalous", "score"], rows),
            Context = $"anomaly score: the detector's reconstruction error; normal class '{names[normal]}', every other class anomalous.",
        };
    }

    private static double[] Scores(AnomalyPredictor detector, EcgDataView data) =>
        detector.Transform(data).ReadAll()[EcgColumns.Score].Select(v => (double)v).ToArray();

    /// <summary>The threshold in raw score units: the scaled threshold mapped back through the validation scores' min-max (what a new record is compared with).</summary>
    private static double RawThreshold(double scaled, double[] validation, ScoreScaling scaling)
    {
        if (scaling == ScoreScaling.None || validation.Length == 0) return scaled;
        double min = validation.Min(), range = validation.Max() - min;
        return min + scaled * (range > 0 ? range : 1);
    }
}
