using EcgExperiments.Evaluation.Internal;

namespace EcgExperiments.Evaluation;

/// <summary>Which split a set of scores comes from. Thresholds may be fitted on validation only.</summary>
public enum SplitRole
{
    Validation,
    Test,
}

/// <summary>
/// Binary labels and scores (higher = more positive / more anomalous) of one split, tagged with the
/// split's role so that a decision threshold cannot be fitted on test data by accident.
/// </summary>
/// <example><code>
/// var val = BinaryScores.ForValidation([true, false, true], [0.8, 0.3, 0.6]);
/// var test = BinaryScores.ForTest(testLabels, testScores);
/// var t = ThresholdSelector.Fit(val, ThresholdRule.BestF1);
/// BinaryOutcome onTest = t.Evaluate(test);
/// </code></example>
public sealed class BinaryScores
{
    private readonly bool[] _isPositive;
    private readonly double[] _scores;

    private BinaryScores(SplitRole role, bool[] isPositive, double[] scores)
    {
        Role = role;
        _isPositive = isPositive;
        _scores = scores;
    }

    public SplitRole Role { get; }
    public IReadOnlyList<bool> IsPositive => _isPositive;
    public IReadOnlyList<double> Scores => _scores;
    public int Count => _scores.Length;
    public int PositiveCount => _isPositive.Count(p => p);

    /// <summary>
    /// SHA-256 of labels and scores: a threshold records the fingerprint of the set it was fitted on,
    /// and evaluating it on the very same set as "test" is refused.
    /// </summary>
    public string Fingerprint => ScoreFingerprint.Of(_scores, _isPositive);

    public static BinaryScores ForValidation(ReadOnlySpan<bool> isPositive, ReadOnlySpan<double> scores) => Create(SplitRole.Validation, isPositive, scores);
    public static BinaryScores ForTest(ReadOnlySpan<bool> isPositive, ReadOnlySpan<double> scores) => Create(SplitRole.Test, isPositive, scores);
    public static BinaryScores ForValidation(ReadOnlySpan<bool> isPositive, ReadOnlySpan<float> scores) => Create(SplitRole.Validation, isPositive, Check.ToDouble(scores));
    public static BinaryScores ForTest(ReadOnlySpan<bool> isPositive, ReadOnlySpan<float> scores) => Create(SplitRole.Test, isPositive, Check.ToDouble(scores));

    /// <summary>Scores of a split whose role is given explicitly.</summary>
    public static BinaryScores Create(SplitRole role, ReadOnlySpan<bool> isPositive, ReadOnlySpan<double> scores)
    {
        Check.SameLength(isPositive.Length, scores.Length, nameof(isPositive), nameof(scores));
        Check.Finite(scores, nameof(scores));
        if (scores.Length == 0) throw new ArgumentException("no samples", nameof(scores));
        return new BinaryScores(role, isPositive.ToArray(), scores.ToArray());
    }

    /// <summary>
    /// Scores min-max scaled to [0, 1] over this set itself (SPEC §2.4 scales anomaly scores over the
    /// test set). A constant set maps to 0. Ranking metrics are unchanged; thresholds are not.
    /// </summary>
    public BinaryScores MinMaxScaled()
    {
        double min = _scores.Min(), max = _scores.Max();
        double range = max - min;
        var s = new double[_scores.Length];
        for (int i = 0; i < s.Length; i++) s[i] = range > 0 ? (_scores[i] - min) / range : 0;
        return new BinaryScores(Role, _isPositive, s);
    }

    /// <summary>Scores mapped through a fixed affine scaling (e.g. min-max learned on validation).</summary>
    public BinaryScores Scaled(double offset, double scale)
    {
        if (!double.IsFinite(offset) || !double.IsFinite(scale) || scale <= 0)
            throw new ArgumentOutOfRangeException(nameof(scale), "scaling needs a finite offset and a positive finite scale");
        var s = new double[_scores.Length];
        for (int i = 0; i < s.Length; i++) s[i] = (_scores[i] - offset) * scale;
        return new BinaryScores(Role, _isPositive, s);
    }

    internal ReadOnlySpan<bool> PositiveSpan => _isPositive;
    internal ReadOnlySpan<double> ScoreSpan => _scores;
}
