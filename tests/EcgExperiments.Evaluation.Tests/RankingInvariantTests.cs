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
