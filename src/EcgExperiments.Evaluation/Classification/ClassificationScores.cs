using EcgExperiments.Evaluation.Internal;

namespace EcgExperiments.Evaluation;

/// <summary>
/// True labels and model outputs for one evaluated set: per-class probabilities (softmax), per-class
/// scores (logits; no log loss or calibration then), or a binary task given as one probability column
/// with an explicit positive class and decision threshold. Immutable; built through the factories,
/// which validate shapes and values.
/// </summary>
/// <example><code>
/// var s = ClassificationScores.FromProbabilities([0, 2, 1], probs, ["N", "S", "V"]);   // probs: float[3, 3]
/// var b = ClassificationScores.Binary([1, 0, 1], [0.9, 0.2, 0.6], ["HYP", "NORM"], positiveClass: 0);
/// </code></example>
public sealed class ClassificationScores
{
    // Multiclass: _scores is [n * k] row-major. Binary: _scores is the positive column, length n.
    private readonly double[] _scores;
    private readonly int[] _labels;

    private ClassificationScores(IReadOnlyList<string> classNames, int[] labels, double[] scores, bool areProbabilities, int? positiveClass, double threshold)
    {
        ClassNames = classNames;
        _labels = labels;
        _scores = scores;
        AreProbabilities = areProbabilities;
        PositiveClass = positiveClass;
        Threshold = threshold;
    }

    /// <summary>Class names; a label is an index into this list.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>True class index of each sample.</summary>
    public IReadOnlyList<int> Labels => _labels;

    public int Count => _labels.Length;
    public int ClassCount => ClassNames.Count;

    /// <summary>True when the outputs are probabilities (log loss and calibration are defined).</summary>
    public bool AreProbabilities { get; }

    /// <summary>For a binary task given as one column: the class whose probability/score was given.</summary>
    public int? PositiveClass { get; }

    public bool IsBinary => PositiveClass.HasValue;

    /// <summary>Binary only: a sample is predicted positive when its score is ≥ this value.</summary>
    public double Threshold { get; }

    /// <summary>
    /// Multiclass probabilities [sample, class]. Rows must lie in [0, 1] and sum to 1 within 1e-3
    /// (log loss renormalises them as sklearn does); use <see cref="FromScores"/> for logits.
    /// </summary>
    public static ClassificationScores FromProbabilities(ReadOnlySpan<int> labels, float[,] probabilities, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        return Build(labels, Flatten(probabilities), probabilities.GetLength(0), probabilities.GetLength(1), classNames, probabilities: true);
    }

    /// <inheritdoc cref="FromProbabilities(ReadOnlySpan{int}, float[,], IReadOnlyList{string})"/>
    public static ClassificationScores FromProbabilities(ReadOnlySpan<int> labels, double[][] probabilities, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        return Build(labels, Flatten(probabilities, classNames.Count), probabilities.Length, classNames.Count, classNames, probabilities: true);
    }

    /// <summary>Multiclass scores of any scale (e.g. logits) [sample][class]; the prediction is the arg-max.</summary>
    public static ClassificationScores FromScores(ReadOnlySpan<int> labels, double[][] scores, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return Build(labels, Flatten(scores, classNames.Count), scores.Length, classNames.Count, classNames, probabilities: false);
    }

