using System.Text.Json.Nodes;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Tests;

public class SweepTests
{
    private sealed class Quiet : IRunObserver
    {
        public List<string> Lines { get; } = [];
        public void Info(string message) => Lines.Add(message);
        public void Progress(TrainingProgress progress) { }
    }

    private static readonly string Tiny = SpecFiles.Minimal.Replace("epochs: 4", "epochs: 1").Replace("records: 80", "records: 40")
        .Replace("bootstrap_resamples: 200", "bootstrap_resamples: 0");

    [Fact]
    public void Grid_expands_the_cross_product_and_a_trial_has_the_key_of_the_equivalent_plain_file()
    {
        var sweep = Tiny + """

            sweep:
              parameters:
                training.learning_rate: [0.003, 0.01]
                model.widths: [[4, 8], [8, 8]]
            """;
        var trials = SpecLoader.LoadTrials(SpecFiles.Write(sweep));
        Assert.Equal(4, trials.Count);
        Assert.Equal(["0.003|[4, 8]", "0.003|[8, 8]", "0.01|[4, 8]", "0.01|[8, 8]"],
            trials.Select(t => $"{t.Values["training.learning_rate"]}|{t.Values["model.widths"]}"));
        Assert.Equal(4, trials.Select(t => ExperimentRunner.TrialKey(t.Experiment)).Distinct().Count());
        // The key hashes resolved values only: the sweep's third trial is the plain file with those values.
        var plain = SpecLoader.Load(SpecFiles.Write(Tiny.Replace("learning_rate: 0.003", "learning_rate: 0.01")));
        Assert.Equal(ExperimentRunner.TrialKey(plain), ExperimentRunner.TrialKey(trials[2].Experiment));
    }

    [Fact]
    public void Random_mode_draws_distinct_combinations_repeatably()
    {
        var sweep = Tiny + """

            sweep:
              mode: random
              trials: 3
              parameters:
                training.learning_rate: [0.001, 0.002, 0.003, 0.004]
                training.batch_size: [8, 16]
            """;
        var a = SpecLoader.LoadTrials(SpecFiles.Write(sweep)).Select(t => string.Join(",", t.Values.Values)).ToList();
        var b = SpecLoader.LoadTrials(SpecFiles.Write(sweep)).Select(t => string.Join(",", t.Values.Values)).ToList();
        Assert.Equal(3, a.Distinct().Count());
        Assert.Equal(a, b);
    }

    [Fact]
    public void A_trial_that_does_not_resolve_names_the_trial_values()
    {
        var sweep = Tiny + """

            sweep:
              parameters:
                model.dropout: [0.1, 2.0]
            """;
        var e = Assert.Throws<SpecException>(() => SpecLoader.LoadTrials(SpecFiles.Write(sweep)));
        Assert.Contains("sweep trial 2: model.dropout=2.0", e.Message);
    }

    [Fact]
    public void Rerunning_skips_completed_trials_and_a_failing_trial_is_recorded_while_the_sweep_goes_on()
    {
        var output = Directory.CreateTempSubdirectory("ecg-sweep-").FullName;
        var sweep = Tiny + """

            sweep:
              parameters:
                training.select_by: [macro_f1, no_such_metric, accuracy]
            """;
        var path = SpecFiles.Write(sweep);
        var options = new RunOptions { OutputDirectory = output, Device = "cpu" };

        var first = SweepRunner.Run(SpecLoader.LoadTrials(path), options, new Quiet());
        Assert.Equal(["completed", "failed", "completed"], first.Select(o => o.Status));
        Assert.Contains("no_such_metric", first[1].Error);
        var failedRecord = JsonNode.Parse(File.ReadAllText(Path.Combine(first[1].RunDirectory, "run.json")))!;
        Assert.Equal("failed", failedRecord["status"]!.GetValue<string>());
        var completedBytes = File.ReadAllBytes(Path.Combine(first[0].RunDirectory, "run.json"));

        var observer = new Quiet();
        var second = SweepRunner.Run(SpecLoader.LoadTrials(path), options, observer);
        Assert.Equal(["completed", "failed", "completed"], second.Select(o => o.Status));
        Assert.All(second, o => Assert.Null(o.Run)); // nothing re-ran
        Assert.Equal(completedBytes, File.ReadAllBytes(Path.Combine(first[0].RunDirectory, "run.json")));
        Assert.Equal(3, observer.Lines.Count(l => l.Contains("skipped", StringComparison.Ordinal)));

        var retried = SweepRunner.Run(SpecLoader.LoadTrials(path), options, new Quiet(), retryFailed: true);
        Assert.NotNull(retried[1].Error);          // retried, and fails again for the same reason
        Assert.Null(retried[0].Run);               // completed trials are still not redone

        using var index = new RunIndex(Path.Combine(output, "tiny", "index.sqlite"));
        Assert.Equal(["completed", "failed", "completed"], index.All().Select(r => r.status));
    }
}
