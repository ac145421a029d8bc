using System.Globalization;
using System.Text.Json.Nodes;
using CsvHelper;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports.Tests;

/// <summary>
/// Reports over a real multi-label sweep: the runs load from their tables (metrics.json is a multi-label report, not a
/// classification one), the summary's headline columns are the multi-label metrics and one ROC-AUC per label, the
/// heat map shows macro ROC-AUC, the tidy CSV has a row per label, and the comparison section says why the runs are
/// not paired.
/// </summary>
public class MultiLabelReportTests
{
    private static IReadOnlyList<RunRecord> Runs() => RunLoader.Discover([Fixture.MultiLabelRoot]);

    private static readonly string[] Labels = ["CD", "HYP", "MI", "NORM", "STTC"];

    [Fact]
    public void Multi_label_runs_load_their_tables_and_the_prevalence_baseline()
    {
        var runs = Runs();
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r =>
        {
            Assert.Equal(TaskLayouts.MultiLabel, r.Task);
            Assert.Null(r.Metrics);
            Assert.Equal(LabelPrevalenceBaseline.Kind, r.BaselineKind);
            Assert.Equal(0.5, MetricLookup.Find(r.BaselineTable, MetricNames.MacroRocAuc)!.Value);
            Assert.Equal(Labels, r.Table.Where(e => e.Metric == MetricNames.RocAuc).Select(e => e.Class));
            // the run's metrics.json is the multi-label report its table came from
            var report = MetricJson.Deserialize<MultiLabelReport>(File.ReadAllText(Path.Combine(r.Folder, "metrics.json")));
            Assert.Equal(report.ToTable().Select(e => (e.Metric, e.Class, e.Value)), r.Table.Where(e => e.Metric != "parameters").Select(e => (e.Metric, e.Class, e.Value)));
        });
        Assert.Equal(["class_weights", "none"], runs.Select(r => r.Strategy).Order());
    }

    [Fact]
    public void The_report_shows_multi_label_headlines_heat_map_and_tidy_rows_per_label()
    {
        var runs = Runs();
        var files = ReportBuilder.Write(runs, Fixture.TempDir(), new ReportOptions { HeatmapMetric = MetricNames.Accuracy });
        var md = File.ReadAllText(files.Markdown);
        Assert.Contains("## Multi-label classification (2 run(s))", md);
        Assert.Contains("| Macro ROC-AUC | Micro ROC-AUC | F-max | Macro F1 | Hamming loss | AUC CD | AUC HYP | AUC MI | AUC NORM | AUC STTC |", md);
        Assert.Contains("| label prevalence (training targets) | 0.500 |", md);
        Assert.Contains("multi-label runs are compared by their intervals only", md);

        var html = File.ReadAllText(files.Html);
        // accuracy is no multi-label metric: the heat map falls back to the task's own and says so
        Assert.Contains("(accuracy is not reported by multi_label runs; showing macro_roc_auc.)", html);

        using var reader = new CsvReader(new StreamReader(files.Csv), CultureInfo.InvariantCulture);
        var rows = reader.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        Assert.All(rows, r => Assert.Equal("multi_label", r["task"]));
        foreach (var run in runs)
        {
            var perLabel = rows.Where(r => (string)r["trial"] == run.TrialKey && (string)r["scope"] == "model" && (string)r["metric"] == "roc_auc").ToList();
            Assert.Equal(Labels, perLabel.Select(r => (string)r["class"]));
            Assert.Equal(run.Table.Where(e => e.Metric == "roc_auc").Select(e => e.Value!.Value), perLabel.Select(r => double.Parse((string)r["point"], CultureInfo.InvariantCulture)));
        }
        var json = JsonNode.Parse(File.ReadAllText(files.Json))!;
        Assert.Equal(["multi_label"], json["tasks"]!.AsArray().Select(t => t!.GetValue<string>()));
    }
}
