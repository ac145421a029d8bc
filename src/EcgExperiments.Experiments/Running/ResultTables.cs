using System.Globalization;
using System.Text;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Experiments.Running;

/// <summary>Metric tables in Markdown and tidy CSV (one row per metric × class with point, lower, upper).</summary>
public static class ResultTables
{
    private static string F(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "–";

    public static string Markdown(string title, string protocol, MetricReport test, MetricReport? baseline, string context)
    {
        var sb = new StringBuilder();
        var level = test.Intervals.Values.FirstOrDefault()?.Level;
        sb.AppendLine($"# {title}").AppendLine();
        sb.AppendLine(context).AppendLine();
        sb.AppendLine($"Protocol: {protocol}. Test split, {test.SampleCount} examples" +
                      (level is { } l ? $"; intervals are {l:P0} percentile bootstrap." : ".")).AppendLine();
        sb.AppendLine("| metric | class | value | CI low | CI high | class-prior baseline |");
        sb.AppendLine("|---|---|---|---|---|---|");
        var baseRows = baseline?.ToTable().ToDictionary(r => (r.Metric, r.Class)) ?? [];
        foreach (var r in test.ToTable())
        {
            baseRows.TryGetValue((r.Metric, r.Class), out var b);
            sb.AppendLine($"| {r.Metric} | {r.Class ?? "all"} | {F(r.Value)} | {F(r.Lower)} | {F(r.Upper)} | {F(b?.Value)} |");
        }
        sb.AppendLine().AppendLine("Confusion matrix (rows: true class, columns: predicted):").AppendLine();
        sb.AppendLine("| true \\ predicted | " + string.Join(" | ", test.ClassNames) + " |");
        sb.AppendLine("|---|" + string.Concat(test.ClassNames.Select(_ => "---|")));
        for (int i = 0; i < test.ClassNames.Count; i++)
            sb.AppendLine($"| {test.ClassNames[i]} | " + string.Join(" | ", Enumerable.Range(0, test.ClassNames.Count).Select(j => test.Confusion.Counts[i][j])) + " |");
        return sb.ToString();
    }

    public static string Csv(string experiment, string protocol, MetricReport test, MetricReport? baseline)
    {
        var sb = new StringBuilder("experiment,protocol,model,split,metric,class,value,lower,upper,level\n");
        void Rows(string model, MetricReport report)
        {
            foreach (var r in report.ToTable())
                sb.Append(CultureInfo.InvariantCulture,
                    $"{Q(experiment)},{Q(protocol)},{model},test,{r.Metric},{Q(r.Class ?? "")},{N(r.Value)},{N(r.Lower)},{N(r.Upper)},{N(r.Level)}\n");
        }
        Rows("model", test);
        if (baseline is not null) Rows("class_prior", baseline);
        return sb.ToString();
    }

    /// <summary>Any task's tidy table (e.g. reconstruction: mse, mean_pearson_r, per-lead rmse …) next to its baseline.</summary>
    public static string Markdown(string title, string protocol, IReadOnlyList<MetricEntry> test, IReadOnlyList<MetricEntry> baseline,
        string baselineKind, string context, int sampleCount)
    {
        var sb = new StringBuilder();
        var level = test.Select(r => r.Level).FirstOrDefault(l => l is not null);
        sb.AppendLine($"# {title}").AppendLine();
        sb.AppendLine(context).AppendLine();
        sb.AppendLine($"Protocol: {protocol}. Test split, {sampleCount} examples" +
                      (level is { } l ? $"; intervals are {l:P0} percentile bootstrap over test examples." : ".")).AppendLine();
        sb.AppendLine($"| metric | class/lead | value | CI low | CI high | {baselineKind} |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in test)
        {
            var b = baseline.FirstOrDefault(x => x.Metric == r.Metric && x.Class == r.Class);
            sb.AppendLine($"| {r.Metric} | {r.Class ?? "all"} | {F(r.Value)} | {F(r.Lower)} | {F(r.Upper)} | {F(b?.Value)} |");
        }
        return sb.ToString();
    }

    /// <summary>Tidy CSV of any task's table and its baseline (model column "model" / "baseline").</summary>
    public static string Csv(string experiment, string protocol, IReadOnlyList<MetricEntry> test, IReadOnlyList<MetricEntry> baseline)
    {
        var sb = new StringBuilder("experiment,protocol,model,split,metric,class,value,lower,upper,level\n");
        foreach (var (model, rows) in new[] { ("model", test), ("baseline", baseline) })
            foreach (var r in rows)
                sb.Append(CultureInfo.InvariantCulture,
                    $"{Q(experiment)},{Q(protocol)},{model},test,{r.Metric},{Q(r.Class ?? "")},{N(r.Value)},{N(r.Lower)},{N(r.Upper)},{N(r.Level)}\n");
        return sb.ToString();
    }

    private static string N(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Q(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}
