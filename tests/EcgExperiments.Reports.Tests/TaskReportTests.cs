using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CsvHelper;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports.Tests;

/// <summary>Reports over runs of every task: the legacy classification fixtures plus one anomaly and one reconstruction run.</summary>
public class TaskReportTests
{
    private static readonly string[] Leads = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"];

    private static IReadOnlyList<RunRecord> AllRuns() => RunLoader.Discover([Fixture.RunsRoot, Fixture.TasksRoot]);

    private static (ReportFiles files, IReadOnlyList<RunRecord> runs) Build(ReportOptions? options = null)
    {
        var runs = AllRuns();
        return (ReportBuilder.Write(runs, Fixture.TempDir(), options), runs);
    }

    private static RunRecord Anomaly(IReadOnlyList<RunRecord> runs) => runs.Single(r => r.Task == "anomaly");
    private static RunRecord Reconstruction(IReadOnlyList<RunRecord> runs) => runs.Single(r => r.Task == "reconstruction");

    private static JsonObject RunJson(RunRecord run) => JsonNode.Parse(File.ReadAllText(Path.Combine(run.Folder, "run.json")))!.AsObject();

    [Fact]
    public void Loader_reads_task_tables_and_the_classification_report_where_one_exists()
    {
        var runs = AllRuns();
        Assert.Equal(["anomaly", "classification", "classification", "classification", "reconstruction"],
            runs.Select(r => r.Task));   // sorted by experiment: tiny_ae_anomaly, tiny_cnn, tiny_cnn_weighted, tiny_resnet_focal, tiny_unet_reconstruction

        var anomaly = Anomaly(runs);
        Assert.NotNull(anomaly.Metrics);
        Assert.Equal("anomaly", anomaly.Metrics!.PositiveClass);
        Assert.Equal("random anomaly score", anomaly.BaselineKind);
        Assert.Equal(40, anomaly.TestSampleCount);
        // metrics_table as the runner writes it (no "method") equals metrics.json's table once the methods are taken from it.
        Assert.Equal(anomaly.Metrics.ToTable(), anomaly.Table);
        Assert.Equal(anomaly.Metrics.Baseline!.ToTable(), anomaly.BaselineTable);
        Assert.Equal(IntervalMethods.Wilson, MetricLookup.Find(anomaly.Table, "recall[anomaly]")!.Method);
        Assert.Equal(IntervalMethods.PercentileBootstrap, MetricLookup.Find(anomaly.Table, "f1[anomaly]")!.Method);

        var rec = Reconstruction(runs);
        Assert.Null(rec.Metrics);
        Assert.Equal("training mean per lead", rec.BaselineKind);
        Assert.Equal(16, rec.TestSampleCount);   // recordCount of reconstruction.json
        Assert.Equal(4 + 3 * Leads.Length, rec.Table.Count);
        Assert.Equal(Leads, rec.Table.Where(e => e.Metric == "pearson_r").Select(e => e.Class));
        var stored = JsonSerializer.Deserialize<ReconstructionReport>(File.ReadAllText(Path.Combine(rec.Folder, "reconstruction.json")), MetricJson.Options)!;
        Assert.Equal(stored.ToTable(), rec.Table);   // the run record's table is the reconstruction report's
        Assert.Null(MetricLookup.Find(rec.BaselineTable, "pearson_r[V1]")!.Value);   // r of a constant prediction is undefined

        var legacy = runs.First(r => r.Experiment == "tiny_cnn");
        Assert.Equal(legacy.Metrics!.ToTable(), legacy.Table);
        Assert.Equal(legacy.Metrics.Baseline!.ToTable(), legacy.BaselineTable);
    }

