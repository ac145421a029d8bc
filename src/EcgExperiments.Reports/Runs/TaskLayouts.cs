using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>One headline column of a summary table: its header and the tidy-table key it shows.</summary>
/// <example><code>
/// var column = new HeadlineColumn("Recall HYP", MetricNames.Recall, "HYP");   // column.Key == "recall[HYP]"
/// </code></example>
public sealed record HeadlineColumn(string Header, string Metric, string? Class)
{
    /// <summary>"macro_f1" or "recall[HYP]", as in <see cref="MetricLookup.Find(IReadOnlyList{MetricEntry}, string)"/>.</summary>
    public string Key => Class is null ? Metric : MetricNames.PerClass(Metric, Class);
}

/// <summary>
/// How a task is reported: its display title, the headline columns of its summary tables (chosen from the
/// runs of that task, e.g. one recall column per class) and the default heat-map metric.
/// </summary>
public sealed record TaskLayout(string Task, string Title, string DefaultHeatmapMetric, Func<IReadOnlyList<RunRecord>, IReadOnlyList<HeadlineColumn>> Columns);

/// <summary>
/// The tasks a run record can declare (<c>"task"</c> in run.json) and how each is reported. Adding a task is
/// one registration here; readers ask <see cref="Find"/> and writers iterate <see cref="All"/>.
/// <list type="bullet">
/// <item>classification: accuracy, macro F1, ROC-AUC, recall per class;</item>
/// <item>multi-label: macro and micro ROC-AUC, F-max, macro F1 at the per-label thresholds, Hamming loss, ROC-AUC per label;</item>
/// <item>anomaly: ROC-AUC, average precision, F1 / precision / recall of the anomaly (positive) class;</item>
/// <item>reconstruction: MSE, mean Pearson r, mean R², Pearson r per lead.</item>
/// </list>
/// </summary>
public static class TaskLayouts
{
    public const string Classification = "classification";
    public const string MultiLabel = "multi_label";
    public const string Anomaly = "anomaly";
    public const string Reconstruction = "reconstruction";

    /// <summary>Positive class of anomaly runs whose record does not name one.</summary>
    public const string DefaultAnomalyClass = "anomaly";

    private static readonly TaskLayout[] Registered =
    [
        new(Classification, "Classification", MetricNames.MacroF1, runs =>
        [
            new("Accuracy", MetricNames.Accuracy, null),
            new("Macro F1", MetricNames.MacroF1, null),
            new("ROC-AUC", MetricNames.RocAuc, null),
            .. ClassesOf(runs, MetricNames.Recall).Select(c => new HeadlineColumn($"Recall {c}", MetricNames.Recall, c)),
        ]),
        new(MultiLabel, "Multi-label classification", MetricNames.MacroRocAuc, runs =>
        [
            new("Macro ROC-AUC", MetricNames.MacroRocAuc, null),
            new("Micro ROC-AUC", MetricNames.MicroRocAuc, null),
            new("F-max", MetricNames.Fmax, null),
            new("Macro F1", MetricNames.MacroF1, null),
            new("Hamming loss", MetricNames.HammingLoss, null),
            .. ClassesOf(runs, MetricNames.RocAuc).Select(l => new HeadlineColumn($"AUC {l}", MetricNames.RocAuc, l)),
        ]),
        new(Anomaly, "Anomaly detection", MetricNames.RocAuc, runs =>
        [
            new("ROC-AUC", MetricNames.RocAuc, null),
            new("AP", MetricNames.AveragePrecision, null),
            .. AnomalyClasses(runs).SelectMany(c => new HeadlineColumn[]
            {
                new($"F1 {c}", MetricNames.F1, c),
                new($"Precision {c}", MetricNames.Precision, c),
                new($"Recall {c}", MetricNames.Recall, c),
            }),
        ]),
        new(Reconstruction, "Reconstruction", MetricNames.MeanPearsonR, runs =>
        [
            new("MSE", MetricNames.Mse, null),
            new("Mean Pearson r", MetricNames.MeanPearsonR, null),
            new("Mean R²", MetricNames.MeanR2, null),
            .. ClassesOf(runs, MetricNames.PearsonR).Select(l => new HeadlineColumn($"r {l}", MetricNames.PearsonR, l)),
        ]),
    ];

    /// <summary>Every registered layout, in report order.</summary>
    public static IReadOnlyList<TaskLayout> All => Registered;

    /// <summary>The task names run records may declare.</summary>
    public static IReadOnlyList<string> Names { get; } = Registered.Select(l => l.Task).ToArray();

    /// <summary>The layout of <paramref name="task"/>, or null for a task this build does not know.</summary>
    public static TaskLayout? Find(string task) => Registered.FirstOrDefault(l => l.Task == task);

    /// <summary>Classes (or leads) that have a <paramref name="metric"/> row, in first-seen order over the runs.</summary>
    private static IEnumerable<string> ClassesOf(IReadOnlyList<RunRecord> runs, string metric) =>
        runs.SelectMany(r => r.Table).Where(e => e.Metric == metric && e.Class is not null).Select(e => e.Class!).Distinct();

    private static IEnumerable<string> AnomalyClasses(IReadOnlyList<RunRecord> runs) =>
        runs.Select(r => r.Metrics?.PositiveClass ?? DefaultAnomalyClass).Distinct();
}

/// <summary>The runs of one task with the headline columns chosen for them.</summary>
public sealed record TaskGroup(TaskLayout Layout, IReadOnlyList<RunRecord> Runs, IReadOnlyList<HeadlineColumn> Columns)
{
    /// <summary>The runs grouped by task, in <see cref="TaskLayouts.All"/> order, each keeping the runs' order; empty tasks left out.</summary>
    public static IReadOnlyList<TaskGroup> Of(IReadOnlyList<RunRecord> runs) =>
        TaskLayouts.All
            .Select(layout => (layout, runs: (IReadOnlyList<RunRecord>)runs.Where(r => r.Task == layout.Task).ToList()))
            .Where(x => x.runs.Count > 0)
            .Select(x => new TaskGroup(x.layout, x.runs, x.layout.Columns(x.runs)))
            .ToList();

    /// <summary>
    /// The heat-map metric of this group: <paramref name="requested"/> when some run of the group reports it,
    /// else the task's default (a classification metric means nothing to a reconstruction run).
    /// </summary>
    public string HeatmapMetric(string? requested) =>
        requested is not null && Runs.Any(r => MetricLookup.Find(r.Table, requested) is not null) ? requested : Layout.DefaultHeatmapMetric;
}
