using System.Text.Json.Nodes;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;

namespace EcgExperiments.Experiments;

/// <summary>
/// Turns anomaly scores (higher = more anomalous) into the same test report a binary classifier gets, so reports,
/// sweeps and <c>verify</c> treat both alike: classes [normal, anomaly], anomaly positive; scores scaled as the spec
/// says (SPEC §2.4: min-max over each set); the decision threshold fitted on the validation scores only (best F1 by
/// default, or Youden); ROC-AUC, AP, F1 with bootstrap intervals; and the class-prior baseline, which is a constant
/// score (ROC-AUC 0.5, AP = anomaly prevalence) — the "random anomaly score" a detector must beat. Per original class,
/// <c>roc_auc_vs_normal[V]</c> etc. rank that class's examples against the normal ones.
/// </summary>
internal static class AnomalyEvaluation
{
    public static readonly string[] Classes = ["normal", "anomaly"];

    public static (MetricReport Report, JsonObject Extra) Evaluate(TaskContext c, int normalClass, double[] validationScores, double[] testScores)
    {
        var valAnomaly = c.Validation.Examples.Select(e => e.Label != normalClass).ToArray();
        var testAnomaly = c.Test.Examples.Select(e => e.Label != normalClass).ToArray();
        if (!testAnomaly.Any(a => a) || testAnomaly.All(a => a))
            throw new InvalidOperationException($"the test split needs both normal and anomalous examples to evaluate a detector (it has {testAnomaly.Count(a => a)} anomalous of {testAnomaly.Length})");
        var val = BinaryScores.ForValidation(valAnomaly, validationScores);
        var test = BinaryScores.ForTest(testAnomaly, testScores);
        (val, test) = AnomalyEvaluator.Scale(val, test, c.Spec.Evaluation.ScoreScaling);
        var extra = new JsonObject { ["score_scaling"] = c.Spec.Evaluation.ScoreScaling.ToString() };
        double threshold = 0.5;
        if (valAnomaly.Any(a => a) && valAnomaly.Any(a => !a))
        {
            var rule = c.Spec.Evaluation.Threshold == ThresholdKind.Youden ? ThresholdRule.Youden : ThresholdRule.BestF1;
            var fitted = ThresholdSelector.Fit(val, rule);
            threshold = fitted.Value;
            extra["decision_threshold"] = System.Text.Json.JsonSerializer.SerializeToNode(fitted, MetricJson.Options);
        }
        else
        {
            // Honest protocols may keep anomalies out of validation entirely: then no threshold can be fitted on it.
            extra["decision_threshold"] = new JsonObject { ["value"] = threshold, ["rule"] = "fixed 0.5 (validation has no anomalies to fit one)" };
        }
        var labels = testAnomaly.Select(a => a ? 1 : 0).ToArray();
        var scores = ClassificationScores.Binary(labels, test.Scores.ToArray(), Classes, positiveClass: 1, areProbabilities: false, threshold: threshold);
        var trainLabels = c.Train.Examples.Select(e => e.Label != normalClass ? 1 : 0).ToArray();
        var report = ClassificationEvaluator.Evaluate(scores, new EvaluationOptions { TrainingLabels = trainLabels, Bootstrap = c.Bootstrap() });

        var perClass = new JsonObject();
        var names = c.Test.Schema.ClassNames;
        for (int k = 0; k < names.Count; k++)
        {
            if (k == normalClass) continue;
            var idx = Enumerable.Range(0, c.Test.Count).Where(i => c.Test.Examples[i].Label == k || c.Test.Examples[i].Label == normalClass).ToArray();
            var auc = RankingMetrics.RocAuc(idx.Select(i => c.Test.Examples[i].Label == k).ToArray(), idx.Select(i => testScores[i]).ToArray());
            if (auc is { } a) perClass[names[k]] = new JsonObject { ["roc_auc"] = a, ["count"] = idx.Count(i => c.Test.Examples[i].Label == k) };
        }
        extra["per_class_vs_normal"] = perClass;
        return (report, extra);
    }

    /// <summary>The report's tidy table plus one <c>roc_auc_vs_normal</c> row per original anomaly class.</summary>
    public static IReadOnlyList<MetricEntry> Table(MetricReport report, JsonObject extra) =>
        report.ToTable().Concat(((JsonObject)extra["per_class_vs_normal"]!).Select(kv =>
            new MetricEntry("roc_auc_vs_normal", kv.Key, kv.Value!["roc_auc"]!.GetValue<double>(), null, null, null))).ToList();
}
