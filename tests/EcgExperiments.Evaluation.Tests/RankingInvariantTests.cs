namespace EcgExperiments.Evaluation.Tests;

public sealed class RankingInvariantTests
{
    private static readonly bool[] Y = [true, false, true, false, false, true, false, false];

    [Fact]
    public void Perfect_ranking_has_auc_1_and_ap_1()
    {
        var s = Y.Select(y => y ? 0.9 : 0.1).ToArray();
        Assert.Equal(1.0, RankingMetrics.RocAuc(Y, s));
        Assert.Equal(1.0, RankingMetrics.AveragePrecision(Y, s));
    }

    [Fact]
    public void Reversed_ranking_has_auc_0()
    {
        var s = Y.Select(y => y ? 0.1 : 0.9).ToArray();
        Assert.Equal(0.0, RankingMetrics.RocAuc(Y, s));
    }

    [Fact]
    public void Constant_scores_give_auc_one_half_and_ap_equal_to_prevalence()
    {
        var s = new double[Y.Length];
        Assert.Equal(0.5, RankingMetrics.RocAuc(Y, s));
        Assert.Equal(3.0 / 8, RankingMetrics.AveragePrecision(Y, s));
    }

    [Fact]
    public void A_tied_positive_negative_pair_counts_one_half()
    {
        // pairs (pos, neg): (0.9, 0.4) correct, (0.4, 0.4) tie → (1 + 0.5) / 2
        Assert.Equal(0.75, RankingMetrics.RocAuc([true, false, true], [0.9, 0.4, 0.4]));
    }

    [Fact]
    public void Auc_is_undefined_with_one_class()
    {
        Assert.Null(RankingMetrics.RocAuc([true, true], [0.2, 0.3]));
        Assert.Null(RankingMetrics.AveragePrecision([false, false], [0.2, 0.3]));
        Assert.Null(RankingMetrics.Roc([false, false], [0.2, 0.3]));
    }

    [Fact]
    public void Roc_curve_starts_at_origin_with_infinite_threshold_and_ends_at_1_1()
    {
        var roc = RankingMetrics.Roc(Y, [0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1], dropIntermediate: false)!;
        Assert.Equal(double.PositiveInfinity, roc.Thresholds[0]);
        Assert.Equal((0.0, 0.0), (roc.FalsePositiveRate[0], roc.TruePositiveRate[0]));
        Assert.Equal((1.0, 1.0), (roc.FalsePositiveRate[^1], roc.TruePositiveRate[^1]));
        Assert.Equal(9, roc.Thresholds.Count);
    }

    [Fact]
    public void NaN_scores_are_rejected_with_the_sample_index()
    {
        var e = Assert.Throws<ArgumentException>(() => RankingMetrics.RocAuc([true, false], [0.1, double.NaN]));
        Assert.Contains("1", e.Message);
    }
}

public sealed class CurveThinningTests
{
    [Fact]
    public void Thinned_curves_keep_their_ends_and_stay_small()
    {
        var rng = new Random(3);
        int n = 20_000;
        var y = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.3).ToArray();
        var s = y.Select(p => rng.NextDouble() + (p ? 0.5 : 0)).ToArray();
        var roc = RankingMetrics.Roc(y, s)!;
        var thin = roc.Thinned(100);
        Assert.True(roc.Thresholds.Count > 1000, $"full ROC has only {roc.Thresholds.Count} points");
        Assert.InRange(thin.Thresholds.Count, 20, 202); // straight stretches need few points
        Assert.Equal((roc.FalsePositiveRate[0], roc.TruePositiveRate[0]), (thin.FalsePositiveRate[0], thin.TruePositiveRate[0]));
        Assert.Equal((1.0, 1.0), (thin.FalsePositiveRate[^1], thin.TruePositiveRate[^1]));
        Assert.All(thin.Thresholds, t => Assert.Contains(t, roc.Thresholds));

        var pr = RankingMetrics.PrecisionRecall(y, s)!.Thinned(100);
        Assert.InRange(pr.Recall.Count, 20, 402);
        Assert.Equal(1.0, pr.Recall[^1]);
    }

    [Fact]
    public void Evaluator_stores_thinned_curves_unless_asked_for_all_points()
    {
        var rng = new Random(5);
        int n = 5000;
        var y = Enumerable.Range(0, n).Select(_ => rng.Next(2)).ToArray();
        var p = y.Select(v => Math.Clamp(0.5 + (v - 0.5) * 0.4 + (rng.NextDouble() - 0.5) * 0.6, 0, 1)).ToArray();
        var s = ClassificationScores.Binary(y, p, ["a", "b"], positiveClass: 1);
        var thin = ClassificationEvaluator.Evaluate(s);
        var full = ClassificationEvaluator.Evaluate(s, new EvaluationOptions { CurveResolution = null });
        Assert.True(thin.Curves![0].Roc!.Thresholds.Count <= 402);
        Assert.True(full.Curves![0].Roc!.Thresholds.Count > thin.Curves[0].Roc!.Thresholds.Count);
        Assert.Equal(full.Aggregates.RocAuc, thin.Aggregates.RocAuc);
    }
}
