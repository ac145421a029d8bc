using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>
/// One self-contained HTML page (inline CSS and SVG, no scripts, fonts, images or links to anything outside
/// the file): the summary table, the strategy × architecture heat-map, the diff-only parameter table and,
/// per run, ROC and precision–recall curves per class, the confusion matrix and the training curves. All
/// text goes through <see cref="WebUtility.HtmlEncode(string)"/> or is built as XML, and every number carries the
/// protocol it was measured under (column, caption or tooltip).
/// </summary>
public static class HtmlReportWriter
{
    private const string Css = """
        body{font-family:sans-serif;margin:24px;color:#111;max-width:1360px}
        h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
        th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        caption{caption-side:top;text-align:left;font-size:12px;color:#444;padding-bottom:4px;max-width:1300px}
        .charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
        figure{margin:0;border:1px solid #e3e3e3;padding:4px;display:inline-block}
        figcaption{font-size:11px;color:#555;max-width:310px}
        figure.wide figcaption{max-width:520px}
        .meta{font-size:13px;color:#333}
        """;

    public static string Write(IReadOnlyList<RunRecord> runs, ReportOptions options)
    {
        var levels = MetricLookup.Levels(runs.Select(r => r.Metrics));
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(options.Title)).Append("</title>\n<style>\n")
          .Append(Css).Append("</style>\n</head>\n<body>\n");
        sb.Append("<h1>").Append(E(options.Title)).Append("</h1>\n");
        sb.Append("<p class=\"meta\">").Append(E($"{runs.Count} run(s). Metrics are on each run's test set under the protocol named with them. " +
            $"Notation point(h): h is the half-width of the {MetricLookup.LevelText(levels)} bootstrap confidence interval in units of the last digit " +
            "(0.930(05) = 0.930 ± 0.005); no parentheses = no interval.")).Append("</p>\n");
        Summary(sb, runs, options, levels);
        HeatmapSection(sb, runs, options);
        Parameters(sb, runs);
        foreach (var run in runs) RunSection(sb, run);
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void Summary(StringBuilder sb, IReadOnlyList<RunRecord> runs, ReportOptions options, IReadOnlyList<double> levels)
    {
        var classes = runs.SelectMany(r => r.Metrics.ClassNames).Distinct().ToList();
        sb.Append("<h2>Summary</h2>\n<table>\n<caption>").Append(E($"Test-set metrics, point({MetricLookup.LevelText(levels)} CI half-width in last-digit units); " +
            "the protocol column names the split protocol of every number in its row; baseline = class-prior on the same test labels.")).Append("</caption>\n<tr>");
        string[] head = ["Experiment", "Trial", "Protocol", "Model", "Strategy", "Status", "Accuracy", "Macro F1", "ROC-AUC", .. classes.Select(c => $"Recall {c}"), "Baseline accuracy"];
        foreach (var h in head) sb.Append("<th>").Append(E(h)).Append("</th>");
        sb.Append("</tr>\n");
        foreach (var run in runs)
        {
            var m = run.Metrics;
            sb.Append("<tr>");
            foreach (var t in new[] { run.Experiment, run.TrialKey, run.Protocol, run.ModelDescription, run.Strategy, run.Status })
                sb.Append("<td>").Append(E(t)).Append("</td>");
            var numbers = new List<string>
            {
                MetricLookup.Formatted(m, MetricNames.Accuracy, options.Decimals),
                MetricLookup.Formatted(m, MetricNames.MacroF1, options.Decimals),
                MetricLookup.Formatted(m, MetricNames.RocAuc, options.Decimals),
            };
            numbers.AddRange(classes.Select(c => MetricLookup.Formatted(m, MetricNames.PerClass(MetricNames.Recall, c), options.Decimals)));
            numbers.Add(m.Baseline is { } b ? MetricLookup.Formatted(b, MetricNames.Accuracy, options.Decimals) : CiFormatter.NoValue);
            foreach (var n in numbers)
                sb.Append("<td class=\"num\" title=\"").Append(E($"test set, protocol: {run.Protocol}")).Append("\">").Append(E(n)).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</table>\n");
    }

    private static void HeatmapSection(StringBuilder sb, IReadOnlyList<RunRecord> runs, ReportOptions options)
    {
        var key = options.HeatmapMetric;
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
                var cell = runs.Where(r => r.Strategy == s && r.ModelType == m)
                    .Select(r => (run: r, entry: MetricLookup.Find(r.Metrics, key)))
                    .Where(x => x.entry?.Value is { } v && double.IsFinite(v))
                    .OrderByDescending(x => x.entry!.Value).ToList();
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
        sb.Append("<h2>Strategy × architecture</h2>\n<figure class=\"wide\">");
        sb.Append(Svg(SvgCharts.Heatmap($"{key} (test set)", strategies, models, values, labels, tips)));
        sb.Append("<figcaption>").Append(E($"Cell = test-set {key} of the best run with that imbalance strategy and model type, point(CI half-width). " +
            $"Protocol: {string.Join("; ", protocols)}. Hover a cell for each run and its protocol.")).Append("</figcaption></figure>\n");
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
        var m = run.Metrics;
        var where = $"test set, protocol: {run.Protocol}";
        sb.Append("<h2>").Append(E(run.Label)).Append("</h2>\n<p class=\"meta\">")
          .Append(E($"model {run.ModelDescription} ({run.ModelType}), strategy {run.Strategy}, status {run.Status}, {m.SampleCount} test samples; " +
                    $"protocol: {run.Protocol}. Folder: {run.Folder}")).Append("</p>\n<div class=\"charts\">\n");

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
        var epochs = run.History.Select(h => (double)h.Epoch).ToList();
        var loss = new List<ChartSeries> { new("train loss", SvgCharts.Palette[0], epochs, run.History.Select(h => h.TrainLoss ?? double.NaN).ToList()) };
        if (run.History.Any(h => h.ValidationLoss is not null))
            loss.Add(new("validation loss", SvgCharts.Palette[1], epochs, run.History.Select(h => h.ValidationLoss ?? double.NaN).ToList(), Dashed: true));
        var xr = epochs.Count > 1 ? (epochs.Min(), epochs.Max()) : (0.0, Math.Max(1.0, epochs.DefaultIfEmpty(1).Max()));
        Figure(sb, SvgCharts.LineChart("Training curves", "epoch", "loss", loss, xr, integerX: true),
            $"Loss per epoch on the training and validation sets of protocol: {run.Protocol}" + (run.BestEpoch is { } b ? $"; best epoch {b}." : "."));
        sb.Append("</div>\n");
    }

    private static string AucText(MetricReport m, string metric, string cls) =>
        MetricLookup.Find(m, MetricNames.PerClass(metric, cls))?.Value is { } v ? CiFormatter.FormatPoint(v) : "n/a";

    private static void Figure(StringBuilder sb, XElement svg, string caption) =>
        sb.Append("<figure>").Append(Svg(svg)).Append("<figcaption>").Append(E(caption)).Append("</figcaption></figure>\n");

    /// <summary>An SVG element as XML text (escaped by <see cref="XElement"/>); HTML parses it in the SVG namespace.</summary>
    private static string Svg(XElement svg) => svg.ToString(SaveOptions.DisableFormatting);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    internal static string Invariant(double v) => v.ToString(CultureInfo.InvariantCulture);
}
