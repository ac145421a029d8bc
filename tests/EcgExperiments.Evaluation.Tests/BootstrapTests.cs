using EcgExperiments.Core;

namespace EcgExperiments.Evaluation.Tests;

public sealed class BootstrapTests
{
    private static (bool[] Correct, int[] Labels) Data(int n, int seed)
    {
        var rng = new Random(seed);
        var correct = new bool[n];
        var labels = new int[n];
        for (int i = 0; i < n; i++) { labels[i] = rng.Next(3); correct[i] = rng.NextDouble() < 0.8; }
        return (correct, labels);
    }

    private static Func<int[], double?> Accuracy(bool[] correct) => idx => idx.Average(i => correct[i] ? 1.0 : 0.0);

    [Fact]
    public void Interval_contains_the_point_estimate_and_narrows_with_lower_level()
    {
        var (correct, _) = Data(400, 1);
        var plan = BootstrapPlan.Create(400, new BootstrapOptions { Seed = 3, Resamples = 500 });
        var dist = plan.Distribution(Accuracy(correct));
        var ci95 = dist.Interval(0.95);
        var ci90 = dist.Interval(0.90);
        Assert.Equal(correct.Count(c => c) / 400.0, ci95.Point!.Value, 12);
        Assert.True(ci95.Contains(ci95.Point.Value), $"[{ci95.Lower}, {ci95.Upper}] misses {ci95.Point}");
        Assert.True(ci95.Lower <= ci90.Lower && ci90.Upper <= ci95.Upper);
        // binomial standard error √(p(1−p)/n) ≈ 0.02: the 95 % width is about 4 of them
        double width = ci95.Upper!.Value - ci95.Lower!.Value;
        Assert.InRange(width, 0.06, 0.10);
        Assert.Equal(0, ci95.Skipped);
    }

    [Fact]
    public void Same_seed_gives_identical_ids_indices_and_bounds_and_another_seed_differs()
    {
        var (correct, _) = Data(300, 2);
        var options = new BootstrapOptions { Seed = 99, Resamples = 200, Level = 0.9 };
        var a = BootstrapCI.Compute(300, Accuracy(correct), options);
        var b = BootstrapCI.Compute(300, Accuracy(correct), options);
        Assert.Equal(a.Ids, b.Ids);
        Assert.Equal(a.Interval, b.Interval);
        Assert.Equal(BootstrapPlan.Create(300, options).Indices(17), BootstrapPlan.Create(300, options).Indices(17));
        var c = BootstrapCI.Compute(300, Accuracy(correct), options with { Seed = 100 });
        Assert.NotEqual(a.Ids.IndicesFingerprint, c.Ids.IndicesFingerprint);
        Assert.NotEqual(a.Interval.Lower, c.Interval.Lower);
    }

    [Fact]
    public void Persisted_ids_recreate_exactly_the_same_resamples()
    {
        var plan = BootstrapPlan.Create(50, new BootstrapOptions { Seed = 5, Resamples = 30 });
        var again = BootstrapPlan.Recreate(plan.Ids);
        for (int r = 0; r < 30; r++) Assert.Equal(plan.Indices(r), again.Indices(r));
        var tampered = plan.Ids with { Seed = 6 };
        var e = Assert.Throws<EcgDataException>(() => BootstrapPlan.Recreate(tampered));
        Assert.Contains("fingerprint", e.Message);
    }

    [Fact]
    public void Ids_survive_json_and_still_recreate()
    {
        var plan = BootstrapPlan.Create(40, new BootstrapOptions { Seed = ulong.MaxValue - 1, Resamples = 10 });
        var json = System.Text.Json.JsonSerializer.Serialize(plan.Ids, MetricJson.Options);
        var ids = System.Text.Json.JsonSerializer.Deserialize<ResampleIds>(json, MetricJson.Options)!;
        Assert.Equal(plan.Ids, ids);
        Assert.Equal(plan.Indices(9), BootstrapPlan.Recreate(ids).Indices(9));
    }

    [Fact]
    public void Stratified_resamples_keep_every_class_count()
    {
        var (_, labels) = Data(200, 3);
        var plan = BootstrapPlan.Create(200, new BootstrapOptions { Seed = 1, Resamples = 50, Stratified = true }, labels);
        var expected = Enumerable.Range(0, 3).Select(c => labels.Count(l => l == c)).ToArray();
        for (int r = 0; r < 50; r++)
        {
            var idx = plan.Indices(r);
            Assert.Equal(expected, Enumerable.Range(0, 3).Select(c => idx.Count(i => labels[i] == c)).ToArray());
        }
        Assert.NotNull(plan.Ids.StrataFingerprint);
        var other = labels.Select(l => (l + 1) % 3).ToArray();
        Assert.Throws<EcgDataException>(() => BootstrapPlan.Recreate(plan.Ids, other));
        Assert.Equal(plan.Indices(3), BootstrapPlan.Recreate(plan.Ids, labels).Indices(3));
    }

