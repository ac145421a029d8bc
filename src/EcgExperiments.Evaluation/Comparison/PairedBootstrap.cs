namespace EcgExperiments.Evaluation;

/// <summary>
/// Percentile-bootstrap intervals of the difference of a metric between two models scored on the same examples.
/// Both models are evaluated on the very same resamples (one <see cref="BootstrapPlan"/>), so the interval is of the
/// paired difference: the examples that are hard for both cancel out, and the interval is much narrower than two
/// separate intervals would suggest. A resample on which either model's metric is undefined (e.g. ROC-AUC without a
/// positive) is skipped for that metric and counted.
/// </summary>
/// <example><code>
/// var plan = BootstrapPlan.Create(n, new BootstrapOptions { Seed = 42, Stratified = true }, labels);
/// var d = PairedBootstrap.Differences(plan, ["macro_f1"], idx => [MacroF1(focal, idx)], idx => [MacroF1(none, idx)]);
/// ConfidenceInterval ci = d["macro_f1"].Interval(0.95);   // focal − none
/// </code></example>
public static class PairedBootstrap
{
    /// <summary>
    /// Distribution of first − second for each metric in <paramref name="names"/>: <paramref name="first"/> and
    /// <paramref name="second"/> map a resample's sample indices to one value per name (null or NaN when undefined).
    /// The point is the difference on the full set.
    /// </summary>
    public static IReadOnlyDictionary<string, BootstrapDistribution> Differences(BootstrapPlan plan, IReadOnlyList<string> names,
        Func<int[], double?[]> first, Func<int[], double?[]> second)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return plan.Distributions(names, idx =>
        {
            var a = first(idx);
            var b = second(idx);
            if (a.Length != names.Count || b.Length != names.Count)
                throw new InvalidOperationException($"metric functions returned {a.Length} and {b.Length} values for {names.Count} names");
            var d = new double?[names.Count];
            for (int m = 0; m < d.Length; m++) d[m] = a[m] is { } x && b[m] is { } y ? x - y : null;
            return d;
        });
    }

    /// <summary>The interval of first − second for one metric.</summary>
    public static ConfidenceInterval Difference(BootstrapPlan plan, Func<int[], double?> first, Func<int[], double?> second, double? level = null) =>
        Differences(plan, ["m"], idx => [first(idx)], idx => [second(idx)])["m"].Interval(level ?? plan.Level);
}
