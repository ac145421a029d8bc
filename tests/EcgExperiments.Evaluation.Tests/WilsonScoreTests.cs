namespace EcgExperiments.Evaluation.Tests;

/// <summary>
/// Wilson score intervals against values computed independently: statsmodels' <c>proportion_confint(method="wilson")</c>
/// formula evaluated with scipy 1.10 (<c>norm.isf(alpha/2)</c>) in float64, and Newcombe (1998), Stat. Med. 17:857, Table I
/// (method 3), to 4 decimals.
/// </summary>
public sealed class WilsonScoreTests
{
    [Theory]
    // k, n, level, lower, upper — scipy/statsmodels formula
    [InlineData(6, 6, 0.95, 0.6096657120978346, 1.0)]            // PTB-XL case: 6 of 6 HYP found; bootstrap says [1, 1]
    [InlineData(0, 6, 0.95, 0.0, 0.3903342879021653)]            // statsmodels' formula gives 2.8e-17 for the lower bound; exactly 0 here
    [InlineData(0, 1, 0.95, 0.0, 0.7934506856227626)]
    [InlineData(1, 1, 0.95, 0.20654931437723745, 1.0)]
    [InlineData(45, 50, 0.9, 0.8084624858484291, 0.950470965522555)]
    [InlineData(3, 10, 0.95, 0.10779126740630099, 0.6032218525388546)]
    [InlineData(930, 1000, 0.95, 0.9124853518487167, 0.9442236358537061)]
    [InlineData(1, 12, 0.99, 0.009860596322626175, 0.4535117950513088)]
    [InlineData(11, 12, 0.9, 0.6988317205601309, 0.9811839504836382)]
    [InlineData(5, 10, 0.95, 0.236593090512564, 0.7634069094874361)]
    public void Matches_statsmodels_wilson_formula(long k, long n, double level, double lower, double upper)
    {
        var ci = WilsonScore.Interval(k, n, level);
        Assert.Equal(lower, ci.Lower!.Value, 1e-12);
        Assert.Equal(upper, ci.Upper!.Value, 1e-12);
        Assert.Equal((double)k / n, ci.Point!.Value, 15);
        Assert.Equal(level, ci.Level);
        Assert.Equal(IntervalMethods.Wilson, ci.Method);
        Assert.Equal(0, ci.Resamples);
    }

    [Theory]
    [InlineData(81, 263, 0.2553, 0.3662)]
    [InlineData(15, 148, 0.0624, 0.1605)]
    [InlineData(0, 20, 0.0000, 0.1611)]
    [InlineData(1, 29, 0.0061, 0.1718)]
    public void Matches_newcombe_1998_table(long k, long n, double lower, double upper)
    {
        var ci = WilsonScore.Interval(k, n, 0.95);
        Assert.Equal(lower, Math.Round(ci.Lower!.Value, 4));
        Assert.Equal(upper, Math.Round(ci.Upper!.Value, 4));
    }

    [Fact]
    public void Edges_are_exact_and_every_interval_contains_its_proportion_within_zero_one()
    {
        for (int n = 1; n <= 40; n++)
            for (int k = 0; k <= n; k++)
                foreach (var level in new[] { 0.5, 0.9, 0.95, 0.999 })
                {
                    var ci = WilsonScore.Interval(k, n, level);
                    Assert.True(ci.Contains((double)k / n), $"{k}/{n} at {level}: [{ci.Lower}, {ci.Upper}]");
                    Assert.InRange(ci.Lower!.Value, 0, 1);
                    Assert.InRange(ci.Upper!.Value, 0, 1);
                    Assert.True(ci.Upper > ci.Lower, $"{k}/{n} at {level} collapsed to a point");
                    if (k == 0) Assert.Equal(0.0, ci.Lower);
                    if (k == n) Assert.Equal(1.0, ci.Upper);
                    // symmetric in successes and failures
                    var mirror = WilsonScore.Interval(n - k, n, level);
                    Assert.Equal(1 - ci.Upper!.Value, mirror.Lower!.Value, 12);
                    // a higher level gives a wider interval
                    if (level < 0.999)
                    {
                        var wider = WilsonScore.Interval(k, n, 0.999);
                        Assert.True(wider.Lower <= ci.Lower && ci.Upper <= wider.Upper);
                    }
                }
    }

    [Fact]
    public void No_trials_gives_no_interval_and_bad_counts_are_refused()
    {
        var none = WilsonScore.Interval(0, 0, 0.95);
        Assert.Null(none.Point);
        Assert.Null(none.Lower);
        Assert.Null(none.Upper);
        Assert.Equal(IntervalMethods.Wilson, none.Method);
        Assert.Equal("successes", Assert.Throws<ArgumentOutOfRangeException>(() => WilsonScore.Interval(7, 6, 0.95)).ParamName);
        Assert.Equal("successes", Assert.Throws<ArgumentOutOfRangeException>(() => WilsonScore.Interval(-1, 6, 0.95)).ParamName);
        Assert.Equal("level", Assert.Throws<ArgumentOutOfRangeException>(() => WilsonScore.Interval(1, 6, 95)).ParamName);
    }

