using EcgExperiments.Evaluation.Internal;
using MathNet.Numerics.Distributions;

namespace EcgExperiments.Evaluation;

/// <summary>
/// The outcome of <see cref="DeLongTest"/>: both ROC-AUCs, their difference (first − second), its standard error
/// and the two-sided p-value of z = difference / standard error. <see cref="Z"/> and <see cref="PValue"/> are null
/// when the test is undefined (fewer than two positives or two negatives); a zero standard error gives p = 1 for
/// equal AUCs and p = 0 otherwise.
/// </summary>
public sealed record DeLongResult(double FirstAuc, double SecondAuc, double StandardError, double? Z, double? PValue, int Positives, int Negatives)
{
    /// <summary>First AUC − second AUC.</summary>
    public double Difference => FirstAuc - SecondAuc;

    /// <summary>The normal-approximation interval of the difference, difference ± z₍₁₊level₎/₂ · standard error.</summary>
    public ConfidenceInterval Interval(double level)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "confidence level must be in (0, 1)");
        double half = StandardNormal.Quantile((1 + level) / 2) * StandardError;
        return Z is null
            ? new ConfidenceInterval(Difference, null, null, level, 0, 0, ComparisonTests.DeLong)
            : new ConfidenceInterval(Difference, Difference - half, Difference + half, level, 0, 0, ComparisonTests.DeLong);
    }
}

/// <summary>
/// DeLong's test of two correlated ROC-AUCs, both models scored on the same examples (DeLong, DeLong &amp;
/// Clarke-Pearson 1988, Biometrics 44:837; computed with midranks as in Sun &amp; Xu 2014, IEEE SPL 21:1389).
/// For each model the placement values of the m positives, V₁₀(xᵢ) = (fraction of negatives scored below xᵢ, ties
/// counting ½), and of the n negatives, V₀₁(yⱼ) = (fraction of positives scored above yⱼ), average to its AUC; with
/// S₁₀ and S₀₁ their 2 × 2 sample covariance matrices between the two models,
/// <code>
/// Var(AUC₁ − AUC₂) = (S₁₀[1,1] + S₁₀[2,2] − 2 S₁₀[1,2]) / m + (S₀₁[1,1] + S₀₁[2,2] − 2 S₀₁[1,2]) / n
/// z = (AUC₁ − AUC₂) / √Var,   p = 2 Φ(−|z|)
/// </code>
/// (pROC's <c>roc.test(method = "delong")</c>). The covariance terms are what make the test paired: two models that
/// rank the same hard examples low share their errors, and the test credits that.
/// </summary>
/// <example><code>
/// DeLongResult r = DeLongTest.Compare(isHyp, scoresFocal, scoresNone);
/// Console.WriteLine($"ΔAUC {r.Difference:+0.000;-0.000}, z = {r.Z:0.00}, p = {r.PValue:0.000}");
/// </code></example>
public static class DeLongTest
{
    /// <summary>Compares the ROC-AUCs of two score vectors over the same examples (higher score = more positive).</summary>
    /// <exception cref="ArgumentException">Lengths differ, a score is not finite, or one class is absent.</exception>
    public static DeLongResult Compare(ReadOnlySpan<bool> isPositive, ReadOnlySpan<double> firstScores, ReadOnlySpan<double> secondScores)
    {
        Check.SameLength(isPositive.Length, firstScores.Length, nameof(isPositive), nameof(firstScores));
        Check.SameLength(isPositive.Length, secondScores.Length, nameof(isPositive), nameof(secondScores));
        Check.Finite(firstScores, nameof(firstScores));
        Check.Finite(secondScores, nameof(secondScores));
        int m = 0;
        foreach (bool p in isPositive) if (p) m++;
        int n = isPositive.Length - m;
        if (m == 0 || n == 0) throw new ArgumentException($"ROC-AUC needs positives and negatives; got {m} positive and {n} negative example(s)", nameof(isPositive));

        var (auc1, v10a, v01a) = Placements(isPositive, firstScores, m, n);
        var (auc2, v10b, v01b) = Placements(isPositive, secondScores, m, n);
        if (m < 2 || n < 2) return new DeLongResult(auc1, auc2, double.NaN, null, null, m, n);

        double variance = DifferenceVariance(v10a, v10b) / m + DifferenceVariance(v01a, v01b) / n;
        double se = Math.Sqrt(Math.Max(variance, 0));
        double diff = auc1 - auc2;
        if (se == 0) return new DeLongResult(auc1, auc2, 0, diff == 0 ? 0 : Math.CopySign(double.PositiveInfinity, diff), diff == 0 ? 1 : 0, m, n);
        double z = diff / se;
        return new DeLongResult(auc1, auc2, se, z, 2 * Normal.CDF(0, 1, -Math.Abs(z)), m, n);
    }

    /// <summary>AUC and the placement values of positives (V₁₀) and negatives (V₀₁), from midranks.</summary>
    private static (double auc, double[] v10, double[] v01) Placements(ReadOnlySpan<bool> isPositive, ReadOnlySpan<double> scores, int m, int n)
    {
        var all = MidRanks(scores);
        var pos = new double[m];
        var neg = new double[n];
        var posIdx = new int[m];
        var negIdx = new int[n];
        for (int i = 0, a = 0, b = 0; i < scores.Length; i++)
        {
            if (isPositive[i]) { pos[a] = scores[i]; posIdx[a++] = i; }
            else { neg[b] = scores[i]; negIdx[b++] = i; }
        }
        var withinPos = MidRanks(pos);
        var withinNeg = MidRanks(neg);
        var v10 = new double[m];
        var v01 = new double[n];
        double sum = 0;
        for (int a = 0; a < m; a++)
        {
            // Rank among all minus rank among positives = negatives below (ties ½).
            v10[a] = (all[posIdx[a]] - withinPos[a]) / n;
            sum += v10[a];
        }
        for (int b = 0; b < n; b++) v01[b] = 1 - (all[negIdx[b]] - withinNeg[b]) / m;
        return (sum / m, v10, v01);
    }

    /// <summary>Var(a) + Var(b) − 2 Cov(a, b) with the n − 1 denominator, i.e. the sample variance of a − b.</summary>
    private static double DifferenceVariance(double[] a, double[] b)
    {
        int k = a.Length;
        double mean = 0;
        for (int i = 0; i < k; i++) mean += a[i] - b[i];
        mean /= k;
        double ss = 0;
        for (int i = 0; i < k; i++)
        {
            double d = a[i] - b[i] - mean;
            ss += d * d;
        }
        return ss / (k - 1);
    }

    /// <summary>1-based ranks, tied values sharing the mean of their ranks.</summary>
    internal static double[] MidRanks(ReadOnlySpan<double> values)
    {
        var order = new int[values.Length];
        var keys = values.ToArray();
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(keys, order);
        var ranks = new double[values.Length];
        for (int i = 0; i < keys.Length;)
        {
            int j = i;
            while (j + 1 < keys.Length && keys[j + 1] == keys[i]) j++;
            double mid = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) ranks[order[t]] = mid;
            i = j + 1;
        }
        return ranks;
    }
}
