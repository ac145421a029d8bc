using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>
/// One self-contained HTML page (inline CSS and SVG, no scripts, fonts, images or links to anything outside
/// the file): per task a summary table (each run followed by its baseline's row), the strategy × architecture
/// heat-map per task, the diff-only parameter table and, per run, ROC and precision–recall curves per class and the
/// confusion matrix (runs with a classification report: classification, anomaly), per-lead bar charts of
/// Pearson r and RMSE (reconstruction) and the training curves (all). All text goes through
/// <see cref="WebUtility.HtmlEncode(string)"/> or is built as XML, and every number carries the protocol it was
/// measured under (column, caption or tooltip).
/// </summary>
public static class HtmlReportWriter
{
    private const string Css = """
        body{font-family:sans-serif;margin:24px;color:#111;max-width:1360px}
        h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
        th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        tr.baseline td{color:#555;font-style:italic;background:#fafafa}
        caption{caption-side:top;text-align:left;font-size:12px;color:#444;padding-bottom:4px;max-width:1300px}
        .charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
        figure{margin:0;border:1px solid #e3e3e3;padding:4px;display:inline-block}
        figcaption{font-size:11px;color:#555;max-width:310px}
        figure.wide figcaption{max-width:520px}
        .meta{font-size:13px;color:#333}
        .scroll{overflow-x:auto;max-width:100%}
        """;

    public static string Write(IReadOnlyList<RunRecord> runs, ReportOptions options)
    {
        var groups = TaskGroup.Of(runs);
        var levels = MetricLookup.Levels(runs.SelectMany(r => r.Table));
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(options.Title)).Append("</title>\n<style>\n")
          .Append(Css).Append("</style>\n</head>\n<body>\n");
        sb.Append("<h1>").Append(E(options.Title)).Append("</h1>\n");
        sb.Append("<p class=\"meta\">").Append(E($"{runs.Count} run(s). Metrics are on each run's test set under the protocol named with them. " +
            $"Notation point(h): h is the half-width of the {MetricLookup.LevelText(levels)} confidence interval in units of the last digit " +
            "(0.930(05) = 0.930 ± 0.005); no parentheses = no interval. Proportions (accuracy, recall, precision, specificity) have Wilson score " +
            "intervals, other metrics percentile-bootstrap ones; each table caption says which column uses which.")).Append("</p>\n");
        foreach (var g in groups) Summary(sb, g, options, groups.Count > 1);
        foreach (var g in groups) HeatmapSection(sb, g, options, groups.Count > 1);
        Parameters(sb, runs);
        foreach (var run in runs) RunSection(sb, run);
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void Summary(StringBuilder sb, TaskGroup group, ReportOptions options, bool manyTasks)
    {
        var columns = group.Columns;
        var intervals = MetricLookup.IntervalText(columns, group.Runs.Select(r => r.Table).ToList());
        sb.Append("<h2>").Append(E(manyTasks ? $"Summary — {group.Layout.Title}" : "Summary")).Append("</h2>\n<div class=\"scroll\"><table class=\"summary\" data-task=\"")
          .Append(E(group.Layout.Task)).Append("\">\n<caption>")
          .Append(E($"{group.Layout.Title}: test-set metrics, point(h) with h the half-width of the {intervals} in last-digit units; " +
                    "the protocol column names the split protocol of every number in its row; the row under each run is its baseline on the same test set.")).Append("</caption>\n<tr>");
        string[] head = ["Experiment", "Trial", "Protocol", "Model", "Strategy", "Status", .. columns.Select(c => c.Header)];
        foreach (var h in head) sb.Append("<th>").Append(E(h)).Append("</th>");
        sb.Append("</tr>\n");
        foreach (var run in group.Runs)
        {
            Row(sb, null, [run.Experiment, run.TrialKey, run.Protocol, run.ModelDescription, run.Strategy, run.Status],
                columns.Select(c => MetricLookup.Formatted(run.Table, c.Key, options.Decimals)), $"test set, protocol: {run.Protocol}");
            if (run.BaselineTable.Count > 0)
                Row(sb, "baseline", [run.Experiment, run.TrialKey, run.Protocol, $"baseline: {run.BaselineKind ?? "unnamed"}", "—", "—"],
                    columns.Select(c => MetricLookup.Formatted(run.BaselineTable, c.Key, options.Decimals)),
                    $"baseline {run.BaselineKind ?? ""} on the same test set, protocol: {run.Protocol}");
        }
        sb.Append("</table></div>\n");
    }

