using System.Text.Json.Nodes;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Tests;

public class ExperimentRunTests
{
    private sealed class Collect : IRunObserver
    {
        public List<string> Lines { get; } = [];
        public List<TrainingProgress> Progress { get; } = [];
        public void Info(string message) => Lines.Add(message);
        void IRunObserver.Progress(TrainingProgress progress) => Progress.Add(progress);
    }

    [Fact]
    public void The_quickstart_spec_resolves_every_stage_shape_without_data()
    {
        var e = SpecLoader.Load(Path.Combine(AppContext.BaseDirectory, "experiments", "quickstart.yaml"));
        Assert.Equal("quickstart", e.Spec.Name);
        Assert.Equal(["input", "zscore"], e.Trace.Select(t => t.Stage));
        Assert.Equal([12L, 1000L], e.Trace[^1].Schema.ItemShape);
        Assert.Equal(["NORM", "HYP"], e.Trace[^1].Schema.ClassNames);
        Assert.Equal(ComputeKind.Convolutional, e.Model.Kind);
    }

    public static TheoryData<string> ShippedExperiments() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "experiments"), "*.yaml").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(ShippedExperiments))]
    public void Every_shipped_experiment_resolves_all_its_trials_without_data(string file)
    {
        var trials = SpecLoader.LoadTrials(Path.Combine(AppContext.BaseDirectory, "experiments", file));
        Assert.NotEmpty(trials);
        Assert.All(trials, t => Assert.True(t.Experiment.Trace.Count >= 1 && t.Experiment.Model.CheckInput(t.Experiment.Trace[^1].Schema) is null));
        Assert.Equal(trials.Count, trials.Select(t => ExperimentRunner.TrialKey(t.Experiment)).Distinct().Count());
    }

    [Fact]
    public void Trial_key_is_stable_and_changes_with_any_resolved_value()
    {
        var a = SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal));
        var b = SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal));
        var c = SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal.Replace("learning_rate: 0.003", "learning_rate: 0.004")));
        Assert.Equal(ExperimentRunner.TrialKey(a), ExperimentRunner.TrialKey(b));
        Assert.NotEqual(ExperimentRunner.TrialKey(a), ExperimentRunner.TrialKey(c));
        Assert.NotEqual(ExperimentRunner.TrialKey(a), ExperimentRunner.TrialKey(a, new RunOptions { Epochs = 9 }));
        // Defaults are filled in: the resolved config names values the file left out.
        var config = ExperimentRunner.ResolvedConfig(a);
        Assert.Equal(0.9, config["training"]!["beta1"]!.GetValue<double>());
        Assert.Equal(16, config["model"]!["se_reduction"]!.GetValue<int>() * 8);
    }

    [Fact]
    public void A_small_synthetic_run_beats_the_class_prior_and_writes_a_complete_record()
    {
        var output = Directory.CreateTempSubdirectory("ecg-results-").FullName;
        var e = SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal.Replace("epochs: 4", "epochs: 8")));
        var observer = new Collect();
        var outcome = ExperimentRunner.Run(e, new RunOptions { OutputDirectory = output, Device = "cpu" }, observer);

        Assert.Equal(TrialStatus.Completed, outcome.Status);
        var baseline = outcome.Classification!.Baseline!.Aggregates;
        // A clearly separable synthetic task: the model must beat the majority-class prior by a wide margin.
        Assert.True(outcome.Classification!.Aggregates.BalancedAccuracy >= 0.8, $"balanced accuracy {outcome.Classification!.Aggregates.BalancedAccuracy:0.000}");
        Assert.Equal(0.5, baseline.BalancedAccuracy, 6);
        Assert.True(outcome.Classification!.Aggregates.RocAuc > 0.9, $"AUC {outcome.Classification!.Aggregates.RocAuc}");
        var ci = outcome.Classification!.Intervals["accuracy"];
        Assert.True(ci.Lower <= outcome.Classification!.Aggregates.Accuracy && outcome.Classification!.Aggregates.Accuracy <= ci.Upper);

        foreach (var f in new[] { "run.json", "metrics.md", "metrics.csv", "metrics.json", "predictions.csv", "model.ecgmodel" })
            Assert.True(File.Exists(Path.Combine(outcome.RunDirectory, f)), f);
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(outcome.RunDirectory, "run.json")))!;
        Assert.Equal("completed", record["status"]!.GetValue<string>());
        Assert.Equal(8, record["history"]!.AsArray().Count);
        Assert.Equal(outcome.TrialKey, record["trial_key"]!.GetValue<string>());
        Assert.Equal(3UL, record["seed"]!.GetValue<ulong>());
        Assert.Equal(0.003, record["resolved_config"]!["training"]!["learning_rate"]!.GetValue<double>());
        Assert.NotNull(record["environment"]!["libtorch"]);
        Assert.True(record["peak_memory_bytes"]!.GetValue<long>() > 0);
        Assert.Equal(0, record["split"]!["overlapping_patients"]!.GetValue<int>());
        Assert.Contains(observer.Progress, p => p.LastEpoch is not null);
        var csv = File.ReadAllLines(Path.Combine(outcome.RunDirectory, "metrics.csv"));
        Assert.Equal("experiment,protocol,model,split,metric,class,value,lower,upper,level,method", csv[0]);
        Assert.Contains(csv, l => l.StartsWith("tiny,", StringComparison.Ordinal) && l.Contains(",baseline,test,accuracy,", StringComparison.Ordinal));
    }

    [Fact]
    public void Cancelling_finishes_the_batch_and_records_the_run_as_interrupted()
    {
        var output = Directory.CreateTempSubdirectory("ecg-results-").FullName;
        var e = SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal.Replace("epochs: 4", "epochs: 50")));
        using var cancel = new CancellationTokenSource();
        var observer = new CancelAfterFirstBatch(cancel);
        var outcome = ExperimentRunner.Run(e, new RunOptions { OutputDirectory = output, Device = "cpu" }, observer, cancel.Token);
        Assert.Equal(TrialStatus.Interrupted, outcome.Status);
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(outcome.RunDirectory, "run.json")))!;
        Assert.Equal("interrupted", record["status"]!.GetValue<string>());
        // The cancel came while batch 1's progress was reported: batch 2 finished, and epoch 1 is recorded as cut short there.
        var epoch = Assert.Single(record["history"]!.AsArray())!;
        Assert.Equal(2, epoch["partial"]!["batches"]!.GetValue<int>());
        Assert.True(epoch["partial"]!["of"]!.GetValue<int>() > 2);
    }

    [Fact]
    public void An_interrupted_trial_resumes_from_its_checkpoint_on_the_next_run_and_ends_with_the_uninterrupted_results()
    {
        var e = SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal));
        var straight = ExperimentRunner.Run(e, new RunOptions { OutputDirectory = Directory.CreateTempSubdirectory("ecg-results-").FullName, Device = "cpu" }, new Collect());

        var options = new RunOptions { OutputDirectory = Directory.CreateTempSubdirectory("ecg-results-").FullName, Device = "cpu", CheckpointEvery = "epoch" };
        var checkpoint = ExperimentRunner.CheckpointPath(e, options, straight.TrialKey);
        using (var cancel = new CancellationTokenSource())
        {
            var stopped = ExperimentRunner.Run(e, options, new CancelInEpoch(3, cancel), cancel.Token);
            Assert.Equal(TrialStatus.Interrupted, stopped.Status);
        }
        Assert.Equal(2, TrainingCheckpoint.Peek(checkpoint)!.Epoch);
        ResumedFit carried;
        using (var written = TrainingCheckpoint.Load(checkpoint)) carried = written.Resumed;
        var status = SweepStatus.Of(ExperimentRunner.ExperimentDirectory(e, options));
        Assert.Equal(TrialStatus.Interrupted, Assert.Single(status.Runs).Record.Status);
        Assert.Equal((2, 4), (status.Checkpoints[straight.TrialKey].Epoch, status.Checkpoints[straight.TrialKey].Epochs));

        var observer = new Collect();
        var resumed = ExperimentRunner.Run(e, options, observer);
        Assert.Equal(TrialStatus.Completed, resumed.Status);
        Assert.Contains(observer.Lines, l => l.StartsWith("resuming after epoch 2 of 4 from the checkpoint written", StringComparison.Ordinal));
        Assert.DoesNotContain(observer.Progress, p => p.Epoch < 3);
        Assert.Equal(2, resumed.Record.TrainingSummary!["resumed_after_epoch"]);
        // Wall time and peak memory span both sittings; training time is the whole history's.
        Assert.Null(straight.Record.Timings!.Sittings);
        Assert.Equal(2, resumed.Record.Timings!.Sittings);
        Assert.True(resumed.Record.Timings.TotalSeconds > carried.WallSeconds + resumed.Record.Timings.TrainAndEvaluateSeconds,
            $"total {resumed.Record.Timings.TotalSeconds} s should add the first sitting's {carried.WallSeconds} s to this one's");
        Assert.Equal(resumed.Record.History!.Sum(h => h.Seconds), resumed.Record.Timings.TrainSeconds!.Value, 9);
        Assert.True(resumed.Record.PeakMemoryBytes >= carried.PeakMemoryBytes);
        Assert.False(File.Exists(checkpoint), "a completed trial's checkpoint is deleted");
        Assert.Empty(SweepStatus.Of(ExperimentRunner.ExperimentDirectory(e, options)).Checkpoints);
        Assert.Equal(straight.TrialKey, resumed.TrialKey);
        Assert.Equal(straight.Metrics.Select(m => $"{m.Metric} {m.Class} {m.Value:R} {m.Lower:R} {m.Upper:R}"),
                     resumed.Metrics.Select(m => $"{m.Metric} {m.Class} {m.Value:R} {m.Lower:R} {m.Upper:R}"));
        Assert.Equal(straight.Record.History!.Select(h => h.TrainLoss), resumed.Record.History!.Select(h => h.TrainLoss));
    }

    [Fact]
    public void Checkpoint_settings_are_checked_where_they_are_written()
    {
        var bad = Assert.Throws<SpecException>(() => SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal + "\noutput: { checkpoint_every: soon }\n")));
        Assert.Contains("output.checkpoint_every", bad.Message);
        Assert.Contains("epoch", bad.Message);
        var off = SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal + "\noutput: { checkpoint_every: off }\n"));
        Assert.Null(ExperimentRunner.Checkpoint(off, null, "k"));
        Assert.Equal(TimeSpan.Zero, ExperimentRunner.Checkpoint(off, new RunOptions { CheckpointEvery = "epoch" }, "k")!.Interval);
        var every = SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal + "\noutput: { checkpoint_every: 90s }\n"));
        Assert.Equal(TimeSpan.FromSeconds(90), ExperimentRunner.Checkpoint(every, null, "k")!.Interval);
        Assert.Equal(TimeSpan.FromMinutes(1), ExperimentRunner.Checkpoint(SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal)), null, "k")!.Interval);
        Assert.Equal(ExperimentRunner.TrialKey(off), ExperimentRunner.TrialKey(every));
    }

    private sealed class CancelAfterFirstBatch(CancellationTokenSource cts) : IRunObserver
    {
        public void Info(string message) { }
        public void Progress(TrainingProgress progress) => cts.Cancel();
    }
}
