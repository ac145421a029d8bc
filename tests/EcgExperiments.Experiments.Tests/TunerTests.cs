using System.Text.Json.Nodes;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Running.Tuning;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Tests;

public class TunerTests
{
    /// <summary>Drives a tuner one trial at a time with scores from <paramref name="score"/> (config, rung → score).</summary>
    private static List<TrialRequest> Drive(ITuner tuner, Func<int, int, double?> score)
    {
        var ran = new List<TrialRequest>();
        for (var s = tuner.Next(); s.Kind == SuggestionKind.Run; s = tuner.Next())
        {
            ran.Add(s.Request!);
            var value = score(s.Request!.Configuration, s.Request.Rung);
            tuner.Report(new TrialReport(s.Request, value is null ? TrialStatus.Failed : TrialStatus.Completed, value));
        }
        Assert.Equal(SuggestionKind.Done, tuner.Next().Kind);
        return ran;
    }

    [Theory]
    [InlineData(2, 18, 3, new[] { 2, 6, 18 })]
    [InlineData(2, 20, 3, new[] { 2, 6, 20 })]
    [InlineData(1, 8, 2, new[] { 1, 2, 4, 8 })]
    [InlineData(5, 5, 3, new[] { 5 })]
    public void Rung_budgets_grow_by_eta_and_end_at_max(int min, int max, int eta, int[] expected)
    {
        var settings = new SweepSettings { Mode = SweepMode.SuccessiveHalving, Budget = new BudgetSpec { Min = min, Max = max }, Eta = eta };
        Assert.Equal(expected, settings.RungBudgets());
    }

    [Fact]
    public void Successive_halving_promotes_the_best_third_of_each_finished_rung_and_never_a_failed_trial()
    {
        var tuner = new SuccessiveHalvingTuner(9, [2, 6, 18], 3, "macro_f1", MetricDirection.Max);
        Assert.Equal([(0, 9), (1, 3), (2, 1)], tuner.Plan.Select(r => (r.Rung, r.Trials)));
        // Configuration 9 would be best but fails at rung 0; larger numbers score better otherwise.
        var ran = Drive(tuner, (c, r) => c == 9 ? null : c + 0.01 * r);
        Assert.Equal(Enumerable.Range(1, 9), ran.Where(r => r.Rung == 0).Select(r => r.Configuration));
        Assert.All(ran.Where(r => r.Rung == 0), r => Assert.Equal(2, r.Budget));
        Assert.Equal([6, 7, 8], ran.Where(r => r.Rung == 1).Select(r => r.Configuration));
        Assert.All(ran.Where(r => r.Rung == 1), r => Assert.Equal(6, r.Budget));
        Assert.Equal([8], ran.Where(r => r.Rung == 2).Select(r => r.Configuration));
        Assert.Equal(9 * 2 + 3 * 6 + 18, ran.Sum(r => r.Budget!.Value));
    }

    [Fact]
    public void Successive_halving_minimises_loss_and_waits_for_the_whole_rung_before_promoting()
    {
        var tuner = new SuccessiveHalvingTuner(3, [1, 3], 3, "loss", MetricDirection.Min);
        var a = tuner.Next().Request!;
        var b = tuner.Next().Request!;
        var c = tuner.Next().Request!;
        Assert.Equal(SuggestionKind.Wait, tuner.Next().Kind); // all of rung 0 handed out, none reported
        tuner.Report(new TrialReport(a, TrialStatus.Completed, 0.70));
        tuner.Report(new TrialReport(c, TrialStatus.Completed, 0.40));
        Assert.Equal(SuggestionKind.Wait, tuner.Next().Kind); // b still running: no promotion on a partial rung
        tuner.Report(new TrialReport(b, TrialStatus.Completed, 0.55));
        var promoted = tuner.Next();
        Assert.Equal(new TrialRequest(3, 1, 3), promoted.Request);
        tuner.Report(new TrialReport(promoted.Request!, TrialStatus.Completed, 0.3));
        Assert.Equal(SuggestionKind.Done, tuner.Next().Kind);
    }

    [Fact]
    public void Asha_promotes_as_soon_as_a_rung_has_eta_results_without_waiting_for_the_rest()
    {
        var tuner = new AshaTuner(9, [1, 3, 9], 3, "macro_f1", MetricDirection.Max);
        var ran = Drive(tuner, (c, r) => c % 4 + 0.001 * c); // best at rung 0: 3 and 7 (score 3.x), then 2, 6
        // After three rung-0 results, the best of them (3) is promoted before configuration 4 starts.
        Assert.Equal(new TrialRequest(3, 1, 3), ran[3]);
        Assert.Equal(9, ran.Count(r => r.Rung == 0));
        Assert.Equal(3, ran.Count(r => r.Rung == 1));
        Assert.Single(ran, r => r.Rung == 2);
        Assert.Equal(7, ran.Single(r => r.Rung == 2).Configuration); // 7 beats 3 at rung 1 (3.007 > 3.003)
        Assert.True(ran.Sum(r => r.Budget!.Value) < 9 * 9);
    }

