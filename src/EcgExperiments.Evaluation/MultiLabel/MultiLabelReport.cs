namespace EcgExperiments.Evaluation;

/// <summary>Metrics of one label of a multi-label evaluation.</summary>
/// <param name="Name">Label name.</param>
/// <param name="Support">Test samples carrying the label.</param>
/// <param name="RocAuc">ROC-AUC of the label's scores; null when the test set holds only one class of it.</param>
/// <param name="AveragePrecision">Average precision; null when the test set holds no positive.</param>
/// <param name="Threshold">The label's decision threshold, chosen on validation (or the fallback, see <see cref="LabelThreshold"/>).</param>
/// <param name="TruePositives">Test samples with the label that were predicted positive at <paramref name="Threshold"/>.</param>
/// <param name="FalsePositives">Test samples without the label that were predicted positive.</param>
/// <param name="FalseNegatives">Test samples with the label that were predicted negative.</param>
/// <param name="Precision">TP / (TP + FP); 0 when nothing was predicted.</param>
/// <param name="Recall">TP / support; 0 when the label is absent.</param>
/// <param name="F1">2TP / (2TP + FP + FN); 0 when the denominator is 0 (sklearn <c>zero_division=0</c>).</param>
public sealed record LabelMetrics(string Name, int Support, double? RocAuc, double? AveragePrecision, LabelThreshold Threshold,
    long TruePositives, long FalsePositives, long FalseNegatives, double Precision, double Recall, double F1);

/// <summary>The threshold-free metrics of <see cref="MultiLabelEvaluator.Ranking"/> (null where undefined, e.g. no label with both classes).</summary>
public sealed record MultiLabelRanking(double? MacroRocAuc, double? MicroRocAuc, double? MacroAveragePrecision, double Fmax);

/// <summary>F-max of a multi-label evaluation and where on the threshold grid it is reached.</summary>
/// <param name="Value">The maximum F over the grid (0 when no threshold gives a defined F).</param>
/// <param name="Threshold">Grid threshold of the maximum (the lowest where several tie), or null.</param>
/// <param name="Precision">Sample-averaged precision there.</param>
/// <param name="Recall">Sample-averaged recall there.</param>
/// <param name="Coverage">Share of samples with at least one label predicted there.</param>
public sealed record FmaxResult(double Value, double? Threshold, double? Precision, double? Recall, double? Coverage);

/// <summary>
/// The immutable result of evaluating a multi-label classifier on a test set with per-label thresholds chosen on
/// validation: label-centric ROC-AUC (macro, micro, per label) and average precision, the sample-centric F-max of the
/// PTB-XL benchmark, F1 at the per-label thresholds (macro, micro, per label), Hamming loss, bootstrap intervals and
/// the prevalence baseline evaluated the same way. Serialises with <see cref="MetricJson"/>; <see cref="ToTable"/>
/// gives the tidy rows reports and <c>verify</c> read, per-label rows carrying the label as their class.
/// </summary>
/// <example><code>
/// MultiLabelReport r = MultiLabelEvaluator.Evaluate(val, test, new MultiLabelEvaluationOptions { TrainingTargets = trainY });
/// Console.WriteLine($"macro AUC {r.MacroRocAuc:F3} vs prevalence {r.Baseline!.MacroRocAuc:F3}; F-max {r.Fmax.Value:F3}");
/// </code></example>
public sealed record MultiLabelReport : IVersionedReport
{
    public const int CurrentFormatVersion = 1;

    /// <summary>Value of <see cref="Task"/>.</summary>
    public const string TaskName = "multilabel";

    /// <inheritdoc/>
    public static int SupportedFormatVersion => CurrentFormatVersion;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Always <see cref="TaskName"/>; lets a reader tell this report from a <see cref="MetricReport"/>.</summary>
    public string Task { get; init; } = TaskName;

    public required IReadOnlyList<string> LabelNames { get; init; }
    public required int SampleCount { get; init; }

    /// <summary>Mean of the per-label ROC-AUCs over the labels where it is defined (see <see cref="UndefinedAucLabels"/>).</summary>
    public double? MacroRocAuc { get; init; }

