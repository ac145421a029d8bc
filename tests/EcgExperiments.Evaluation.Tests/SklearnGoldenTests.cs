using System.Text.Json;

namespace EcgExperiments.Evaluation.Tests;

/// <summary>
/// Every metric against scikit-learn on seeded random inputs with many ties
/// (Golden/metric_goldens.json, written by tools/golden/make_metric_goldens.py).
/// </summary>
public sealed class SklearnGoldenTests
{
    private const double Tol = 1e-9;
    private static readonly JsonElement Doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "metric_goldens.json"))).RootElement;

    public static TheoryData<int> MulticlassCases() => new() { 0, 1 };

    private static double[] D(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();
    private static int[] I(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
    private static double? N(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();

    private static void Close(double expected, double? actual, string what)
    {
        Assert.True(actual.HasValue, $"{what}: expected {expected}, got null");
        Assert.True(Math.Abs(expected - actual!.Value) <= Tol * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");
    }

    [Theory]
    [MemberData(nameof(MulticlassCases))]
    public void Multiclass_metrics_match_sklearn(int index)
    {
        var c = Doc.GetProperty("multiclass")[index];
        int k = c.GetProperty("classes").GetInt32();
        var names = Enumerable.Range(0, k).Select(i => $"c{i}").ToArray();
        var probs = c.GetProperty("probabilities").EnumerateArray().Select(D).ToArray();
        var scores = ClassificationScores.FromProbabilities(I(c.GetProperty("labels")), probs, names);

        var r = ClassificationEvaluator.Evaluate(scores);

        var cm = c.GetProperty("confusion_matrix").EnumerateArray().Select(row => row.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();
        for (int i = 0; i < k; i++)
            Assert.Equal(cm[i], r.Confusion.Counts[i].ToArray());
        Close(c.GetProperty("accuracy").GetDouble(), r.Aggregates.Accuracy, "accuracy");
        Close(c.GetProperty("balanced_accuracy").GetDouble(), r.Aggregates.BalancedAccuracy, "balanced accuracy");
        Close(c.GetProperty("log_loss").GetDouble(), r.Aggregates.LogLoss, "log loss");
        var p = D(c.GetProperty("precision")); var rec = D(c.GetProperty("recall")); var f1 = D(c.GetProperty("f1")); var sup = I(c.GetProperty("support"));
        var auc = c.GetProperty("roc_auc_ovr").EnumerateArray().Select(N).ToArray();
        var ap = c.GetProperty("average_precision_ovr").EnumerateArray().Select(N).ToArray();
        for (int j = 0; j < k; j++)
        {
            var m = r.PerClass[j];
            Close(p[j], m.Precision, $"precision[{j}]");
            Close(rec[j], m.Recall, $"recall[{j}]");
            Close(f1[j], m.F1, $"f1[{j}]");
            Assert.Equal(sup[j], m.Support);
            if (auc[j] is { } a) Close(a, m.RocAuc, $"roc_auc[{j}]"); else Assert.Null(m.RocAuc);
            if (ap[j] is { } x) Close(x, m.AveragePrecision, $"ap[{j}]"); else Assert.Null(m.AveragePrecision);
        }
        var macro = D(c.GetProperty("macro")); var weighted = D(c.GetProperty("weighted"));
        Close(macro[0], r.Aggregates.MacroPrecision, "macro precision");
        Close(macro[1], r.Aggregates.MacroRecall, "macro recall");
        Close(macro[2], r.Aggregates.MacroF1, "macro f1");
        Close(weighted[0], r.Aggregates.WeightedPrecision, "weighted precision");
        Close(weighted[1], r.Aggregates.WeightedRecall, "weighted recall");
        Close(weighted[2], r.Aggregates.WeightedF1, "weighted f1");
        if (c.TryGetProperty("roc_auc_macro_ovr", out var macroAuc)) Close(macroAuc.GetDouble(), r.Aggregates.RocAuc, "macro ovr roc_auc");
    }

    [Fact]
    public void Binary_single_column_metrics_and_curves_match_sklearn()
    {
        var c = Doc.GetProperty("binary");
        var y = I(c.GetProperty("labels"));
        var s = D(c.GetProperty("scores"));
        var scores = ClassificationScores.Binary(y, s, ["neg", "pos"], positiveClass: 1);

        var r = ClassificationEvaluator.Evaluate(scores);

        var cm = c.GetProperty("confusion_matrix").EnumerateArray().Select(row => row.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();
        Assert.Equal(cm[0], r.Confusion.Counts[0].ToArray());
        Assert.Equal(cm[1], r.Confusion.Counts[1].ToArray());
        Close(c.GetProperty("accuracy").GetDouble(), r.Aggregates.Accuracy, "accuracy");
        Close(c.GetProperty("balanced_accuracy").GetDouble(), r.Aggregates.BalancedAccuracy, "balanced accuracy");
        Close(c.GetProperty("roc_auc").GetDouble(), r.Aggregates.RocAuc, "roc_auc");
        Close(c.GetProperty("roc_auc").GetDouble(), r.PerClass[0].RocAuc, "roc_auc of the negative class (ranks by −p)");
        Close(c.GetProperty("average_precision").GetDouble(), r.Aggregates.AveragePrecision, "average precision");
        Close(c.GetProperty("log_loss").GetDouble(), r.Aggregates.LogLoss, "log loss");
        var p = D(c.GetProperty("precision")); var rec = D(c.GetProperty("recall")); var f1 = D(c.GetProperty("f1"));
        for (int j = 0; j < 2; j++)
        {
            Close(p[j], r.PerClass[j].Precision, $"precision[{j}]");
            Close(rec[j], r.PerClass[j].Recall, $"recall[{j}]");
            Close(f1[j], r.PerClass[j].F1, $"f1[{j}]");
        }

        var isPos = y.Select(v => v == 1).ToArray();
        var roc = RankingMetrics.Roc(isPos, s)!;
        Assert.Equal(D(c.GetProperty("roc_fpr")), roc.FalsePositiveRate.ToArray());
        Assert.Equal(D(c.GetProperty("roc_tpr")), roc.TruePositiveRate.ToArray());
        var pr = RankingMetrics.PrecisionRecall(isPos, s)!;
        Assert.Equal(D(c.GetProperty("pr_thresholds")), pr.Thresholds.ToArray());
        var ePrec = D(c.GetProperty("pr_precision")); var eRec = D(c.GetProperty("pr_recall"));
        Assert.Equal(ePrec.Length, pr.Precision.Count);
        for (int i = 0; i < ePrec.Length; i++)
        {
            Close(ePrec[i], pr.Precision[i], $"pr precision[{i}]");
            Close(eRec[i], pr.Recall[i], $"pr recall[{i}]");
        }
    }

    [Fact]
    public void Reconstruction_metrics_match_sklearn_and_numpy()
    {
        var c = Doc.GetProperty("reconstruction");
        float[][][] Load(string name) => c.GetProperty(name).EnumerateArray()
            .Select(rec => rec.EnumerateArray().Select(lead => lead.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray()).ToArray();
        var target = Load("target");
        var predicted = Load("predicted");

        var r = ReconstructionMetrics.Compute(target, predicted, ["I", "II", "flat"]);

        Close(c.GetProperty("mse").GetDouble(), r.Mse, "mse");
        var perLead = c.GetProperty("per_lead").EnumerateArray().ToArray();
        for (int l = 0; l < perLead.Length; l++)
        {
            var e = perLead[l];
            var m = r.PerLead[l];
            Close(e.GetProperty("mse").GetDouble(), m.Mse, $"mse[{l}]");
            Close(e.GetProperty("rmse").GetDouble(), m.Rmse, $"rmse[{l}]");
            Close(e.GetProperty("r2").GetDouble(), m.R2, $"r2[{l}]");
            Assert.Equal(e.GetProperty("constant_records").GetInt32(), m.ConstantRecords);
            if (N(e.GetProperty("pearson_mean_per_record")) is { } pr) Close(pr, m.PearsonR, $"pearson[{l}]"); else Assert.Null(m.PearsonR);
        }
        Assert.Equal(0.0, r.PerLead[2].R2); // constant target, imperfect prediction: sklearn's force_finite value
        Assert.Null(r.PerLead[2].PooledPearsonR);
    }
}
