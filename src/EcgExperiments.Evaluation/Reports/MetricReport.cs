namespace EcgExperiments.Evaluation;

/// <summary>Metrics of one class (one-vs-rest). Precision = PPV, recall = sensitivity.</summary>
public sealed record ClassMetrics(
    string Name,
    long Support,
    long TruePositives,
    long FalsePositives,
    long FalseNegatives,
    long TrueNegatives,
    double Precision,
    double Recall,
    double Specificity,
    double F1,
    double? RocAuc,
    double? AveragePrecision);

/// <summary>
/// Whole-set metrics. For a binary task <see cref="RocAuc"/> and <see cref="AveragePrecision"/> are
/// those of the positive class; for multiclass they are macro means of the one-vs-rest values over
/// the classes where they are defined. Log loss and ECE are null for non-probabilistic scores.
/// </summary>
public sealed record AggregateMetrics(
    double Accuracy,
    double BalancedAccuracy,
    double MacroPrecision,
    double MacroRecall,
    double MacroSpecificity,
    double MacroF1,
    double WeightedPrecision,
    double WeightedRecall,
    double WeightedF1,
    double? RocAuc,
    double? AveragePrecision,
    double? LogLoss,
    double? Ece);

/// <summary>ROC and precision–recall curves of one class, for plots.</summary>
public sealed record ClassCurves(string ClassName, RocCurve? Roc, PrecisionRecallCurve? PrecisionRecall);

/// <summary>
/// One row of the tidy metric table: metric name, class (null for aggregates), value and interval with its
/// level and <see cref="ConfidenceInterval.Method"/> (null when the row has no bounds, or when a table
/// written without methods was read back).
/// </summary>
public sealed record MetricEntry(string Metric, string? Class, double? Value, double? Lower, double? Upper, double? Level, string? Method = null)
{
    /// <summary>The method a table row states for <paramref name="ci"/>: null unless the interval has both bounds (nothing to describe).</summary>
    public static string? MethodOf(ConfidenceInterval? ci) => ci is { Lower: not null, Upper: not null } ? ci.Method : null;

    /// <summary>
    /// The row of <paramref name="metric"/> (per class when <paramref name="cls"/> is given) with the interval that
    /// <paramref name="intervals"/> holds under its key ("f1[HYP]" for a class), if any.
    /// </summary>
    public static MetricEntry Of(string metric, string? cls, double? value, IReadOnlyDictionary<string, ConfidenceInterval> intervals)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        intervals.TryGetValue(cls is null ? metric : MetricNames.PerClass(metric, cls), out var ci);
        return new MetricEntry(metric, cls, value, ci?.Lower, ci?.Upper, ci?.Level, MethodOf(ci));
    }
}

/// <summary>Names used as keys of <see cref="MetricReport.Intervals"/> and rows of <see cref="MetricReport.ToTable"/>.</summary>
public static class MetricNames
{
    public const string Accuracy = "accuracy";
    public const string BalancedAccuracy = "balanced_accuracy";
    public const string MacroPrecision = "macro_precision";
    public const string MacroRecall = "macro_recall";
    public const string MacroSpecificity = "macro_specificity";
    public const string MacroF1 = "macro_f1";
    public const string WeightedPrecision = "weighted_precision";
    public const string WeightedRecall = "weighted_recall";
    public const string WeightedF1 = "weighted_f1";
    public const string RocAuc = "roc_auc";
    public const string AveragePrecision = "average_precision";
    public const string LogLoss = "log_loss";
    public const string Ece = "ece";
    public const string Precision = "precision";
    public const string Recall = "recall";
    public const string Specificity = "specificity";
    public const string F1 = "f1";

    /// <summary>Multi-label: mean of the per-label ROC-AUCs.</summary>
    public const string MacroRocAuc = "macro_roc_auc";
    /// <summary>Multi-label: ROC-AUC of all (sample, label) pairs pooled.</summary>
    public const string MicroRocAuc = "micro_roc_auc";
    /// <summary>Multi-label: mean of the per-label average precisions.</summary>
    public const string MacroAveragePrecision = "macro_average_precision";
    /// <summary>Multi-label: sample-centric maximum F over a threshold grid (PTB-XL benchmark).</summary>
    public const string Fmax = "f_max";
    /// <summary>Multi-label: F1 of all (sample, label) decisions pooled.</summary>
    public const string MicroF1 = "micro_f1";
    /// <summary>Multi-label: share of wrong (sample, label) decisions.</summary>
    public const string HammingLoss = "hamming_loss";

    /// <summary>Reconstruction: mean squared error over records × leads × time.</summary>
    public const string Mse = "mse";
    /// <summary>Reconstruction: mean over leads of the per-lead RMSE.</summary>
    public const string MeanRmse = "mean_rmse";
    /// <summary>Reconstruction: mean over leads of the per-lead Pearson r.</summary>
    public const string MeanPearsonR = "mean_pearson_r";
    /// <summary>Reconstruction: mean over leads of the per-lead R².</summary>
    public const string MeanR2 = "mean_r2";
    /// <summary>Reconstruction, per lead (the lead is the "class"): RMSE.</summary>
    public const string Rmse = "rmse";
    /// <summary>Reconstruction, per lead: mean over records of the per-record Pearson r.</summary>
    public const string PearsonR = "pearson_r";
    /// <summary>Reconstruction, per lead: coefficient of determination.</summary>
    public const string R2 = "r2";

