using System.Globalization;

namespace EcgExperiments.Reports;

/// <summary>
/// The tidy CSV, written by the framework's one CSV writer (<see cref="Core.Csv"/>: RFC 4180 quoting of commas, quotes, CR
/// and LF). Columns are <see cref="TidyMetricRow.Columns"/> then <c>status</c> and <c>error</c>; numbers are invariant
/// round-trip doubles ("R"), so they parse back to the exact values of the run records; missing values are empty.
/// One row per experiment × trial × scope × metric × class, taken from each completed run's tidy tables, so every task's
/// metrics appear (per-lead reconstruction rows carry the lead in <c>class</c>); then one row per run that did not
/// complete (scope <c>run</c>, no metric), with its status and why.
/// </summary>
public static class CsvReportWriter
{
    /// <summary>The columns: the tidy row's, then the run's status and, for runs that did not complete, why.</summary>
    public static IReadOnlyList<string> Columns { get; } = [.. TidyMetricRow.Columns, "status", "error"];

    public static string Write(IEnumerable<TidyMetricRow> rows, IEnumerable<IncompleteRun>? incomplete = null) =>
        Core.Csv.Write(Columns,
            rows.Select(r => (IEnumerable<string?>)[r.Experiment, r.TrialKey, r.Model, r.Strategy, r.Protocol, r.Scope, r.Metric, r.Class,
                    Number(r.Point), Number(r.Lower), Number(r.Upper), Number(r.Level), r.Method, r.Task, "completed", null])
                .Concat((incomplete ?? []).Select(r => (IEnumerable<string?>)[r.Experiment, r.TrialKey, r.Model, r.Strategy, null, "run", null, null,
                    null, null, null, null, null, null, r.Status, r.Reason])));

    /// <summary>The paired comparisons, one row per run × reference × metric (<see cref="ComparisonRow.Columns"/>).</summary>
    public static string WriteComparisons(IEnumerable<ComparisonRow> rows) =>
        Core.Csv.Write(ComparisonRow.Columns,
            rows.Select(r => (IEnumerable<string?>)[r.Experiment, r.TestSet, r.Run, r.RunName, r.Reference, r.ReferenceName, r.Metric, r.Class, Number(r.RunValue), Number(r.ReferenceValue),
                Number(r.Difference), Number(r.Lower), Number(r.Upper), Number(r.Level), Evaluation.ComparisonTests.PairedBootstrap, r.Test, Number(r.Statistic),
                Number(r.P), Number(r.AdjustedP), ComparisonRow.Adjustment, r.Detail, r.Task]));

    internal static string Number(double? value) => value switch
    {
        null => "",
        { } v when double.IsNaN(v) => "NaN",
        { } v when double.IsPositiveInfinity(v) => "Infinity",
        { } v when double.IsNegativeInfinity(v) => "-Infinity",
        { } v => v.ToString("R", CultureInfo.InvariantCulture),
    };
}
