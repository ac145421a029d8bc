using System.Text.Json.Serialization;

namespace EcgExperiments.Evaluation;

/// <summary>
/// Confusion matrix: <c>Counts[true][predicted]</c>, and the per-class and averaged metrics derived
/// from it. Division by zero gives 0, as sklearn's default <c>zero_division</c> does (without the
/// warning): a class never predicted has precision 0.
/// </summary>
/// <example><code>
/// var cm = ConfusionMatrix.FromPredictions([0, 1, 1], [0, 1, 0], ["NORM", "HYP"]);
/// double acc = cm.Accuracy;            // 2/3
/// double recallHyp = cm.Recall(1);     // 1/2
/// </code></example>
public sealed record ConfusionMatrix
{
    private readonly long[,] _c;

    /// <summary>From counts (rows = true class, columns = predicted class); for JSON and published matrices.</summary>
    [JsonConstructor]
    public ConfusionMatrix(IReadOnlyList<string> classNames, IReadOnlyList<IReadOnlyList<long>> counts)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(counts);
        int k = classNames.Count;
        if (counts.Count != k) throw new ArgumentException($"{counts.Count} rows for {k} classes", nameof(counts));
        _c = new long[k, k];
        for (int i = 0; i < k; i++)
        {
            if (counts[i].Count != k) throw new ArgumentException($"row {i} ('{classNames[i]}') has {counts[i].Count} columns, expected {k}", nameof(counts));
            for (int j = 0; j < k; j++)
            {
                if (counts[i][j] < 0) throw new ArgumentException($"count [{i}][{j}] is negative", nameof(counts));
                _c[i, j] = counts[i][j];
            }
        }
        ClassNames = classNames.ToArray();
    }

    private ConfusionMatrix(IReadOnlyList<string> classNames, long[,] counts)
    {
        ClassNames = classNames;
        _c = counts;
    }

    /// <summary>Counts true/predicted label pairs over the given class indices.</summary>
    public static ConfusionMatrix FromPredictions(ReadOnlySpan<int> trueLabels, ReadOnlySpan<int> predicted, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        Internal.Check.SameLength(trueLabels.Length, predicted.Length, nameof(trueLabels), nameof(predicted));
        int k = classNames.Count;
        var c = new long[k, k];
        for (int i = 0; i < trueLabels.Length; i++)
        {
            if ((uint)trueLabels[i] >= (uint)k || (uint)predicted[i] >= (uint)k)
                throw new ArgumentException($"sample {i}: labels ({trueLabels[i]}, {predicted[i]}) must be class indices in [0, {k})");
            c[trueLabels[i], predicted[i]]++;
        }
        return new ConfusionMatrix(classNames.ToArray(), c);
    }

    internal static ConfusionMatrix FromCounts(IReadOnlyList<string> classNames, long[,] counts) => new(classNames, counts);

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Rows = true class, columns = predicted class.</summary>
    public IReadOnlyList<IReadOnlyList<long>> Counts
    {
        get
        {
            int k = ClassCount;
            var rows = new long[k][];
            for (int i = 0; i < k; i++)
            {
                rows[i] = new long[k];
                for (int j = 0; j < k; j++) rows[i][j] = _c[i, j];
            }
            return rows;
        }
    }

    [JsonIgnore] public int ClassCount => ClassNames.Count;
    [JsonIgnore] public long Total { get { long t = 0; foreach (var v in _c) t += v; return t; } }
    [JsonIgnore] public long Correct { get { long t = 0; for (int i = 0; i < ClassCount; i++) t += _c[i, i]; return t; } }
    [JsonIgnore] public double Accuracy => Ratio(Correct, Total);

    public long Count(int trueClass, int predictedClass) => _c[trueClass, predictedClass];
    public long TruePositives(int c) => _c[c, c];
    public long FalsePositives(int c) => ColumnSum(c) - _c[c, c];
    public long FalseNegatives(int c) => Support(c) - _c[c, c];
    public long TrueNegatives(int c) => Total - Support(c) - FalsePositives(c);

    /// <summary>Samples whose true class is <paramref name="c"/>.</summary>
    public long Support(int c) { long s = 0; for (int j = 0; j < ClassCount; j++) s += _c[c, j]; return s; }

    /// <summary>Positive predictive value TP / (TP + FP).</summary>
    public double Precision(int c) => Ratio(TruePositives(c), ColumnSum(c));

    /// <summary>Sensitivity TP / (TP + FN).</summary>
    public double Recall(int c) => Ratio(TruePositives(c), Support(c));

    /// <summary>TN / (TN + FP).</summary>
    public double Specificity(int c) => Ratio(TrueNegatives(c), TrueNegatives(c) + FalsePositives(c));

    /// <summary>Harmonic mean of precision and recall (0 when both are 0).</summary>
    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>Mean recall over the classes present in the true labels (sklearn <c>balanced_accuracy_score</c>).</summary>
    [JsonIgnore]
    public double BalancedAccuracy
    {
        get
        {
            double sum = 0; int present = 0;
            for (int c = 0; c < ClassCount; c++)
                if (Support(c) > 0) { sum += Recall(c); present++; }
            return present == 0 ? 0 : sum / present;
        }
    }

    [JsonIgnore] public double MacroPrecision => Macro(Precision);
    [JsonIgnore] public double MacroRecall => Macro(Recall);
    [JsonIgnore] public double MacroSpecificity => Macro(Specificity);

    /// <summary>Mean of the per-class F1 scores (not the F1 of macro precision and recall), as sklearn.</summary>
    [JsonIgnore] public double MacroF1 => Macro(F1);

    [JsonIgnore] public double WeightedPrecision => Weighted(Precision);
    [JsonIgnore] public double WeightedRecall => Weighted(Recall);
    [JsonIgnore] public double WeightedF1 => Weighted(F1);

    private long ColumnSum(int c) { long s = 0; for (int i = 0; i < ClassCount; i++) s += _c[i, c]; return s; }

    private double Macro(Func<int, double> metric)
    {
        double s = 0;
        for (int c = 0; c < ClassCount; c++) s += metric(c);
        return s / ClassCount;
    }

    private double Weighted(Func<int, double> metric)
    {
        double s = 0; long total = Total;
        if (total == 0) return 0;
        for (int c = 0; c < ClassCount; c++) s += metric(c) * Support(c);
        return s / total;
    }

    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;

    /// <summary>Value equality over names and counts (records compare arrays by reference otherwise).</summary>
    public bool Equals(ConfusionMatrix? other)
    {
        if (other is null || other.ClassCount != ClassCount) return false;
        for (int i = 0; i < ClassCount; i++)
        {
            if (ClassNames[i] != other.ClassNames[i]) return false;
            for (int j = 0; j < ClassCount; j++) if (_c[i, j] != other._c[i, j]) return false;
        }
        return true;
    }

    public override int GetHashCode() => HashCode.Combine(ClassCount, Total, Correct);
}
