using System.Text;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>
/// The PTB-XL-benchmark-style Markdown table: one row per run (experiment, trial, protocol, model,
/// imbalance strategy, the parameters that differ between runs) × headline test metrics (accuracy, macro F1,
/// ROC-AUC, recall of each class) as <c>point(half-width)</c>; the caption states the CI level.
/// </summary>
public static class MarkdownReportWriter
{
    /// <summary>Config keys already shown in their own column (or pure labels) and left out of "parameters".</summary>
    internal static readonly HashSet<string> ShownElsewhere = ["name", "description", "model.type", "training.imbalance.strategy"];

    public static string Write(IReadOnlyList<RunRecord> runs, ReportOptions options)
    {
        var sb = new StringBuilder();
        sb.Append("# ").AppendLine(Cell(options.Title)).AppendLine();
        var levels = MetricLookup.Levels(runs.Select(r => r.Metrics));
        var classes = runs.SelectMany(r => r.Metrics.ClassNames).Distinct().ToList();
        var differing = ParameterDiff.DifferingKeys(runs).Where(k => !ShownElsewhere.Contains(k)).ToList();

        sb.AppendLine($"Table 1. Test-set metrics of {runs.Count} run(s). Each number is `point(h)`, h being the half-width of the " +
                      $"{MetricLookup.LevelText(levels)} bootstrap confidence interval in units of the last digit " +
                      $"(0.930(05) = 0.930 ± 0.005; the larger side of an asymmetric interval). A number without parentheses has no interval. " +
                      "Every number was measured on the test set of the protocol named in its row.");
        sb.AppendLine();
        var header = new List<string> { "Experiment", "Trial", "Protocol", "Model", "Strategy", "Parameters", "Accuracy", "Macro F1", "ROC-AUC" };
        header.AddRange(classes.Select(c => $"Recall {c}"));
        sb.AppendLine("| " + string.Join(" | ", header.Select(Cell)) + " |");
        sb.AppendLine("|" + string.Join("|", header.Select((_, i) => i < 6 ? "---" : "---:")) + "|");
        foreach (var run in runs)
        {
            var m = run.Metrics;
            var cells = new List<string>
            {
                run.Experiment, run.TrialKey, run.Protocol, run.ModelDescription, run.Strategy,
                differing.Count == 0 ? "—" : string.Join("; ", differing.Select(k => $"{k}={ParameterDiff.ValueOf(run, k)}")),
                MetricLookup.Formatted(m, MetricNames.Accuracy, options.Decimals),
                MetricLookup.Formatted(m, MetricNames.MacroF1, options.Decimals),
                MetricLookup.Formatted(m, MetricNames.RocAuc, options.Decimals),
            };
            cells.AddRange(classes.Select(c => MetricLookup.Formatted(m, MetricNames.PerClass(MetricNames.Recall, c), options.Decimals)));
            sb.AppendLine("| " + string.Join(" | ", cells.Select(Cell)) + " |");
        }
        sb.AppendLine();
        sb.AppendLine("Class-prior baseline on the same test labels (same protocol as the row above it in Table 1):").AppendLine();
        sb.AppendLine("| Experiment | Trial | Protocol | Accuracy | Macro F1 | ROC-AUC |");
        sb.AppendLine("|---|---|---|---:|---:|---:|");
        foreach (var run in runs.Where(r => r.Metrics.Baseline is not null))
        {
            var b = run.Metrics.Baseline!;
            string[] cells = [run.Experiment, run.TrialKey, run.Protocol,
                MetricLookup.Formatted(b, MetricNames.Accuracy, options.Decimals),
                MetricLookup.Formatted(b, MetricNames.MacroF1, options.Decimals),
                MetricLookup.Formatted(b, MetricNames.RocAuc, options.Decimals)];
            sb.AppendLine("| " + string.Join(" | ", cells.Select(Cell)) + " |");
        }
        return sb.ToString();
    }

    /// <summary>A Markdown table cell: pipes escaped, line breaks flattened, HTML-significant characters escaped.</summary>
    internal static string Cell(string text) =>
        text.Replace("\\", "\\\\").Replace("|", "\\|").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\r", " ").Replace("\n", " ");
}
