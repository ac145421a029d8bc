using System.Globalization;
using System.Text;

namespace EcgExperiments.Reports;

/// <summary>
/// The tidy CSV (RFC 4180: comma separated, CRLF line ends, fields with commas, quotes or line breaks
/// quoted, quotes doubled). Columns are <see cref="TidyMetricRow.Columns"/>; numbers are invariant
/// round-trip doubles ("R"), so they parse back to the exact values of the run records; missing values are empty.
/// One row per experiment × trial × scope × metric × class, taken from each run's tidy tables, so every task's
/// metrics appear (per-lead reconstruction rows carry the lead in <c>class</c>).
/// </summary>
public static class CsvReportWriter
{
    public static string Write(IEnumerable<TidyMetricRow> rows)
    {
        var sb = new StringBuilder();
        Line(sb, TidyMetricRow.Columns);
        foreach (var r in rows)
            Line(sb, [r.Experiment, r.TrialKey, r.Model, r.Strategy, r.Protocol, r.Scope, r.Metric, r.Class ?? "",
                Number(r.Point), Number(r.Lower), Number(r.Upper), Number(r.Level), r.Method ?? "", r.Task]);
        return sb.ToString();
    }

    /// <summary>The paired comparisons, one row per run × reference × metric (<see cref="ComparisonRow.Columns"/>).</summary>
    public static string WriteComparisons(IEnumerable<ComparisonRow> rows)
    {
        var sb = new StringBuilder();
        Line(sb, ComparisonRow.Columns);
        foreach (var r in rows)
            Line(sb, [r.Experiment, r.TestSet, r.Run, r.RunName, r.Reference, r.ReferenceName, r.Metric, r.Class ?? "", Number(r.RunValue), Number(r.ReferenceValue),
                Number(r.Difference), Number(r.Lower), Number(r.Upper), Number(r.Level), Evaluation.ComparisonTests.PairedBootstrap, r.Test ?? "", Number(r.Statistic),
                Number(r.P), Number(r.AdjustedP), ComparisonRow.Adjustment, r.Detail, r.Task]);
        return sb.ToString();
    }

    internal static string Number(double? value) => value switch
    {
        null => "",
        { } v when double.IsNaN(v) => "NaN",
        { } v when double.IsPositiveInfinity(v) => "Infinity",
        { } v when double.IsNegativeInfinity(v) => "-Infinity",
        { } v => v.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void Line(StringBuilder sb, IReadOnlyList<string> fields)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            if (i > 0) sb.Append(',');
            var f = fields[i];
            if (f.IndexOfAny([',', '"', '\r', '\n']) >= 0) sb.Append('"').Append(f.Replace("\"", "\"\"")).Append('"');
            else sb.Append(f);
        }
        sb.Append("\r\n");
    }
}
