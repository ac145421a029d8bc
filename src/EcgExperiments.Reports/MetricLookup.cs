using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>Finds one metric of a <see cref="MetricReport"/> by its interval key ("macro_f1", "recall[HYP]").</summary>
public static class MetricLookup
{
    public static MetricEntry? Find(MetricReport report, string key) =>
        report.ToTable().FirstOrDefault(e => (e.Class is null ? e.Metric : MetricNames.PerClass(e.Metric, e.Class)) == key);

    /// <summary>"0.930(05)" for <paramref name="key"/>, or "—" when the report lacks it.</summary>
    public static string Formatted(MetricReport report, string key, int decimals) =>
        Find(report, key) is { } e ? CiFormatter.Format(e.Value, e.Lower, e.Upper, decimals) : CiFormatter.NoValue;

    /// <summary>The distinct confidence levels of the intervals of these reports, ascending.</summary>
    public static IReadOnlyList<double> Levels(IEnumerable<MetricReport> reports) =>
        reports.SelectMany(r => r.Intervals.Values.Select(ci => ci.Level)).Distinct().Order().ToList();

    /// <summary>"95 %" or "90 % / 95 %"; "no" when nothing has an interval.</summary>
    public static string LevelText(IReadOnlyList<double> levels) =>
        levels.Count == 0 ? "no" : string.Join(" / ", levels.Select(l => $"{Math.Round(l * 100, 1).ToString(System.Globalization.CultureInfo.InvariantCulture)} %"));
}
