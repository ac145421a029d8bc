namespace EcgExperiments.Evaluation.Tests;

/// <summary>
/// Properties every paired comparison must have whatever the data: a model compared with itself differs by exactly
/// nothing, swapping the two models mirrors every difference and keeps every p-value, the paired bootstrap really uses
/// the same resamples for both, Holm never lowers a p-value and is monotone, and DeLong depends on ranks only.
/// </summary>
public sealed class PairedComparisonInvariantTests
{
    private static (int[] Labels, double[] First, double[] Second) Binary(int n, int seed, double prevalence = 0.2)
    {
        var rng = new Random(seed);
        var y = new int[n];
        var a = new double[n];
        var b = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = rng.NextDouble() < prevalence ? 1 : 0;
            double common = rng.NextDouble();
            // Probabilities on a coarse grid (ties), both models leaning on the same signal (correlated).
            a[i] = Math.Round(Math.Clamp(0.55 * common + 0.35 * y[i] + 0.1 * rng.NextDouble(), 0, 1), 2);
            b[i] = Math.Round(Math.Clamp(0.6 * common + 0.25 * y[i] + 0.15 * rng.NextDouble(), 0, 1), 2);
        }
        return (y, a, b);
    }

    private static ClassificationScores Scores(int[] y, double[] p) => ClassificationScores.Binary(y, p, ["NORM", "HYP"], positiveClass: 1);

    private static ComparisonOptions Options(int seed = 5) => new() { Bootstrap = new BootstrapOptions { Resamples = 400, Seed = (ulong)seed, Stratified = true } };

    [Fact]
    public void A_model_compared_with_itself_differs_by_exactly_zero_with_p_one()
    {
        var (y, a, _) = Binary(120, 1);
        var rows = ClassificationComparison.Compare(Scores(y, a), Scores(y, a), Options());
        Assert.Equal(["accuracy", "macro_f1", "roc_auc", "recall[NORM]", "recall[HYP]"], rows.Select(r => r.Key));
        foreach (var r in rows)
        {
            Assert.Equal(0.0, r.Difference.Point);
            Assert.Equal(0.0, r.Difference.Lower);
            Assert.Equal(0.0, r.Difference.Upper);
            Assert.Equal(1.0, r.Test!.PValue);
        }
    }

    [Fact]
    public void Swapping_the_models_mirrors_every_interval_and_keeps_every_p_value()
    {
        var (y, a, b) = Binary(150, 2);
        var ab = ClassificationComparison.Compare(Scores(y, a), Scores(y, b), Options());
        var ba = ClassificationComparison.Compare(Scores(y, b), Scores(y, a), Options());
        foreach (var (x, z) in ab.Zip(ba))
        {
            Assert.Equal(x.Key, z.Key);
            Assert.Equal(x.First, z.Second);
            Assert.Equal(-x.Difference.Point!.Value, z.Difference.Point!.Value, 12);
            Assert.Equal(-x.Difference.Upper!.Value, z.Difference.Lower!.Value, 12);
            Assert.Equal(-x.Difference.Lower!.Value, z.Difference.Upper!.Value, 12);
            Assert.Equal(x.Test!.Method, z.Test!.Method);
            Assert.Equal(x.Test.PValue!.Value, z.Test.PValue!.Value, 12);
        }
        Assert.Equal([ComparisonTests.McNemarExact, ComparisonTests.PairedPermutation, ComparisonTests.DeLong, ComparisonTests.McNemarExact, ComparisonTests.McNemarExact],
            ab.Select(r => r.Test!.Method));
    }

    [Fact]
    public void Paired_bootstrap_differences_are_per_resample_differences_on_the_same_resamples()
    {
        var (y, a, b) = Binary(90, 3);
        var plan = BootstrapPlan.Create(y.Length, new BootstrapOptions { Resamples = 300, Seed = 11 });
        Func<int[], double?> Acc(double[] p) => idx => idx.Average(i => (p[i] >= 0.5 ? 1 : 0) == y[i] ? 1.0 : 0.0);
        var da = plan.Distribution(Acc(a));
        var db = plan.Distribution(Acc(b));
        var diff = PairedBootstrap.Differences(plan, ["accuracy"], idx => [Acc(a)(idx)], idx => [Acc(b)(idx)])["accuracy"];
        Assert.Equal(da.Values.Zip(db.Values, (u, v) => u - v), diff.Values);
        Assert.Equal(da.Point!.Value - db.Point!.Value, diff.Point!.Value, 15);
        // Shared resamples cancel what both get right or wrong: the paired interval is far narrower than the two
        // separate intervals laid end to end.
        var paired = diff.Interval(0.95);
        var (ia, ib) = (da.Interval(0.95), db.Interval(0.95));
        double unpaired = (ia.Upper!.Value - ia.Lower!.Value) / 2 + (ib.Upper!.Value - ib.Lower!.Value) / 2;
        Assert.True(paired.Upper - paired.Lower < unpaired, $"paired width {paired.Upper - paired.Lower} vs {unpaired}");
    }

    [Fact]
    public void Paired_bootstrap_skips_resamples_where_either_metric_is_undefined()
    {
        var plan = BootstrapPlan.Create(10, new BootstrapOptions { Resamples = 200, Seed = 1 });
        var d = PairedBootstrap.Differences(plan, ["m"], idx => [idx.Contains(0) ? 1.0 : null], idx => [0.5])["m"];
        Assert.Equal(200, d.Resamples);
        Assert.Equal(200, d.Values.Count + d.Skipped);
        Assert.True(d.Skipped > 0 && d.Values.All(v => v == 0.5));
    }

    [Fact]
    public void Holm_never_lowers_a_p_value_keeps_the_order_and_ignores_missing_tests()
    {
        var rng = new Random(4);
        for (int trial = 0; trial < 200; trial++)
        {
            var p = Enumerable.Range(0, rng.Next(1, 12)).Select(_ => (double?)Math.Pow(rng.NextDouble(), 3)).ToList();
            var adj = MultipleComparisons.Holm(p);
            for (int i = 0; i < p.Count; i++)
            {
                Assert.InRange(adj[i]!.Value, p[i]!.Value, 1.0);
                Assert.True(adj[i] <= Math.Min(1, p[i]!.Value * p.Count) + 1e-15, "Holm is never more conservative than Bonferroni");
                for (int j = 0; j < p.Count; j++)
                    if (p[i] < p[j]) Assert.True(adj[i] <= adj[j], "a smaller p-value cannot get a larger adjusted one");
            }
            var withMissing = p.Append(null).Append(double.NaN).ToList();
            Assert.Equal(adj, MultipleComparisons.Holm(withMissing).Take(p.Count));
            Assert.Null(MultipleComparisons.Holm(withMissing)[^1]);
        }
    }

    [Fact]
    public void McNemar_is_symmetric_and_gives_one_for_a_tie_and_no_discordant_pair()
    {
        for (int b = 0; b < 30; b++)
            for (int c = 0; c < 30; c++)
            {
                var r = McNemarTest.Exact(b, c);
                Assert.Equal(r.PValue, McNemarTest.Exact(c, b).PValue);
                Assert.InRange(r.PValue, 0, 1);
                if (b == c) Assert.Equal(1.0, r.PValue);
                if (c > 0) Assert.True(McNemarTest.Exact(b, c + 1).PValue <= McNemarTest.Exact(b, c).PValue || c + 1 <= b, "more evidence lowers p");
            }
    }

    [Fact]
    public void DeLong_depends_on_ranks_only_and_is_antisymmetric()
    {
        var (y, a, b) = Binary(200, 6, prevalence: 0.3);
        var pos = y.Select(v => v == 1).ToArray();
        var r = DeLongTest.Compare(pos, a, b);
        // A strictly increasing transform of one model's scores changes no rank.
        var transformed = a.Select(v => Math.Exp(3 * v) - 7).ToArray();
        var t = DeLongTest.Compare(pos, transformed, b);
        Assert.Equal(r.FirstAuc, t.FirstAuc, 14);
        Assert.Equal(r.Z!.Value, t.Z!.Value, 12);
        var s = DeLongTest.Compare(pos, b, a);
        Assert.Equal(-r.Z!.Value, s.Z!.Value, 12);
        Assert.Equal(r.PValue!.Value, s.PValue!.Value, 14);
        Assert.True(r.Interval(0.95).Contains(r.Difference));
        var self = DeLongTest.Compare(pos, a, a);
        Assert.Equal((0.0, 1.0), (self.Difference, self.PValue!.Value));
    }

    [Fact]
    public void DeLong_is_undefined_with_a_single_positive_and_refuses_a_missing_class()
    {
        var pos = new[] { true, false, false, false };
        var r = DeLongTest.Compare(pos, [0.9, 0.1, 0.2, 0.3], [0.2, 0.1, 0.5, 0.3]);
        Assert.Equal((1.0, 1.0 / 3), (r.FirstAuc, r.SecondAuc));
        Assert.Null(r.PValue);
        var e = Assert.Throws<ArgumentException>(() => DeLongTest.Compare([false, false], [0.1, 0.2], [0.3, 0.4]));
        Assert.Contains("0 positive", e.Message);
    }

    [Fact]
    public void Random_swap_permutation_p_agrees_with_the_exact_one()
    {
        var rng = new Random(8);
        int n = 60;
        var y = Enumerable.Range(0, n).Select(_ => rng.Next(3)).ToArray();
        var a = y.Select(v => rng.NextDouble() < 0.8 ? v : rng.Next(3)).ToArray();
        var b = a.Select(v => rng.NextDouble() < 0.25 ? rng.Next(3) : v).ToArray();
        var exact = PairedPermutationTest.Run(y, a, b, 3, cm => cm.MacroF1, new PermutationOptions { ExactLimit = 20 });
        Assert.True(exact.Exact, $"{exact.Discordant} discordant");
        var sampled = PairedPermutationTest.Run(y, a, b, 3, cm => cm.MacroF1, new PermutationOptions { ExactLimit = 0, Resamples = 20_000, Seed = 3 });
        Assert.False(sampled.Exact);
        Assert.Equal(exact.Observed, sampled.Observed);
        // 20,000 draws: standard error of the p estimate below 0.004.
        Assert.InRange(sampled.PValue, exact.PValue - 0.02, exact.PValue + 0.02);
        var reversed = PairedPermutationTest.Run(y, b, a, 3, cm => cm.MacroF1);
        Assert.Equal(-exact.Observed, reversed.Observed, 14);
        Assert.Equal(exact.PValue, reversed.PValue, 14);
    }

    [Fact]
    public void Comparison_counts_discordant_examples_per_class_for_recall()
    {
        int[] y = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0];
        double[] a = [0.9, 0.8, 0.7, 0.2, 0.6, 0.1, 0.1, 0.2, 0.6, 0.3];   // HYP found: 4 of 6
        double[] b = [0.9, 0.3, 0.2, 0.2, 0.6, 0.1, 0.1, 0.7, 0.3, 0.3];   // HYP found: 2 of 6
        var rows = ClassificationComparison.Compare(Scores(y, a), Scores(y, b), Options());
        var recall = rows.Single(r => r.Key == "recall[HYP]");
        Assert.Equal(4.0 / 6 - 2.0 / 6, recall.Difference.Point!.Value, 14);
        Assert.Equal("2 right only by the first, 0 only by the second among the 6 HYP example(s)", recall.Test!.Detail);
        Assert.Equal(0.5, recall.Test.PValue);
        var accuracy = rows.Single(r => r.Key == "accuracy");
        Assert.Equal("3 right only by the first, 1 only by the second", accuracy.Test!.Detail);   // records 1, 2, 7 vs 8
        Assert.Equal(ClassificationEvaluator.Evaluate(Scores(y, a)).Aggregates.Accuracy - ClassificationEvaluator.Evaluate(Scores(y, b)).Aggregates.Accuracy,
            accuracy.Difference.Point!.Value, 14);
    }

    [Fact]
    public void Comparison_refuses_score_sets_of_different_examples()
    {
        var (y, a, b) = Binary(20, 9);
        var other = y.ToArray();
        other[3] = 1 - other[3];
        var e = Assert.Throws<ArgumentException>(() => ClassificationComparison.Compare(Scores(y, a), Scores(other, b)));
        Assert.Contains("example 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => ClassificationComparison.Compare(Scores(y, a), Scores(y[..10], b[..10])));
        Assert.Contains("same examples", e.Message);
    }

    [Fact]
    public void Mean_interval_of_runs_is_student_t_and_has_no_bounds_for_one_run()
    {
        var ci = MeanInterval.StudentT([0.81, 0.77, 0.84], 0.95);
        double sd = Math.Sqrt(((0.81 - 0.8066666666666666) * (0.81 - 0.8066666666666666) + (0.77 - 0.8066666666666666) * (0.77 - 0.8066666666666666)
                               + (0.84 - 0.8066666666666666) * (0.84 - 0.8066666666666666)) / 2);
        Assert.Equal(0.8066666666666666, ci.Point!.Value, 14);
        Assert.Equal(4.302652729911275 * sd / Math.Sqrt(3), ci.Upper!.Value - ci.Point.Value, 9);   // scipy's t quantile
        Assert.Equal(ci.Point.Value - ci.Lower!.Value, ci.Upper.Value - ci.Point.Value, 14);
        Assert.Equal(IntervalMethods.StudentT, ci.Method);
        var one = MeanInterval.StudentT([0.5, double.NaN], 0.95);
        Assert.Equal((0.5, null, null), (one.Point, one.Lower, one.Upper));
    }
}