    private static void Row(StringBuilder sb, string? cssClass, IEnumerable<string> text, IEnumerable<string> numbers, string tooltip)
    {
        sb.Append(cssClass is null ? "<tr>" : $"<tr class=\"{cssClass}\">");
        foreach (var t in text) sb.Append("<td>").Append(E(t)).Append("</td>");
        foreach (var n in numbers) sb.Append("<td class=\"num\" title=\"").Append(E(tooltip)).Append("\">").Append(E(n)).Append("</td>");
        sb.Append("</tr>\n");
    }

    private static void HeatmapSection(StringBuilder sb, TaskGroup group, ReportOptions options, bool manyTasks)
    {
        var runs = group.Runs;
        var key = group.HeatmapMetric(options.HeatmapMetric);
        int open = key.IndexOf('[');
        bool lowerIsBetter = MetricNames.LowerIsBetter(open < 0 ? key : key[..open]);
        var strategies = runs.Select(r => r.Strategy).Distinct().Order(StringComparer.Ordinal).ToList();
        var models = runs.Select(r => r.ModelType).Distinct().Order(StringComparer.Ordinal).ToList();
        var values = new List<IReadOnlyList<double?>>();
        var labels = new List<IReadOnlyList<string>>();
        var tips = new List<IReadOnlyList<string>>();
        foreach (var s in strategies)
        {
            var vRow = new List<double?>(); var lRow = new List<string>(); var tRow = new List<string>();
            foreach (var m in models)
            {
                // Several runs in one cell (e.g. a learning-rate sweep): show the best and say how many there were.
                var found = runs.Where(r => r.Strategy == s && r.ModelType == m)
                    .Select(r => (run: r, entry: MetricLookup.Find(r.Table, key)))
                    .Where(x => x.entry?.Value is { } v && double.IsFinite(v));
                var cell = (lowerIsBetter ? found.OrderBy(x => x.entry!.Value) : found.OrderByDescending(x => x.entry!.Value)).ToList();
                if (cell.Count == 0) { vRow.Add(null); lRow.Add(CiFormatter.NoValue); tRow.Add($"no run with strategy {s} and model {m}"); continue; }
                var best = cell[0];
                vRow.Add(best.entry!.Value);
                var text = CiFormatter.Format(best.entry.Value, best.entry.Lower, best.entry.Upper, options.Decimals);
                lRow.Add(cell.Count > 1 ? $"{text} (best of {cell.Count})" : text);
                tRow.Add(string.Join("; ", cell.Select(x => $"{x.run.Label}: {key} = {CiFormatter.Format(x.entry!.Value, x.entry.Lower, x.entry.Upper, options.Decimals)} (test set, protocol: {x.run.Protocol})")));
            }
            values.Add(vRow); labels.Add(lRow); tips.Add(tRow);
        }
        var protocols = runs.Select(r => r.Protocol).Distinct().ToList();
        var note = options.HeatmapMetric is { } asked && asked != key ? $" ({asked} is not reported by {group.Layout.Task} runs; showing {key}.)" : "";
        sb.Append("<h2>").Append(E(manyTasks ? $"Strategy × architecture — {group.Layout.Title}" : "Strategy × architecture")).Append("</h2>\n<figure class=\"wide\">");
        sb.Append(Svg(SvgCharts.Heatmap($"{key} (test set)", strategies, models, values, labels, tips, lowerIsBetter)));
        sb.Append("<figcaption>").Append(E($"Cell = test-set {key} of the best run ({(lowerIsBetter ? "lowest" : "highest")}) with that imbalance strategy and model type, point(CI half-width). " +
            $"Protocol: {string.Join("; ", protocols)}. Hover a cell for each run and its protocol.{note}")).Append("</figcaption></figure>\n");
    }

