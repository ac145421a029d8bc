using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>Options of <see cref="ReportBuilder"/>.</summary>
public sealed record ReportOptions
{
    /// <summary>Report title (Markdown heading, HTML title).</summary>
    public string Title { get; init; } = "EcgExperiments comparison report";

    /// <summary>Decimals of the Markdown/HTML numbers (CSV and JSON keep full precision).</summary>
    public int Decimals { get; init; } = 3;

    /// <summary>
    /// Metric of the strategy × architecture heat-maps: an aggregate name from <see cref="MetricNames"/>
    /// (e.g. "macro_f1", "accuracy", "roc_auc", "mean_pearson_r") or a per-class key such as "recall[HYP]".
    /// Null, or a metric a task's runs do not report, uses that task's default (<see cref="TaskLayout.DefaultHeatmapMetric"/>:
    /// classification macro_f1, anomaly roc_auc, reconstruction mean_pearson_r).
    /// </summary>
    public string? HeatmapMetric { get; init; }

    /// <summary>
    /// The reference of the paired comparisons (<see cref="RunComparisons"/>): a run (trial key prefix, "experiment/trial"
    /// or the run's short name such as "none") or a parameter value ("training.imbalance.strategy=none", or the last part
    /// of the key, "strategy=none"), each run then being compared with the run of that value and the same other
    /// parameters. Null: the sweep's first value of its most-valued swept key (from index.sqlite), else the first run.
    /// </summary>
    public string? Reference { get; init; }

    /// <summary>Base name of the written files (<c>report.md</c>, <c>report.csv</c>, <c>report.json</c>, <c>report.html</c>).</summary>
    public string FileStem { get; init; } = "report";
}

/// <summary>The files a report wrote: <see cref="ComparisonsCsv"/> holds the tidy paired comparisons, <see cref="ComparisonCount"/> rows.</summary>
public sealed record ReportFiles(string Markdown, string Csv, string Json, string Html, int RunCount, int RowCount, string ComparisonsCsv = "", int ComparisonCount = 0)
{
    /// <summary>Runs listed apart: failed, interrupted or unreadable.</summary>
    public int IncompleteCount { get; init; }
}