    [Theory]
    // scipy.stats.norm.ppf(p)
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.95, 1.6448536269514722)]
    [InlineData(0.995, 2.5758293035489004)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.3, -0.5244005127080409)]
    [InlineData(0.02425, -1.972961051311885)]
    [InlineData(1e-10, -6.361340902404056)]
    [InlineData(0.9999999, 5.199337582290661)]
    [InlineData(1e-300, -37.0470962993612)]
    public void Normal_quantile_matches_scipy(double p, double z) =>
        Assert.Equal(z, StandardNormal.Quantile(p), Math.Max(1e-14, Math.Abs(z) * 1e-14));

    [Fact]
    public void Normal_quantile_ends_and_bad_input()
    {
        Assert.Equal(double.NegativeInfinity, StandardNormal.Quantile(0));
        Assert.Equal(double.PositiveInfinity, StandardNormal.Quantile(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => StandardNormal.Quantile(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => StandardNormal.Quantile(double.NaN));
    }

    [Fact]
    public void Evaluator_gives_proportions_wilson_intervals_from_the_confusion_counts_and_bootstraps_the_rest()
    {
        // 6 HYP of 20 test records, all 6 found, 2 NORM called HYP: recall[HYP] = 6/6, precision[HYP] = 6/8,
        // specificity[HYP] = 12/14, accuracy = 18/20.
        int[] y = [.. Enumerable.Repeat(1, 6), .. Enumerable.Repeat(0, 14)];
        double[] p = [0.9, 0.8, 0.95, 0.7, 0.85, 0.6, 0.7, 0.6, 0.1, 0.2, 0.3, 0.1, 0.2, 0.3, 0.4, 0.1, 0.2, 0.3, 0.4, 0.45];
        var s = ClassificationScores.Binary(y, p, ["NORM", "HYP"], positiveClass: 1);
        var r = ClassificationEvaluator.Evaluate(s, new EvaluationOptions { Bootstrap = new BootstrapOptions { Seed = 1, Resamples = 200, Level = 0.95 } });

        var recall = r.Intervals["recall[HYP]"];
        Assert.Equal(IntervalMethods.Wilson, recall.Method);
        Assert.Equal(0.6096657120978346, recall.Lower!.Value, 1e-12);   // not the bootstrap's degenerate [1, 1]
        Assert.Equal(1.0, recall.Upper);
        Assert.Equal(WilsonScore.Interval(6, 8, 0.95), r.Intervals["precision[HYP]"]);
        Assert.Equal(WilsonScore.Interval(12, 14, 0.95), r.Intervals["specificity[HYP]"]);
        Assert.Equal(WilsonScore.Interval(12, 14, 0.95), r.Intervals["recall[NORM]"]);
        Assert.Equal(WilsonScore.Interval(12, 12, 0.95), r.Intervals["precision[NORM]"]);
        Assert.Equal(WilsonScore.Interval(18, 20, 0.95), r.Intervals[MetricNames.Accuracy]);
        Assert.Equal(r.PerClass[1].Precision, r.Intervals["precision[HYP]"].Point!.Value, 15);

        foreach (var key in new[] { MetricNames.MacroF1, MetricNames.BalancedAccuracy, MetricNames.RocAuc, MetricNames.AveragePrecision,
                     MetricNames.MacroRecall, MetricNames.Ece, "f1[HYP]", "roc_auc[HYP]" })
        {
            Assert.Equal(IntervalMethods.PercentileBootstrap, r.Intervals[key].Method);
            Assert.Equal(200, r.Intervals[key].Resamples);
        }
        var table = r.ToTable();
        Assert.Equal(IntervalMethods.Wilson, table.Single(e => e.Metric == MetricNames.Recall && e.Class == "HYP").Method);
        Assert.Equal(IntervalMethods.PercentileBootstrap, table.Single(e => e.Metric == MetricNames.F1 && e.Class == "HYP").Method);
        Assert.Equal(r.Intervals["recall[HYP]"].Lower, table.Single(e => e.Metric == MetricNames.Recall && e.Class == "HYP").Lower);
    }

    [Fact]
    public void A_class_never_predicted_has_a_precision_point_but_no_precision_interval()
    {
        int[] y = [0, 0, 0, 1, 1];
        double[] p = [0.1, 0.2, 0.3, 0.4, 0.45];   // nothing reaches 0.5: HYP never predicted
        var s = ClassificationScores.Binary(y, p, ["NORM", "HYP"], positiveClass: 1);
        var r = ClassificationEvaluator.Evaluate(s, new EvaluationOptions { Bootstrap = new BootstrapOptions { Seed = 1, Resamples = 20 } });
        Assert.Equal(0.0, r.PerClass[1].Precision);
        var ci = r.Intervals["precision[HYP]"];
        Assert.Null(ci.Lower);
        Assert.Null(ci.Point);
        Assert.Equal(WilsonScore.Interval(0, 2, 0.95), r.Intervals["recall[HYP]"]);
    }
}
