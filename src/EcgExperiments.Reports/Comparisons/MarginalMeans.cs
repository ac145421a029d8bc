using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>The mean of a metric over the runs that share one value of a parameter, with its interval.</summary>
/// <param name="Value">The parameter value (short form, e.g. "focal").</param>
/// <param name="Runs">How many runs have it (and report the metric).</param>
/// <param name="Interval">Student t interval of the mean over those runs; for a single run, that run's own test-set interval.</param>
public sealed record ValueMean(string Value, int Runs, ConfidenceInterval Interval);

/// <summary>
/// How much one parameter moves a metric: the mean per value (<see cref="Means"/>) and <see cref="Spread"/>, the largest
/// minus the smallest mean. Sorting parameters by spread is a simple importance view: a parameter whose values all give
/// the same mean does not matter on this test set, whatever the others do.
/// </summary>
public sealed record ParameterEffect(ParameterAxis Axis, IReadOnlyList<ValueMean> Means, double Spread);

/// <summary>Per-parameter marginal means of a metric over a set of runs (see <see cref="ParameterEffect"/>).</summary>
/// <example><code>
/// var effects = MarginalMeans.Of(runs, ParameterSpace.Of(runs), "macro_f1", 0.95);
/// foreach (var e in effects) Console.WriteLine($"{e.Axis.Name}: spread {e.Spread:0.000}");
/// </code></example>
public static class MarginalMeans
{
    /// <summary>Effects of every parameter with at least two values among the runs reporting <paramref name="metricKey"/>, largest spread first.</summary>
    public static IReadOnlyList<ParameterEffect> Of(IReadOnlyList<RunRecord> runs, ParameterSpace space, string metricKey, double level)
    {
        var valued = runs.Select(r => (run: r, entry: MetricLookup.Find(r.Table, metricKey)))
            .Where(x => x.entry?.Value is { } v && double.IsFinite(v)).ToList();
        var effects = new List<ParameterEffect>();
        foreach (var axis in space.Axes)
        {
            var byValue = valued.GroupBy(x => axis.ValueOf(x.run)).ToList();
            if (byValue.Count < 2) continue;
            var means = byValue.Select(g =>
            {
                var list = g.ToList();
                var ci = list.Count == 1
                    ? new ConfidenceInterval(list[0].entry!.Value, list[0].entry!.Lower, list[0].entry!.Upper, list[0].entry!.Level ?? level, 0, 0,
                        list[0].entry!.Method ?? IntervalMethods.PercentileBootstrap)
                    : MeanInterval.StudentT(list.Select(x => x.entry!.Value!.Value), level);
                return new ValueMean(g.Key, list.Count, ci);
            }).ToList();
            var points = means.Select(m => m.Interval.Point!.Value).ToList();
            effects.Add(new ParameterEffect(axis, means, points.Max() - points.Min()));
        }
        return effects.OrderByDescending(e => e.Spread).ToList();
    }
}
