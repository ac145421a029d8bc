namespace EcgExperiments.Evaluation;

/// <summary>How an interval was computed: the values of <see cref="ConfidenceInterval.Method"/>.</summary>
public static class IntervalMethods
{
    /// <summary>Percentile bootstrap over resampled test samples (<see cref="BootstrapPlan"/>).</summary>
    public const string PercentileBootstrap = "percentile_bootstrap";

    /// <summary>Wilson score interval of a binomial proportion (<see cref="WilsonScore"/>).</summary>
    public const string Wilson = "wilson";

    /// <summary>Student t interval of a mean over a few values, e.g. one metric over several runs (<see cref="MeanInterval"/>).</summary>
    public const string StudentT = "student_t";

    /// <summary>Short wording for report captions: "percentile bootstrap", "Wilson score"; other values as they are.</summary>
    public static string Describe(string method) => method switch
    {
        PercentileBootstrap => "percentile bootstrap",
        Wilson => "Wilson score",
        StudentT => "Student t",
        _ => method,
    };
}

/// <summary>
/// A two-sided confidence interval at <see cref="Level"/>, computed by <see cref="Method"/>: a percentile
/// bootstrap (<see cref="IntervalMethods.PercentileBootstrap"/>; <see cref="Resamples"/> resamples, of which
/// <see cref="Skipped"/> left the metric undefined, e.g. ROC-AUC of a resample without positives, the bounds
/// coming from the others and being null when none was defined) or the Wilson score interval of a proportion
/// (<see cref="IntervalMethods.Wilson"/>; no resamples, <see cref="Resamples"/> = <see cref="Skipped"/> = 0).
/// Intervals stored before the method was recorded were all bootstrap ones, so a missing method reads as
/// <see cref="IntervalMethods.PercentileBootstrap"/>.
/// </summary>
/// <example><code>
/// ConfidenceInterval ci = report.Intervals[MetricNames.RocAuc];
/// Console.WriteLine($"AUC {ci.Point:F3} ({ci.Level:P0} {ci.Method} CI {ci.Lower:F3}–{ci.Upper:F3}, {ci.Skipped} resamples skipped)");
/// </code></example>
public sealed record ConfidenceInterval(double? Point, double? Lower, double? Upper, double Level, int Resamples, int Skipped,
    string Method = IntervalMethods.PercentileBootstrap)
{
    /// <summary>True when Lower ≤ value ≤ Upper.</summary>
    public bool Contains(double value) => Lower is { } lo && Upper is { } hi && lo <= value && value <= hi;
}

/// <summary>
/// The compact, reproducible identity of a set of bootstrap resamples, for a run record: algorithm,
/// seed, counts and, for stratified resampling, the fingerprint of the strata; plus a SHA-256 of
/// every index so a re-creation can be verified. <see cref="BootstrapPlan.Recreate"/> rebuilds
/// exactly the same index arrays.
/// </summary>
/// <example><code>
/// ResampleIds ids = report.Resamples!;                                   // persisted with the run
/// int[] first = BootstrapPlan.Recreate(ids, strata: testLabels).Indices(0);
/// </code></example>
public sealed record ResampleIds(string Algorithm, ulong Seed, int Resamples, int SampleCount, bool Stratified, string? StrataFingerprint, string IndicesFingerprint);

/// <summary>Resampled values of one metric (defined ones only) and its value on the full set.</summary>
public sealed record BootstrapDistribution(double? Point, IReadOnlyList<double> Values, int Resamples, int Skipped)
{
    /// <summary>
    /// Percentile interval at <paramref name="level"/>: the (1 − level)/2 and (1 + level)/2 quantiles
    /// of the resampled values with linear interpolation (numpy's default percentile).
    /// </summary>
    public ConfidenceInterval Interval(double level)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "confidence level must be in (0, 1)");
        if (Values.Count == 0) return new ConfidenceInterval(Point, null, null, level, Resamples, Skipped);
        var sorted = Values.ToArray();
        Array.Sort(sorted);
        return new ConfidenceInterval(Point, Quantile(sorted, (1 - level) / 2), Quantile(sorted, (1 + level) / 2), level, Resamples, Skipped);
    }

    internal static double Quantile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}

/// <summary>An interval and the resamples that produced it (persist <see cref="Ids"/> in the run record).</summary>
public sealed record BootstrapResult(ConfidenceInterval Interval, ResampleIds Ids);
