using EcgExperiments.Core;
using EcgExperiments.Evaluation.Internal;

namespace EcgExperiments.Evaluation;

/// <summary>Settings of <see cref="PairedPermutationTest"/>.</summary>
public sealed record PermutationOptions
{
    /// <summary>Enumerate all 2^d swaps when at most this many examples are predicted differently (2^20 ≈ 10⁶ metric evaluations).</summary>
    public int ExactLimit { get; init; } = 20;

    /// <summary>Random swap patterns drawn when there are more discordant examples than <see cref="ExactLimit"/>.</summary>
    public int Resamples { get; init; } = 10_000;

    /// <summary>Seed of the random swap patterns.</summary>
    public ulong Seed { get; init; }

    /// <summary>Throws with a message naming the bad setting.</summary>
    public void Validate()
    {
        if (ExactLimit is < 0 or > 30) throw new ArgumentOutOfRangeException(nameof(ExactLimit), ExactLimit, "exact enumeration is limited to 0..30 discordant examples");
        if (Resamples < 1) throw new ArgumentOutOfRangeException(nameof(Resamples), Resamples, "a permutation test needs at least one resample");
    }
}

/// <summary>
/// The outcome of <see cref="PairedPermutationTest"/>: the observed difference (first − second), the two-sided
/// p-value, how many swap patterns were evaluated and whether they were all of them (exact).
/// </summary>
public sealed record PermutationResult(double Observed, double PValue, long Permutations, bool Exact, int Discordant);

/// <summary>
/// A paired permutation test — approximate randomisation (Noreen 1989; Yeh 2000 for F1) — of the difference of a
/// confusion-matrix metric (macro F1, F1 of a class, precision, …) between two classifiers' predictions of the same
/// examples. Under the null hypothesis the two models are exchangeable, so each example's pair of predictions may be
/// swapped; the p-value is where the observed difference falls among the differences of all swap patterns. Only
/// examples predicted differently (d of them) change anything: with d ≤ <see cref="PermutationOptions.ExactLimit"/>
/// all 2^d patterns are enumerated, otherwise <see cref="PermutationOptions.Resamples"/> random ones are drawn. As in
/// scipy's <c>permutation_test(permutation_type="samples")</c>,
/// <code>
/// p = min(1, 2 · min(P(T ≤ t + γ), P(T ≥ t − γ))),   γ = 100 ε |t|
/// </code>
/// with P the share of patterns (random draws: (count + 1) / (R + 1), which keeps p above 0 and the test valid).
/// Unlike McNemar's test it asks about the metric itself, which for F1 is not a proportion of examples.
/// </summary>
/// <example><code>
/// PermutationResult r = PairedPermutationTest.Run(labels, predFocal, predNone, 2, cm => cm.MacroF1);
/// </code></example>
public static class PairedPermutationTest
{
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Tests first − second of <paramref name="metric"/> (of the confusion matrix over <paramref name="classCount"/> classes).</summary>
    /// <exception cref="ArgumentException">Lengths differ or a label is not a class index.</exception>
    public static PermutationResult Run(ReadOnlySpan<int> labels, ReadOnlySpan<int> firstPredicted, ReadOnlySpan<int> secondPredicted, int classCount,
        Func<ConfusionMatrix, double> metric, PermutationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(metric);
        options ??= new PermutationOptions();
        options.Validate();
        Check.SameLength(labels.Length, firstPredicted.Length, nameof(labels), nameof(firstPredicted));
        Check.SameLength(labels.Length, secondPredicted.Length, nameof(labels), nameof(secondPredicted));
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "need at least 2 classes");
        var names = Enumerable.Range(0, classCount).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var a = new long[classCount, classCount];
        var b = new long[classCount, classCount];
        var discordant = new List<int>();
        for (int i = 0; i < labels.Length; i++)
        {
            int y = labels[i], p = firstPredicted[i], q = secondPredicted[i];
            if ((uint)y >= (uint)classCount || (uint)p >= (uint)classCount || (uint)q >= (uint)classCount)
                throw new ArgumentException($"sample {i}: labels ({y}, {p}, {q}) must be class indices in [0, {classCount})");
            a[y, p]++;
            b[y, q]++;
            if (p != q) discordant.Add(i);
        }
        double T() => metric(ConfusionMatrix.FromCounts(names, a)) - metric(ConfusionMatrix.FromCounts(names, b));
        double observed = T();
        int d = discordant.Count;
        var ys = new int[d];
        var ps = new int[d];
        var qs = new int[d];
        for (int j = 0; j < d; j++) (ys[j], ps[j], qs[j]) = (labels[discordant[j]], firstPredicted[discordant[j]], secondPredicted[discordant[j]]);
        var swapped = new bool[d];
        // Swapping example j moves its first prediction to the second model and back.
        void Flip(int j)
        {
            int s = swapped[j] ? -1 : 1;
            a[ys[j], ps[j]] -= s; a[ys[j], qs[j]] += s;
            b[ys[j], qs[j]] -= s; b[ys[j], ps[j]] += s;
            swapped[j] = !swapped[j];
        }

        // scipy's tolerance: differences equal up to rounding count as ties with the observed one.
        double gamma = Math.Abs(100 * MachineEpsilon * observed);
        long less = 0, greater = 0, total;
        bool exact = d <= options.ExactLimit;
        if (exact)
        {
            // Gray code: pattern g differs from g − 1 in one example, so each step is one update of both matrices.
            total = 1L << d;
            for (long g = 0; g < total; g++)
            {
                if (g > 0) Flip(System.Numerics.BitOperations.TrailingZeroCount(g));
                Count(T());
            }
        }
        else
        {
            total = options.Resamples;
            for (int r = 0; r < options.Resamples; r++)
            {
                var rng = SplitMix64.ForStream(options.Seed, (ulong)r);
                for (int j = 0; j < d; j++)
                    if (((rng.NextUInt64() >> 63) == 1) != swapped[j]) Flip(j);
                Count(T());
            }
        }
        int adjust = exact ? 0 : 1;
        double pLess = (less + adjust) / (double)(total + adjust), pGreater = (greater + adjust) / (double)(total + adjust);
        return new PermutationResult(observed, Math.Min(1, 2 * Math.Min(pLess, pGreater)), total, exact, d);

        void Count(double t)
        {
            if (t <= observed + gamma) less++;
            if (t >= observed - gamma) greater++;
        }
    }
}
