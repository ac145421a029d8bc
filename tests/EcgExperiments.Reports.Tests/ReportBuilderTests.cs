using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports.Tests;

public class ReportBuilderTests
{
    private static (ReportFiles files, IReadOnlyList<RunRecord> runs) Build(string? root = null, ReportOptions? options = null)
    {
        var runs = RunLoader.Discover([root ?? Fixture.RunsRoot]);
        return (ReportBuilder.Write(runs, Fixture.TempDir(), options), runs);
    }

    private static MetricReport MetricsJsonOf(RunRecord run) =>
        MetricJson.Deserialize<MetricReport>(File.ReadAllText(Path.Combine(run.Folder, "metrics.json")));

    private static double? Num(string s) => s.Length == 0 ? null : double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Fact]
    public void Discovers_runs_under_a_results_root_or_as_single_folders()
    {
        var all = RunLoader.Discover([Fixture.RunsRoot]);
        Assert.Equal(["tiny_cnn", "tiny_cnn_weighted", "tiny_resnet_focal"], all.Select(r => r.Experiment));
        Assert.All(all, r => Assert.Equal(12, r.TrialKey.Length));
        Assert.Equal(["none", "class_weights", "focal"], all.Select(r => r.Strategy));
        Assert.Equal(["cnn2d", "cnn2d", "resnet1d"], all.Select(r => r.ModelType));
        var one = RunLoader.Discover([all[1].Folder]);
        Assert.Equal("tiny_cnn_weighted", Assert.Single(one).Experiment);
        var missing = Path.Combine(Fixture.RunsRoot, "no-such-run");
        var e = Assert.Throws<EcgDataException>(() => RunLoader.Discover([missing]));
        Assert.Contains("no-such-run", e.Message);
    }

    [Fact]
    public void Tidy_csv_parses_as_rfc4180_and_round_trips_to_the_numbers_of_metrics_json()
    {
        var (files, runs) = Build();
        var records = Csv.Parse(File.ReadAllText(files.Csv));
        Assert.Equal(CsvReportWriter.Columns, records[0]);
        var body = records.Skip(1).ToList();
        Assert.All(body, r => Assert.Equal(CsvReportWriter.Columns.Count, r.Length));
        int col(string name) => CsvReportWriter.Columns.ToList().IndexOf(name);
        Assert.All(body, r => Assert.Equal(("completed", ""), (r[col("status")], r[col("error")])));   // every fixture run completed

        int compared = 0;
        foreach (var run in runs)
        {
            var report = MetricsJsonOf(run);
            foreach (var (scope, source) in new[] { ("model", report), ("baseline", report.Baseline!) })
            {
                var expected = source.ToTable();
                var got = body.Where(r => r[col("experiment")] == run.Experiment && r[col("trial")] == run.TrialKey && r[col("scope")] == scope).ToList();
                Assert.Equal(expected.Count, got.Count);
                foreach (var e in expected)
                {
                    var row = Assert.Single(got, r => r[col("metric")] == e.Metric && r[col("class")] == (e.Class ?? ""));
                    Assert.Equal(e.Value, Num(row[col("point")]));
                    Assert.Equal(e.Lower, Num(row[col("lower")]));
                    Assert.Equal(e.Upper, Num(row[col("upper")]));
                    Assert.Equal(e.Level, Num(row[col("level")]));
                    Assert.Equal(run.Protocol, row[col("protocol")]);
                    Assert.Equal("classification", row[col("task")]);   // records without "task" are classification
                    Assert.Equal(e.Lower is null ? "" : "percentile_bootstrap", row[col("method")]);
                    compared++;
                }
            }
            // Spot-check against the raw JSON too, not only through MetricReport.
            var raw = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Folder, "metrics.json")))!;
            var f1Hyp = raw["intervals"]!["f1[HYP]"]!;
            var csvF1Hyp = Assert.Single(body, r => r[col("trial")] == run.TrialKey && r[col("scope")] == "model" && r[col("metric")] == "f1" && r[col("class")] == "HYP");
            Assert.Equal(f1Hyp["lower"]!.GetValue<double>(), Num(csvF1Hyp[col("lower")]));
            Assert.Equal(raw["aggregates"]!["accuracy"]!.GetValue<double>(),
                Num(Assert.Single(body, r => r[col("trial")] == run.TrialKey && r[col("scope")] == "model" && r[col("metric")] == "accuracy")[col("point")]));
        }
        Assert.Equal(body.Count, compared);
        Assert.Equal(files.RowCount, body.Count);
        Assert.Contains(body, r => r[col("lower")].Length > 0 && r[col("level")] == "0.95");
    }

    [Fact]
    public void Json_report_holds_the_same_rows_as_the_csv()
    {
        var (files, runs) = Build();
        using var doc = JsonDocument.Parse(File.ReadAllText(files.Json));
        var root = doc.RootElement;
        Assert.Equal("ecg-report", root.GetProperty("format").GetString());
        Assert.Equal(runs.Count, root.GetProperty("runs").GetArrayLength());
        var csv = Csv.Parse(File.ReadAllText(files.Csv)).Skip(1).ToList();
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(csv.Count, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(csv[i][0], rows[i].GetProperty("experiment").GetString());
            Assert.Equal(csv[i][6], rows[i].GetProperty("metric").GetString());
            var point = rows[i].GetProperty("point");
            Assert.Equal(Num(csv[i][8]), point.ValueKind == JsonValueKind.Null ? null : point.GetDouble());
            Assert.Equal(csv[i][4], rows[i].GetProperty("protocol").GetString());
        }
        var lr = root.GetProperty("runs")[1].GetProperty("parameters").GetProperty("training.learning_rate").GetString();
        Assert.Equal("0.001", lr);
    }

    [Fact]
    public void Markdown_table_uses_ci_notation_states_the_level_and_names_the_protocol_in_every_row()
    {
        var (files, runs) = Build();
        var md = File.ReadAllText(files.Markdown);
        // The fixtures were written before Wilson intervals: every interval in them is a bootstrap one, and the caption says so.
        Assert.Contains("95 % percentile bootstrap confidence interval", md);
        Assert.DoesNotContain("Wilson", md);
        var lines = md.Split('\n');
        foreach (var run in runs)
        {
            // First match = Table 1 (the second is the baseline table).
            var row = lines.First(l => l.StartsWith($"| {run.Experiment} | {run.TrialKey} |", StringComparison.Ordinal));
            Assert.Contains($"| {run.Protocol} |", row);
            var m = MetricsJsonOf(run);
            var acc = m.Intervals[MetricNames.Accuracy];
            Assert.Contains($"| {CiFormatter.Format(acc.Point, acc.Lower, acc.Upper)} |", row);
            var recallHyp = m.Intervals["recall[HYP]"];
            Assert.Contains(CiFormatter.Format(recallHyp.Point, recallHyp.Lower, recallHyp.Upper), row);
            Assert.Matches(@"\| \d\.\d{3}\(\d{2,}\) \|", row);
        }
        // The parameters column shows the differing learning rate; the shared batch size is not mentioned.
        Assert.Contains("training.learning_rate=0.001", md);
        Assert.DoesNotContain("training.batch_size", md);
    }

    [Fact]
    public void Every_inline_svg_is_well_formed_xml_and_the_page_has_the_expected_charts()
    {
        var (files, runs) = Build();
        var html = File.ReadAllText(files.Html);
        var svgs = Fixture.SvgBlocks(html).Select(s => XDocument.Parse(s)).ToList();
        var effects = MarginalMeans.Of(runs, ParameterSpace.Of(runs), MetricNames.MacroF1, 0.95);
        // heat-map + per run: ROC, PR, confusion, training curves + all runs overlaid: ROC HYP, PR HYP, training curves
        // + parallel coordinates + one marginal-means chart per parameter with several values
        Assert.Equal(1 + 4 * runs.Count + 3 + 1 + effects.Count, svgs.Count);
        Assert.All(svgs, d => Assert.Equal("svg", d.Root!.Name.LocalName));
        var roc = svgs.Where(d => d.Root!.Attribute("aria-label")!.Value == "ROC per class").ToList();
        Assert.Equal(runs.Count, roc.Count);
        // One polyline per stored curve (binary runs store the positive class's curves only).
        for (int i = 0; i < runs.Count; i++)
            Assert.Equal(runs[i].Metrics!.Curves!.Count(c => c.Roc is not null), roc[i].Descendants("polyline").Count());
        Assert.Contains("HYP AUC", string.Concat(roc[0].Descendants("text").Select(t => t.Value)));
        var confusion = svgs.First(d => d.Root!.Attribute("aria-label")!.Value.StartsWith("Confusion", StringComparison.Ordinal));
        var counts = runs[0].Metrics!.Confusion.Counts.SelectMany(r => r).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToList();
        var texts = confusion.Descendants("text").Select(t => t.Value).ToList();
        Assert.All(counts, c => Assert.Contains(c, texts));
        var training = svgs.Where(d => d.Root!.Attribute("aria-label")!.Value == "Training curves").ToList();
        Assert.All(training, d => Assert.Equal(2, d.Descendants("polyline").Count()));   // train and validation loss
    }

    [Fact]
    public void Heatmap_has_strategies_as_rows_and_model_types_as_columns()
    {
        var (files, runs) = Build();
        var html = File.ReadAllText(files.Html);
        var heat = Fixture.SvgBlocks(html).Select(s => XDocument.Parse(s)).Single(d => d.Root!.Attribute("aria-label")!.Value == "macro_f1 (test set)");
        var texts = heat.Descendants("text").Select(t => t.Value).ToList();
        foreach (var label in new[] { "none", "class_weights", "focal", "cnn2d", "resnet1d" }) Assert.Contains(label, texts);
        var focal = runs.Single(r => r.Strategy == "focal").Metrics!.Intervals[MetricNames.MacroF1];
        Assert.Contains(CiFormatter.Format(focal.Point, focal.Lower, focal.Upper), texts);
        Assert.Equal(3, texts.Count(t => t == CiFormatter.NoValue));   // 3 strategies × 2 models, 3 runs: 3 empty cells
        Assert.Contains(heat.Descendants("title"), t => t.Value.Contains("protocol: " + runs[0].Protocol, StringComparison.Ordinal));
    }

    [Fact]
    public void Parameter_table_lists_only_differing_keys()
    {
        var (files, _) = Build();
        var html = File.ReadAllText(files.Html);
        int start = html.IndexOf("<table class=\"params\">", StringComparison.Ordinal);
        Assert.True(start >= 0);
        var table = html[start..(html.IndexOf("</table>", start, StringComparison.Ordinal) + 8)];
        var keys = Regex.Matches(table, "<tr><td>([^<]*)</td>").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("training.learning_rate", keys);
        Assert.Contains("model.type", keys);
        Assert.Contains("training.imbalance.strategy", keys);
        Assert.DoesNotContain("seed", keys);
        Assert.DoesNotContain("data.records", keys);
        Assert.DoesNotContain("training.batch_size", keys);
        Assert.Equal(ParameterDiff.DifferingKeys(RunLoader.Discover([Fixture.RunsRoot])), keys);
    }

    [Fact]
    public void Html_is_self_contained()
    {
        var (files, _) = Build();
        var html = File.ReadAllText(files.Html);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.DoesNotMatch(new Regex(@"\b(src|href)\s*=\s*[""']?\s*(https?:|//|file:)", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"\b(src|href)\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Text_from_run_records_is_escaped_everywhere()
    {
        var root = Fixture.CopyRuns();
        const string hostile = "<b onload=\"x\">A&B, \"q\" | y</b>";
        var runFile = Directory.EnumerateFiles(root, "run.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var node = JsonNode.Parse(File.ReadAllText(runFile))!;
        node["experiment"] = hostile;
        node["split"]!["protocol"] = "proto <&> \"x\"";
        node["resolved_config"]!["model"]!["type"] = "m<1>&";
        File.WriteAllText(runFile, node.ToJsonString());

        var (files, _) = Build(root);
        var html = File.ReadAllText(files.Html);
        Assert.DoesNotContain("<b onload", html);
        Assert.Contains("&lt;b onload=&quot;x&quot;&gt;A&amp;B", html);
        Assert.DoesNotContain("m<1>", html);
        Assert.All(Fixture.SvgBlocks(html), s => XDocument.Parse(s));

        var csv = Csv.Parse(File.ReadAllText(files.Csv));
        Assert.Contains(csv, r => r[0] == hostile && r[4] == "proto <&> \"x\"" && r[2] == "m<1>&");
        var md = File.ReadAllText(files.Markdown);
        Assert.DoesNotContain("<b onload", md);
        Assert.Contains("A&B, \"q\" \\| y", md);
        using var json = JsonDocument.Parse(File.ReadAllText(files.Json));
        Assert.Contains(json.RootElement.GetProperty("runs").EnumerateArray(), r => r.GetProperty("experiment").GetString() == hostile);
    }

    [Fact]
    public void Heatmap_metric_can_be_a_per_class_key()
    {
        var (files, runs) = Build(options: new ReportOptions { HeatmapMetric = "recall[HYP]" });
        var heat = Fixture.SvgBlocks(File.ReadAllText(files.Html)).Select(s => XDocument.Parse(s))
            .Single(d => d.Root!.Attribute("aria-label")!.Value == "recall[HYP] (test set)");
        var ci = runs[0].Metrics!.Intervals["recall[HYP]"];
        Assert.Contains(CiFormatter.Format(ci.Point, ci.Lower, ci.Upper), heat.Descendants("text").Select(t => t.Value));
    }

    [Fact]
    public void Empty_folder_is_an_error_that_names_it()
    {
        var empty = Fixture.TempDir("ecg-empty-");
        var e = Assert.Throws<EcgDataException>(() => ReportBuilder.Build([empty], Fixture.TempDir()));
        Assert.Contains(empty, e.Message);
    }
}

/// <summary>Runs that did not complete are reported as such in every format, and the completed rest is still reported.</summary>
public class IncompleteRunReportTests
{
    [Fact]
    public void Failed_interrupted_and_unreadable_runs_are_listed_apart_in_every_format_and_the_rest_is_reported()
    {
        var root = Fixture.CopyRuns();
        var records = Directory.GetFiles(root, "run.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.True(records.Count >= 3, "the fixture needs three runs");
        const string why = "record 17, lead II: \"NaN\",\r\nsecond line";   // quotes, a comma and a line break, as error messages may hold
        Edit(records[0], node =>
        {
            node["status"] = "failed";
            node["error"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "EcgDataException", ["message"] = why };
        });
        int epochs = 0;
        Edit(records[1], node =>
        {
            node["status"] = "interrupted";
            var history = node["history"]!.AsArray();
            epochs = history.Count;
            history[^1]!["partial"] = new System.Text.Json.Nodes.JsonObject { ["batches"] = 3, ["of"] = 10 };   // the stop cut the last epoch short
        });
        var unreadable = Path.Combine(root, "broken", "123456789abc");
        Directory.CreateDirectory(unreadable);
        File.WriteAllText(Path.Combine(unreadable, "run.json"), "{ \"format\": \"ecg-run\", \"trial_");

        var files = ReportBuilder.Build([root], Path.Combine(Fixture.TempDir(), "out"));
        Assert.Equal(records.Count - 2, files.RunCount);
        Assert.Equal(3, files.IncompleteCount);

        var md = File.ReadAllText(files.Markdown);
        Assert.Contains("## Runs that did not complete (3)", md);
        Assert.Contains("| failed | ", md);
        Assert.Contains($"| interrupted | {epochs - 1} | stopped on request after {epochs - 1} whole epoch(s) and part of the next:", md);
        Assert.Contains("| unreadable | 0 | ", md);
        Assert.Contains("record 17, lead II: \"NaN\", second line", md);   // one table row: the line break flattened

        var csv = Csv.Parse(File.ReadAllText(files.Csv));
        var header = csv[0].ToList();
        Assert.Equal(["status", "error"], header[^2..]);
        var byStatus = csv.Skip(1).GroupBy(r => r[header.IndexOf("status")]).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(why, Assert.Single(byStatus["failed"])[header.IndexOf("error")]);   // CR, LF, quotes and comma survive the round trip
        Assert.Single(byStatus["interrupted"]);
        Assert.Single(byStatus["unreadable"]);
        Assert.True(byStatus["completed"].Count > 0);

        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(files.Json))!;
        Assert.Equal(["failed", "interrupted", "unreadable"], json["incomplete_runs"]!.AsArray().Select(r => r!["status"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(json["runs"]!.AsArray(), r => Assert.Equal("completed", r!["status"]!.GetValue<string>()));

        var html = File.ReadAllText(files.Html);
        foreach (var status in new[] { "failed", "interrupted", "unreadable" }) Assert.Contains($"<tr data-status=\"{status}\">", html);
    }

    [Fact]
    public void A_trial_still_training_is_listed_in_progress_with_the_epoch_its_checkpoint_resumes_after()
    {
        var root = Fixture.CopyRuns();
        var experiment = Path.Combine(root, "tiny_beatgan");   // an experiment folder that holds only a checkpoint so far
        var key = new string('7', 64);
        using (var rng = EcgExperiments.Torch.torch.zeros([8]))
            new EcgExperiments.Training.TrainingCheckpoint
            {
                Key = key, Epoch = 31, Epochs = 100, Best = 0.93, BestEpoch = 30, SinceBest = 1, Seconds = 6700, WallSeconds = 6800, History = [],
                Rng = new EcgExperiments.Core.SplitMix64.Position(1, null), Items = new Dictionary<string, string>(),
                Model = new Dictionary<string, EcgExperiments.Torch.Tensor>(), BestModel = null, Optimizers = [], TorchRng = rng,
                WrittenUtc = new DateTime(2026, 12, 7, 14, 50, 0, DateTimeKind.Utc),
            }.Save(Path.Combine(experiment, EcgExperiments.Experiments.Running.ExperimentRunner.CheckpointFolder, "777777777777.ckpt"));

        var files = ReportBuilder.Build([root], Path.Combine(Fixture.TempDir(), "out"));
        Assert.Equal(1, files.IncompleteCount);
        var md = File.ReadAllText(files.Markdown);
        Assert.Contains("| tiny_beatgan | 777777777777 | — | — | in progress | 31 | training: checkpoint after epoch 31 of 100 (2026-12-07 14:50 UTC; 1 sitting, 1 h 53 min so far);", md);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(files.Json))!;
        Assert.Equal("in progress", Assert.Single(json["incomplete_runs"]!.AsArray())!["status"]!.GetValue<string>());

        // The experiment folder given alone, with no run record yet, is reported too.
        files = ReportBuilder.Build([experiment], Path.Combine(Fixture.TempDir(), "out"));
        Assert.Equal((0, 1), (files.RunCount, files.IncompleteCount));
    }

    [Fact]
    public void A_reproduction_resumed_over_sittings_shows_its_whole_wall_time_and_how_many_sittings_in_the_published_table()
    {
        var root = Fixture.CopyRuns();
        var records = Directory.GetFiles(root, "run.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var spec = Path.Combine(Fixture.TempDir(), "reference.yaml");
        File.WriteAllText(spec, "name: reference\nexpect:\n  - { metric: accuracy, target: 0.5, tolerance: 0.5, note: fixture }\n");
        Edit(records[0], node =>
        {
            node["spec_file"] = spec;
            node["timings"]!["total_seconds"] = 6 * 3600 + 5 * 60 + 30.0;
            node["timings"]!["sittings"] = 3;
        });
        Edit(records[1], node => node["spec_file"] = spec);   // one sitting: the wall time alone

        var md = File.ReadAllText(ReportBuilder.Build([root], Path.Combine(Fixture.TempDir(), "out")).Markdown);
        var rows = md.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains("| accuracy | 0.5000 ± 0.5000 |")).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Single(rows, r => r.Contains("| 6 h 05 min in 3 sittings |"));
        Assert.Single(rows, r => !r.Contains("sittings"));
    }

    private static void Edit(string runJson, Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(runJson))!.AsObject();
        edit(node);
        File.WriteAllText(runJson, node.ToJsonString());
    }
}
