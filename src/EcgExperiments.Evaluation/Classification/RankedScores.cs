namespace EcgExperiments.Evaluation;

/// <summary>
/// Scores sorted once (descending) with ties grouped, so ROC-AUC and average precision can be
/// evaluated in O(n) for any sample weighting. Bootstrap resamples are weightings (how many times
/// each sample was drawn), which keeps a 1,000-resample interval over 25k beats fast.
/// </summary>
internal sealed class RankedScores
{
    private readonly int[] _order;
    private readonly int[] _groupStart; // group g spans _order[_groupStart[g] .. _groupStart[g+1])
    private readonly double[] _groupScore;

    private RankedScores(int[] order, int[] groupStart, double[] groupScore)
    {
        _order = order;
        _groupStart = groupStart;
        _groupScore = groupScore;
    }

    public int GroupCount => _groupScore.Length;

    public static RankedScores Create(ReadOnlySpan<double> scores)
    {
        var keys = new double[scores.Length];
        var order = new int[scores.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            if (double.IsNaN(scores[i])) throw new ArgumentException($"score {i} is NaN", nameof(scores));
            keys[i] = -scores[i];
            order[i] = i;
        }
        Array.Sort(keys, order);
        var starts = new List<int>();
        var values = new List<double>();
        for (int i = 0; i < keys.Length; i++)
        {
            if (i == 0 || keys[i] != keys[i - 1])
            {
                starts.Add(i);
                values.Add(-keys[i]);
            }
        }
        starts.Add(keys.Length);
        return new RankedScores(order, starts.ToArray(), values.ToArray());
    }

    /// <summary>Cumulative (weighted) true/false positives at each distinct threshold, descending.</summary>
    public void Cumulate(ReadOnlySpan<bool> isPositive, ReadOnlySpan<int> weights, Span<double> tps, Span<double> fps)
    {
        double tp = 0, fp = 0;
        bool weighted = !weights.IsEmpty;
        for (int g = 0; g < _groupScore.Length; g++)
        {
            for (int j = _groupStart[g]; j < _groupStart[g + 1]; j++)
            {
                int i = _order[j];
                double w = weighted ? weights[i] : 1;
                if (isPositive[i]) tp += w; else fp += w;
            }
            tps[g] = tp;
            fps[g] = fp;
        }
    }

    public double ThresholdOf(int group) => _groupScore[group];

    /// <summary>ROC-AUC and average precision in one pass (what a bootstrap resample needs).</summary>
    public (double? Auc, double? AveragePrecision) Both(ReadOnlySpan<bool> isPositive, ReadOnlySpan<int> weights)
    {
        double tp = 0, fp = 0, area = 0, apSum = 0;
        bool weighted = !weights.IsEmpty;
        for (int g = 0; g < _groupScore.Length; g++)
        {
            double tpInc = 0, fpInc = 0;
            for (int j = _groupStart[g]; j < _groupStart[g + 1]; j++)
            {
                int i = _order[j];
                double w = weighted ? weights[i] : 1;
                if (isPositive[i]) tpInc += w; else fpInc += w;
            }
            area += fpInc * (2 * tp + tpInc) / 2;
            tp += tpInc;
            fp += fpInc;
            if (tpInc > 0) apSum += tpInc * (tp / (tp + fp));
        }
        double? auc = tp == 0 || fp == 0 ? null : area / (tp * fp);
        double? ap = tp == 0 ? null : apSum / tp;
        return (auc, ap);
    }

    /// <summary>
    /// Area under the ROC curve by the trapezoid over distinct thresholds (sklearn's roc_auc_score),
    /// which equals the Mann–Whitney statistic with half credit for tied positive/negative pairs.
    /// Null when one of the two classes has no (weighted) samples.
    /// </summary>
    public double? Auc(ReadOnlySpan<bool> isPositive, ReadOnlySpan<int> weights) => Both(isPositive, weights).Auc;

    /// <summary>
    /// sklearn's average_precision_score: Σ (R_k − R_{k−1}) · P_k over distinct thresholds, a step
    /// function without interpolation. Null when there are no (weighted) positives.
    /// </summary>
    public double? AveragePrecision(ReadOnlySpan<bool> isPositive, ReadOnlySpan<int> weights) => Both(isPositive, weights).AveragePrecision;
}
