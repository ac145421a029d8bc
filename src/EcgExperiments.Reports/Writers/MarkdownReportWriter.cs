using System.Text;

namespace EcgExperiments.Reports;

/// <summary>
/// PTB-XL-benchmark-style Markdown: per task (classification, anomaly, reconstruction; see <see cref="TaskLayouts"/>)
/// one table with a row per run (experiment, trial, protocol, model, imbalance strategy, the parameters that differ
/// between that task's runs) × the task's headline test metrics as <c>point(half-width)</c>, then the same columns
/// for each run's trivial baseline on the same test set. Captions state the CI level and the interval method of
/// each column.
/// </summary>
public static class MarkdownReportWriter
{
    /// <summary>Config keys already shown in their own column (or pure labels) and left out of "parameters".</summary>
    internal static readonly HashSet<string> ShownElsewhere = ["name", "description", "model.type", "training.imbalance.strategy"];

    public static string Write(IReadOnlyList<RunRecord> runs, ReportOptions options)
    {
        var sb = new StringBuilder();
        sb.Append("# ").AppendLine(Cell(options.Title)).AppendLine();
        int tableNumber = 0;
        foreach (var group in TaskGroup.Of(runs))
        {
            tableNumber++;
            var columns = group.Columns;
            // Keys that only some runs have (another data source's or model's options) are left to the HTML table: the
            // type columns already tell those runs apart, and listing every absent key would drown the real differences.
            var differing = ParameterDiff.DifferingKeys(group.Runs, ignoreMissing: true).Where(k => !ShownElsewhere.Contains(k)).ToList();
            var intervals = MetricLookup.IntervalText(columns, group.Runs.Select(r => r.Table).ToList());
            sb.Append("## ").Append(group.Layout.Title).Append(" (").Append(group.Runs.Count).AppendLine(" run(s))").AppendLine();
            sb.AppendLine($"Table {tableNumber}. Test-set metrics of {group.Runs.Count} {group.Layout.Task} run(s). Each number is `point(h)`, h being the half-width of the " +
                          $"{intervals} in units of the last digit " +
                          "(0.930(05) = 0.930 ± 0.005; the larger side of an asymmetric interval). A number without parentheses has no interval. " +
                          "Every number was measured on the test set of the protocol named in its row.");
            sb.AppendLine();
            var header = new List<string> { "Experiment", "Trial", "Protocol", "Model", "Strategy", "Parameters" };
            header.AddRange(columns.Select(c => c.Header));
            Row(sb, header);
            sb.AppendLine("|" + string.Join("|", header.Select((_, i) => i < 6 ? "---" : "---:")) + "|");
            foreach (var run in group.Runs)
            {
                var cells = new List<string>
                {
                    run.Experiment, run.TrialKey, run.Protocol, run.ModelDescription, run.Strategy,
                    differing.Count == 0 ? "—" : string.Join("; ", differing.Where(run.FlatConfig.ContainsKey).Select(k => $"{k}={ParameterDiff.ValueOf(run, k)}")),
                };
                cells.AddRange(columns.Select(c => MetricLookup.Formatted(run.Table, c.Key, options.Decimals)));
                Row(sb, cells);
            }
            sb.AppendLine();

            var withBaseline = group.Runs.Where(r => r.BaselineTable.Count > 0).ToList();
            if (withBaseline.Count == 0)
            {
                sb.AppendLine("No baseline was recorded for these runs.").AppendLine();
                continue;
            }
            sb.AppendLine($"Baselines on the same test set (same protocol as the run's row in Table {tableNumber}):").AppendLine();
            var baseHeader = new List<string> { "Experiment", "Trial", "Protocol", "Baseline" };
            baseHeader.AddRange(columns.Select(c => c.Header));
            Row(sb, baseHeader);
            sb.AppendLine("|" + string.Join("|", baseHeader.Select((_, i) => i < 4 ? "---" : "---:")) + "|");
            foreach (var run in withBaseline)
            {
                var cells = new List<string> { run.Experiment, run.TrialKey, run.Protocol, run.BaselineKind ?? "baseline" };
                cells.AddRange(columns.Select(c => MetricLookup.Formatted(run.BaselineTable, c.Key, options.Decimals)));
                Row(sb, cells);
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, IEnumerable<string> cells) => sb.AppendLine("| " + string.Join(" | ", cells.Select(Cell)) + " |");

    /// <summary>A Markdown table cell: pipes escaped, line breaks flattened, HTML-significant characters escaped.</summary>
    internal static string Cell(string text) =>
        text.Replace("\\", "\\\\").Replace("|", "\\|").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\r", " ").Replace("\n", " ");
}