    private static void Parameters(StringBuilder sb, IReadOnlyList<RunRecord> runs)
    {
        var keys = ParameterDiff.DifferingKeys(runs);
        sb.Append("<h2>Parameters that differ</h2>\n");
        if (keys.Count == 0)
        {
            sb.Append("<p class=\"meta\">").Append(E(runs.Count < 2 ? "One run: nothing to compare." : "All runs share every resolved_config value.")).Append("</p>\n");
            return;
        }
        sb.Append("<table class=\"params\">\n<caption>").Append(E("resolved_config flattened to dotted keys; only keys whose values differ between runs (— = key absent).")).Append("</caption>\n<tr><th>key</th>");
        foreach (var r in runs) sb.Append("<th>").Append(E(r.Label)).Append("</th>");
        sb.Append("</tr>\n");
        foreach (var k in keys)
        {
            sb.Append("<tr><td>").Append(E(k)).Append("</td>");
            foreach (var r in runs) sb.Append("<td>").Append(E(ParameterDiff.ValueOf(r, k))).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</table>\n");
    }

    private static void RunSection(StringBuilder sb, RunRecord run)
    {
        var where = $"test set, protocol: {run.Protocol}";
        var samples = run.TestSampleCount is { } n ? $"{n} test samples; " : "";
        sb.Append("<h2>").Append(E(run.Label)).Append("</h2>\n<p class=\"meta\">")
          .Append(E($"{run.Task} run; model {run.ModelDescription} ({run.ModelType}), strategy {run.Strategy}, status {run.Status}, {samples}" +
                    $"protocol: {run.Protocol}. Folder: {run.Folder}")).Append("</p>\n<div class=\"charts\">\n");
        if (run.Metrics is { } m) ClassificationCharts(sb, m, where);
        if (run.Task == TaskLayouts.Reconstruction) LeadCharts(sb, run, where);
        var epochs = run.History.Select(h => (double)h.Epoch).ToList();
        var loss = new List<ChartSeries> { new("train loss", SvgCharts.Palette[0], epochs, run.History.Select(h => h.TrainLoss ?? double.NaN).ToList()) };
        if (run.History.Any(h => h.ValidationLoss is not null))
            loss.Add(new("validation loss", SvgCharts.Palette[1], epochs, run.History.Select(h => h.ValidationLoss ?? double.NaN).ToList(), Dashed: true));
        var xr = epochs.Count > 1 ? (epochs.Min(), epochs.Max()) : (0.0, Math.Max(1.0, epochs.DefaultIfEmpty(1).Max()));
        Figure(sb, SvgCharts.LineChart("Training curves", "epoch", "loss", loss, xr, integerX: true),
            $"Loss per epoch on the training and validation sets of protocol: {run.Protocol}" + (run.BestEpoch is { } b ? $"; best epoch {b}." : "."));
        sb.Append("</div>\n");
    }

    /// <summary>ROC and PR curves per stored class and the confusion matrix of a run with a classification report.</summary>
    private static void ClassificationCharts(StringBuilder sb, MetricReport m, string where)
    {
        var curves = m.Curves ?? [];
        var roc = curves.Where(c => c.Roc is not null).Select((c, i) => new ChartSeries(
            $"{c.ClassName} AUC {AucText(m, MetricNames.RocAuc, c.ClassName)}", SvgCharts.Palette[i % SvgCharts.Palette.Length], c.Roc!.FalsePositiveRate, c.Roc.TruePositiveRate)).ToList();
        var pr = curves.Where(c => c.PrecisionRecall is not null).Select((c, i) => new ChartSeries(
            $"{c.ClassName} AP {AucText(m, MetricNames.AveragePrecision, c.ClassName)}", SvgCharts.Palette[i % SvgCharts.Palette.Length], c.PrecisionRecall!.Recall, c.PrecisionRecall.Precision)).ToList();
        Figure(sb, SvgCharts.LineChart("ROC per class", "false positive rate", "true positive rate", roc, (0, 1), (0, 1), diagonal: true),
            roc.Count == 0 ? $"No ROC curves stored ({where})." : $"ROC curves, one-vs-rest per stored class (binary runs store the positive class); {where}.");
        Figure(sb, SvgCharts.LineChart("Precision–recall per class", "recall", "precision", pr, (0, 1), (0, 1)),
            pr.Count == 0 ? $"No PR curves stored ({where})." : $"Precision–recall curves per class; {where}.");
        Figure(sb, SvgCharts.ConfusionGrid($"Confusion (n = {m.SampleCount})", m.Confusion.ClassNames, m.Confusion.Counts),
            $"Counts, rows = true class, columns = predicted; colour = share of the row; {where}.");
    }

    /// <summary>Per-lead bar charts of a reconstruction run: Pearson r and RMSE, model next to its baseline.</summary>
    private static void LeadCharts(StringBuilder sb, RunRecord run, string where)
    {
        var leads = run.Table.Where(e => e.Class is not null && e.Metric is MetricNames.PearsonR or MetricNames.Rmse)
            .Select(e => e.Class!).Distinct().ToList();
        if (leads.Count == 0) return;
        var baseline = run.BaselineKind ?? "baseline";
        foreach (var (metric, label) in new[] { (MetricNames.PearsonR, "Pearson r"), (MetricNames.Rmse, "RMSE") })
        {
            BarSeries Series(string name, string color, IReadOnlyList<MetricEntry> table, string who) => new(name, color,
                leads.Select(l => MetricLookup.Find(table, MetricNames.PerClass(metric, l))?.Value).ToList(),
                leads.Select(l => $"lead {l}: {label} = {MetricLookup.Formatted(table, MetricNames.PerClass(metric, l), 3)} ({who}; {where})").ToList());
            var series = new List<BarSeries> { Series("model", SvgCharts.Palette[0], run.Table, "model") };
            if (run.BaselineTable.Any(e => e.Metric == metric && e.Class is not null))
                series.Add(Series($"baseline: {baseline}", "#aaaaaa", run.BaselineTable, $"baseline {baseline}"));
            (double, double)? range = metric == MetricNames.PearsonR
                ? (Math.Min(0, series.SelectMany(s => s.Values).Where(v => v is { } d && double.IsFinite(d)).Select(v => v!.Value).DefaultIfEmpty(0).Min()), 1)
                : null;
            var undefined = metric == MetricNames.PearsonR ? "; n/a where r is undefined, as for a constant prediction" : "";
            var hasBaseline = series.Count > 1 ? $" next to the baseline ({baseline}{undefined})" : "";
            Figure(sb, SvgCharts.BarChart($"{label} per lead", label, leads, series, range),
                $"{label} of the reconstructed signal per lead{hasBaseline}; {where}.", wide: leads.Count > 8);
        }
    }

    private static string AucText(MetricReport m, string metric, string cls) =>
        MetricLookup.Find(m, MetricNames.PerClass(metric, cls))?.Value is { } v ? CiFormatter.FormatPoint(v) : "n/a";

    private static void Figure(StringBuilder sb, XElement svg, string caption, bool wide = false) =>
        sb.Append(wide ? "<figure class=\"wide\">" : "<figure>").Append(Svg(svg)).Append("<figcaption>").Append(E(caption)).Append("</figcaption></figure>\n");

    /// <summary>An SVG element as XML text (escaped by <see cref="XElement"/>); HTML parses it in the SVG namespace.</summary>
    private static string Svg(XElement svg) => svg.ToString(SaveOptions.DisableFormatting);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    internal static string Invariant(double v) => v.ToString(CultureInfo.InvariantCulture);
}
