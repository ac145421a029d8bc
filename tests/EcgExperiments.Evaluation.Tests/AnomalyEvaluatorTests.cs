namespace EcgExperiments.Evaluation.Tests;

public sealed class AnomalyEvaluatorTests
{
    // validation: best F1 on raw scores at 5 (anomalies 5, 9; normals 1, 2, 3)
    private static readonly bool[] ValY = [false, false, false, true, true];
    private static readonly double[] ValS = [1, 2, 3, 5, 9];
    private static readonly bool[] TestY = [false, false, false, false, true, true, true];
    private static readonly double[] TestS = [0, 2, 4, 6, 5, 7, 8];

    [Fact]
    public void Threshold_comes_from_validation_and_is_applied_to_test()
    {
        var r = AnomalyEvaluator.Evaluate(BinaryScores.ForValidation(ValY, ValS), BinaryScores.ForTest(TestY, TestS), new AnomalyOptions { Scaling = ScoreScaling.None });
        Assert.Equal(5, r.Threshold.Value);
        Assert.Equal(1.0, r.Threshold.ValidationF1);
        // test at ≥ 5: anomalies 5, 7, 8 caught, normal 6 flagged
        Assert.Equal((3L, 1L, 0L, 3L), (r.Outcome.TruePositives, r.Outcome.FalsePositives, r.Outcome.FalseNegatives, r.Outcome.TrueNegatives));
        Assert.Equal(6.0 / 7, r.Outcome.F1, 12);
        Assert.Equal(11.0 / 12, r.RocAuc!.Value, 12); // 12 pairs, only (5 vs 6) misordered
        Assert.Equal(7, r.TestCount);
        Assert.Equal(3, r.AnomalyCount);
    }

    [Fact]
    public void Min_max_scaling_per_set_keeps_ranking_metrics_and_scales_the_threshold()
    {
        var raw = AnomalyEvaluator.Evaluate(BinaryScores.ForValidation(ValY, ValS), BinaryScores.ForTest(TestY, TestS), new AnomalyOptions { Scaling = ScoreScaling.None });
        var scaled = AnomalyEvaluator.Evaluate(BinaryScores.ForValidation(ValY, ValS), BinaryScores.ForTest(TestY, TestS));
        Assert.Equal(ScoreScaling.MinMaxPerSet, scaled.Scaling);
        Assert.Equal(raw.RocAuc, scaled.RocAuc);
        Assert.Equal(raw.AveragePrecision, scaled.AveragePrecision);
        Assert.Equal(0.5, scaled.Threshold.Value, 12); // (5 − 1) / (9 − 1) on validation
        // on test scaled over [0, 8] the threshold 0.5 is the raw score 4: the normal 4 and 6 are flagged
        Assert.Equal(2, scaled.Outcome.FalsePositives);
    }

    [Fact]
    public void Validation_scaling_uses_no_test_statistics()
    {
        var r = AnomalyEvaluator.Evaluate(BinaryScores.ForValidation(ValY, ValS), BinaryScores.ForTest(TestY, TestS), new AnomalyOptions { Scaling = ScoreScaling.MinMaxFromValidation });
        Assert.Equal(0.5, r.Threshold.Value, 12);
        Assert.Equal(1, r.Outcome.FalsePositives); // same decisions as the raw threshold 5
    }

    [Fact]
    public void Test_scores_must_be_tagged_test()
    {
        var e = Assert.Throws<ArgumentException>(() => AnomalyEvaluator.Evaluate(BinaryScores.ForValidation(ValY, ValS), BinaryScores.ForValidation(TestY, TestS)));
        Assert.Contains("ForTest", e.Message);
    }

    [Fact]
    public void Bootstrap_intervals_cover_auc_ap_and_f1()
    {
        var rng = new Random(2);
        int n = 300;
        var y = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.3).ToArray();
        var s = y.Select(a => rng.NextDouble() + (a ? 0.6 : 0)).ToArray();
        var r = AnomalyEvaluator.Evaluate(BinaryScores.ForValidation(y.Take(100).ToArray(), s.Take(100).ToArray()),
            BinaryScores.ForTest(y.Skip(100).ToArray(), s.Skip(100).ToArray()),
            new AnomalyOptions { Bootstrap = new BootstrapOptions { Seed = 1, Resamples = 200, Stratified = true } });
        foreach (var key in new[] { MetricNames.RocAuc, MetricNames.AveragePrecision, MetricNames.F1 })
            Assert.True(r.Intervals[key].Contains(r.Intervals[key].Point!.Value), key);
        Assert.Equal(r.RocAuc!.Value, r.Intervals[MetricNames.RocAuc].Point!.Value, 12);
        Assert.Equal(r.Outcome.F1, r.Intervals[MetricNames.F1].Point!.Value, 12);
        var json = MetricJson.Serialize(r);
        Assert.Equal(json, MetricJson.Serialize(MetricJson.Deserialize<AnomalyReport>(json)));
    }
}
