using EcgExperiments.Evaluation.Internal;
using MathNet.Numerics.Distributions;

namespace EcgExperiments.Evaluation;

/// <summary>
/// The outcome of McNemar's exact test: <see cref="FirstOnly"/> examples only the first model got right,
/// <see cref="SecondOnly"/> only the second; the examples both got right or both got wrong carry no information
/// about which is better and are ignored.
/// </summary>
public sealed record McNemarResult(long FirstOnly, long SecondOnly, double PValue)
{
    /// <summary>Discordant examples: <see cref="FirstOnly"/> + <see cref="SecondOnly"/>.</summary>
    public long Discordant => FirstOnly + SecondOnly;
}

/// <summary>
/// McNemar's exact test of two classifiers evaluated on the same examples (McNemar 1947; the exact, binomial form
/// recommended for small counts by Dietterich 1998 and Fagerland et al. 2013). Under the null hypothesis that both
/// have the same error rate, each discordant example is equally likely to favour either, so with b examples only the
/// first got right and c only the second,
/// <code>
/// p = min(1, 2 · P(X ≤ min(b, c))),   X ~ Binomial(b + c, ½)
/// </code>
/// (statsmodels' <c>mcnemar(table, exact=True)</c>). No discordant example gives p = 1. It tests accuracy (all
/// examples) and, restricted to the examples of one class, that class's recall.
/// </summary>
/// <example><code>
/// McNemarResult r = McNemarTest.Exact(firstOnly: 1, secondOnly: 5);   // p = 0.21875
/// McNemarResult s = McNemarTest.Exact(correctA, correctB);            // from per-example correctness
/// </code></example>
public static class McNemarTest
{
    /// <summary>Exact two-sided p-value from the discordant counts.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count.</exception>
    public static McNemarResult Exact(long firstOnly, long secondOnly)
    {
        if (firstOnly < 0) throw new ArgumentOutOfRangeException(nameof(firstOnly), firstOnly, "a count cannot be negative");
        if (secondOnly < 0) throw new ArgumentOutOfRangeException(nameof(secondOnly), secondOnly, "a count cannot be negative");
        long n = firstOnly + secondOnly;
        if (n == 0) return new McNemarResult(firstOnly, secondOnly, 1);
        long k = Math.Min(firstOnly, secondOnly);
        // An exact tie (k = n/2) covers more than half the mass: the doubled tail exceeds 1 and is capped.
        double p = Math.Min(1, 2 * LowerTail(k, n));
        return new McNemarResult(firstOnly, secondOnly, p);
    }

    /// <summary>P(X ≤ k) for X ~ Binomial(n, ½): summed term by term where 2⁻ⁿ is a normal double (exact for small n, so
    /// reports show p = 0.5, not 0.50000000000000189), from the regularised incomplete beta beyond.</summary>
    private static double LowerTail(long k, long n)
    {
        if (n > 1000) return Binomial.CDF(0.5, (int)Math.Min(n, int.MaxValue), k);
        double term = Math.ScaleB(1.0, (int)-n), sum = term;
        for (long i = 0; i < k; i++)
        {
            term = term * (n - i) / (i + 1);
            sum += term;
        }
        return sum;
    }

    /// <summary>Exact test from per-example correctness of the two models (same examples, same order).</summary>
    public static McNemarResult Exact(ReadOnlySpan<bool> firstCorrect, ReadOnlySpan<bool> secondCorrect)
    {
        Check.SameLength(firstCorrect.Length, secondCorrect.Length, nameof(firstCorrect), nameof(secondCorrect));
        long b = 0, c = 0;
        for (int i = 0; i < firstCorrect.Length; i++)
        {
            if (firstCorrect[i] && !secondCorrect[i]) b++;
            else if (secondCorrect[i] && !firstCorrect[i]) c++;
        }
        return Exact(b, c);
    }
}
