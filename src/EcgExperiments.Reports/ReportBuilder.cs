using EcgExperiments.Core;

namespace EcgExperiments.Reports;

/// <summary>
/// Builds the comparison report of a set of runs of any task (classification, anomaly, reconstruction; SPEC §4):
/// <c>report.md</c> (PTB-XL-benchmark-style tables per task, <c>0.930(05)</c> notation), <c>report.csv</c> (tidy:
/// experiment × trial × metric × class with point, lower, upper, level, method, protocol, task), <c>report-comparisons.csv</c>
/// (tidy paired comparisons of runs on the same test set: run, reference, metric, difference, lower, upper, test, p,
/// Holm-adjusted p; see <see cref="RunComparisons"/>), <c>report.json</c> (the same rows plus run identities and the
/// comparisons) and <c>report.html</c> (self-contained, inline SVG). Files are written atomically.
/// </summary>
/// <example><code>
/// ReportFiles files = ReportBuilder.Build(["results"], "reports/today");
/// Console.WriteLine(files.Html);
/// </code></example>
public static class ReportBuilder
{
    /// <summary>Finds the runs under <paramref name="paths"/> (run folders or results roots) and writes the report.</summary>
    /// <exception cref="EcgDataException">No run found, or a run record cannot be read.</exception>
    public static ReportFiles Build(IEnumerable<string> paths, string outputDirectory, ReportOptions? options = null)
    {
        var found = RunLoader.DiscoverReadable(paths);
        if (found.Runs.Count == 0 && found.Unreadable.Count > 0)
            throw new EcgDataException($"no run record could be read: {found.Unreadable[0].Reason}{(found.Unreadable.Count > 1 ? $" (and {found.Unreadable.Count - 1} more)" : "")}");
        var training = RunLoader.InProgress(paths, found.Runs.Select(r => r.TrialKey).ToHashSet(StringComparer.Ordinal));
        return Write(found.Runs, outputDirectory, options, found.Unreadable, training);
    }

    /// <summary>
    /// Writes the report of already loaded runs. Completed runs make the tables, comparisons and charts; failed,
    /// interrupted and unreadable ones, and trials still training (<paramref name="inProgress"/>), are listed apart, with why, in every format.
    /// </summary>
    public static ReportFiles Write(IReadOnlyList<RunRecord> runs, string outputDirectory, ReportOptions? options = null, IReadOnlyList<UnreadableRun>? unreadable = null,
        IReadOnlyList<IncompleteRun>? inProgress = null)
    {
        options ??= new ReportOptions();
        if (runs.Count == 0 && (unreadable?.Count ?? 0) == 0 && (inProgress?.Count ?? 0) == 0) throw new EcgDataException("no runs to report on", file: outputDirectory);
        if (options.Decimals is < 0 or > 10) throw new ArgumentException($"decimals must be in 0..10, got {options.Decimals}", nameof(options));
        Directory.CreateDirectory(outputDirectory);
        var incomplete = runs.Where(r => !r.IsCompleted).Select(IncompleteRun.Of).Concat((unreadable ?? []).Select(IncompleteRun.Of)).Concat(inProgress ?? []).ToList();
        runs = runs.Where(r => r.IsCompleted).ToList();
        var rows = runs.SelectMany(TidyMetricRow.FromRun).ToList();
        var comparisons = RunComparisons.Build(runs, options);
        string Path_(string name) => Path.Combine(outputDirectory, $"{options.FileStem}{name}");
        var files = new ReportFiles(Path_(".md"), Path_(".csv"), Path_(".json"), Path_(".html"), runs.Count, rows.Count, Path_("-comparisons.csv"), comparisons.Rows.Count)
        {
            IncompleteCount = incomplete.Count,
        };
        // Atomic: a reader (or a browser refreshing report.html) never sees half a file; UTF-8 without BOM.
        AtomicFile.WriteAllText(files.Markdown, MarkdownReportWriter.Write(runs, options, comparisons, incomplete));
        AtomicFile.WriteAllText(files.Csv, CsvReportWriter.Write(rows, incomplete));
        AtomicFile.WriteAllText(files.ComparisonsCsv, CsvReportWriter.WriteComparisons(comparisons.Rows));
        AtomicFile.WriteAllText(files.Json, JsonReportWriter.Write(runs, rows, options, comparisons, incomplete));
        AtomicFile.WriteAllText(files.Html, HtmlReportWriter.Write(runs, options, comparisons, incomplete));
        return files;
    }
}
