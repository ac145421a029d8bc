namespace EcgExperiments.Evaluation;

/// <summary>
/// The Student t interval of the mean of a few values — e.g. a metric averaged over the runs that share one value of a
/// swept parameter (a marginal mean):
/// <code>
/// mean ± t₍₁₊level₎/₂, k−1 · s / √k     (s: sample standard deviation, k values)
/// </code>
/// With one value there is no spread to estimate: the point alone, no bounds. It treats the values as independent
/// draws, which runs on one test set are not quite; read it as the spread between runs, not a test-set interval.
/// </summary>
/// <example><code>
/// ConfidenceInterval ci = MeanInterval.StudentT([0.81, 0.77, 0.84], 0.95);   // 0.807 ± 0.087, method "student_t"
/// </code></example>
public static class MeanInterval
{
    /// <summary>Interval of the mean of <paramref name="values"/> at <paramref name="level"/>; non-finite values are left out.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A level outside (0, 1).</exception>
    public static ConfidenceInterval StudentT(IEnumerable<double> values, double level)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "confidence level must be in (0, 1), e.g. 0.95");
        var v = values.Where(double.IsFinite).ToArray();
        if (v.Length == 0) return new ConfidenceInterval(null, null, null, level, 0, 0, IntervalMethods.StudentT);
        double mean = v.Average();
        if (v.Length == 1) return new ConfidenceInterval(mean, null, null, level, 0, 0, IntervalMethods.StudentT);
        double ss = v.Sum(x => (x - mean) * (x - mean));
        double half = StudentTQuantile((1 + level) / 2, v.Length - 1) * Math.Sqrt(ss / (v.Length - 1) / v.Length);
        return new ConfidenceInterval(mean, mean - half, mean + half, level, 0, 0, IntervalMethods.StudentT);
    }

    /// <summary>The <paramref name="p"/> quantile of Student's t with <paramref name="degreesOfFreedom"/> degrees of freedom.</summary>
    public static double StudentTQuantile(double p, double degreesOfFreedom) => MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, degreesOfFreedom, p);
}
