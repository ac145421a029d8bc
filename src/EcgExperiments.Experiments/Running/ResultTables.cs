using System.Globalization;
using System.Text;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Experiments.Running;

/// <summary>Metric tables in Markdown and tidy CSV (one row per metric × class with point, lower, upper).</summary>
public static class ResultTables
{
    private static string F(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "–";

    /// <summary>Any task's tidy table (e.g. reconstruction: mse, mean_pearson_r, per-lead rmse …) next to its baseline.</summary>
    public static string Markdown(string title, string protocol, IReadOnlyList<MetricEntry> test, IReadOnlyList<MetricEntry> baseline,
        string baselineKind, string context, int sampleCount, MetricReport? report = null)
    {
        var sb = new StringBuilder();
        var level = test.Select(r => r.Level).FirstOrDefault(l => l is not null);
        sb.AppendLine($"# {title}").AppendLine();
        sb.AppendLine(context).AppendLine();
        sb.AppendLine($"Protocol: {protocol}. Test split, {sampleCount} examples" +
                      (level is { } l ? $"; {l:P0} intervals, each row names its method (Wilson score or percentile bootstrap over test examples)." : ".")).AppendLine();
        sb.AppendLine($"| metric | class/lead | value | CI low | CI high | {baselineKind} |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in test)
        {
            var b = baseline.FirstOrDefault(x => x.Metric == r.Metric && x.Class == r.Class);
            sb.AppendLine($"| {r.Metric} | {r.Class ?? "all"} | {F(r.Value)} | {F(r.Lower)} | {F(r.Upper)} | {F(b?.Value)} |");
        }
        if (report is not null)
        {
            sb.AppendLine().AppendLine("Confusion matrix (rows: true class, columns: predicted):").AppendLine();
            sb.AppendLine("| true \\ predicted | " + string.Join(" | ", report.ClassNames) + " |");
            sb.AppendLine("|---|" + string.Concat(report.ClassNames.Select(_ => "---|")));
            for (int i = 0; i < report.ClassNames.Count; i++)
                sb.AppendLine($"| {report.ClassNames[i]} | " + string.Join(" | ", Enumerable.Range(0, report.ClassNames.Count).Select(j => report.Confusion.Counts[i][j])) + " |");
        }
        return sb.ToString();
    }

    /// <summary>Tidy CSV of any task's table and its baseline (model column "model" / "baseline"), with each interval's method.</summary>
    public static string Csv(string experiment, string protocol, IReadOnlyList<MetricEntry> test, IReadOnlyList<MetricEntry> baseline) =>
        Core.Csv.Write(["experiment", "protocol", "model", "split", "metric", "class", "value", "lower", "upper", "level", "method"],
            new[] { ("model", test), ("baseline", baseline) }.SelectMany(p => p.Item2.Select(r => new[]
            {
                experiment, protocol, p.Item1, "test", r.Metric, r.Class ?? "", N(r.Value), N(r.Lower), N(r.Upper), N(r.Level), r.Method ?? "",
            })));

    private static string N(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";
}
