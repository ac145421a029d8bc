using System.CommandLine;
using EcgExperiments.Reports;

namespace EcgExperiments.Cli;

/// <summary>
/// <c>ecg report &lt;runs…&gt;</c>: writes the comparison report (Markdown, tidy CSV, JSON, self-contained HTML)
/// of run folders or results roots (scanned for run.json), for runs of any task (classification, anomaly, reconstruction).
/// </summary>
internal static class ReportCommand
{
    public static Command Create(Func<Func<int>, int> guarded)
    {
        var runs = new Argument<string[]>("runs") { Arity = ArgumentArity.OneOrMore, Description = "run folders or results roots (searched recursively for run.json)" };
        var output = Flags.Folder("--output", "folder for report.md, report.csv, report.json, report.html", "report", "-o");
        var metric = new Option<string?>("--heatmap-metric")
        {
            Description = "metric of the strategy × architecture heat-maps, e.g. macro_f1, accuracy, roc_auc, recall[HYP], mean_pearson_r " +
                          "(default per task: classification macro_f1, anomaly roc_auc, reconstruction mean_pearson_r)",
        };
        var title = new Option<string?>("--title") { Description = "report title" };
        var decimals = Flags.Count("--decimals", "decimals of the Markdown/HTML numbers (0 to 10)", 0, 10, 3);
        var reference = new Option<string?>("--reference")
        {
            Description = "reference of the paired comparisons: a run (trial key prefix, experiment/trial, or its short name such as none) or a parameter " +
                          "value such as training.imbalance.strategy=none or strategy=none (each run against the run of that value with the same other " +
                          "parameters); default: the sweep's first value of its most-valued swept key",
        };
        var command = new Command("report", "Compare runs: Markdown table with CIs, paired comparisons with tests, tidy CSV, JSON and a self-contained HTML page with SVG plots")
            { runs, output, metric, title, decimals, reference };
        command.SetAction(p => guarded(() => Write(p.GetValue(runs)!, p.GetValue(output)!, p.GetValue(metric), p.GetValue(title), p.GetValue(decimals), p.GetValue(reference))));
        return command;
    }

    private static int Write(string[] paths, string output, string? metric, string? title, int decimals, string? reference)
    {
        var options = new ReportOptions { HeatmapMetric = metric, Decimals = decimals, Reference = reference };
        if (title is not null) options = options with { Title = title };
        var files = ReportBuilder.Build(paths, output, options);
        var apart = files.IncompleteCount > 0 ? $" (and {files.IncompleteCount} that did not complete, listed apart)" : "";
        Console.WriteLine($"report of {files.RunCount} run(s){apart}, {files.RowCount} tidy rows, {files.ComparisonCount} comparison rows:");
        foreach (var f in new[] { files.Markdown, files.Csv, files.ComparisonsCsv, files.Json, files.Html }) Console.WriteLine($"  {f}");
        return ExitCodes.Success;
    }
}
