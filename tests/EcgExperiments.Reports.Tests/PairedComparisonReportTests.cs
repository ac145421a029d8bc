using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports.Tests;

/// <summary>
/// Paired comparisons in reports, on a real two-axis sweep (Fixtures/sweep): runs are paired by example id on one test
/// set, each against the reference strategy of its own architecture; the numbers are those of the Evaluation tests
/// applied to the runs' own predictions; Holm works across the runs compared; Markdown, CSV and JSON carry the same
/// rows; runs of another test set are never paired; and a test set too small for its differences gets a warning.
/// </summary>
public sealed class PairedComparisonReportTests
{
    private static IReadOnlyList<RunRecord> SweepRuns() => RunLoader.Discover([Fixture.SweepRoot]);

    private static RunRecord Run(IReadOnlyList<RunRecord> runs, string model, string strategy) =>
        runs.Single(r => r.ModelType == model && r.Strategy == strategy);

    private static double? Num(string s) => s.Length == 0 ? null : double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>predictions.csv read here independently of the report code: id → (label, p_HYP).</summary>
    private static Dictionary<string, (string label, double pHyp)> Predictions(RunRecord run) =>
        File.ReadAllLines(Path.Combine(run.Folder, "predictions.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => f[0], f => (f[2], double.Parse(f[4], CultureInfo.InvariantCulture)));

    [Fact]
    public void Each_strategy_is_compared_with_none_of_its_own_architecture_on_the_one_test_set()
    {
        var runs = SweepRuns();
        var c = RunComparisons.Build(runs, new ReportOptions());
        var set = Assert.Single(c.TestSets);
        Assert.Equal((32, "NORM 23, HYP 9"), (set.ExampleCount!.Value, string.Join(", ", set.ClassCounts.Select(k => $"{k.Key} {k.Value}"))));
        Assert.StartsWith("Reference: training.imbalance = none, the spec's first value (the sweep's first trial) (training.imbalance has the most values of the swept keys model, training.imbalance)", set.Reference);
        var pairs = c.Rows.Select(r => (r.RunName, r.ReferenceName)).Distinct().ToList();
        Assert.Equal([("cnn2d · class_weights", "cnn2d · none"), ("cnn2d · focal", "cnn2d · none"), ("resnet1d · class_weights", "resnet1d · none"), ("resnet1d · focal", "resnet1d · none")],
            pairs.Order());
        // Five headline metrics per pair, each with the test that suits it.
        Assert.Equal(4 * 5, c.Rows.Count);
        Assert.All(c.Rows.Where(r => r.Key is "accuracy" or "recall[NORM]" or "recall[HYP]"), r => Assert.Equal(ComparisonTests.McNemarExact, r.Test));
        Assert.All(c.Rows.Where(r => r.Key == "roc_auc"), r => Assert.Equal(ComparisonTests.DeLong, r.Test));
        Assert.All(c.Rows.Where(r => r.Key == "macro_f1"), r => Assert.Equal(ComparisonTests.PairedPermutation, r.Test));
        Assert.Empty(c.Notes);
    }

    [Fact]
    public void Comparison_numbers_are_the_runs_own_metrics_and_tests_recomputed_from_their_predictions()
    {
        var runs = SweepRuns();
        var c = RunComparisons.Build(runs, new ReportOptions());
        var (run, reference) = (Run(runs, "cnn2d", "class_weights"), Run(runs, "cnn2d", "none"));
        var rows = c.Rows.Where(r => r.Run == run.TrialKey).ToDictionary(r => r.Key);
        // Values on the full test set are the ones each run reported itself (alignment by id changed nothing).
        Assert.Equal(run.Metrics!.Aggregates.MacroF1, rows["macro_f1"].RunValue!.Value, 12);
        Assert.Equal(reference.Metrics!.Aggregates.MacroF1, rows["macro_f1"].ReferenceValue!.Value, 12);
        Assert.Equal(run.Metrics.Aggregates.RocAuc!.Value - reference.Metrics.Aggregates.RocAuc!.Value, rows["roc_auc"].Difference!.Value, 12);

        // McNemar from the two prediction files, paired by id here.
        var a = Predictions(run);
        var b = Predictions(reference);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        bool Correct((string label, double p) x) => (x.p >= 0.5 ? "HYP" : "NORM") == x.label;
        long onlyRun = a.Keys.Count(k => Correct(a[k]) && !Correct(b[k])), onlyRef = a.Keys.Count(k => Correct(b[k]) && !Correct(a[k]));
        Assert.Equal(McNemarTest.Exact(onlyRun, onlyRef).PValue, rows["accuracy"].P);
        Assert.Equal($"{onlyRun} right only by the first, {onlyRef} only by the second", rows["accuracy"].Detail);
        var ids = a.Keys.Order(StringComparer.Ordinal).ToList();
        var delong = DeLongTest.Compare(ids.Select(k => a[k].label == "HYP").ToArray(), ids.Select(k => a[k].pHyp).ToArray(), ids.Select(k => b[k].pHyp).ToArray());
        Assert.Equal(delong.PValue, rows["roc_auc"].P);
        Assert.Equal(delong.Z, rows["roc_auc"].Statistic);
        // The paired interval holds the observed difference.
        Assert.All(rows.Values, r => Assert.InRange(r.Difference!.Value, r.Lower!.Value, r.Upper!.Value));
    }

    [Fact]
    public void Holm_adjusts_each_metric_across_the_runs_compared_on_the_test_set()
    {
        var c = RunComparisons.Build(SweepRuns(), new ReportOptions());
        foreach (var family in c.Rows.GroupBy(r => r.Key))
        {
            var list = family.ToList();
            Assert.Equal(4, list.Count);
            var expected = MultipleComparisons.Holm(list.Select(r => r.P).ToList());
            Assert.Equal(expected, list.Select(r => r.AdjustedP));
        }
        // cnn2d: none beats both weighted strategies beyond chance; resnet1d class_weights vs none is a draw.
        Assert.True(c.Rows.Single(r => r.RunName == "cnn2d · focal" && r.Key == "accuracy").Significant);
        Assert.False(c.Rows.Single(r => r.RunName == "resnet1d · class_weights" && r.Key == "macro_f1").Significant);
    }

    [Fact]
    public void Verdicts_say_which_run_is_better_and_whether_it_is_real()
    {
        var c = RunComparisons.Build(SweepRuns(), new ReportOptions());
        Assert.Equal(4, c.Verdicts.Count);
        var draw = c.Verdicts.Single(v => v.Text.StartsWith("resnet1d · class_weights vs resnet1d · none", StringComparison.Ordinal));
        Assert.Matches(@"^resnet1d · class_weights vs resnet1d · none: Macro F1 −0\.057 \[−0\.\d{3}, \+0\.\d{3}\], not significant \(permutation p = 0\.\d+, Holm-adjusted 0\.\d+\); 9 HYP test examples$", draw.Text);
        Assert.False(draw.Significant);
        var win = c.Verdicts.Single(v => v.Text.StartsWith("cnn2d · focal vs cnn2d · none", StringComparison.Ordinal));
        Assert.Matches(@"^cnn2d · focal vs cnn2d · none: Macro F1 −0\.481 \[−0\.\d{3}, −0\.\d{3}\], significant: cnn2d · none is better \(permutation p = 0\.\d+, Holm-adjusted 0\.\d+\); significant on Accuracy −0\.500 \(McNemar, Holm-adjusted p 0\.\d+\), Recall NORM −0\.826 .*; 9 HYP test examples$", win.Text);
        Assert.True(win.Significant);
        Assert.Empty(c.Warnings);   // there are significant differences: the test set did resolve something
    }

    [Fact]
    public void Markdown_csv_and_json_carry_the_same_comparisons()
    {
        var runs = SweepRuns();
        var files = ReportBuilder.Write(runs, Fixture.TempDir());
        var csv = Csv.Parse(File.ReadAllText(files.ComparisonsCsv));
        Assert.Equal(ComparisonRow.Columns, csv[0]);
        var body = csv.Skip(1).ToList();
        Assert.Equal(files.ComparisonCount, body.Count);
        Assert.Equal(20, body.Count);
        int Col(string name) => ComparisonRow.Columns.ToList().IndexOf(name);

        var md = File.ReadAllText(files.Markdown).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var mdRows = md.SkipWhile(l => l != "## Paired comparisons").Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| Run |", StringComparison.Ordinal)).ToList();
        Assert.Equal(body.Count, mdRows.Count);
        using var json = JsonDocument.Parse(File.ReadAllText(files.Json));
        var jsonRows = json.RootElement.GetProperty("comparisons").GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(body.Count, jsonRows.Count);
        for (int i = 0; i < body.Count; i++)
        {
            var r = body[i];
            string key = r[Col("class")].Length == 0 ? r[Col("metric")] : $"{r[Col("metric")]}[{r[Col("class")]}]";
            var cells = mdRows[i].Trim('|').Split(" | ").Select(x => x.Trim()).ToList();
            Assert.Equal([r[Col("run_name")], r[Col("reference_name")], key], cells.Take(3));
            Assert.Equal(CiFormatter.FormatDifference(Num(r[Col("difference")]), Num(r[Col("lower")]), Num(r[Col("upper")])), cells[3]);
            Assert.Equal(CiFormatter.FormatP(Num(r[Col("p")])).Replace("<", "&lt;"), cells[5]);
            Assert.Equal(CiFormatter.FormatP(Num(r[Col("adjusted_p")])).Replace("<", "&lt;"), cells[6].Trim('*'));
            Assert.Equal(Num(r[Col("adjusted_p")]), jsonRows[i].GetProperty("adjusted_p").GetDouble());
            Assert.Equal(r[Col("test")], jsonRows[i].GetProperty("test").GetString());
            Assert.Equal(Num(r[Col("difference")]), jsonRows[i].GetProperty("difference").GetDouble());
        }
        Assert.All(body, r => Assert.Equal(("paired_percentile_bootstrap", "holm"), (r[Col("interval_method")], r[Col("adjustment")])));
        // The verdicts are in the Markdown as a list under the table.
        Assert.Equal(4, md.Count(l => l.StartsWith("- ", StringComparison.Ordinal) && l.Contains(" vs ", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_page_has_one_baseline_row_for_the_test_set_the_comparison_table_and_the_overlaid_charts()
    {
        var runs = SweepRuns();
        var files = ReportBuilder.Write(runs, Fixture.TempDir());
        var html = File.ReadAllText(files.Html);
        Assert.Equal(1, html.Split("<tr class=\"baseline\">").Length - 1);
        Assert.Contains("<table class=\"comparisons\" data-test-set=\"A\">", html);
        // A cell per run × metric, bold where significant after Holm.
        var c = RunComparisons.Build(runs, new ReportOptions());
        Assert.Equal(c.Rows.Count, Regex.Matches(html, "<td class=\"num cmp").Count);
        Assert.Equal(c.Rows.Count(r => r.Significant), Regex.Matches(html, "<td class=\"num cmp sig\"").Count);
        var svgs = Fixture.SvgBlocks(html).Select(s => XDocument.Parse(s)).ToList();
        string Label(XDocument d) => d.Root!.Attribute("aria-label")!.Value;
        Assert.Equal(runs.Count, svgs.Single(d => Label(d) == "ROC HYP, all runs").Descendants("polyline").Count());
        Assert.Equal(runs.Count, svgs.Single(d => Label(d) == "Precision–recall HYP, all runs").Descendants("polyline").Count());
        Assert.Equal(2 * runs.Count, svgs.Single(d => Label(d) == "Training curves, all runs").Descendants("polyline").Count());   // validation + training

        // Parallel coordinates: the two swept keys and the metric, one line per run, its tooltip naming the run.
        var parallel = svgs.Single(d => Label(d) == "Parameters → Macro F1");
        var axisNames = parallel.Descendants("text").Where(t => t.Attribute("font-weight") is not null).Select(t => t.Value).ToList();
        Assert.Equal(["Parameters → Macro F1", "model", "training.imbalance", "Macro F1 (test)"], axisNames);
        var lines = parallel.Descendants("polyline").ToList();
        Assert.Equal(runs.Count, lines.Count);
        Assert.All(runs, r => Assert.Contains(lines, l => l.Element("title")!.Value.Contains(r.TrialKey, StringComparison.Ordinal)));
        Assert.All(lines, l => Assert.Equal(3, l.Attribute("points")!.Value.Split(' ').Length));

        // Marginal means: one chart per swept key, a dot per value.
        var model = svgs.Single(d => Label(d) == "model: mean Macro F1");
        Assert.Equal(2, model.Descendants("circle").Count());
        Assert.Equal(3, svgs.Single(d => Label(d) == "training.imbalance: mean Macro F1").Descendants("circle").Count());
        Assert.Contains("Importance by spread of the marginal means: training.imbalance", html);
    }

    [Fact]
    public void Marginal_means_average_the_runs_of_each_value_with_a_student_t_interval()
    {
        var runs = SweepRuns();
        var space = ParameterSpace.Of(runs, SweepIndex.Read(runs));
        Assert.Equal(["model", "training.imbalance"], space.Axes.Select(a => a.Name));
        var effects = MarginalMeans.Of(runs, space, MetricNames.MacroF1, 0.95);
        var model = effects.Single(e => e.Axis.Name == "model");
        var cnn = model.Means.Single(m => m.Value == "cnn2d");
        var f1 = runs.Where(r => r.ModelType == "cnn2d").Select(r => r.Metrics!.Aggregates.MacroF1).ToList();
        Assert.Equal(3, cnn.Runs);
        Assert.Equal(f1.Average(), cnn.Interval.Point!.Value, 12);
        Assert.Equal(MeanInterval.StudentT(f1, 0.95), cnn.Interval);
        Assert.Equal(model.Means.Max(m => m.Interval.Point!.Value) - model.Means.Min(m => m.Interval.Point!.Value), model.Spread, 14);
        Assert.True(effects.Zip(effects.Skip(1)).All(p => p.First.Spread >= p.Second.Spread), "largest spread first");
    }

    [Fact]
    public void Reference_can_be_a_parameter_value_or_a_run_and_bad_ones_name_what_exists()
    {
        var runs = SweepRuns();
        var byFocal = RunComparisons.Build(runs, new ReportOptions { Reference = "strategy=focal" });
        Assert.All(byFocal.Rows, r => Assert.EndsWith("· focal", r.ReferenceName, StringComparison.Ordinal));
        Assert.All(byFocal.Rows, r => Assert.Equal(r.RunName.Split(" · ")[0], r.ReferenceName.Split(" · ")[0]));   // same architecture
        Assert.StartsWith("Reference: training.imbalance.strategy = focal", byFocal.TestSets[0].Reference);

        var cnnNone = Run(runs, "cnn2d", "none");
        var byRun = RunComparisons.Build(runs, new ReportOptions { Reference = cnnNone.TrialKey[..8] });
        Assert.Equal(5, byRun.Rows.Select(r => r.Run).Distinct().Count());
        Assert.All(byRun.Rows, r => Assert.Equal(cnnNone.TrialKey, r.Reference));

        var e = Assert.Throws<ArgumentException>(() => RunComparisons.Build(runs, new ReportOptions { Reference = "optimizer_kind=sgd" }));
        Assert.Contains("no run has a parameter \"optimizer_kind\"", e.Message);
        Assert.Contains("training.imbalance.strategy", e.Message);
        e = Assert.Throws<ArgumentException>(() => RunComparisons.Build(runs, new ReportOptions { Reference = "strategy=smote" }));
        Assert.Contains("no run has training.imbalance.strategy = smote; its values are ", e.Message);
        Assert.All(new[] { "none", "class_weights", "focal" }, v => Assert.Contains(v, e.Message));
        e = Assert.Throws<ArgumentException>(() => RunComparisons.Build(runs, new ReportOptions { Reference = "ffff" }));
        Assert.Contains("cnn2d · none", e.Message);
    }

    [Fact]
    public void Without_the_sweep_index_the_first_run_is_the_reference_and_the_report_says_so()
    {
        var root = Fixture.CopyRuns(Fixture.SweepRoot);
        File.Delete(Path.Combine(root, "tiny_sweep", SweepIndex.FileName));
        var runs = RunLoader.Discover([root]);
        var c = RunComparisons.Build(runs, new ReportOptions());
        Assert.Contains("the first run in report order (no sweep index", c.TestSets[0].Reference);
        Assert.All(c.Rows, r => Assert.Equal(runs[0].TrialKey, r.Reference));
        // Axes found by diffing configs: the model object and the imbalance object.
        Assert.Equal(["model", "training.imbalance"], c.SpaceOf("classification").Axes.Select(a => a.Name).Order());
    }

    [Fact]
    public void Runs_on_different_test_sets_are_never_paired_and_the_report_says_so()
    {
        var root = Fixture.CopyRuns(Fixture.SweepRoot);
        var runs = RunLoader.Discover([root]);
        var moved = Run(runs, "resnet1d", "focal");
        var file = Path.Combine(moved.Folder, "predictions.csv");
        File.WriteAllText(file, File.ReadAllText(file).Replace("syn-000012,", "syn-999999,"));   // one other example: another test set
        runs = RunLoader.Discover([root]);
        var c = RunComparisons.Build(runs, new ReportOptions());
        Assert.Equal(2, c.TestSets.Count);
        Assert.Equal(moved.TrialKey, Assert.Single(c.TestSets[1].Runs).TrialKey);
        Assert.DoesNotContain(c.Rows, r => r.Run == moved.TrialKey || r.Reference == moved.TrialKey);
        Assert.Contains(c.Notes, n => n.Contains("never across test sets", StringComparison.Ordinal) && n.Contains("B: resnet1d · focal", StringComparison.Ordinal));
        var md = File.ReadAllText(ReportBuilder.Write(runs, Fixture.TempDir()).Markdown);
        Assert.Contains("never across test sets", md);
        Assert.Equal(2, md.Split('\n').Count(l => l.StartsWith("| test set ", StringComparison.Ordinal)));   // a baseline row per test set
    }

    [Fact]
    public void A_test_set_too_small_for_its_differences_gets_a_warning_at_the_top()
    {
        var all = SweepRuns();
        var runs = new[] { Run(all, "resnet1d", "none"), Run(all, "resnet1d", "class_weights") };
        var files = ReportBuilder.Write(runs, Fixture.TempDir());
        var md = File.ReadAllText(files.Markdown);
        var warning = Assert.Single(md.Split('\n'), l => l.StartsWith("> **Warning:**", StringComparison.Ordinal));
        Assert.Contains("Test set A is too small", warning);
        Assert.Contains("only 9 HYP (one HYP example moves recall HYP by 0.111)", warning);
        Assert.Contains("none of the 1 comparison is significant after Holm correction", warning);
        Assert.True(md.IndexOf("> **Warning:**", StringComparison.Ordinal) < md.IndexOf("## Classification", StringComparison.Ordinal));
        var html = File.ReadAllText(files.Html);
        Assert.True(html.IndexOf("<div class=\"warning\" role=\"alert\">", StringComparison.Ordinal) is var w and > 0 && w < html.IndexOf("<h2>Summary", StringComparison.Ordinal));
    }

    [Fact]
    public void A_malformed_predictions_file_is_named_with_its_line_and_the_rest_is_still_compared()
    {
        var root = Fixture.CopyRuns(Fixture.SweepRoot);
        var runs = RunLoader.Discover([root]);
        var broken = Run(runs, "cnn2d", "focal");
        var file = Path.Combine(broken.Folder, "predictions.csv");
        var lines = File.ReadAllLines(file);
        lines[3] = string.Join(',', lines[3].Split(',')[..3]) + ",abc,0.5";
        File.WriteAllLines(file, lines);
        var c = RunComparisons.Build(RunLoader.Discover([root]), new ReportOptions());
        var note = Assert.Single(c.Notes);   // the broken run stays on its test set (same data and split), it is just not compared
        Assert.Contains("predictions.csv", note);
        Assert.Contains("predictions.csv:4", note);
        Assert.Contains("\"p_NORM\" must be a finite number, got \"abc\"", note);
        Assert.Equal(3, c.Rows.Select(r => r.Run).Distinct().Count());
    }

    [Theory]
    [InlineData("training.imbalance={strategy: none}", "training.imbalance", "{strategy: none}")]
    [InlineData("model={type: cnn2d, widths: [4, 8], pool: [2, 4]}, training.imbalance={strategy: focal, focal_alpha: [0.75]}", "training.imbalance", "{strategy: focal, focal_alpha: [0.75]}")]
    [InlineData("training.learning_rate=0.001, training.batch_size=32", "training.batch_size", "32")]
    public void Sweep_values_of_the_index_split_into_keys_and_values(string text, string lastKey, string lastValue)
    {
        var values = SweepIndex.ParseValues(text);
        Assert.Equal(KeyValuePair.Create(lastKey, lastValue), values[^1]);
        Assert.Equal(text, string.Join(", ", values.Select(v => $"{v.Key}={v.Value}")));
    }
}
