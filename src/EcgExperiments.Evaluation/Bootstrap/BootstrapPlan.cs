using System.Security.Cryptography;
using System.Runtime.InteropServices;
using EcgExperiments.Core;

namespace EcgExperiments.Evaluation;

/// <summary>
/// A fixed set of bootstrap resamples over <see cref="SampleCount"/> samples. Resample r is drawn
/// from its own SplitMix64 stream keyed by (seed, r), so any single resample can be regenerated
/// alone and a persisted <see cref="ResampleIds"/> re-creates all of them exactly. Several metrics
/// evaluated on one plan share the same resamples (their intervals are comparable).
/// </summary>
/// <example><code>
/// var plan = BootstrapPlan.Create(labels.Length, new BootstrapOptions { Seed = 42, Resamples = 1000 });
/// ConfidenceInterval ci = plan.Interval(idx => idx.Average(i => correct[i] ? 1.0 : 0.0));
/// ResampleIds ids = plan.Ids;                         // store in the run record
/// var again = BootstrapPlan.Recreate(ids);            // same index arrays
/// </code></example>
public sealed class BootstrapPlan
{
    public const string Algorithm = "splitmix64-v1";

    private readonly int[][]? _strata; // members of each stratum in ascending stratum value, index order

    private BootstrapPlan(ResampleIds ids, double level, int[][]? strata)
    {
        Ids = ids;
        Level = level;
        _strata = strata;
    }

    public ResampleIds Ids { get; }
    public int SampleCount => Ids.SampleCount;
    public int Resamples => Ids.Resamples;

    /// <summary>Default confidence level for <see cref="Interval"/>.</summary>
    public double Level { get; }

    /// <summary>
    /// New plan. With <see cref="BootstrapOptions.Stratified"/>, <paramref name="strata"/> (e.g. the
    /// true class of each sample) is required and every resample keeps each stratum's size.
    /// </summary>
    public static BootstrapPlan Create(int sampleCount, BootstrapOptions options, IReadOnlyList<int>? strata = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (sampleCount < 1) throw new ArgumentOutOfRangeException(nameof(sampleCount), sampleCount, "bootstrap needs at least one sample");
        var groups = Groups(sampleCount, options.Stratified, strata);
        string? strataHash = groups is null ? null : StrataFingerprint(strata!);
        var draft = new BootstrapPlan(new ResampleIds(Algorithm, options.Seed, options.Resamples, sampleCount, options.Stratified, strataHash, ""), options.Level, groups);
        return new BootstrapPlan(draft.Ids with { IndicesFingerprint = draft.HashIndices() }, options.Level, groups);
    }

