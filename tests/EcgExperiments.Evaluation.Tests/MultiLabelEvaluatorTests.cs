using System.Text.Json;

namespace EcgExperiments.Evaluation.Tests;

/// <summary>
/// Multi-label metrics against scikit-learn and an independent numpy F-max (Golden/multilabel_goldens.json, written by
/// tools/golden/make_multilabel_goldens.py), plus the invariants the bootstrap and the thresholds must keep.
/// </summary>
public sealed class MultiLabelEvaluatorTests
{
    private const double Tol = 1e-9;
    private static readonly JsonElement Doc =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "multilabel_goldens.json"))).RootElement;

    public static TheoryData<int> Cases() => new() { 0, 1 };

    private static bool[][] Targets(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetInt32() == 1).ToArray()).ToArray();
    private static double[][] Scores(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
    private static double? N(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();
    private static double?[] Ns(JsonElement e) => e.EnumerateArray().Select(N).ToArray();

    private static void Close(double? expected, double? actual, string what)
    {
        if (expected is null) { Assert.True(actual is null, $"{what}: expected null, got {actual}"); return; }
        Assert.True(actual.HasValue, $"{what}: expected {expected}, got null");
        Assert.True(Math.Abs(expected.Value - actual!.Value) <= Tol * Math.Max(1, Math.Abs(expected.Value)), $"{what}: expected {expected:R}, got {actual:R}");
    }

    private static (MultiLabelScores Val, MultiLabelScores Test, bool[][] Train) Load(JsonElement c)
    {
        var names = c.GetProperty("labels").EnumerateArray().Select(x => x.GetString()!).ToArray();
        var val = MultiLabelScores.ForValidation(Targets(c.GetProperty("val_targets")), Scores(c.GetProperty("val_scores")), names);
        var test = MultiLabelScores.ForTest(Targets(c.GetProperty("test_targets")), Scores(c.GetProperty("test_scores")), names);
        return (val, test, Targets(c.GetProperty("train_targets")));
    }

    private static void AssertMatches(JsonElement g, MultiLabelReport r, string who)
    {
        var auc = Ns(g.GetProperty("roc_auc"));
        var ap = Ns(g.GetProperty("average_precision"));
        var thresholds = g.GetProperty("thresholds").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var fallback = g.GetProperty("threshold_is_fallback").EnumerateArray().Select(x => x.GetBoolean()).ToArray();
        var f1 = Ns(g.GetProperty("f1"));
        var precision = Ns(g.GetProperty("precision"));
        var recall = Ns(g.GetProperty("recall"));
        for (int l = 0; l < r.PerLabel.Count; l++)
        {
            var m = r.PerLabel[l];
            Close(auc[l], m.RocAuc, $"{who} roc_auc[{m.Name}]");
            Close(ap[l], m.AveragePrecision, $"{who} average_precision[{m.Name}]");
            Close(thresholds[l], m.Threshold.Value, $"{who} threshold[{m.Name}]");
            Assert.Equal(fallback[l], m.Threshold.IsFallback);
            Close(f1[l], m.F1, $"{who} f1[{m.Name}]");
            Close(precision[l], m.Precision, $"{who} precision[{m.Name}]");
            Close(recall[l], m.Recall, $"{who} recall[{m.Name}]");
        }
        Close(N(g.GetProperty("macro_roc_auc")), r.MacroRocAuc, $"{who} macro AUC");
        Close(N(g.GetProperty("micro_roc_auc")), r.MicroRocAuc, $"{who} micro AUC");
        Close(N(g.GetProperty("macro_average_precision")), r.MacroAveragePrecision, $"{who} macro AP");
        Close(g.GetProperty("macro_f1").GetDouble(), r.MacroF1, $"{who} macro F1");
        Close(g.GetProperty("micro_f1").GetDouble(), r.MicroF1, $"{who} micro F1");
        Close(g.GetProperty("hamming_loss").GetDouble(), r.HammingLoss, $"{who} Hamming loss");
        var fmax = g.GetProperty("fmax");
        Close(fmax.GetProperty("value").GetDouble(), r.Fmax.Value, $"{who} F-max");
        Close(N(fmax.GetProperty("threshold")), r.Fmax.Threshold, $"{who} F-max threshold");
        Close(N(fmax.GetProperty("precision")), r.Fmax.Precision, $"{who} F-max precision");
        Close(N(fmax.GetProperty("recall")), r.Fmax.Recall, $"{who} F-max recall");
        Close(N(fmax.GetProperty("coverage")), r.Fmax.Coverage, $"{who} F-max coverage");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Metrics_thresholds_and_prevalence_baseline_match_sklearn_and_numpy(int index)
    {
        var c = Doc.GetProperty("cases")[index];
        var (val, test, train) = Load(c);

        var r = MultiLabelEvaluator.Evaluate(val, test, new MultiLabelEvaluationOptions { TrainingTargets = train });

        AssertMatches(c.GetProperty("model"), r, "model");
        Assert.Equal(LabelPrevalenceBaseline.Kind, r.BaselineKind);
        AssertMatches(c.GetProperty("baseline"), r.Baseline!, "baseline");
        Assert.All(r.Baseline!.PerLabel.Where(l => l.RocAuc.HasValue), l => Assert.Equal(0.5, l.RocAuc));
    }

    /// <summary>The per-epoch validation metrics are the golden threshold-free metrics of the same scores.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Threshold_free_ranking_matches_sklearn_and_numpy_without_fitting_thresholds(int index)
    {
        var c = Doc.GetProperty("cases")[index];
        var (_, test, _) = Load(c);
        var g = c.GetProperty("model");
        var ranking = MultiLabelEvaluator.Ranking(test);
        Close(N(g.GetProperty("macro_roc_auc")), ranking.MacroRocAuc, "macro AUC");
        Close(N(g.GetProperty("micro_roc_auc")), ranking.MicroRocAuc, "micro AUC");
        Close(N(g.GetProperty("macro_average_precision")), ranking.MacroAveragePrecision, "macro AP");
        Close(g.GetProperty("fmax").GetProperty("value").GetDouble(), ranking.Fmax, "F-max");
        // validation-tagged scores are ranked the same way: nothing here is fitted on them
        var names = c.GetProperty("labels").EnumerateArray().Select(x => x.GetString()!).ToArray();
        var asValidation = MultiLabelScores.ForValidation(Targets(c.GetProperty("test_targets")), Scores(c.GetProperty("test_scores")), names);
        Assert.Equal(ranking, MultiLabelEvaluator.Ranking(asValidation));
    }

    [Fact]
    public void A_label_absent_from_validation_and_test_gets_the_fallback_threshold_and_is_left_out_of_macro_AUC()
    {
        var (val, test, _) = Load(Doc.GetProperty("cases")[1]);
        var r = MultiLabelEvaluator.Evaluate(val, test);
        Assert.Equal(["L1"], r.UndefinedAucLabels);
        var l1 = r.PerLabel[1];
        Assert.Equal((0, 0.5, true), (l1.Support, l1.Threshold.Value, l1.Threshold.IsFallback));
        Assert.Contains("validation holds 0 positives", l1.Threshold.Note);
        Assert.Equal(r.PerLabel.Where(l => l.RocAuc.HasValue).Average(l => l.RocAuc!.Value), r.MacroRocAuc!.Value, 12);
    }

    [Fact]
    public void Bootstrap_intervals_equal_the_metrics_recomputed_on_each_materialised_resample()
    {
        var (val, test, _) = Load(Doc.GetProperty("cases")[0]);
        var bootstrap = new BootstrapOptions { Seed = 5, Resamples = 40, Level = 0.9 };
        var r = MultiLabelEvaluator.Evaluate(val, test, new MultiLabelEvaluationOptions { Bootstrap = bootstrap });

        // Recompute every resample by building the resampled test set explicitly and evaluating it without bootstrap:
        // the weighted fast path must give the same distribution.
        var plan = BootstrapPlan.Recreate(r.Resamples!, level: 0.9);
        var perMetric = new Dictionary<string, List<double>>();
        int skipped = 0;
        for (int k = 0; k < plan.Resamples; k++)
        {
            var idx = plan.Indices(k);
            var t = Enumerable.Range(0, test.LabelCount).ToArray();
            var targets = idx.Select(i => t.Select(l => test.Target(i, l)).ToArray()).ToArray();
            var scores = idx.Select(i => t.Select(l => test.Score(i, l)).ToArray()).ToArray();
            if (t.Any(l => test.Support(l) > 0 && targets.All(row => !row[l]))) { skipped++; continue; }
            var one = MultiLabelEvaluator.Evaluate(val, MultiLabelScores.ForTest(targets, scores, test.LabelNames));
            foreach (var row in one.ToTable().Where(e => e.Value.HasValue && e.Metric is not (MetricNames.Precision or MetricNames.Recall)))
            {
                var key = row.Class is null ? row.Metric : MetricNames.PerClass(row.Metric, row.Class);
                if (!perMetric.TryGetValue(key, out var list)) perMetric[key] = list = [];
                list.Add(row.Value!.Value);
            }
        }
        foreach (var key in new[] { MetricNames.MacroRocAuc, MetricNames.MicroRocAuc, MetricNames.Fmax, MetricNames.MacroF1, MetricNames.HammingLoss, "roc_auc[L1]", "f1[L3]" })
        {
            var expected = new BootstrapDistribution(null, perMetric[key], plan.Resamples, plan.Resamples - perMetric[key].Count).Interval(0.9);
            var ci = r.Intervals[key];
            Assert.Equal(IntervalMethods.PercentileBootstrap, ci.Method);
            Assert.Equal(expected.Lower!.Value, ci.Lower!.Value, 12);
            Assert.Equal(expected.Upper!.Value, ci.Upper!.Value, 12);
            Assert.True(ci.Skipped >= skipped, key);
        }
        Assert.Equal(IntervalMethods.Wilson, r.Intervals["recall[L0]"].Method);
        Assert.True(r.Intervals[MetricNames.MacroRocAuc].Contains(r.MacroRocAuc!.Value));
    }

    [Fact]
    public void Tidy_table_has_aggregates_then_per_label_rows_and_the_report_round_trips_through_json()
    {
        var c = Doc.GetProperty("cases")[0];
        var (val, test, train) = Load(c);
        var r = MultiLabelEvaluator.Evaluate(val, test, new MultiLabelEvaluationOptions
        {
            TrainingTargets = train,
            Bootstrap = new BootstrapOptions { Seed = 1, Resamples = 30 },
        });
        var table = r.ToTable();
        Assert.Equal(["macro_roc_auc", "micro_roc_auc", "macro_average_precision", "f_max", "macro_f1", "micro_f1", "hamming_loss"],
            table.Take(7).Select(e => e.Metric));
        Assert.All(table.Take(7), e => Assert.Null(e.Class));
        Assert.Equal(7 + 5 * 5, table.Count);
        var aucL2 = Assert.Single(table, e => e.Metric == MetricNames.RocAuc && e.Class == "L2");
        Assert.Equal((r.PerLabel[2].RocAuc, IntervalMethods.PercentileBootstrap, 0.95), (aucL2.Value, aucL2.Method, aucL2.Level));
        Assert.True(MetricNames.LowerIsBetter(MetricNames.HammingLoss));

        string json = MetricJson.Serialize(r);
        var back = MetricJson.Deserialize<MultiLabelReport>(json);
        Assert.Equal(json, MetricJson.Serialize(back));
        Assert.Equal(table, back.ToTable());
        Assert.Equal(r.Baseline!.ToTable(), back.Baseline!.ToTable());
        Assert.Equal(MultiLabelReport.TaskName, back.Task);
    }

    [Fact]
    public void Thresholds_come_from_validation_only_and_bad_inputs_are_refused_with_a_reason()
    {
        var (val, test, _) = Load(Doc.GetProperty("cases")[0]);
        var ex = Assert.Throws<InvalidOperationException>(() => MultiLabelThresholds.Fit(test, ThresholdRule.BestF1));
        Assert.Contains("chosen on validation scores", ex.Message);

        // the same scores presented as test: refused
        var t = Enumerable.Range(0, val.Count).Select(i => Enumerable.Range(0, val.LabelCount).Select(l => val.Target(i, l)).ToArray()).ToArray();
        var s = Enumerable.Range(0, val.Count).Select(i => Enumerable.Range(0, val.LabelCount).Select(l => val.Score(i, l)).ToArray()).ToArray();
        var same = MultiLabelScores.ForTest(t, s, val.LabelNames);
        Assert.Contains("identical to the validation scores", Assert.Throws<InvalidOperationException>(() => MultiLabelEvaluator.Evaluate(val, same)).Message);

        // logits are not probabilities: F-max would threshold them on the wrong scale
        var logits = MultiLabelScores.ForTest([[true, false]], [[2.5, -1.0]], ["A", "B"]);
        var v2 = MultiLabelScores.ForValidation([[true, false], [false, true]], [[0.9, 0.1], [0.2, 0.8]], ["A", "B"]);
        Assert.Contains("pass sigmoid outputs", Assert.Throws<ArgumentException>(() => MultiLabelEvaluator.Evaluate(v2, logits)).Message);

        var stratified = new MultiLabelEvaluationOptions { Bootstrap = new BootstrapOptions { Stratified = true } };
        Assert.Contains("stratified: false", Assert.Throws<ArgumentException>(() => MultiLabelEvaluator.Evaluate(val, test, stratified)).Message);

        var other = MultiLabelScores.ForTest([[true, false]], [[0.5, 0.5]], ["A", "C"]);
        Assert.Contains("differ from test labels", Assert.Throws<ArgumentException>(() => MultiLabelEvaluator.Evaluate(v2, other)).Message);
    }

    [Fact]
    public void Perfect_scores_reach_one_and_the_constant_prevalence_scorer_stays_at_chance()
    {
        // three labels, scores equal to the targets: every ranking metric and F-max is 1, Hamming loss 0
        bool[][] y = [[true, false, false], [false, true, true], [true, true, false], [false, false, true], [true, false, true], [false, true, false]];
        double[][] s = y.Select(r => r.Select(b => b ? 0.9 : 0.1).ToArray()).ToArray();
        var val = MultiLabelScores.ForValidation(y, s, ["A", "B", "C"]);
        var test = MultiLabelScores.ForTest(y.Reverse().ToArray(), s.Reverse().ToArray(), ["A", "B", "C"]);
        var r = MultiLabelEvaluator.Evaluate(val, test, new MultiLabelEvaluationOptions { TrainingTargets = y });
        Assert.Equal((1.0, 1.0, 1.0, 1.0, 0.0), (r.MacroRocAuc!.Value, r.MicroRocAuc!.Value, r.Fmax.Value, r.MacroF1, r.HammingLoss));
        Assert.Equal(0.5, r.Baseline!.MacroRocAuc);
        // prevalence 0.5 everywhere: the baseline predicts every label, F1 = 2p/(1 + p) = 2/3 per label
        Assert.Equal(2.0 / 3, r.Baseline.MacroF1, 12);
        Assert.Equal(0.5, r.Baseline.HammingLoss, 12);
    }
}
