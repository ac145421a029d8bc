namespace EcgExperiments.Evaluation;

/// <summary>What the calibration bins are computed on.</summary>
public enum CalibrationTarget
{
    /// <summary>Binary: predicted probability of the positive class vs the fraction of positives.</summary>
    PositiveClass,

    /// <summary>Multiclass: top-label confidence (max probability) vs accuracy of the top label.</summary>
    TopLabel,
}

/// <summary>One equal-width reliability-diagram bin [Lower, Upper) (the last bin includes 1).</summary>
/// <param name="Lower">Lower edge of the bin.</param>
/// <param name="Upper">Upper edge of the bin.</param>
/// <param name="Count">Samples in the bin.</param>
/// <param name="MeanConfidence">Mean predicted probability in the bin (null when empty).</param>
/// <param name="ObservedFrequency">Fraction of positives (or of correct top labels) in the bin (null when empty).</param>
public sealed record ReliabilityBin(double Lower, double Upper, long Count, double? MeanConfidence, double? ObservedFrequency);

/// <summary>Expected calibration error and the reliability diagram it came from.</summary>
/// <param name="Target">Positive-class probability (binary) or top-label confidence (multiclass).</param>
/// <param name="BinCount">Number of equal-width bins over [0, 1].</param>
/// <param name="Ece">Σ_b (n_b / n) · |observed_b − confidence_b|.</param>
/// <param name="MaxCalibrationError">Largest gap over the non-empty bins.</param>
/// <param name="Bins">The reliability diagram.</param>
public sealed record CalibrationResult(CalibrationTarget Target, int BinCount, double Ece, double MaxCalibrationError, IReadOnlyList<ReliabilityBin> Bins);

/// <summary>
/// Expected calibration error (Guo et al. 2017) with equal-width bins: for binary tasks on the
/// positive-class probability, for multiclass on the top-label confidence.
/// </summary>
/// <example><code>
/// CalibrationResult c = CalibrationMetrics.Compute(scores);          // 15 bins
/// CalibrationResult b = CalibrationMetrics.Binary([true, false], [0.8, 0.3], bins: 10);
/// Console.WriteLine($"ECE {c.Ece:F4}");
/// </code></example>
public static class CalibrationMetrics
{
    public const int DefaultBins = 15;

    /// <summary>Calibration of probabilistic classification scores (binary or multiclass).</summary>
    public static CalibrationResult Compute(ClassificationScores scores, int bins = DefaultBins) => Compute(scores, bins, default);

    /// <summary>Calibration of positive-class probabilities against binary outcomes.</summary>
    public static CalibrationResult Binary(ReadOnlySpan<bool> isPositive, ReadOnlySpan<double> probability, int bins = DefaultBins)
    {
        Internal.Check.SameLength(isPositive.Length, probability.Length, nameof(isPositive), nameof(probability));
        CheckBins(bins);
        var acc = new Accumulator(bins);
        for (int i = 0; i < probability.Length; i++)
        {
            double p = probability[i];
            if (!(p >= 0 && p <= 1)) throw new ArgumentException($"sample {i}: probability {p} is outside [0, 1]", nameof(probability));
            acc.Add(p, isPositive[i] ? 1 : 0, 1);
        }
        return acc.Result(CalibrationTarget.PositiveClass);
    }

    internal static CalibrationResult Compute(ClassificationScores scores, int bins, ReadOnlySpan<int> weights)
    {
        ArgumentNullException.ThrowIfNull(scores);
        CheckBins(bins);
        var (confidence, hit, target) = Confidence(scores);
        return FromConfidence(confidence, hit, bins, weights, target);
    }

    /// <summary>Per sample: the probability that is binned and whether its event happened (positive / top label correct).</summary>
    internal static (double[] Confidence, bool[] Hit, CalibrationTarget Target) Confidence(ClassificationScores scores)
    {
        if (!scores.AreProbabilities) throw new InvalidOperationException("calibration needs probabilities; these scores were given as logits/scores");
        var labels = scores.LabelArray;
        var conf = new double[scores.Count];
        var hit = new bool[scores.Count];
        for (int i = 0; i < conf.Length; i++)
        {
            int c = scores.PositiveClass ?? scores.Predicted(i);
            conf[i] = scores.Probability(i, c);
            hit[i] = labels[i] == c;
        }
        return (conf, hit, scores.IsBinary ? CalibrationTarget.PositiveClass : CalibrationTarget.TopLabel);
    }

    internal static CalibrationResult FromConfidence(double[] confidence, bool[] hit, int bins, ReadOnlySpan<int> weights, CalibrationTarget target)
    {
        var acc = new Accumulator(bins);
        bool weighted = !weights.IsEmpty;
        for (int i = 0; i < confidence.Length; i++)
        {
            int w = weighted ? weights[i] : 1;
            if (w != 0) acc.Add(confidence[i], hit[i] ? 1 : 0, w);
        }
        return acc.Result(target);
    }

    private static void CheckBins(int bins)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "need at least one calibration bin");
    }

    private sealed class Accumulator(int bins)
    {
        private readonly double[] _conf = new double[bins];
        private readonly double[] _hits = new double[bins];
        private readonly long[] _count = new long[bins];

        public void Add(double p, int hit, int weight)
        {
            // floor(p·B) puts p in [b/B, (b+1)/B); p = 1 belongs to the last bin
            int b = Math.Min((int)(p * bins), bins - 1);
            _conf[b] += p * weight;
            _hits[b] += hit * weight;
            _count[b] += weight;
        }

        public CalibrationResult Result(CalibrationTarget target)
        {
            long n = _count.Sum();
            double ece = 0, mce = 0;
            var list = new ReliabilityBin[bins];
            for (int b = 0; b < bins; b++)
            {
                double? conf = null, obs = null;
                if (_count[b] > 0)
                {
                    conf = _conf[b] / _count[b];
                    obs = _hits[b] / _count[b];
                    double gap = Math.Abs(obs.Value - conf.Value);
                    ece += (double)_count[b] / n * gap;
                    mce = Math.Max(mce, gap);
                }
                list[b] = new ReliabilityBin((double)b / bins, (double)(b + 1) / bins, _count[b], conf, obs);
            }
            return new CalibrationResult(target, bins, ece, mce, list);
        }
    }
}
