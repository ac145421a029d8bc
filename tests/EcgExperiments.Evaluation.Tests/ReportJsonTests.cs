using System.Text.Json.Nodes;
using EcgExperiments.Core;

namespace EcgExperiments.Evaluation.Tests;

public sealed class ReportJsonTests
{
    private static MetricReport FullReport()
    {
        var rng = new Random(9);
        int n = 120;
        var y = new int[n];
        var p = new double[n];
        for (int i = 0; i < n; i++) { y[i] = rng.Next(2); p[i] = Math.Round(Math.Clamp(0.3 + 0.4 * y[i] + 0.3 * (rng.NextDouble() - 0.5), 0, 1), 2); }
        var s = ClassificationScores.Binary(y, p, ["NORM", "HYP"], positiveClass: 1, threshold: 0.45);
        return ClassificationEvaluator.Evaluate(s, new EvaluationOptions
        {
            TrainingLabels = y.Take(80).ToArray(),
            Bootstrap = new BootstrapOptions { Seed = 2, Resamples = 50, Level = 0.9 },
        });
    }

    [Fact]
    public void Metric_report_round_trips_through_json()
    {
        var r = FullReport();
        string json = MetricJson.Serialize(r);
        var back = MetricJson.Deserialize<MetricReport>(json);
        Assert.Equal(json, MetricJson.Serialize(back));
        Assert.Equal(r.Confusion, back.Confusion);
        Assert.Equal(r.Aggregates, back.Aggregates);
        Assert.Equal(r.Resamples, back.Resamples);
        Assert.Equal(r.Intervals[MetricNames.RocAuc], back.Intervals[MetricNames.RocAuc]);
        Assert.Equal(r.Intervals, back.Intervals);   // methods included: Wilson ones stay Wilson
        Assert.Equal(r.ToTable(), back.ToTable());
        Assert.Equal(double.PositiveInfinity, back.Curves![0].Roc!.Thresholds[0]);
        Assert.Equal(r.Baseline!.Aggregates, back.Baseline!.Aggregates);
        Assert.Equal(0.45, back.DecisionThreshold);
    }

    [Fact]
    public void Json_names_are_camel_case_and_enums_are_strings()
    {
        var node = JsonNode.Parse(MetricJson.Serialize(FullReport()))!;
        Assert.Equal(MetricReport.CurrentFormatVersion, node["formatVersion"]!.GetValue<int>());
        Assert.Equal("wilson", node["intervals"]!["recall[HYP]"]!["method"]!.GetValue<string>());
        Assert.Equal("percentile_bootstrap", node["intervals"]!["roc_auc"]!["method"]!.GetValue<string>());
        Assert.Equal("HYP", node["positiveClass"]!.GetValue<string>());
        Assert.Equal("positiveClass", node["calibration"]!["target"]!.GetValue<string>());
        Assert.NotNull(node["perClass"]![1]!["rocAuc"]);
        Assert.NotNull(node["intervals"]!["f1[HYP]"]!["lower"]);
    }

    [Fact]
    public void A_report_from_a_newer_format_is_refused_with_a_clear_message()
    {
        var node = JsonNode.Parse(MetricJson.Serialize(FullReport()))!;
        node["formatVersion"] = MetricReport.CurrentFormatVersion + 1;
        var e = Assert.Throws<EcgDataException>(() => MetricJson.Deserialize<MetricReport>(node.ToJsonString(), "results/t1/metrics.json"));
        Assert.Contains("results/t1/metrics.json", e.Message);
        Assert.Contains($"version {MetricReport.CurrentFormatVersion + 1}", e.Message);
    }

    [Fact]
    public void A_version_1_report_without_interval_methods_loads_as_bootstrap_intervals()
    {
        // Version 1 (before Wilson intervals) stored every interval without "method"; they were all percentile bootstrap.
        var node = JsonNode.Parse(MetricJson.Serialize(FullReport()))!;
        node["formatVersion"] = 1;
        foreach (var (_, ci) in node["intervals"]!.AsObject()) ci!.AsObject().Remove("method");
        Assert.DoesNotContain("\"method\"", node.ToJsonString());
        var back = MetricJson.Deserialize<MetricReport>(node.ToJsonString(), "old/metrics.json");
        Assert.Equal(1, back.FormatVersion);
        Assert.All(back.Intervals.Values, ci => Assert.Equal(IntervalMethods.PercentileBootstrap, ci.Method));
        Assert.All(back.ToTable().Where(e => e.Lower is not null), e => Assert.Equal(IntervalMethods.PercentileBootstrap, e.Method));
    }

    [Fact]
    public void Table_rows_carry_values_and_intervals()
    {
        var r = FullReport();
        var rows = r.ToTable();
        var acc = rows.Single(x => x.Metric == MetricNames.Accuracy && x.Class is null);
        Assert.Equal(r.Aggregates.Accuracy, acc.Value);
        Assert.Equal(r.Intervals[MetricNames.Accuracy].Lower, acc.Lower);
        Assert.Equal(0.9, acc.Level);
        var recallHyp = rows.Single(x => x.Metric == MetricNames.Recall && x.Class == "HYP");
        Assert.Equal(r.PerClass[1].Recall, recallHyp.Value);
        Assert.Equal(13 + 2 * 6, rows.Count);
    }

    [Fact]
    public void Threshold_rules_serialise_with_a_discriminator()
    {
        var t = ThresholdSelector.Fit(BinaryScores.ForValidation([true, false], [0.7, 0.2]), ThresholdRule.FixedAt(0.4));
        string json = System.Text.Json.JsonSerializer.Serialize(t, MetricJson.Options);
        Assert.Contains("\"rule\": \"fixed\"", json);
        var back = System.Text.Json.JsonSerializer.Deserialize<DecisionThreshold>(json, MetricJson.Options)!;
        Assert.Equal(t, back);
        Assert.Equal(new FixedRule(0.4), back.Rule);
    }
}
