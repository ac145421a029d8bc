using EcgExperiments.Evaluation.Internal;

namespace EcgExperiments.Evaluation;

/// <summary>A ROC curve: false- and true-positive rates at each kept threshold (descending; the first is +∞).</summary>
public sealed record RocCurve(IReadOnlyList<double> FalsePositiveRate, IReadOnlyList<double> TruePositiveRate, IReadOnlyList<double> Thresholds);

/// <summary>
/// A precision–recall curve at each distinct threshold in descending order (sklearn's points, in the
/// reverse order and without its final artificial point). Plots usually prepend (recall 0, precision 1).
/// </summary>
public sealed record PrecisionRecallCurve(IReadOnlyList<double> Precision, IReadOnlyList<double> Recall, IReadOnlyList<double> Thresholds);

/// <summary>
/// Threshold-free ranking metrics of a binary problem (one-vs-rest for multiclass): ROC-AUC, ROC
/// curve, average precision and PR curve, with sklearn's definitions and tie handling.
/// </summary>
/// <example><code>
/// double? auc = RankingMetrics.RocAuc([true, false, true], [0.9, 0.4, 0.4]); // 0.75: one tie
/// double? ap = RankingMetrics.AveragePrecision([true, false, true], [0.9, 0.4, 0.4]);
/// </code></example>
public static class RankingMetrics
{
    /// <summary>ROC-AUC (higher score = more positive); null when only one class is present.</summary>
    public static double? RocAuc(ReadOnlySpan<bool> isPositive, ReadOnlySpan<double> scores)
    {
        Check.SameLength(isPositive.Length, scores.Length, nameof(isPositive), nameof(scores));
        return RankedScores.Create(scores).Auc(isPositive, default);
    }

    /// <summary>Average precision (sklearn <c>average_precision_score</c>); null when there is no positive.</summary>
    public static double? AveragePrecision(ReadOnlySpan<bool> isPositive, ReadOnlySpan<double> scores)
    {
        Check.SameLength(isPositive.Length, scores.Length, nameof(isPositive), nameof(scores));
        return RankedScores.Create(scores).AveragePrecision(isPositive, default);
    }

    /// <summary>
    /// ROC curve. With <paramref name="dropIntermediate"/> collinear points are removed exactly as
    /// sklearn's <c>roc_curve(drop_intermediate=True)</c> does, which keeps plots small; null when
    /// only one class is present.
    /// </summary>
    public static RocCurve? Roc(ReadOnlySpan<bool> isPositive, ReadOnlySpan<double> scores, bool dropIntermediate = true)
    {
        Check.SameLength(isPositive.Length, scores.Length, nameof(isPositive), nameof(scores));
        var ranked = RankedScores.Create(scores);
        int g = ranked.GroupCount;
        var tps = new double[g];
        var fps = new double[g];
        ranked.Cumulate(isPositive, default, tps, fps);
        if (g == 0 || tps[^1] == 0 || fps[^1] == 0) return null;

        var keep = new List<int>();
        for (int i = 0; i < g; i++)
        {
            bool interior = i > 0 && i < g - 1;
            // second difference zero in both coordinates means the point lies on a straight segment
            if (dropIntermediate && interior
                && fps[i + 1] - 2 * fps[i] + fps[i - 1] == 0
                && tps[i + 1] - 2 * tps[i] + tps[i - 1] == 0) continue;
            keep.Add(i);
        }
        var fpr = new List<double>(keep.Count + 1) { 0 };
        var tpr = new List<double>(keep.Count + 1) { 0 };
        var thr = new List<double>(keep.Count + 1) { double.PositiveInfinity };
        foreach (int i in keep)
        {
            fpr.Add(fps[i] / fps[^1]);
            tpr.Add(tps[i] / tps[^1]);
            thr.Add(ranked.ThresholdOf(i));
        }
        return new RocCurve(fpr, tpr, thr);
    }

    /// <summary>Precision–recall curve (descending thresholds); null when there is no positive.</summary>
    public static PrecisionRecallCurve? PrecisionRecall(ReadOnlySpan<bool> isPositive, ReadOnlySpan<double> scores)
    {
        Check.SameLength(isPositive.Length, scores.Length, nameof(isPositive), nameof(scores));
        var ranked = RankedScores.Create(scores);
        int g = ranked.GroupCount;
        var tps = new double[g];
        var fps = new double[g];
        ranked.Cumulate(isPositive, default, tps, fps);
        if (g == 0 || tps[^1] == 0) return null;
        var p = new List<double>();
        var r = new List<double>();
        var t = new List<double>();
        for (int i = 0; i < g; i++)
        {
            p.Add(tps[i] / (tps[i] + fps[i]));
            r.Add(tps[i] / tps[^1]);
            t.Add(ranked.ThresholdOf(i));
        }
        return new PrecisionRecallCurve(p, r, t);
    }
}