    [Fact]
    public void Csv_read_with_csvhelper_round_trips_to_the_numbers_of_every_runs_tables()
    {
        var (files, runs) = Build();
        using var reader = new StreamReader(files.Csv);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        Assert.True(csv.Read());
        csv.ReadHeader();
        Assert.Equal(CsvReportWriter.Columns, csv.HeaderRecord);
        var rows = new List<(string exp, string trial, string task, string scope, string metric, string? cls, double? point, double? lower, double? upper, double? level, string? method, string protocol)>();
        while (csv.Read())
            rows.Add((csv.GetField("experiment")!, csv.GetField("trial")!, csv.GetField("task")!, csv.GetField("scope")!, csv.GetField("metric")!,
                NullIfEmpty(csv.GetField("class")), csv.GetField<double?>("point"), csv.GetField<double?>("lower"), csv.GetField<double?>("upper"),
                csv.GetField<double?>("level"), NullIfEmpty(csv.GetField("method")), csv.GetField("protocol")!));

        int compared = 0;
        foreach (var run in runs)
            foreach (var (scope, table) in new[] { ("model", run.Table), ("baseline", run.BaselineTable) })
            {
                var got = rows.Where(r => r.exp == run.Experiment && r.trial == run.TrialKey && r.scope == scope).ToList();
                Assert.Equal(table.Count, got.Count);
                for (int i = 0; i < table.Count; i++)
                {
                    var (e, g) = (table[i], got[i]);
                    Assert.Equal((e.Metric, e.Class), (g.metric, g.cls));
                    Assert.Equal(e.Value, g.point);   // exact: round-trip doubles
                    Assert.Equal(e.Lower, g.lower);
                    Assert.Equal(e.Upper, g.upper);
                    Assert.Equal(e.Level, g.level);
                    Assert.Equal(e.Method, g.method);
                    Assert.Equal(run.Task, g.task);
                    Assert.Equal(run.Protocol, g.protocol);
                    compared++;
                }
            }
        Assert.Equal(rows.Count, compared);

        // Reconstruction rows are there, per lead, with the numbers of the raw run.json.
        var rec = Reconstruction(runs);
        var raw = RunJson(rec)["metrics_table"]!.AsArray().Single(r => r!["metric"]!.GetValue<string>() == "pearson_r" && r["class"]!.GetValue<string>() == "V6")!;
        var v6 = rows.Single(r => r.task == "reconstruction" && r.scope == "model" && r.metric == "pearson_r" && r.cls == "V6");
        Assert.Equal(raw["value"]!.GetValue<double>(), v6.point);
        Assert.Equal(Leads.Length, rows.Count(r => r.task == "reconstruction" && r.scope == "baseline" && r.metric == "rmse"));
        var mse = rows.Single(r => r.task == "reconstruction" && r.scope == "model" && r.metric == "mse");
        Assert.Equal("percentile_bootstrap", mse.method);
        Assert.True(mse.lower < mse.point && mse.point < mse.upper);
        Assert.Equal("wilson", rows.Single(r => r.task == "anomaly" && r.scope == "model" && r.metric == "recall" && r.cls == "anomaly").method);

        static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
    }

