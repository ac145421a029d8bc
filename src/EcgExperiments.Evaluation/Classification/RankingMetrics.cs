using EcgExperiments.Evaluation.Internal;

namespace EcgExperiments.Evaluation;

/// <summary>A ROC curve: false- and true-positive rates at each kept threshold (descending; the first is +∞).</summary>
public sealed record RocCurve(IReadOnlyList<double> FalsePositiveRate, IReadOnlyList<double> TruePositiveRate, IReadOnlyList<double> Thresholds)
{
    /// <summary>
    /// At most about 2·<paramref name="resolution"/> points for plots: a point is kept when it moved at
    /// least 1/<paramref name="resolution"/> in either rate since the last kept one; ends are kept.
    /// </summary>
    public RocCurve Thinned(int resolution)
    {
        var keep = CurveThinning.Keep(FalsePositiveRate, TruePositiveRate, resolution);
        return new RocCurve(keep.Select(i => FalsePositiveRate[i]).ToArray(), keep.Select(i => TruePositiveRate[i]).ToArray(), keep.Select(i => Thresholds[i]).ToArray());
    }
}

/// <summary>
/// A precision–recall curve at each distinct threshold in descending order (sklearn's points, in the
/// reverse order and without its final artificial point). Plots usually prepend (recall 0, precision 1).
/// </summary>
public sealed record PrecisionRecallCurve(IReadOnlyList<double> Precision, IReadOnlyList<double> Recall, IReadOnlyList<double> Thresholds)
{
    /// <summary>Thinned for plots like <see cref="RocCurve.Thinned"/> (recall and precision steps of 1/<paramref name="resolution"/>).</summary>
    public PrecisionRecallCurve Thinned(int resolution)
    {
        var keep = CurveThinning.Keep(Recall, Precision, resolution);
        return new PrecisionRecallCurve(keep.Select(i => Precision[i]).ToArray(), keep.Select(i => Recall[i]).ToArray(), keep.Select(i => Thresholds[i]).ToArray());
    }
}

internal static class CurveThinning
{
    public static List<int> Keep(IReadOnlyList<double> x, IReadOnlyList<double> y, int resolution)
    {
        if (resolution < 1) throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "resolution must be at least 1");
        double step = 1.0 / resolution;
        var keep = new List<int>();
        for (int i = 0; i < x.Count; i++)
        {
            bool end = i == 0 || i == x.Count - 1;
            if (end || Math.Abs(x[i] - x[keep[^1]]) >= step || Math.Abs(y[i] - y[keep[^1]]) >= step) keep.Add(i);
        }
        // precision can oscillate at low recall; bound the size by thinning on the monotone coordinate only
        if (keep.Count > 4 * resolution + 2)
        {
            keep.Clear();
            for (int i = 0; i < x.Count; i++)
                if (i == 0 || i == x.Count - 1 || Math.Abs(x[i] - x[keep[^1]]) >= step) keep.Add(i);
        }
        return keep;
    }
}

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
