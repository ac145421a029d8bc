namespace EcgExperiments.Evaluation;

/// <summary>How anomaly scores are scaled before thresholding.</summary>
public enum ScoreScaling
{
    /// <summary>Raw scores.</summary>
    None,

    /// <summary>Each set min-max scaled over itself (SPEC §2.4: test scores scaled over the test set).</summary>
    MinMaxPerSet,

    /// <summary>Both sets scaled with the validation set's min and max (no test statistics used at all).</summary>
    MinMaxFromValidation,
}

/// <summary>Settings of <see cref="AnomalyEvaluator.Evaluate"/>.</summary>
/// <example><code>
/// var options = new AnomalyOptions { Scaling = ScoreScaling.MinMaxFromValidation, Bootstrap = new BootstrapOptions { Seed = 1 } };
/// </code></example>
public sealed record AnomalyOptions
{
    public ScoreScaling Scaling { get; init; } = ScoreScaling.MinMaxPerSet;

    /// <summary>Threshold rule applied on validation scores; the published protocol uses best F1.</summary>
    public ThresholdRule Rule { get; init; } = ThresholdRule.BestF1;

    /// <summary>Bootstrap intervals over test samples (stratified by normal/anomalous when requested); null = none.</summary>
    public BootstrapOptions? Bootstrap { get; init; }
}

/// <summary>Anomaly-detection result on the test set, with the threshold fitted on validation.</summary>
/// <param name="FormatVersion">JSON format version.</param>
/// <param name="TestCount">Test samples.</param>
/// <param name="AnomalyCount">Anomalous test samples.</param>
/// <param name="Scaling">Score scaling used.</param>
/// <param name="RocAuc">Test ROC-AUC (anomalous = positive).</param>
/// <param name="AveragePrecision">Test average precision.</param>
/// <param name="Threshold">The validation-fitted threshold (on scaled scores).</param>
/// <param name="Outcome">Test confusion counts at that threshold (F1, precision, recall via its properties).</param>
/// <param name="Intervals">Bootstrap intervals: "roc_auc", "average_precision", "f1".</param>
/// <param name="Resamples">Resamples behind <paramref name="Intervals"/>.</param>
public sealed record AnomalyReport(
    int FormatVersion,
    int TestCount,
    int AnomalyCount,
    ScoreScaling Scaling,
    double? RocAuc,
    double? AveragePrecision,
    DecisionThreshold Threshold,
    BinaryOutcome Outcome,
    IReadOnlyDictionary<string, ConfidenceInterval> Intervals,
    ResampleIds? Resamples) : IVersionedReport
{
    public const int CurrentFormatVersion = 1;

    /// <inheritdoc/>
    public static int SupportedFormatVersion => CurrentFormatVersion;
}

/// <summary>
/// ROC-AUC, average precision and F1 of anomaly scores (higher = more anomalous), with the F1
/// threshold chosen on validation scores and applied to the test scores.
/// </summary>
/// <example><code>
/// var val = BinaryScores.ForValidation(valIsAnomaly, valScores);
/// var test = BinaryScores.ForTest(testIsAnomaly, testScores);
/// AnomalyReport r = AnomalyEvaluator.Evaluate(val, test);
/// Console.WriteLine($"AUC {r.RocAuc:F4} AP {r.AveragePrecision:F4} F1 {r.Outcome.F1:F3}");
/// </code></example>
public static class AnomalyEvaluator
{
    public static AnomalyReport Evaluate(BinaryScores validation, BinaryScores test, AnomalyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new AnomalyOptions();
        if (test.Role != SplitRole.Test) throw new ArgumentException($"test scores are tagged {test.Role}; build them with BinaryScores.ForTest", nameof(test));

        (validation, test) = Scale(validation, test, options.Scaling);
        var threshold = ThresholdSelector.Fit(validation, options.Rule);
        var outcome = threshold.Evaluate(test);
        var auc = RankingMetrics.RocAuc(test.PositiveSpan, test.ScoreSpan);
        var ap = RankingMetrics.AveragePrecision(test.PositiveSpan, test.ScoreSpan);
        var report = new AnomalyReport(AnomalyReport.CurrentFormatVersion, test.Count, test.PositiveCount, options.Scaling, auc, ap, threshold, outcome,
            new Dictionary<string, ConfidenceInterval>(), null);
        if (options.Bootstrap is not { } b) return report;

        var strata = b.Stratified ? test.IsPositive.Select(p => p ? 1 : 0).ToArray() : null;
        var plan = BootstrapPlan.Create(test.Count, b, strata);
        var ranked = RankedScores.Create(test.ScoreSpan);
        var predicted = threshold.Apply(test.ScoreSpan);
        var dists = plan.Distributions([MetricNames.RocAuc, MetricNames.AveragePrecision, MetricNames.F1], idx =>
        {
            var w = BootstrapPlan.Counts(idx, test.Count);
            long tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < w.Length; i++)
            {
                if (predicted[i] && test.PositiveSpan[i]) tp += w[i];
                else if (predicted[i]) fp += w[i];
                else if (test.PositiveSpan[i]) fn += w[i];
            }
            double? f1 = tp + fn == 0 ? null : 2.0 * tp / (2 * tp + fp + fn);
            return [ranked.Auc(test.PositiveSpan, w), ranked.AveragePrecision(test.PositiveSpan, w), f1];
        });
        return report with
        {
            Intervals = dists.ToDictionary(kv => kv.Key, kv => kv.Value.Interval(b.Level)),
            Resamples = plan.Ids,
        };
    }

    /// <summary>Validation and test scores scaled as <paramref name="scaling"/> says (the test set's own statistics only for <see cref="ScoreScaling.MinMaxPerSet"/>).</summary>
    public static (BinaryScores Validation, BinaryScores Test) Scale(BinaryScores validation, BinaryScores test, ScoreScaling scaling)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        switch (scaling)
        {
            case ScoreScaling.None:
                return (validation, test);
            case ScoreScaling.MinMaxPerSet:
                return (validation.MinMaxScaled(), test.MinMaxScaled());
            case ScoreScaling.MinMaxFromValidation:
                double min = validation.Scores.Min(), range = validation.Scores.Max() - min;
                double scale = range > 0 ? 1 / range : 1;
                return (validation.Scaled(min, scale), test.Scaled(min, scale));
            default:
                throw new ArgumentOutOfRangeException(nameof(scaling), scaling, "unknown score scaling");
        }
    }
}