    /// <summary>
    /// A binary task from one column: the probability (or score) of <paramref name="positiveClass"/>.
    /// A sample is predicted positive when its score is ≥ <paramref name="threshold"/>; choose a
    /// threshold on validation data with <see cref="ThresholdSelector"/>.
    /// </summary>
    public static ClassificationScores Binary(ReadOnlySpan<int> labels, ReadOnlySpan<double> positiveScores, IReadOnlyList<string> classNames,
        int positiveClass, bool areProbabilities = true, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count != 2) throw new ArgumentException($"a binary task needs exactly 2 class names, got {classNames.Count}", nameof(classNames));
        if (positiveClass is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(positiveClass), positiveClass, "positive class must be 0 or 1");
        if (!double.IsFinite(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be finite");
        Check.SameLength(labels.Length, positiveScores.Length, nameof(labels), nameof(positiveScores));
        var l = CheckLabels(labels, 2);
        Check.Finite(positiveScores, nameof(positiveScores));
        if (areProbabilities)
            for (int i = 0; i < positiveScores.Length; i++)
                if (positiveScores[i] < 0 || positiveScores[i] > 1)
                    throw new ArgumentException($"sample {i}: probability {positiveScores[i]} is outside [0, 1]; pass areProbabilities: false for scores", nameof(positiveScores));
        return new ClassificationScores(classNames.ToArray(), l, positiveScores.ToArray(), areProbabilities, positiveClass, threshold);
    }

    /// <inheritdoc cref="Binary(ReadOnlySpan{int}, ReadOnlySpan{double}, IReadOnlyList{string}, int, bool, double)"/>
    public static ClassificationScores Binary(ReadOnlySpan<int> labels, ReadOnlySpan<float> positiveScores, IReadOnlyList<string> classNames,
        int positiveClass, bool areProbabilities = true, double threshold = 0.5)
        => Binary(labels, Check.ToDouble(positiveScores), classNames, positiveClass, areProbabilities, threshold);

    /// <summary>Same binary scores with another decision threshold (one chosen on validation data).</summary>
    public ClassificationScores WithThreshold(double threshold)
    {
        if (!IsBinary) throw new InvalidOperationException("a decision threshold applies to binary tasks only; multiclass predictions are the arg-max");
        if (!double.IsFinite(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be finite");
        return new ClassificationScores(ClassNames, _labels, _scores, AreProbabilities, PositiveClass, threshold);
    }

    /// <summary>Binary only: the positive-class scores as a role-tagged set for threshold selection.</summary>
    public BinaryScores ToBinaryScores(SplitRole role)
    {
        if (PositiveClass is not { } pos) throw new InvalidOperationException("only binary scores convert to BinaryScores");
        var y = new bool[Count];
        for (int i = 0; i < y.Length; i++) y[i] = _labels[i] == pos;
        return BinaryScores.Create(role, y, _scores);
    }

    /// <summary>Predicted class of sample <paramref name="i"/>: arg-max (first on ties), or the binary threshold rule.</summary>
    public int Predicted(int i)
    {
        if (PositiveClass is { } pos) return _scores[i] >= Threshold ? pos : 1 - pos;
        int k = ClassCount, best = 0;
        double bestScore = _scores[i * k];
        for (int c = 1; c < k; c++)
            if (_scores[i * k + c] > bestScore) { bestScore = _scores[i * k + c]; best = c; }
        return best;
    }

    /// <summary>Ranking score of class <paramref name="c"/> for sample <paramref name="i"/> (one-vs-rest).</summary>
    internal double RankingScore(int i, int c)
    {
        if (PositiveClass is { } pos) return c == pos ? _scores[i] : -_scores[i]; // −p keeps ties exactly
        return _scores[i * ClassCount + c];
    }

    /// <summary>Probability of class <paramref name="c"/> for sample <paramref name="i"/> (probabilities only).</summary>
    internal double Probability(int i, int c)
    {
        if (PositiveClass is { } pos) return c == pos ? _scores[i] : 1 - _scores[i];
        return _scores[i * ClassCount + c];
    }

    internal int[] LabelArray => _labels;

    private static ClassificationScores Build(ReadOnlySpan<int> labels, double[] flat, int n, int k, IReadOnlyList<string> classNames, bool probabilities)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (k < 2) throw new ArgumentException($"need at least 2 classes, got {k}", nameof(classNames));
        if (classNames.Count != k) throw new ArgumentException($"{classNames.Count} class names for {k} score columns", nameof(classNames));
        Check.SameLength(labels.Length, n, "labels", "score rows");
        var l = CheckLabels(labels, k);
        Check.Finite(flat, "scores");
        if (probabilities)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int c = 0; c < k; c++)
                {
                    double p = flat[i * k + c];
                    if (p < 0 || p > 1) throw new ArgumentException($"sample {i}, class '{classNames[c]}': probability {p} is outside [0, 1]; use FromScores for logits");
                    sum += p;
                }
                if (Math.Abs(sum - 1) > 1e-3) throw new ArgumentException($"sample {i}: probabilities sum to {sum}, not 1; apply softmax or use FromScores");
            }
        }
        return new ClassificationScores(classNames.ToArray(), l, flat, probabilities, null, 0.5);
    }

    private static int[] CheckLabels(ReadOnlySpan<int> labels, int k)
    {
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)k) throw new ArgumentException($"sample {i}: label {labels[i]} is not a class index in [0, {k})", nameof(labels));
        return labels.ToArray();
    }

    private static double[] Flatten(float[,] a)
    {
        int n = a.GetLength(0), k = a.GetLength(1);
        var flat = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < k; c++) flat[i * k + c] = a[i, c];
        return flat;
    }

    private static double[] Flatten(double[][] rows, int k)
    {
        var flat = new double[rows.Length * k];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i] is null || rows[i].Length != k) throw new ArgumentException($"row {i} has {rows[i]?.Length ?? 0} columns, expected {k} (one per class)");
            rows[i].CopyTo(flat, i * k);
        }
        return flat;
    }
}
