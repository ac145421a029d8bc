using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>
/// One self-contained HTML page (inline CSS and SVG, no scripts, fonts, images or links to anything outside
/// the file): warnings at the top (test sets too small for the differences seen); per task a summary table (runs grouped
/// by test set, one baseline row per distinct test set); the paired comparisons per test set (difference, interval,
/// test, Holm-adjusted p per metric and a verdict per run, <see cref="RunComparisons"/>); all runs overlaid on one chart:
/// ROC and precision–recall curves per class and the training curves; a parallel-coordinates chart (swept parameters →
/// headline metric) and per-parameter marginal means (<see cref="MarginalMeans"/>); the strategy × architecture
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
        .warning{border:2px solid #c77700;background:#fff4e0;padding:8px 12px;margin:10px 0;font-size:14px}
        td.sig{font-weight:bold;background:#eef7ee}
        td.cmp{white-space:nowrap}
        td.cmp small{color:#555}
        ul.verdicts li,ul.notes li{font-size:13px;margin:2px 0}
        .scroll{overflow-x:auto;max-width:100%}
        """;

    public static string Write(IReadOnlyList<RunRecord> runs, ReportOptions options, ComparisonReport? comparisons = null, IReadOnlyList<IncompleteRun>? incomplete = null)
    {
        comparisons ??= RunComparisons.Build(runs, options);
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
        foreach (var w in comparisons.Warnings)
            sb.Append("<div class=\"warning\" role=\"alert\"><strong>Warning:</strong> ").Append(E(w)).Append("</div>\n");
        Published(sb, PublishedComparison.Build(runs));
        foreach (var g in groups) Summary(sb, g, options, groups.Count > 1, comparisons);
        Incomplete(sb, incomplete ?? []);
        PairedComparisons(sb, comparisons, options);
        foreach (var g in groups) OverlaidCurves(sb, g, comparisons.SpaceOf(g.Layout.Task), groups.Count > 1);
        foreach (var g in groups) ParameterEffects(sb, g, comparisons.SpaceOf(g.Layout.Task), options, groups.Count > 1);
        foreach (var g in groups) HeatmapSection(sb, g, options, groups.Count > 1);
        Parameters(sb, runs);
        foreach (var run in runs) RunSection(sb, run);
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void Published(StringBuilder sb, IReadOnlyList<PublishedRow> rows)
    {
        if (rows.Count == 0) return;
        sb.Append("<h2>Published vs reproduced</h2>\n<p class=\"meta\">").Append(E("Each published number of the runs' specs (expect:) next to the run's " +
            "test-set value with its confidence interval. A known miss is a difference the spec explains.")).Append("</p>\n");
        sb.Append("<div class=\"scroll\"><table class=\"published\">\n<tr>");
        foreach (var h in new[] { "Experiment", "Trial", "Metric", "Published", "Ours (CI)", "Verdict", "Protocol", "Epochs", "Hardware", "Wall time", "Peak memory", "Note" })
            sb.Append("<th>").Append(E(h)).Append("</th>");
        sb.Append("</tr>\n");
        foreach (var r in rows)
        {
            sb.Append("<tr>");
            foreach (var cell in new[]
            {
                r.Run.Experiment, r.Run.TrialKey, r.Check.Class is null ? r.Check.Metric : $"{r.Check.Metric} [{r.Check.Class}]", MarkdownReportWriter.Published(r.Check),
                MarkdownReportWriter.Reproduced(r.Measured), r.Check.Verdict, r.Run.Protocol,
                r.Run.Epochs ?? "–", r.Run.Hardware ?? "–", PublishedComparison.WallTime(r.Run), PublishedComparison.Memory(r.Run.PeakMemoryBytes),
                r.Check.KnownMiss ?? r.Check.Note ?? "",
            })
                sb.Append("<td>").Append(E(cell)).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</table></div>\n");
    }

    private static void Summary(StringBuilder sb, TaskGroup group, ReportOptions options, bool manyTasks, ComparisonReport comparisons)
    {
        var columns = group.Columns;
        var intervals = MetricLookup.IntervalText(columns, group.Runs.Select(r => r.Table).ToList());
        sb.Append("<h2>").Append(E(manyTasks ? $"Summary — {group.Layout.Title}" : "Summary")).Append("</h2>\n<div class=\"scroll\"><table class=\"summary\" data-task=\"")
          .Append(E(group.Layout.Task)).Append("\">\n<caption>")
          .Append(E($"{group.Layout.Title}: test-set metrics, point(h) with h the half-width of the {intervals} in last-digit units; " +
                    "the protocol column names the split protocol of every number in its row; runs are grouped by test set, and the row after each test set's runs is the baseline evaluated on it.")).Append("</caption>\n<tr>");
        string[] head = ["Experiment", "Trial", "Protocol", "Model", "Strategy", "Status", "Test set", .. columns.Select(c => c.Header)];
        foreach (var h in head) sb.Append("<th>").Append(E(h)).Append("</th>");
        sb.Append("</tr>\n");
        var baselines = BaselineRow.Of(group.Runs, comparisons);
        foreach (var set in group.Runs.Select(comparisons.TestSetOf).Distinct())
        {
            foreach (var run in group.Runs.Where(r => comparisons.TestSetOf(r) == set))
                Row(sb, null, [run.Experiment, run.TrialKey, run.Protocol, run.ModelDescription, run.Strategy, run.Status, set.Label],
                    columns.Select(c => MetricLookup.Formatted(run.Table, c.Key, options.Decimals)), $"test set {set.Label}, protocol: {run.Protocol}");
            foreach (var b in baselines.Where(b => b.TestSet == set))
            {
                var first = b.Runs[0];
                Row(sb, "baseline", ["—", b.Runs.Count == 1 ? first.TrialKey : $"{b.Runs.Count} runs", first.Protocol, $"baseline: {first.BaselineKind ?? "unnamed"}", "—", "—", set.Label],
                    columns.Select(c => MetricLookup.Formatted(first.BaselineTable, c.Key, options.Decimals)),
                    $"baseline {first.BaselineKind ?? ""} on {set.Describe()}, shared by {string.Join(", ", b.Runs.Select(r => r.TrialKey))}; protocol: {first.Protocol}");
            }
        }
        sb.Append("</table></div>\n");
    }

    /// <summary>Runs that did not complete, apart from the summary: their status and why.</summary>
    private static void Incomplete(StringBuilder sb, IReadOnlyList<IncompleteRun> runs)
    {
        if (runs.Count == 0) return;
        sb.Append("<h2>Runs that did not complete</h2>\n<div class=\"scroll\"><table class=\"incomplete\">\n<caption>")
          .Append(E($"{runs.Count} run(s) not in the tables, comparisons or charts: a failed run has no test metrics, an interrupted one stopped part-way " +
                    "through training, and an unreadable record cannot be trusted.")).Append("</caption>\n<tr>");
        foreach (var h in new[] { "Experiment", "Trial", "Model", "Strategy", "Status", "Epochs trained", "Why" }) sb.Append("<th>").Append(E(h)).Append("</th>");
        sb.Append("</tr>\n");
        foreach (var r in runs)
        {
            sb.Append("<tr data-status=\"").Append(E(r.Status)).Append("\">");
            foreach (var cell in new[] { r.Experiment, r.TrialKey, r.Model, r.Strategy, r.Status, r.EpochsTrained.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Reason })
                sb.Append("<td>").Append(E(cell)).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</table></div>\n");
    }

    /// <summary>Per test set: run × metric cells "difference [interval]" with test, p and Holm-adjusted p; the verdicts; notes.</summary>
    private static void PairedComparisons(StringBuilder sb, ComparisonReport comparisons, ReportOptions options)
    {
        if (comparisons.Rows.Count == 0 && comparisons.Notes.Count == 0) return;
        sb.Append("<h2>Paired comparisons</h2>\n<p class=\"meta\">").Append(E(
            "Each run against its reference on the same test examples: the difference run − reference with its paired percentile-bootstrap interval " +
            "(both runs on the same resamples), McNemar's exact test for accuracy and recall, DeLong's test for ROC-AUC, a paired permutation test for F1 " +
            "and precision; p adjusted by Holm across the runs compared on one test set, per metric. Bold: significant after adjustment. " +
            "The verdict follows the test: with few examples the percentile interval can exclude 0 while the exact test cannot rule out chance. " +
            "Runs on different test sets are never paired.")).Append("</p>\n");
        foreach (var set in comparisons.TestSets.Where(t => comparisons.Rows.Any(r => r.TestSet == t.Label)))
        {
            var rows = comparisons.Rows.Where(r => r.TestSet == set.Label).ToList();
            var keys = rows.Select(r => r.Key).Distinct().ToList();
            var headers = TaskLayouts.Find(set.Task)!.Columns(set.Runs).ToDictionary(c => c.Key, c => c.Header);
            string level = $"{Math.Round(rows[0].Level * 100, 1).ToString(CultureInfo.InvariantCulture)} %";
            sb.Append("<div class=\"scroll\"><table class=\"comparisons\" data-test-set=\"").Append(E(set.Label)).Append("\">\n<caption>")
              .Append(E($"{char.ToUpperInvariant(set.Describe()[0])}{set.Describe()[1..]}. {set.Reference}. Cells: difference [{level} interval], then test p · Holm-adjusted p."))
              .Append("</caption>\n<tr><th>Run</th><th>Reference</th>");
            foreach (var k in keys) sb.Append("<th>").Append(E(headers.GetValueOrDefault(k, k))).Append("</th>");
            sb.Append("</tr>\n");
            foreach (var pair in rows.GroupBy(r => (r.Experiment, r.Run, r.Reference)))
            {
                var first = pair.First();
                sb.Append("<tr><td>").Append(E(first.RunName)).Append("</td><td>").Append(E(first.ReferenceName)).Append("</td>");
                foreach (var k in keys)
                {
                    var r = pair.FirstOrDefault(x => x.Key == k);
                    if (r is null) { sb.Append("<td class=\"num\">—</td>"); continue; }
                    var test = r.Test is null ? "no test" : $"{ComparisonTests.Describe(r.Test)} p {CiFormatter.FormatP(r.P)} · Holm {CiFormatter.FormatP(r.AdjustedP)}";
                    sb.Append("<td class=\"num cmp").Append(r.Significant ? " sig" : "").Append("\" title=\"").Append(E($"{r.RunName} vs {r.ReferenceName}, {k}: {r.Detail}")).Append("\">")
                      .Append(E(CiFormatter.FormatDifference(r.Difference, r.Lower, r.Upper, options.Decimals))).Append("<br><small>").Append(E(test)).Append("</small></td>");
                }
                sb.Append("</tr>\n");
            }
            sb.Append("</table></div>\n<ul class=\"verdicts\">\n");
            foreach (var v in comparisons.Verdicts.Where(v => v.TestSet == set.Label)) sb.Append("<li>").Append(E(v.Text)).Append("</li>\n");
            sb.Append("</ul>\n");
        }
        if (comparisons.Notes.Count > 0)
        {
            sb.Append("<p class=\"meta\">Not compared, and why:</p>\n<ul class=\"notes\">\n");
            foreach (var n in comparisons.Notes) sb.Append("<li>").Append(E(n)).Append("</li>\n");
            sb.Append("</ul>\n");
        }
    }

    /// <summary>All runs of a task on one chart each: ROC and PR per class (runs with curves), and the training curves.</summary>
    private static void OverlaidCurves(StringBuilder sb, TaskGroup group, ParameterSpace space, bool manyTasks)
    {
        var runs = group.Runs;
        if (runs.Count < 2) return;
        sb.Append("<h2>").Append(E(manyTasks ? $"All runs overlaid — {group.Layout.Title}" : "All runs overlaid")).Append("</h2>\n<div class=\"charts\">\n");
        var protocols = string.Join("; ", runs.Select(r => r.Protocol).Distinct());
        var classes = runs.SelectMany(r => r.Metrics?.Curves ?? []).Select(c => c.ClassName).Distinct().ToList();
        foreach (var cls in classes)
        {
            var roc = new List<ChartSeries>();
            var pr = new List<ChartSeries>();
            for (int i = 0; i < runs.Count; i++)
            {
                var (color, dash) = SvgCharts.Style(i);
                var curve = runs[i].Metrics?.Curves?.FirstOrDefault(c => c.ClassName == cls);
                if (curve?.Roc is { } r)
                    roc.Add(new ChartSeries($"{space.NameOf(runs[i])} AUC {AucText(runs[i].Metrics!, MetricNames.RocAuc, cls)}", color, r.FalsePositiveRate, r.TruePositiveRate) { DashPattern = dash });
                if (curve?.PrecisionRecall is { } p)
                    pr.Add(new ChartSeries($"{space.NameOf(runs[i])} AP {AucText(runs[i].Metrics!, MetricNames.AveragePrecision, cls)}", color, p.Recall, p.Precision) { DashPattern = dash });
            }
            if (roc.Count > 0)
                Figure(sb, SvgCharts.LineChart($"ROC {cls}, all runs", "false positive rate", "true positive rate", roc, (0, 1), (0, 1), diagonal: true, width: 460, height: 330),
                    $"ROC curves of class {cls} (one-vs-rest), one line per run, on each run's test set; protocol: {protocols}.", wide: true);
            if (pr.Count > 0)
                Figure(sb, SvgCharts.LineChart($"Precision–recall {cls}, all runs", "recall", "precision", pr, (0, 1), (0, 1), width: 460, height: 330),
                    $"Precision–recall curves of class {cls}, one line per run, on each run's test set; protocol: {protocols}.", wide: true);
        }
        var loss = new List<ChartSeries>();
        for (int i = 0; i < runs.Count; i++)
        {
            var (color, dash) = SvgCharts.Style(i);
            var h = runs[i].History;
            var epochs = h.Select(e => (double)e.Epoch).ToList();
            bool hasValidation = h.Any(e => e.ValidationLoss is not null);
            if (hasValidation)
                loss.Add(new ChartSeries(space.NameOf(runs[i]), color, epochs, h.Select(e => e.ValidationLoss ?? double.NaN).ToList()) { DashPattern = dash });
            loss.Add(new ChartSeries($"{space.NameOf(runs[i])} (training)", color, epochs, h.Select(e => e.TrainLoss ?? double.NaN).ToList())
                { DashPattern = "2 3", InLegend = !hasValidation });
        }
        var all = runs.SelectMany(r => r.History).Select(e => (double)e.Epoch).ToList();
        var xr = all.Count > 1 && all.Min() < all.Max() ? (all.Min(), all.Max()) : (0.0, Math.Max(1.0, all.DefaultIfEmpty(1).Max()));
        Figure(sb, SvgCharts.LineChart("Training curves, all runs", "epoch", "loss", loss, xr, integerX: true, width: 460, height: 330),
            "Loss per epoch of every run: solid (or the run's dash pattern) = validation loss, dotted = training loss, one colour per run; " +
            $"training and validation sets of protocol: {protocols}.", wide: true);
        sb.Append("</div>\n");
    }

    /// <summary>Parallel coordinates (swept parameters → headline metric) and the marginal mean of the metric per parameter value.</summary>
    private static void ParameterEffects(StringBuilder sb, TaskGroup group, ParameterSpace space, ReportOptions options, bool manyTasks)
    {
        var key = group.HeatmapMetric(options.HeatmapMetric);
        var runs = group.Runs.Where(r => MetricLookup.Find(r.Table, key)?.Value is { } v && double.IsFinite(v)).ToList();
        var axes = space.Axes.Where(a => runs.Select(a.ValueOf).Distinct().Count() > 1).ToList();
        if (runs.Count < 2 || axes.Count == 0) return;
        string header = group.Columns.FirstOrDefault(c => c.Key == key)?.Header ?? key;
        sb.Append("<h2>").Append(E(manyTasks ? $"Parameters and {header} — {group.Layout.Title}" : $"Parameters and {header}")).Append("</h2>\n<div class=\"charts\">\n");
        bool lowerIsBetter = MetricNames.LowerIsBetter(key.Split('[')[0]);
        var values = runs.Select(r => MetricLookup.Find(r.Table, key)!.Value!.Value).ToList();
        double lo = values.Min(), hi = values.Max();
        double Norm(double v) => hi > lo ? (v - lo) / (hi - lo) : 0.5;
        var parallelAxes = new List<ParallelAxis>();
        var positions = runs.Select(_ => new List<double?>()).ToList();
        foreach (var axis in axes)
        {
            var (ticks, place) = AxisScale(runs.Select(axis.ValueOf).ToList());
            parallelAxes.Add(new ParallelAxis(axis.Name, ticks));
            for (int i = 0; i < runs.Count; i++) positions[i].Add(place(axis.ValueOf(runs[i])));
        }
        var metricTicks = new[] { lo, (lo + hi) / 2, hi }.Distinct().Select(v => KeyValuePair.Create(Norm(v), CiFormatter.FormatPoint(v, options.Decimals))).ToList();
        parallelAxes.Add(new ParallelAxis($"{header} (test)", metricTicks));
        var lines = runs.Select((r, i) =>
        {
            double share = Norm(values[i]);
            return new ParallelLine([.. positions[i], share], SvgCharts.Blue(0.25 + 0.75 * (lowerIsBetter ? 1 - share : share)),
                $"{space.NameOf(r)} ({r.Label}): {key} = {MetricLookup.Formatted(r.Table, key, options.Decimals)} (test set, protocol: {r.Protocol})");
        }).ToList();
        Figure(sb, SvgCharts.ParallelCoordinates($"Parameters → {header}", parallelAxes, lines),
            $"One line per run through its value of each parameter that varies and its test-set {key}; darker = better. Hover a line for the run.", wide: true);
        var level = runs.Select(r => MetricLookup.Find(r.Table, key)!.Level).OfType<double>().FirstOrDefault(0.95);
        var effects = MarginalMeans.Of(runs, space, key, level);
        var all = effects.SelectMany(e => e.Means).SelectMany(m => new[] { m.Interval.Lower, m.Interval.Upper, m.Interval.Point }).OfType<double>().Where(double.IsFinite).ToList();
        (double, double)? range = all.Count == 0 ? null : (all.Min() - 0.02, all.Max() + 0.02);
        // A mean over two or three runs has a wide t interval; a metric that lives in [0, 1] is drawn in [0, 1] at most.
        bool unitRange = values.All(v => v is >= 0 and <= 1) && !lowerIsBetter && key.Split('[')[0] != MetricNames.PearsonR;
        if (unitRange && range is var (rlo, rhi)) range = (Math.Max(0, rlo), Math.Min(1, rhi));
        foreach (var e in effects)
        {
            var points = e.Means.Select(m => new IntervalPoint(m.Value, m.Interval.Point, m.Interval.Lower, m.Interval.Upper,
                $"{e.Axis.Name} = {m.Value}: mean {key} {CiFormatter.Format(m.Interval.Point, m.Interval.Lower, m.Interval.Upper, options.Decimals)} over {m.Runs} run(s)" +
                (m.Runs == 1 ? " (one run: its own test-set interval)" : $" ({IntervalMethods.Describe(m.Interval.Method)} interval over runs)"))).ToList();
            Figure(sb, SvgCharts.IntervalChart($"{e.Axis.Name}: mean {header}", header, points, range),
                $"Marginal mean of test-set {key} per value of {e.Axis.Name}, averaged over the other parameters; spread (max − min) {CiFormatter.FormatPoint(e.Spread, options.Decimals)}. " +
                "Whiskers: Student t interval over the runs with that value, or the run's own interval when there is one" +
                (unitRange ? "; drawn within [0, 1] (hover for the full interval)." : "."));
        }
        if (effects.Count > 1)
            sb.Append("<p class=\"meta\">").Append(E("Importance by spread of the marginal means: " +
                string.Join(" > ", effects.Select(e => $"{e.Axis.Name} ({CiFormatter.FormatPoint(e.Spread, options.Decimals)})")) + ".")).Append("</p>\n");
        sb.Append("</div>\n");
    }

    /// <summary>Ticks and placement (0…1) of one parameter axis: linear (log for a wide positive range) when every value is a number, else categories in first-seen order.</summary>
    private static (IReadOnlyList<KeyValuePair<double, string>> ticks, Func<string, double?> place) AxisScale(IReadOnlyList<string> values)
    {
        var distinct = values.Distinct().ToList();
        var numbers = distinct.Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : (double?)null).ToList();
        if (numbers.All(n => n is not null) && distinct.Count > 1)
        {
            var nums = numbers.Select(n => n!.Value).ToList();
            bool log = nums.All(n => n > 0) && nums.Max() / nums.Min() >= 20;
            double T(double v) => log ? Math.Log10(v) : v;
            double lo = T(nums.Min()), hi = T(nums.Max());
            double Place(double v) => hi > lo ? (T(v) - lo) / (hi - lo) : 0.5;
            return (distinct.Zip(nums, (text, n) => KeyValuePair.Create(Place(n), text)).ToList(),
                v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? Place(d) : null);
        }
        double At(int i) => distinct.Count == 1 ? 0.5 : (double)i / (distinct.Count - 1);
        return (distinct.Select((v, i) => KeyValuePair.Create(At(i), v)).ToList(), v => distinct.IndexOf(v) is var i and >= 0 ? At(i) : null);
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