    /// <summary>ROC-AUC of all (sample, label) pairs pooled (sklearn <c>average="micro"</c>).</summary>
    public double? MicroRocAuc { get; init; }

    /// <summary>Mean of the per-label average precisions over the labels with a test positive.</summary>
    public double? MacroAveragePrecision { get; init; }

    /// <summary>Sample-centric F-max (Strodthoff et al. 2020, after CAFA) on the grid of <see cref="FmaxThresholds"/>.</summary>
    public required FmaxResult Fmax { get; init; }

    /// <summary>Number of grid steps of <see cref="Fmax"/>: thresholds k/steps, k = 0 … steps.</summary>
    public int FmaxThresholds { get; init; }

    /// <summary>Mean over all labels of the F1 at each label's validation-chosen threshold.</summary>
    public double MacroF1 { get; init; }

    /// <summary>F1 of all (sample, label) decisions pooled.</summary>
    public double MicroF1 { get; init; }

    /// <summary>Share of (sample, label) decisions that are wrong.</summary>
    public double HammingLoss { get; init; }

    public required IReadOnlyList<LabelMetrics> PerLabel { get; init; }

    /// <summary>Labels whose ROC-AUC is undefined on this test set (left out of <see cref="MacroRocAuc"/>).</summary>
    public IReadOnlyList<string> UndefinedAucLabels { get; init; } = [];

    /// <summary>How the per-label thresholds were chosen.</summary>
    public ThresholdRule? ThresholdRule { get; init; }

    /// <summary>
    /// Intervals keyed by <see cref="MetricNames"/> (per-label keys like "roc_auc[HYP]"): percentile bootstrap over test
    /// samples for every metric except per-label precision and recall, which are Wilson score intervals.
    /// </summary>
    public IReadOnlyDictionary<string, ConfidenceInterval> Intervals { get; init; } = new Dictionary<string, ConfidenceInterval>();

    /// <summary>The resamples behind the bootstrap <see cref="Intervals"/> (null without bootstrap).</summary>
    public ResampleIds? Resamples { get; init; }

    /// <summary>What <see cref="Baseline"/> is, e.g. "label prevalence (training targets)".</summary>
    public string? BaselineKind { get; init; }

    /// <summary>The same evaluation of the constant prevalence scores on the same targets.</summary>
    public MultiLabelReport? Baseline { get; init; }

    /// <summary>
    /// Tidy rows: <c>macro_roc_auc</c>, <c>micro_roc_auc</c>, <c>macro_average_precision</c>, <c>f_max</c>,
    /// <c>macro_f1</c>, <c>micro_f1</c>, <c>hamming_loss</c> (class null), then per label <c>roc_auc</c>,
    /// <c>average_precision</c>, <c>f1</c>, <c>precision</c>, <c>recall</c> with the label as class.
    /// </summary>
    public IReadOnlyList<MetricEntry> ToTable()
    {
        var rows = new List<MetricEntry>();
        void Add(string metric, string? label, double? value) => rows.Add(MetricEntry.Of(metric, label, value, Intervals));
        Add(MetricNames.MacroRocAuc, null, MacroRocAuc);
        Add(MetricNames.MicroRocAuc, null, MicroRocAuc);
        Add(MetricNames.MacroAveragePrecision, null, MacroAveragePrecision);
        Add(MetricNames.Fmax, null, Fmax.Value);
        Add(MetricNames.MacroF1, null, MacroF1);
        Add(MetricNames.MicroF1, null, MicroF1);
        Add(MetricNames.HammingLoss, null, HammingLoss);
        foreach (var l in PerLabel)
        {
            Add(MetricNames.RocAuc, l.Name, l.RocAuc);
            Add(MetricNames.AveragePrecision, l.Name, l.AveragePrecision);
            Add(MetricNames.F1, l.Name, l.F1);
            Add(MetricNames.Precision, l.Name, l.Precision);
            Add(MetricNames.Recall, l.Name, l.Recall);
        }
        return rows;
    }
}
