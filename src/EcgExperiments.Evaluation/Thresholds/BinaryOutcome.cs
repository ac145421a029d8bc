namespace EcgExperiments.Evaluation;

/// <summary>Counts and rates of a thresholded binary decision (positive when score ≥ threshold).</summary>
/// <example><code>
/// BinaryOutcome o = threshold.Evaluate(BinaryScores.ForTest(y, scores));
/// Console.WriteLine($"sensitivity {o.Recall:F3}, PPV {o.Precision:F3}, F1 {o.F1:F3}");
/// </code></example>
public sealed record BinaryOutcome(long TruePositives, long FalsePositives, long FalseNegatives, long TrueNegatives)
{
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);
    public double Specificity => Ratio(TrueNegatives, TrueNegatives + FalsePositives);
    public double Accuracy => Ratio(TruePositives + TrueNegatives, TruePositives + FalsePositives + FalseNegatives + TrueNegatives);

    public double F1
    {
        get
        {
            long d = 2 * TruePositives + FalsePositives + FalseNegatives;
            return d == 0 ? 0 : 2.0 * TruePositives / d;
        }
    }

    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;

    internal static BinaryOutcome Count(ReadOnlySpan<bool> isPositive, ReadOnlySpan<double> scores, double threshold)
    {
        long tp = 0, fp = 0, fn = 0, tn = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            bool predicted = scores[i] >= threshold;
            if (predicted) { if (isPositive[i]) tp++; else fp++; }
            else { if (isPositive[i]) fn++; else tn++; }
        }
        return new BinaryOutcome(tp, fp, fn, tn);
    }
}