    /// <summary>
    /// Rebuilds the resamples described by <paramref name="ids"/> (pass the same strata for a
    /// stratified plan) and verifies every index against the stored fingerprint.
    /// </summary>
    /// <exception cref="EcgDataException">Unknown algorithm, different strata, or indices that do not match.</exception>
    public static BootstrapPlan Recreate(ResampleIds ids, IReadOnlyList<int>? strata = null, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Algorithm != Algorithm)
            throw new EcgDataException($"bootstrap resamples were made with '{ids.Algorithm}', this build re-creates '{Algorithm}' only");
        var groups = Groups(ids.SampleCount, ids.Stratified, strata);
        if (groups is not null && StrataFingerprint(strata!) != ids.StrataFingerprint)
            throw new EcgDataException("the strata given differ from those the resamples were drawn with (fingerprint mismatch); pass the same labels in the same order");
        var plan = new BootstrapPlan(ids, level, groups);
        if (plan.HashIndices() != ids.IndicesFingerprint)
            throw new EcgDataException("re-created bootstrap indices do not match the stored fingerprint");
        return plan;
    }

    /// <summary>Sample indices of resample <paramref name="resample"/> (length <see cref="SampleCount"/>).</summary>
    public int[] Indices(int resample)
    {
        if ((uint)resample >= (uint)Resamples) throw new ArgumentOutOfRangeException(nameof(resample), resample, $"plan has {Resamples} resamples");
        var idx = new int[SampleCount];
        var rng = SplitMix64.ForStream(Ids.Seed, (ulong)resample);
        if (_strata is null)
        {
            for (int j = 0; j < idx.Length; j++) idx[j] = rng.NextInt(SampleCount);
        }
        else
        {
            int at = 0;
            foreach (var members in _strata)
                for (int j = 0; j < members.Length; j++) idx[at++] = members[rng.NextInt(members.Length)];
        }
        return idx;
    }

    /// <summary>Resampled values of a metric over all resamples; null or NaN results count as skipped.</summary>
    public BootstrapDistribution Distribution(Func<int[], double?> metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return Distributions(new Dictionary<string, Func<int[], double?>> { ["m"] = metric })["m"];
    }

    /// <summary>Several metrics on the same resamples (each resample is generated once).</summary>
    public IReadOnlyDictionary<string, BootstrapDistribution> Distributions(IReadOnlyDictionary<string, Func<int[], double?>> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var names = metrics.Keys.ToArray();
        var funcs = names.Select(n => metrics[n]).ToArray();
        return Distributions(names, idx =>
        {
            var v = new double?[funcs.Length];
            for (int m = 0; m < funcs.Length; m++) v[m] = funcs[m](idx);
            return v;
        });
    }

    /// <summary>
    /// Several metrics computed together from each resample's indices (one call per resample, so
    /// shared work such as a confusion matrix is done once); <paramref name="metrics"/> returns one
    /// value per name, null or NaN when undefined on that resample.
    /// </summary>
    public IReadOnlyDictionary<string, BootstrapDistribution> Distributions(IReadOnlyList<string> names, Func<int[], double?[]> metrics)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(metrics);
        var values = names.Select(_ => new List<double>(Resamples)).ToArray();
        var skipped = new int[names.Count];
        for (int r = 0; r < Resamples; r++)
        {
            var v = Checked(metrics(Indices(r)), names.Count);
            for (int m = 0; m < names.Count; m++)
            {
                if (v[m] is { } x && !double.IsNaN(x)) values[m].Add(x); else skipped[m]++;
            }
        }
        var point = Checked(metrics(Enumerable.Range(0, SampleCount).ToArray()), names.Count);
        var result = new Dictionary<string, BootstrapDistribution>();
        for (int m = 0; m < names.Count; m++)
        {
            double? p = point[m] is { } x && !double.IsNaN(x) ? x : null;
            result[names[m]] = new BootstrapDistribution(p, values[m], Resamples, skipped[m]);
        }
        return result;
    }

    private static double?[] Checked(double?[] values, int expected)
        => values.Length == expected ? values : throw new InvalidOperationException($"metric function returned {values.Length} values for {expected} names");

    /// <summary>Percentile interval of one metric at <paramref name="level"/> (default: the plan's level).</summary>
    public ConfidenceInterval Interval(Func<int[], double?> metric, double? level = null) => Distribution(metric).Interval(level ?? Level);

    /// <summary>Intervals of several metrics on the same resamples.</summary>
    public IReadOnlyDictionary<string, ConfidenceInterval> Intervals(IReadOnlyDictionary<string, Func<int[], double?>> metrics, double? level = null)
        => Distributions(metrics).ToDictionary(kv => kv.Key, kv => kv.Value.Interval(level ?? Level));

    /// <summary>How many times each sample occurs in a resample given by its indices.</summary>
    internal static int[] Counts(int[] indices, int sampleCount)
    {
        var c = new int[sampleCount];
        foreach (int i in indices) c[i]++;
        return c;
    }

    private string HashIndices()
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int r = 0; r < Resamples; r++) h.AppendData(MemoryMarshal.AsBytes(Indices(r).AsSpan()));
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    private static int[][]? Groups(int sampleCount, bool stratified, IReadOnlyList<int>? strata)
    {
        if (!stratified) return null;
        if (strata is null) throw new ArgumentException("stratified bootstrap needs the stratum (e.g. class label) of every sample", nameof(strata));
        if (strata.Count != sampleCount) throw new ArgumentException($"{strata.Count} strata for {sampleCount} samples", nameof(strata));
        return Enumerable.Range(0, sampleCount).GroupBy(i => strata[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
    }

    private static string StrataFingerprint(IReadOnlyList<int> strata) => StableHash.Of(MemoryMarshal.AsBytes(strata.ToArray().AsSpan()));
}

/// <summary>One-call percentile bootstrap of any metric given as a function of sample indices.</summary>
/// <example><code>
/// BootstrapResult r = BootstrapCI.Compute(n, idx => Accuracy(idx), new BootstrapOptions { Seed = 1 });
/// Console.WriteLine($"{r.Interval.Point:F3} [{r.Interval.Lower:F3}, {r.Interval.Upper:F3}]");
/// </code></example>
public static class BootstrapCI
{
    public static BootstrapResult Compute(int sampleCount, Func<int[], double?> metric, BootstrapOptions options, IReadOnlyList<int>? strata = null)
    {
        var plan = BootstrapPlan.Create(sampleCount, options, strata);
        return new BootstrapResult(plan.Interval(metric), plan.Ids);
    }
}
