using System.Text;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Running;

namespace EcgExperiments.Reports;

/// <summary>
/// PTB-XL-benchmark-style Markdown: warnings first (test sets too small for the differences seen); per task
/// (classification, anomaly, reconstruction; see <see cref="TaskLayouts"/>) one table with a row per run (experiment,
/// trial, protocol, model, imbalance strategy, test set, the parameters that differ between that task's runs) × the
/// task's headline test metrics as <c>point(half-width)</c>, then one row per distinct test set for the trivial
/// baseline evaluated on it; then the paired comparisons of each test set (<see cref="RunComparisons"/>): every run
/// against its reference, per metric the difference with its interval, the test, p and the Holm-adjusted p, and a
/// verdict line per run. Captions state the CI level and the interval method of each column.
/// </summary>
public static class MarkdownReportWriter
{
    /// <summary>Config keys already shown in their own column (or pure labels) and left out of "parameters".</summary>
    internal static readonly HashSet<string> ShownElsewhere = ["name", "description", "model.type", "training.imbalance.strategy"];

    public static string Write(IReadOnlyList<RunRecord> runs, ReportOptions options, ComparisonReport comparisons, IReadOnlyList<IncompleteRun>? incomplete = null)
    {
        var sb = new StringBuilder();
        sb.Append("# ").AppendLine(Cell(options.Title)).AppendLine();
        foreach (var w in comparisons.Warnings) sb.Append("> **Warning:** ").AppendLine(Cell(w)).AppendLine();
        Published(sb, PublishedComparison.Build(runs));
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
            var header = new List<string> { "Experiment", "Trial", "Protocol", "Model", "Strategy", "Test set", "Parameters" };
            header.AddRange(columns.Select(c => c.Header));
            Row(sb, header);
            sb.AppendLine("|" + string.Join("|", header.Select((_, i) => i < 7 ? "---" : "---:")) + "|");
            foreach (var run in group.Runs)
            {
                var cells = new List<string>
                {
                    run.Experiment, run.TrialKey, run.Protocol, run.ModelDescription, run.Strategy, comparisons.TestSetOf(run).Label,
                    differing.Count == 0 ? "—" : string.Join("; ", differing.Where(run.FlatConfig.ContainsKey).Select(k => $"{k}={ParameterDiff.ValueOf(run, k)}")),
                };
                cells.AddRange(columns.Select(c => MetricLookup.Formatted(run.Table, c.Key, options.Decimals)));
                Row(sb, cells);
            }
            sb.AppendLine();

            var baselines = BaselineRow.Of(group.Runs, comparisons);
            if (baselines.Count == 0)
            {
                sb.AppendLine("No baseline was recorded for these runs.").AppendLine();
                continue;
            }
            sb.AppendLine($"Baselines, one row per distinct test set (the runs of Table {tableNumber} with that test set; same protocol):").AppendLine();
            var baseHeader = new List<string> { "Test set", "Runs", "Protocol", "Baseline" };
            baseHeader.AddRange(columns.Select(c => c.Header));
            Row(sb, baseHeader);
            sb.AppendLine("|" + string.Join("|", baseHeader.Select((_, i) => i < 4 ? "---" : "---:")) + "|");
            foreach (var b in baselines)
            {
                var cells = new List<string> { b.TestSet.Describe(), string.Join(", ", b.Runs.Select(r => r.TrialKey)), b.Runs[0].Protocol, b.Runs[0].BaselineKind ?? "baseline" };
                cells.AddRange(columns.Select(c => MetricLookup.Formatted(b.Runs[0].BaselineTable, c.Key, options.Decimals)));
                Row(sb, cells);
            }
            sb.AppendLine();
        }
        Comparisons(sb, comparisons, options);
        Incomplete(sb, incomplete ?? []);
        return sb.ToString();
    }

    /// <summary>Runs that did not complete, apart from the tables: their status and why.</summary>
    private static void Incomplete(StringBuilder sb, IReadOnlyList<IncompleteRun> runs)
    {
        if (runs.Count == 0) return;
        sb.Append("## Runs that did not complete (").Append(runs.Count).AppendLine(")").AppendLine();
        sb.AppendLine("These runs are not in the tables or comparisons above: a failed run has no test metrics, an interrupted one stopped " +
                      "part-way through training, an unreadable record cannot be trusted, and a run in progress is still training (its checkpoint says where it resumes).").AppendLine();
        Row(sb, ["Experiment", "Trial", "Model", "Strategy", "Status", "Epochs trained", "Why"]);
        sb.AppendLine("|---|---|---|---|---|---:|---|");
        foreach (var r in runs)
            Row(sb, [r.Experiment, r.TrialKey, r.Model, r.Strategy, r.Status, r.EpochsTrained.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Reason]);
        sb.AppendLine();
    }


    /// <summary>The "published vs reproduced" table, when any run's spec has an <c>expect:</c> block.</summary>
    private static void Published(StringBuilder sb, IReadOnlyList<PublishedRow> rows)
    {
        if (rows.Count == 0) return;
        sb.AppendLine("## Published vs reproduced").AppendLine();
        sb.AppendLine("Each published number of the runs' specs (`expect:`) next to the run's test-set value with its confidence interval, and the check " +
                      "the spec makes (± a tolerance, or a bound where the protocol differs from the published one; the note says why). A known miss is a " +
                      "difference the spec explains; the protocol says what the number was measured under.").AppendLine();
        string[] header = ["Experiment", "Trial", "Metric", "Published", "Ours (CI)", "Verdict", "Protocol", "Epochs", "Hardware", "Wall time", "Peak memory", "Note"];
        Row(sb, header);
        sb.AppendLine("|" + string.Join("|", header.Select((_, i) => i is 3 or 4 ? "---:" : "---")) + "|");
        foreach (var r in rows)
            Row(sb, [r.Run.Experiment, r.Run.TrialKey, r.Check.Class is null ? r.Check.Metric : $"{r.Check.Metric} [{r.Check.Class}]", Published(r.Check), Reproduced(r.Measured),
                r.Check.Verdict, r.Run.Protocol, r.Run.Epochs ?? "–", r.Run.Hardware ?? "–",
                PublishedComparison.WallTime(r.Run), PublishedComparison.Memory(r.Run.PeakMemoryBytes), r.Check.KnownMiss ?? r.Check.Note ?? ""]);
        sb.AppendLine();
    }

    internal static string Published(VerifyRow check) => (check.Minimum, check.Maximum, check.Tolerance) switch
    {
        (null, null, 0) => $"{Number(check.Target)} (exact)",
        (null, null, _) => $"{Number(check.Target)} ± {Number(check.Tolerance)}",
        // A bound with no target (e.g. "above the class prior" where nothing is published for the protocol).
        _ when check.Target == 0 => $"none published (checked {check.Rule})",
        _ => $"{Number(check.Target)} (checked {check.Rule})",
    };

    internal static string Reproduced(MetricEntry? measured) => measured switch
    {
        null => "not measured",
        { Value: null } => "not measured",
        { Lower: { } lo, Upper: { } hi } => $"{Number(measured.Value.Value)} [{Number(lo)}, {Number(hi)}]",
        _ => Number(measured.Value.Value),
    };

    private static string Number(double v) =>
        v == Math.Floor(v) && Math.Abs(v) >= 1000 ? v.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : v.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The paired comparisons of every test set: a table of tidy rows, then the verdicts and the notes.</summary>
    private static void Comparisons(StringBuilder sb, ComparisonReport comparisons, ReportOptions options)
    {
        if (comparisons.Rows.Count == 0 && comparisons.Notes.Count == 0) return;
        sb.AppendLine("## Paired comparisons").AppendLine();
        sb.AppendLine("Each run against its reference on the same test examples: difference run − reference with its paired percentile-bootstrap interval " +
                      "(both runs on the same resamples); McNemar's exact test for accuracy and recall, DeLong's test for ROC-AUC, a paired permutation test " +
                      "for F1 and precision; p adjusted by Holm across the runs compared on one test set, per metric. The verdict follows the test: with few " +
                      "examples the percentile interval can exclude 0 while the exact test cannot rule out chance. Runs on different test sets are never paired.");
        sb.AppendLine();
        foreach (var set in comparisons.TestSets.Where(t => comparisons.Rows.Any(r => r.TestSet == t.Label)))
        {
            var rows = comparisons.Rows.Where(r => r.TestSet == set.Label).ToList();
            var level = $"{Math.Round(rows[0].Level * 100, 1).ToString(System.Globalization.CultureInfo.InvariantCulture)} %";
            sb.Append("### ").AppendLine(Cell($"{char.ToUpperInvariant(set.Describe()[0])}{set.Describe()[1..]}")).AppendLine();
            sb.AppendLine(Cell($"{set.Reference}.")).AppendLine();
            string[] header = ["Run", "Reference", "Metric", $"Difference [{level} CI]", "Test", "p", "Holm p"];
            Row(sb, header);
            sb.AppendLine("|---|---|---|---:|---|---:|---:|");
            foreach (var r in rows)
                Row(sb, [r.RunName, r.ReferenceName, r.Key, CiFormatter.FormatDifference(r.Difference, r.Lower, r.Upper, options.Decimals),
                    r.Test is null ? "—" : ComparisonTests.Describe(r.Test), CiFormatter.FormatP(r.P), (r.Significant ? "**" + CiFormatter.FormatP(r.AdjustedP) + "**" : CiFormatter.FormatP(r.AdjustedP))]);
            sb.AppendLine();
            foreach (var v in comparisons.Verdicts.Where(v => v.TestSet == set.Label)) sb.Append("- ").AppendLine(Cell(v.Text));
            sb.AppendLine();
        }
        if (comparisons.Notes.Count > 0)
        {
            sb.AppendLine("Not compared, and why:").AppendLine();
            foreach (var n in comparisons.Notes) sb.Append("- ").AppendLine(Cell(n));
            sb.AppendLine();
        }
    }

    private static void Row(StringBuilder sb, IEnumerable<string> cells) => sb.AppendLine("| " + string.Join(" | ", cells.Select(Cell)) + " |");

    /// <summary>A Markdown table cell: pipes escaped, line breaks flattened, HTML-significant characters escaped.</summary>
    internal static string Cell(string text) =>
        text.Replace("\\", "\\\\").Replace("|", "\\|").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\r\n", " ").Replace("\r", " ").Replace("\n", " ");
}