    /// <summary>
    /// True for metrics where smaller is better (errors and losses: log loss, ECE, MSE, RMSE, Hamming loss); false for scores
    /// where larger is better. Takes the metric name without class.
    /// </summary>
    public static bool LowerIsBetter(string metric) => metric is LogLoss or Ece or Mse or MeanRmse or Rmse or HammingLoss;

    /// <summary>Key of a per-class metric, e.g. <c>PerClass("f1", "HYP")</c> = "f1[HYP]".</summary>
    public static string PerClass(string metric, string className) => $"{metric}[{className}]";
}

/// <summary>
/// The immutable result of evaluating a classifier on one set: confusion matrix, per-class table,
/// aggregates, bootstrap intervals with the ids of their resamples, calibration, curves and the
/// class-prior baseline evaluated on the same labels. Serialises to JSON with
/// <see cref="MetricJson"/> and round-trips.
/// </summary>
/// <example><code>
/// MetricReport r = ClassificationEvaluator.Evaluate(test, new EvaluationOptions { TrainingLabels = trainY });
/// Console.WriteLine($"acc {r.Aggregates.Accuracy:F4} vs prior {r.Baseline!.Aggregates.Accuracy:F4}");
/// string json = MetricJson.Serialize(r);
/// </code></example>
public sealed record MetricReport : IVersionedReport
{
    /// <summary>
    /// 2: intervals carry their <see cref="ConfidenceInterval.Method"/>, and accuracy, recall, precision and
    /// specificity use the Wilson score interval. Version 1 files (all intervals bootstrap, no method) still load.
    /// </summary>
    public const int CurrentFormatVersion = 2;

    /// <inheritdoc/>
    public static int SupportedFormatVersion => CurrentFormatVersion;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>"binary" or "multiclass".</summary>
    public required string Task { get; init; }

    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Binary tasks: the positive class.</summary>
    public string? PositiveClass { get; init; }

    /// <summary>Binary tasks: predicted positive when score ≥ this.</summary>
    public double? DecisionThreshold { get; init; }

    public required int SampleCount { get; init; }
    public required ConfusionMatrix Confusion { get; init; }
    public required IReadOnlyList<ClassMetrics> PerClass { get; init; }
    public required AggregateMetrics Aggregates { get; init; }

    /// <summary>
    /// Confidence intervals keyed by <see cref="MetricNames"/> (per-class keys like "recall[HYP]"): Wilson score for
    /// the proportions (accuracy, recall, precision, specificity), percentile bootstrap for the rest.
    /// </summary>
    public IReadOnlyDictionary<string, ConfidenceInterval> Intervals { get; init; } = new Dictionary<string, ConfidenceInterval>();

    /// <summary>The resamples behind the bootstrap <see cref="Intervals"/> (null without bootstrap).</summary>
    public ResampleIds? Resamples { get; init; }

    public CalibrationResult? Calibration { get; init; }
    public IReadOnlyList<ClassCurves>? Curves { get; init; }

    /// <summary>What <see cref="Baseline"/> is, e.g. "class-prior (training labels)".</summary>
    public string? BaselineKind { get; init; }

    /// <summary>The same metrics for the class-prior baseline on the same true labels.</summary>
    public MetricReport? Baseline { get; init; }

    /// <summary>Tidy rows (aggregates, then per-class metrics) with their intervals where computed.</summary>
    public IReadOnlyList<MetricEntry> ToTable()
    {
        var rows = new List<MetricEntry>();
        void Add(string metric, string? cls, double? value) => rows.Add(MetricEntry.Of(metric, cls, value, Intervals));
        var a = Aggregates;
        Add(MetricNames.Accuracy, null, a.Accuracy);
        Add(MetricNames.BalancedAccuracy, null, a.BalancedAccuracy);
        Add(MetricNames.MacroPrecision, null, a.MacroPrecision);
        Add(MetricNames.MacroRecall, null, a.MacroRecall);
        Add(MetricNames.MacroSpecificity, null, a.MacroSpecificity);
        Add(MetricNames.MacroF1, null, a.MacroF1);
        Add(MetricNames.WeightedPrecision, null, a.WeightedPrecision);
        Add(MetricNames.WeightedRecall, null, a.WeightedRecall);
        Add(MetricNames.WeightedF1, null, a.WeightedF1);
        Add(MetricNames.RocAuc, null, a.RocAuc);
        Add(MetricNames.AveragePrecision, null, a.AveragePrecision);
        Add(MetricNames.LogLoss, null, a.LogLoss);
        Add(MetricNames.Ece, null, a.Ece);
        foreach (var c in PerClass)
        {
            Add(MetricNames.Precision, c.Name, c.Precision);
            Add(MetricNames.Recall, c.Name, c.Recall);
            Add(MetricNames.Specificity, c.Name, c.Specificity);
            Add(MetricNames.F1, c.Name, c.F1);
            Add(MetricNames.RocAuc, c.Name, c.RocAuc);
            Add(MetricNames.AveragePrecision, c.Name, c.AveragePrecision);
        }
        return rows;
    }
}
