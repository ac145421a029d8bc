using EcgExperiments.Evaluation.Internal;

namespace EcgExperiments.Evaluation;

/// <summary>
/// Multi-label targets and scores of one split: for each sample a 0/1 target per label and a score per label (one
/// sigmoid output each, higher = more likely present), tagged with the split's role so that per-label thresholds can
/// only be fitted on validation scores. A sample may carry any number of labels, none included.
/// </summary>
/// <example><code>
/// var val = MultiLabelScores.ForValidation(valTargets, valProbabilities, ["CD", "HYP", "MI", "NORM", "STTC"]);
/// var test = MultiLabelScores.ForTest(testTargets, testProbabilities, ["CD", "HYP", "MI", "NORM", "STTC"]);
/// MultiLabelReport r = MultiLabelEvaluator.Evaluate(val, test);
/// </code></example>
public sealed class MultiLabelScores
{
    private readonly bool[] _targets; // row-major [sample, label]
    private readonly double[] _scores;

    private MultiLabelScores(SplitRole role, IReadOnlyList<string> labelNames, int count, bool[] targets, double[] scores)
    {
        Role = role;
        LabelNames = labelNames;
        Count = count;
        _targets = targets;
        _scores = scores;
    }

    public SplitRole Role { get; }

    /// <summary>Label names in column order.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    public int LabelCount => LabelNames.Count;

    /// <summary>Samples.</summary>
    public int Count { get; }

    /// <summary>True when sample <paramref name="sample"/> carries label <paramref name="label"/>.</summary>
    public bool Target(int sample, int label) => _targets[Index(sample, label)];

    /// <summary>Score of label <paramref name="label"/> for sample <paramref name="sample"/>.</summary>
    public double Score(int sample, int label) => _scores[Index(sample, label)];

    /// <summary>Samples that carry label <paramref name="label"/>.</summary>
    public int Support(int label)
    {
        int n = 0;
        for (int i = 0; i < Count; i++) if (_targets[i * LabelCount + label]) n++;
        return n;
    }

    /// <summary>One label as binary scores of the same role (what a per-label threshold is fitted on).</summary>
    public BinaryScores Column(int label)
    {
        if ((uint)label >= (uint)LabelCount) throw new ArgumentOutOfRangeException(nameof(label), label, $"there are {LabelCount} labels");
        var y = new bool[Count];
        var s = new double[Count];
        for (int i = 0; i < Count; i++) { y[i] = _targets[i * LabelCount + label]; s[i] = _scores[i * LabelCount + label]; }
        return BinaryScores.Create(Role, y, s);
    }

    /// <summary>SHA-256 of targets and scores (thresholds record the validation set they were fitted on).</summary>
    public string Fingerprint => ScoreFingerprint.Of(_scores, _targets);

    public static MultiLabelScores ForValidation(IReadOnlyList<bool[]> targets, IReadOnlyList<double[]> scores, IReadOnlyList<string> labelNames)
        => Create(SplitRole.Validation, targets, scores, labelNames);

    public static MultiLabelScores ForTest(IReadOnlyList<bool[]> targets, IReadOnlyList<double[]> scores, IReadOnlyList<string> labelNames)
        => Create(SplitRole.Test, targets, scores, labelNames);

    public static MultiLabelScores ForValidation(IReadOnlyList<bool[]> targets, IReadOnlyList<float[]> scores, IReadOnlyList<string> labelNames)
        => Create(SplitRole.Validation, targets, ToDouble(scores), labelNames);

    public static MultiLabelScores ForTest(IReadOnlyList<bool[]> targets, IReadOnlyList<float[]> scores, IReadOnlyList<string> labelNames)
        => Create(SplitRole.Test, targets, ToDouble(scores), labelNames);

    /// <summary>Scores of a split whose role is given explicitly; every row must have one target and one finite score per label.</summary>
    public static MultiLabelScores Create(SplitRole role, IReadOnlyList<bool[]> targets, IReadOnlyList<double[]> scores, IReadOnlyList<string> labelNames)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labelNames);
        if (labelNames.Count < 1) throw new ArgumentException("a multi-label task needs at least one label", nameof(labelNames));
        if (labelNames.Distinct(StringComparer.Ordinal).Count() != labelNames.Count)
            throw new ArgumentException($"label names must be distinct: [{string.Join(", ", labelNames)}]", nameof(labelNames));
        if (targets.Count != scores.Count)
            throw new ArgumentException($"targets have {targets.Count} rows but scores have {scores.Count}; they must describe the same samples");
        if (targets.Count == 0) throw new ArgumentException("no samples", nameof(targets));
        int n = targets.Count, k = labelNames.Count;
        var t = new bool[n * k];
        var s = new double[n * k];
        for (int i = 0; i < n; i++)
        {
            if (targets[i].Length != k || scores[i].Length != k)
                throw new ArgumentException($"sample {i} has {targets[i].Length} targets and {scores[i].Length} scores for {k} labels");
            for (int l = 0; l < k; l++)
            {
                double v = scores[i][l];
                if (!double.IsFinite(v)) throw new ArgumentException($"score of sample {i}, label '{labelNames[l]}' is {v}; scores must be finite", nameof(scores));
                t[i * k + l] = targets[i][l];
                s[i * k + l] = v;
            }
        }
        return new MultiLabelScores(role, labelNames.ToArray(), n, t, s);
    }

    /// <summary>The same targets with constant scores per label (e.g. the training prevalence).</summary>
    public MultiLabelScores WithConstantScores(IReadOnlyList<double> perLabel)
    {
        ArgumentNullException.ThrowIfNull(perLabel);
        if (perLabel.Count != LabelCount) throw new ArgumentException($"{perLabel.Count} constants for {LabelCount} labels", nameof(perLabel));
        var s = new double[_scores.Length];
        for (int i = 0; i < Count; i++)
            for (int l = 0; l < LabelCount; l++) s[i * LabelCount + l] = perLabel[l];
        return new MultiLabelScores(Role, LabelNames, Count, _targets, s);
    }

    internal ReadOnlySpan<bool> TargetSpan => _targets;
    internal ReadOnlySpan<double> ScoreSpan => _scores;

    private int Index(int sample, int label)
    {
        if ((uint)sample >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(sample), sample, $"there are {Count} samples");
        if ((uint)label >= (uint)LabelCount) throw new ArgumentOutOfRangeException(nameof(label), label, $"there are {LabelCount} labels");
        return sample * LabelCount + label;
    }

    private static double[][] ToDouble(IReadOnlyList<float[]> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return scores.Select(r => r.Select(v => (double)v).ToArray()).ToArray();
    }
}