    [Fact]
    public void Json_report_version_3_lists_tasks_methods_and_the_csv_rows()
    {
        var (files, runs) = Build();
        using var doc = JsonDocument.Parse(File.ReadAllText(files.Json));
        var root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("version").GetInt32());
        Assert.Equal(["classification", "anomaly", "reconstruction"], root.GetProperty("tasks").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["percentile_bootstrap", "wilson"], root.GetProperty("interval_methods").EnumerateArray().Select(e => e.GetString()));
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(files.RowCount, rows.Count);
        Assert.Equal(runs.Sum(r => r.Table.Count + r.BaselineTable.Count), rows.Count);
        var recRun = root.GetProperty("runs").EnumerateArray().Single(r => r.GetProperty("task").GetString() == "reconstruction");
        Assert.Equal("training mean per lead", recRun.GetProperty("baseline_kind").GetString());
        Assert.Contains(rows, r => r.GetProperty("task").GetString() == "reconstruction" && r.GetProperty("class").GetString() == "aVR");
    }

    [Fact]
    public void Markdown_has_one_table_per_task_with_its_headline_columns_and_baselines()
    {
        var (files, runs) = Build();
        var md = File.ReadAllText(files.Markdown);
        var lines = md.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int cls = lines.IndexOf("## Classification (3 run(s))"), ano = lines.IndexOf("## Anomaly detection (1 run(s))"), rec = lines.IndexOf("## Reconstruction (1 run(s))");
        Assert.True(cls >= 0 && cls < ano && ano < rec, "one section per task, in registry order");

        var anomaly = Anomaly(runs);
        var anomalyHeader = lines.Skip(ano).First(l => l.StartsWith("| Experiment | Trial | Protocol | Model", StringComparison.Ordinal));
        Assert.EndsWith("| ROC-AUC | AP | F1 anomaly | Precision anomaly | Recall anomaly |", anomalyHeader);
        var row = lines.Skip(ano).First(l => l.StartsWith($"| {anomaly.Experiment} | {anomaly.TrialKey} |", StringComparison.Ordinal));
        var recall = anomaly.Metrics!.Intervals["recall[anomaly]"];
        Assert.EndsWith($"| {CiFormatter.Format(recall.Point, recall.Lower, recall.Upper)} |", row);
        Assert.Contains($"| {CiFormatter.Format(anomaly.Metrics.Aggregates.RocAuc, anomaly.Metrics.Intervals["roc_auc"].Lower, anomaly.Metrics.Intervals["roc_auc"].Upper)} |", row);
        var caption = lines.Skip(ano).First(l => l.StartsWith("Table 2.", StringComparison.Ordinal));
        Assert.Contains("95 % confidence interval (Wilson score for Precision anomaly, Recall anomaly; percentile bootstrap for ROC-AUC, AP, F1 anomaly)", caption);
        // One baseline row per test set (this fixture has no scores.csv, so no class counts), naming the runs that share it.
        var baseRow = lines.Skip(ano).First(l => l.Contains("| random anomaly score |", StringComparison.Ordinal));
        Assert.Matches($@"^\| test set [A-Z] \(40 examples\) \| {anomaly.TrialKey} \| {Regex.Escape(anomaly.Protocol)} \|", baseRow);

        var r = Reconstruction(runs);
        var recHeader = lines.Skip(rec).First(l => l.StartsWith("| Experiment |", StringComparison.Ordinal));
        Assert.EndsWith("| MSE | Mean Pearson r | Mean R² | " + string.Join(" | ", Leads.Select(l => $"r {l}")) + " |", recHeader);
        var recRow = lines.Skip(rec).First(l => l.StartsWith($"| {r.Experiment} | {r.TrialKey} |", StringComparison.Ordinal));
        var mse = MetricLookup.Find(r.Table, "mse")!;
        Assert.Contains($"| {CiFormatter.Format(mse.Value, mse.Lower, mse.Upper)} |", recRow);
        Assert.Contains($"| {CiFormatter.FormatPoint(MetricLookup.Find(r.Table, "pearson_r[V6]")!.Value!.Value)} |", recRow);   // no interval: point alone
        Assert.Contains("95 % percentile bootstrap confidence interval", lines.Skip(rec).First(l => l.StartsWith("Table 3.", StringComparison.Ordinal)));
        var recBase = lines.Skip(rec).First(l => l.Contains("| training mean per lead |", StringComparison.Ordinal));
        var baseMse = MetricLookup.Find(r.BaselineTable, "mse")!.Value!.Value;
        Assert.Contains($"| {CiFormatter.FormatPoint(baseMse)} | {CiFormatter.NoValue} |", recBase);   // MSE, then mean r undefined
        Assert.DoesNotContain("Accuracy", string.Join("\n", lines.Skip(rec)));
    }

    [Fact]
    public void Html_draws_curves_only_for_runs_with_a_classification_report_and_lead_bars_for_reconstruction()
    {
        var (files, runs) = Build();
        var html = File.ReadAllText(files.Html);
        var svgs = Fixture.SvgBlocks(html).Select(s => XDocument.Parse(s)).ToList();   // every SVG is well-formed XML
        string Label(XDocument d) => d.Root!.Attribute("aria-label")!.Value;
        int withReport = runs.Count(r => r.Metrics is not null);
        var classifiers = runs.Where(r => r.Task == "classification").ToList();
        int effects = MarginalMeans.Of(classifiers, ParameterSpace.Of(classifiers), "macro_f1", 0.95).Count;
        // heat-map per task + ROC, PR, confusion per run with a report + 2 lead charts per reconstruction run + training curves per run
        // + the 3 classifiers overlaid (ROC HYP, PR HYP, training) + their parallel coordinates and marginal means; one-run tasks have neither
        Assert.Equal(3 + 3 * withReport + 2 + runs.Count + 3 + 1 + effects, svgs.Count);
        Assert.Equal(withReport, svgs.Count(d => Label(d) == "ROC per class"));
        Assert.Equal(runs.Count, svgs.Count(d => Label(d) == "Training curves"));
        Assert.Equal(["macro_f1 (test set)", "roc_auc (test set)", "mean_pearson_r (test set)"],
            svgs.Where(d => Label(d).EndsWith("(test set)", StringComparison.Ordinal)).Select(Label));

        var rec = Reconstruction(runs);
        int section = html.IndexOf($"<h2>{rec.Label}</h2>", StringComparison.Ordinal);
        Assert.True(section > 0);
        var recSvgs = Fixture.SvgBlocks(html[section..]).Select(s => XDocument.Parse(s)).ToList();
        Assert.Equal(["Pearson r per lead", "RMSE per lead", "Training curves"], recSvgs.Select(Label));

        // Pearson r: one model bar per lead, taller for better leads; the baseline's r is undefined (n/a), not a zero bar.
        var rBars = recSvgs[0].Descendants("rect").Where(e => e.Element("title") is not null).ToList();
        Assert.Equal(Leads.Length, rBars.Count);
        var heights = rBars.Select(b => double.Parse(b.Attribute("height")!.Value, CultureInfo.InvariantCulture)).ToList();
        var values = Leads.Select(l => MetricLookup.Find(rec.Table, $"pearson_r[{l}]")!.Value!.Value).ToList();
        for (int i = 0; i < Leads.Length; i++)
            Assert.Equal(values[i] / values[0], heights[i] / heights[0], 2);   // bar height ∝ r on a 0-based axis
        Assert.Contains("protocol: " + rec.Protocol, rBars[0].Element("title")!.Value);
        Assert.Contains("lead I: Pearson r", rBars[0].Element("title")!.Value);
        Assert.Equal(Leads.Length, recSvgs[0].Descendants("text").Count(t => t.Nodes().OfType<XText>().Any(x => x.Value == "n/a")));
        // RMSE: model and training-mean baseline per lead.
        Assert.Equal(2 * Leads.Length, recSvgs[1].Descendants("rect").Count(e => e.Element("title") is not null));

        // The summary tables: one per task, one baseline row per distinct test set: the three classifiers share theirs.
        Assert.Equal(3, html.Split("<table class=\"summary\"").Length - 1);
        Assert.Contains("data-task=\"reconstruction\"", html);
        Assert.Equal(3, html.Split("<tr class=\"baseline\">").Length - 1);
        Assert.Contains("baseline: training mean per lead", html);
    }

    [Fact]
    public void Requested_heatmap_metric_applies_where_reported_and_each_task_falls_back_to_its_default()
    {
        var (files, _) = Build(new ReportOptions { HeatmapMetric = "mse" });
        var labels = Fixture.SvgBlocks(File.ReadAllText(files.Html)).Select(s => XDocument.Parse(s).Root!.Attribute("aria-label")!.Value)
            .Where(l => l.EndsWith("(test set)", StringComparison.Ordinal)).ToList();
        Assert.Equal(["macro_f1 (test set)", "roc_auc (test set)", "mse (test set)"], labels);
        Assert.Contains("mse is not reported by classification runs; showing macro_f1.", File.ReadAllText(files.Html));
    }

    [Fact]
    public void Heatmap_shades_the_lowest_value_darkest_for_error_metrics()
    {
        string Fill(XElement svg, string label) => svg.Descendants("rect").Single(r => r.Element("title")?.Value == label).Attribute("fill")!.Value;
        IReadOnlyList<IReadOnlyList<double?>> values = [[0.1, 0.3]];
        IReadOnlyList<IReadOnlyList<string>> text = [["a", "b"]], tips = [["low", "high"]];
        var error = SvgCharts.Heatmap("mse", ["none"], ["m1", "m2"], values, text, tips, lowerIsBetter: true);
        var score = SvgCharts.Heatmap("r", ["none"], ["m1", "m2"], values, text, tips);
        Assert.Equal(Fill(score, "high"), Fill(error, "low"));
        Assert.Equal(Fill(score, "low"), Fill(error, "high"));
        Assert.True(MetricNames.LowerIsBetter("rmse") && MetricNames.LowerIsBetter("mse") && !MetricNames.LowerIsBetter("pearson_r"));
    }

    [Fact]
    public void A_report_of_one_reconstruction_run_needs_no_classification_parts()
    {
        var folder = Reconstruction(AllRuns()).Folder;
        var files = ReportBuilder.Build([folder], Fixture.TempDir());
        var html = File.ReadAllText(files.Html);
        Assert.DoesNotContain("ROC per class", html);
        Assert.DoesNotContain("Confusion", html);
        Assert.Contains("Pearson r per lead", html);
        Assert.Equal(4 + 3 * Leads.Length + 4 + 3 * Leads.Length, files.RowCount);
        Assert.DoesNotContain("## Classification", File.ReadAllText(files.Markdown));
    }

    [Theory]
    [InlineData("task", "\"segmentation\"", "Path: $.task")]
    [InlineData("metrics_table", "{}", "Path: $.metrics_table")]
    [InlineData("metrics_table", "[{\"class\": null, \"value\": 1}]", "\"metrics_table\" row 0 has no \"metric\" name")]
    [InlineData("metrics_table", "[{\"metric\": \"mse\", \"value\": \"big\"}]", "Path: $.metrics_table[0].value")]
    [InlineData("baseline_table", "[{\"metric\": \"mse\", \"class\": 3}]", "Path: $.baseline_table[0].class")]
    [InlineData("version", "99", "written by a newer version of the framework (run record version 99")]
    public void Bad_run_records_fail_with_a_message_naming_the_file(string field, string json, string message)
    {
        var root = Fixture.CopyRuns(Fixture.TasksRoot);
        var runFile = Directory.EnumerateFiles(root, "run.json", SearchOption.AllDirectories).Single(f => f.Contains("reconstruction", StringComparison.Ordinal));
        var node = JsonNode.Parse(File.ReadAllText(runFile))!.AsObject();
        node[field] = JsonNode.Parse(json);
        File.WriteAllText(runFile, node.ToJsonString());
        var e = Assert.Throws<EcgDataException>(() => RunLoader.Discover([root]));
        Assert.Contains(message, e.Message);
        Assert.Contains(runFile, e.Message);
    }

    [Fact]
    public void A_reconstruction_record_without_a_table_says_what_is_missing()
    {
        var root = Fixture.CopyRuns(Fixture.TasksRoot);
        var runFile = Directory.EnumerateFiles(root, "run.json", SearchOption.AllDirectories).Single(f => f.Contains("reconstruction", StringComparison.Ordinal));
        var node = JsonNode.Parse(File.ReadAllText(runFile))!.AsObject();
        node.Remove("metrics_table");
        File.WriteAllText(runFile, node.ToJsonString());
        var e = Assert.Throws<EcgDataException>(() => RunLoader.Discover([root]));
        Assert.Contains("a reconstruction run record needs \"metrics_table\"", e.Message);
        Assert.Contains(runFile, e.Message);
    }

    [Fact]
    public void Table_rows_without_a_method_take_it_from_metrics_json_or_else_read_as_bootstrap()
    {
        var root = Fixture.CopyRuns(Fixture.TasksRoot);
        var anomalyDir = Directory.EnumerateDirectories(Path.Combine(root, "tiny_ae_anomaly")).Single();
        File.Delete(Path.Combine(anomalyDir, "metrics.json"));   // table only: no report to take methods from
        var run = RunLoader.Load(anomalyDir);
        Assert.Null(run.Metrics);
        Assert.Equal(IntervalMethods.PercentileBootstrap, MetricLookup.Find(run.Table, "recall[anomaly]")!.Method);
        Assert.Null(MetricLookup.Find(run.BaselineTable, "accuracy")!.Method);   // no interval, no method
        var html = HtmlReportWriter.Write([run], new ReportOptions());
        Assert.DoesNotContain("ROC per class", html);   // curves need the report
    }
}
