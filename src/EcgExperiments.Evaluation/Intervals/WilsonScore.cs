namespace EcgExperiments.Evaluation;

/// <summary>
/// The Wilson score interval of a binomial proportion k/n (Wilson 1927; the interval of statsmodels'
/// <c>proportion_confint(k, n, alpha, method="wilson")</c>):
/// <code>
/// z = Φ⁻¹((1 + level)/2),  p̂ = k/n
/// centre = (p̂ + z²/(2n)) / (1 + z²/n)
/// half   = z·√(p̂(1 − p̂)/n + z²/(4n²)) / (1 + z²/n)
/// </code>
/// Unlike the percentile bootstrap it does not collapse to [1, 1] when every one of a few positives is
/// found (6/6 at 95 % gives [0.610, 1]) nor to [0, 0] when none is; it always contains p̂ and stays in
/// [0, 1]. k = 0 gives a lower bound of exactly 0 and k = n an upper bound of exactly 1. Used for the
/// metrics that are proportions of a known count: accuracy (n = samples), recall/sensitivity (n = class
/// support), specificity (n = negatives) and precision/PPV (n = predicted positives).
/// </summary>
/// <example><code>
/// ConfidenceInterval ci = WilsonScore.Interval(successes: 6, trials: 6, level: 0.95);
/// // ci.Lower ≈ 0.6097, ci.Upper = 1, ci.Method = "wilson"
/// </code></example>
public static class WilsonScore
{
    /// <summary>
    /// The interval of <paramref name="successes"/> out of <paramref name="trials"/>. With no trials the
    /// proportion is undefined: Point is null and so are the bounds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative counts, more successes than trials, or a level outside (0, 1).</exception>
    public static ConfidenceInterval Interval(long successes, long trials, double level)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "confidence level must be in (0, 1), e.g. 0.95");
        if (trials < 0) throw new ArgumentOutOfRangeException(nameof(trials), trials, "the number of trials cannot be negative");
        if (successes < 0 || successes > trials)
            throw new ArgumentOutOfRangeException(nameof(successes), successes, $"successes must lie in [0, {trials}] (the number of trials)");
        if (trials == 0) return new ConfidenceInterval(null, null, null, level, 0, 0, IntervalMethods.Wilson);

        double n = trials, p = successes / n;
        double z = StandardNormal.Quantile((1 + level) / 2), z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
        // At k = 0 and k = n the bound equals the observed proportion exactly; rounding would give ±1e-17.
        double lower = successes == 0 ? 0 : Math.Max(0, centre - half);
        double upper = successes == trials ? 1 : Math.Min(1, centre + half);
        return new ConfidenceInterval(p, lower, upper, level, 0, 0, IntervalMethods.Wilson);
    }
}