    [Fact]
    public void Resamples_without_a_positive_are_skipped_and_counted()
    {
        // one positive among 10: a resample misses it with probability 0.9^10 ≈ 0.35
        bool[] y = [true, false, false, false, false, false, false, false, false, false];
        double[] s = [0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.95];
        var plan = BootstrapPlan.Create(10, new BootstrapOptions { Seed = 8, Resamples = 400 });
        var ci = plan.Interval(idx => RankingMetrics.RocAuc(idx.Select(i => y[i]).ToArray(), idx.Select(i => s[i]).ToArray()));
        int missing = Enumerable.Range(0, 400).Count(r => !plan.Indices(r).Contains(0));
        Assert.Equal(missing, ci.Skipped);
        Assert.InRange(ci.Skipped, 100, 180);
        Assert.Equal(8.0 / 9, ci.Point!.Value, 12);
        Assert.NotNull(ci.Lower);
    }

    [Fact]
    public void Percentiles_interpolate_linearly_like_numpy()
    {
        var d = new BootstrapDistribution(3, [5, 1, 4, 2, 3], 5, 0);
        var ci = d.Interval(0.9);
        Assert.Equal(1.2, ci.Lower!.Value, 12);  // numpy.percentile([1..5], 5) = 1.2
        Assert.Equal(4.8, ci.Upper!.Value, 12);  // numpy.percentile([1..5], 95) = 4.8
        var none = new BootstrapDistribution(null, [], 5, 5).Interval(0.95);
        Assert.Null(none.Lower);
        Assert.Equal(5, none.Skipped);
    }

    [Fact]
    public void Bad_options_name_the_setting()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BootstrapPlan.Create(10, new BootstrapOptions { Level = 95 }));
        Assert.Equal("Level", e.ParamName);
        Assert.Throws<ArgumentException>(() => BootstrapPlan.Create(10, new BootstrapOptions { Stratified = true }));
    }

    [Fact]
    public void Evaluator_intervals_share_one_resample_set_and_contain_their_points()
    {
        var rng = new Random(4);
        int n = 600;
        var labels = new int[n];
        var probs = new double[n][];
        for (int i = 0; i < n; i++)
        {
            labels[i] = rng.Next(3);
            var row = new double[3];
            for (int c = 0; c < 3; c++) row[c] = rng.NextDouble() + (c == labels[i] ? 1.0 : 0);
            double sum = row.Sum();
            probs[i] = row.Select(v => v / sum).ToArray();
        }
        var s = ClassificationScores.FromProbabilities(labels, probs, ["N", "S", "V"]);
        var r = ClassificationEvaluator.Evaluate(s, new EvaluationOptions { Bootstrap = new BootstrapOptions { Seed = 1, Resamples = 300, Stratified = true } });
        Assert.NotNull(r.Resamples);
        Assert.Equal(300, r.Resamples!.Resamples);
        // Accuracy and recall are proportions with Wilson intervals (WilsonScoreTests); these are the bootstrapped metrics.
        foreach (var key in new[] { MetricNames.BalancedAccuracy, MetricNames.MacroF1, MetricNames.RocAuc, MetricNames.LogLoss, "f1[S]", "roc_auc[V]" })
        {
            var ci = r.Intervals[key];
            Assert.Equal(IntervalMethods.PercentileBootstrap, ci.Method);
            Assert.Equal(300, ci.Resamples);
            Assert.True(ci.Contains(ci.Point!.Value), $"{key}: [{ci.Lower}, {ci.Upper}] misses {ci.Point}");
            Assert.Equal(0, ci.Skipped); // stratified: every class present in every resample
        }
        Assert.Equal(r.Aggregates.MacroF1, r.Intervals[MetricNames.MacroF1].Point!.Value, 12);
        foreach (var key in new[] { MetricNames.Accuracy, "recall[S]", "precision[V]", "specificity[N]" })
            Assert.Equal(IntervalMethods.Wilson, r.Intervals[key].Method);
        Assert.Equal(r.PerClass[2].RocAuc!.Value, r.Intervals["roc_auc[V]"].Point!.Value, 12);
    }
}
