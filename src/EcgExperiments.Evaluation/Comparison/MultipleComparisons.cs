namespace EcgExperiments.Evaluation;

/// <summary>
/// Corrections of p-values for testing several hypotheses at once (e.g. five strategies each compared with the
/// same reference): without one, the chance that some comparison looks significant by luck grows with their number.
/// </summary>
/// <example><code>
/// double?[] adjusted = MultipleComparisons.Holm([0.01, 0.04, 0.03, null]);   // [0.03, 0.06, 0.06, null]
/// </code></example>
public static class MultipleComparisons
{
    /// <summary>
    /// Holm's step-down adjustment (Holm 1979; statsmodels' <c>multipletests(method="holm")</c>), which controls the
    /// family-wise error rate like Bonferroni's but is uniformly more powerful. With the m defined p-values sorted
    /// ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎,
    /// <code>
    /// adjusted₍ᵢ₎ = min(1, max over j ≤ i of (m − j + 1) · p₍ⱼ₎)
    /// </code>
    /// returned in the input order. Null or NaN entries (a test that could not be run) stay null and are not counted in m.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A p-value outside [0, 1].</exception>
    public static double?[] Holm(IReadOnlyList<double?> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        var defined = new List<(int index, double p)>();
        for (int i = 0; i < pValues.Count; i++)
        {
            if (pValues[i] is not { } p || double.IsNaN(p)) continue;
            if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(pValues), p, $"p-value {i} must lie in [0, 1]");
            defined.Add((i, p));
        }
        // Stable sort: equal p-values keep their input order, as numpy's argsort in statsmodels does for ties (same result).
        var sorted = defined.OrderBy(x => x.p).ToList();
        var result = new double?[pValues.Count];
        double running = 0;
        int m = sorted.Count;
        for (int j = 0; j < m; j++)
        {
            running = Math.Max(running, Math.Min(1, (m - j) * sorted[j].p));
            result[sorted[j].index] = running;
        }
        return result;
    }

    /// <inheritdoc cref="Holm(IReadOnlyList{double?})"/>
    public static double?[] Holm(IReadOnlyList<double> pValues) => Holm(pValues.Select(p => (double?)p).ToList());
}