    [Fact]
    public void The_score_is_the_best_validation_value_in_the_history_never_a_test_metric()
    {
        var record = RunRecordFile.Parse("""
            {
              "format": "ecg-run", "version": 2, "experiment": "x", "status": "completed", "trial_key": "k",
              "history": [
                { "epoch": 1, "train_loss": 1.0, "validation_loss": 0.9, "validation_metrics": { "macro_f1": 0.40 }, "learning_rate": 0.001, "seconds": 1 },
                { "epoch": 2, "train_loss": 0.8, "validation_loss": 0.5, "validation_metrics": { "macro_f1": 0.70 }, "learning_rate": 0.001, "seconds": 1 },
                { "epoch": 3, "train_loss": 0.7, "validation_loss": 0.6, "validation_metrics": { "macro_f1": 0.65 }, "learning_rate": 0.001, "seconds": 1 }
              ],
              "metrics_table": [ { "metric": "macro_f1", "class": null, "value": 0.99 } ]
            }
            """, "run.json");
        Assert.Equal(0.70, ValidationScore.Best(record, "macro_f1", MetricDirection.Max));
        Assert.Equal(0.5, ValidationScore.Best(record, "loss", MetricDirection.Min));
        Assert.Null(ValidationScore.Best(record, "accuracy", MetricDirection.Max)); // only in no history: not read from the test table either
        Assert.Equal(["loss", "macro_f1"], ValidationScore.Available(record));
    }

    private static readonly string Tiny = SpecFiles.Minimal.Replace("records: 80", "records: 80")
        .Replace("bootstrap_resamples: 200", "bootstrap_resamples: 0").Replace("select_by: macro_f1", "select_by: loss");

    [Fact]
    public void A_successive_halving_sweep_eliminates_a_learning_rate_that_cannot_learn_and_spends_less_than_the_grid()
    {
        var output = Directory.CreateTempSubdirectory("ecg-tuner-").FullName;
        var path = SpecFiles.Write(Tiny + """

            threads: 1
            sweep:
              workers: 1
              mode: successive_halving
              budget: { key: training.epochs, min: 1, max: 3 }
              eta: 3
              metric: loss
              parameters:
                training.learning_rate: [0.000000001, 0.01, 0.03]
            """);
        var space = SpecLoader.LoadSweep(path);
        var options = new RunOptions { OutputDirectory = output, Device = "cpu" };
        var outcomes = SweepEngine.Run(space, options, new SweepExecution(), SilentMonitor.Instance, new Quiet());

        Assert.All(outcomes, o => Assert.Equal(TrialStatus.Completed, o.Status));
        var rung0 = outcomes.Where(o => o.Rung == 0).ToList();
        Assert.Equal(3, rung0.Count);
        Assert.All(rung0, o => Assert.Single(o.Record!.History));
        var promoted = Assert.Single(outcomes, o => o.Rung == 1);
        Assert.Equal(3, promoted.Record!.History.Count); // retrained from scratch at the rung's budget
        Assert.NotEqual("0.000000001", promoted.Trial.Values["training.learning_rate"]);
        // The promoted configuration is the one with the lowest validation loss at rung 0, read back from the records.
        var best = rung0.MinBy(o => o.Record!.History.Min(h => h.ValidationLoss!.Value))!;
        Assert.Equal(best.Trial.Number, promoted.Trial.Number);
        Assert.Equal(best.Score, rung0.Min(o => o.Score));
        // 3 × 1 + 1 × 3 epochs, against 3 × 3 for the grid at the full budget.
        Assert.Equal(6, outcomes.Sum(o => o.Budget!.Value));
        Assert.True(outcomes.Sum(o => o.Budget!.Value) < 3 * 3);

        // Every rung trial has its own key, so a re-run skips them all and makes the same decision.
        var again = SweepEngine.Run(SpecLoader.LoadSweep(path), options, new SweepExecution(), SilentMonitor.Instance, new Quiet());
        Assert.All(again, o => Assert.True(o.Skipped));
        Assert.Equal(outcomes.Select(o => (o.TrialKey, o.Rung)), again.Select(o => (o.TrialKey, o.Rung)));
    }

    [Fact]
    public void A_tuner_metric_that_is_no_validation_metric_fails_before_anything_runs_at_its_key()
    {
        var path = SpecFiles.Write(Tiny.Replace("epochs: 4", "epochs: 1") + """

            sweep:
              mode: asha
              budget: { key: training.epochs, min: 1, max: 3 }
              metric: auroc
              direction: max
              parameters:
                training.learning_rate: [0.01, 0.03]
            """);
        var e = Assert.Throws<SpecException>(() => SpecLoader.LoadSweep(path));
        Assert.Equal("sweep.metric", e.Where.Key);
        Assert.Contains("'auroc', which is not a validation metric", e.Message);
        Assert.Contains("macro_f1", e.Message);
    }
}
