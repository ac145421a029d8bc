using System.Globalization;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>Finds metrics in tidy tables by their interval key ("macro_f1", "recall[HYP]", "pearson_r[V1]") and words their intervals.</summary>
public static class MetricLookup
{
    /// <summary>The row of <paramref name="key"/>, or null when the table lacks it.</summary>
    public static MetricEntry? Find(IReadOnlyList<MetricEntry> table, string key) =>
        table.FirstOrDefault(e => (e.Class is null ? e.Metric : MetricNames.PerClass(e.Metric, e.Class)) == key);

    /// <inheritdoc cref="Find(IReadOnlyList{MetricEntry}, string)"/>
    public static MetricEntry? Find(MetricReport report, string key) => Find(report.ToTable(), key);

    /// <summary>"0.930(05)" for <paramref name="key"/>, or "—" when the table lacks it.</summary>
    public static string Formatted(IReadOnlyList<MetricEntry> table, string key, int decimals) =>
        Find(table, key) is { } e ? CiFormatter.Format(e.Value, e.Lower, e.Upper, decimals) : CiFormatter.NoValue;

    /// <inheritdoc cref="Formatted(IReadOnlyList{MetricEntry}, string, int)"/>
    public static string Formatted(MetricReport report, string key, int decimals) => Formatted(report.ToTable(), key, decimals);

    /// <summary>The distinct confidence levels of the rows that have an interval, ascending.</summary>
    public static IReadOnlyList<double> Levels(IEnumerable<MetricEntry> rows) =>
        rows.Where(HasInterval).Select(e => e.Level).OfType<double>().Distinct().Order().ToList();

    /// <summary>"95 %" or "90 % / 95 %"; "no" when nothing has an interval.</summary>
    public static string LevelText(IReadOnlyList<double> levels) =>
        levels.Count == 0 ? "no" : string.Join(" / ", levels.Select(l => $"{Math.Round(l * 100, 1).ToString(CultureInfo.InvariantCulture)} %"));

    /// <summary>
    /// The interval wording of a summary table, e.g. "95 % confidence interval (Wilson score for Accuracy, Recall HYP;
    /// percentile bootstrap for Macro F1, ROC-AUC)", or "95 % percentile bootstrap confidence interval" when one
    /// method made every interval shown. A column whose runs used different methods is listed under each.
    /// </summary>
    public static string IntervalText(IReadOnlyList<HeadlineColumn> columns, IReadOnlyList<IReadOnlyList<MetricEntry>> tables)
    {
        var shown = columns.SelectMany(c => tables.Select(t => (column: c, entry: Find(t, c.Key))))
            .Where(x => x.entry is not null && HasInterval(x.entry)).ToList();
        var level = LevelText(Levels(shown.Select(x => x.entry!)));
        var byMethod = shown.GroupBy(x => x.entry!.Method ?? IntervalMethods.PercentileBootstrap)
            .OrderBy(g => g.Key == IntervalMethods.Wilson ? 0 : 1).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (byMethod.Count == 0) return $"{level} confidence interval";
        if (byMethod.Count == 1) return $"{level} {IntervalMethods.Describe(byMethod[0].Key)} confidence interval";
        return $"{level} confidence interval (" + string.Join("; ", byMethod.Select(g =>
            $"{IntervalMethods.Describe(g.Key)} for {string.Join(", ", g.Select(x => x.column.Header).Distinct())}")) + ")";
    }

    private static bool HasInterval(MetricEntry e) => e.Lower is not null && e.Upper is not null;
}
