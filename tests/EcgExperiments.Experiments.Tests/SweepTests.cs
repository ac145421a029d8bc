using System.Text.Json.Nodes;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Running.Workers;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Tests;

public class SweepTests
{
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
                training.learning_rate: [0.003, 1.0e+30, 0.002]
            """;
        var path = SpecFiles.Write(sweep);
        var options = new RunOptions { OutputDirectory = output, Device = "cpu" };

        var first = SweepEngine.Run(SpecLoader.LoadSweep(path), options, new SweepExecution(), SilentMonitor.Instance, new Quiet());
        Assert.Equal([TrialStatus.Completed, TrialStatus.Failed, TrialStatus.Completed], first.Select(o => o.Status));
        Assert.Contains("training loss became", first[1].Error);
        var failedRecord = JsonNode.Parse(File.ReadAllText(Path.Combine(first[1].RunDirectory, "run.json")))!;
        Assert.Equal("failed", failedRecord["status"]!.GetValue<string>());
        var completedBytes = File.ReadAllBytes(Path.Combine(first[0].RunDirectory, "run.json"));

        var observer = new Quiet();
        var second = SweepEngine.Run(SpecLoader.LoadSweep(path), options, new SweepExecution(), SilentMonitor.Instance, observer);
        Assert.Equal([TrialStatus.Completed, TrialStatus.Failed, TrialStatus.Completed], second.Select(o => o.Status));
        Assert.All(second, o => Assert.True(o.Skipped)); // nothing re-ran
        Assert.Equal(first[0].Record!.MetricsTable, second[0].Record!.MetricsTable); // a skipped trial's metrics are read back from its record
        Assert.Equal(completedBytes, File.ReadAllBytes(Path.Combine(first[0].RunDirectory, "run.json")));
        Assert.Equal(3, observer.Lines.Count(l => l.Contains("skipped", StringComparison.Ordinal)));

        var retried = SweepEngine.Run(SpecLoader.LoadSweep(path), options, new SweepExecution { RetryFailed = true }, SilentMonitor.Instance, new Quiet());
        Assert.NotNull(retried[1].Error);          // retried, and fails again for the same reason
        Assert.True(retried[0].Skipped);           // completed trials are still not redone
        Assert.False(retried[1].Skipped);

        using var index = new RunIndex(Path.Combine(output, "tiny", "index.sqlite"));
        Assert.Equal(["completed", "failed", "completed"], index.All().Select(r => r.status));
    }

    [Theory]
    [InlineData("workers: 0", "`sweep.workers`: must be 'auto' or a positive number of worker processes, got '0'")]
    [InlineData("trial_timeout: abc", "`sweep.trial_timeout`: expected a duration such as 90 (seconds), 45s, 30m or 1h30m, got 'abc'")]
    [InlineData("trial_memory: 4096", "`sweep.trial_memory`: expected a size with a unit such as 512MiB, 4GiB or 2GB, got '4096'")]
    [InlineData("mode: successive_halving\n  budget: { min: 2, max: 18 }\n  eta: 1", "`sweep.eta`: must be ≥ 2")]
    [InlineData("mode: asha", "`sweep.mode`: asha needs a budget")]
    [InlineData("mode: successive_halving\n  budget: { min: 4, max: 2 }", "`sweep.budget.max`: must be ≥ min (4), got 2")]
    [InlineData("mode: successive_halving\n  budget: { key: training.learning_rate, min: 1, max: 2 }", "`sweep.parameters.training.learning_rate`: is the tuner's budget key")]
    [InlineData("metric: macro_f1", "`sweep.metric`: is only used by the tuners")]
    [InlineData("workers: 2\n  isolation: in_process", "`sweep.isolation`: in_process runs one trial at a time")]
    public void Bad_sweep_settings_fail_at_load_with_file_line_and_key(string settings, string expected)
    {
        var path = SpecFiles.Write(Tiny + "\n\nsweep:\n  " + settings.Replace("\\n", "\n") + "\n  parameters:\n    training.learning_rate: [0.003, 0.01]\n");
        var e = Assert.Throws<SpecException>(() => SpecLoader.LoadSweep(path));
        Assert.Contains(expected, e.Message);
        Assert.Matches(@"spec\.yaml:\d+:\d+: ", e.Message);
        Assert.True(e.Where.Line > 9, e.Message); // points into the sweep section, not at the top of the file
    }

    [Fact]
    public void Durations_and_sizes_parse_with_their_units()
    {
        Assert.Equal(TimeSpan.FromSeconds(90), SweepSettings.ParseDuration("90"));
        Assert.Equal(TimeSpan.FromMinutes(30), SweepSettings.ParseDuration("30m"));
        Assert.Equal(TimeSpan.FromMinutes(90), SweepSettings.ParseDuration("1h30m"));
        Assert.Equal(TimeSpan.FromMilliseconds(500), SweepSettings.ParseDuration("500ms"));
        Assert.Throws<FormatException>(() => SweepSettings.ParseDuration("30 parsecs"));
        Assert.Throws<FormatException>(() => SweepSettings.ParseDuration("-5"));
        Assert.Equal(512L << 20, SweepSettings.ParseSize("512MiB"));
        Assert.Equal(4L << 30, SweepSettings.ParseSize("4GiB"));
        Assert.Equal(4L << 30, SweepSettings.ParseSize("4G"));
        Assert.Equal(2_000_000_000L, SweepSettings.ParseSize("2GB"));
        Assert.Equal("512 MiB", SweepSettings.FormatSize(512L << 20));
        Assert.Equal("30 min", SweepSettings.FormatDuration(TimeSpan.FromMinutes(30)));
        Assert.Equal("45 s", SweepSettings.FormatDuration(TimeSpan.FromSeconds(45)));
        var cli = new SweepSettings().WithOverrides(workers: "3", trialTimeout: "2m");
        Assert.Equal(3, cli.Workers);
        Assert.Equal(TimeSpan.FromMinutes(2), cli.TrialTimeout);
        Assert.Contains("--workers", Assert.Throws<ArgumentException>(() => new SweepSettings().WithOverrides(workers: "0")).Message);
    }

    [Fact]
    public void Auto_workers_fit_threads_per_trial_into_the_cores()
    {
        var cnn = SpecLoader.LoadTrials(SpecFiles.Write(Tiny));
        var lstm = SpecLoader.LoadTrials(SpecFiles.Write(Tiny.Replace(SpecFiles.Minimal.Split('\n').First(l => l.StartsWith("model:", StringComparison.Ordinal)), "model: { type: lstm, hidden: 8 }")));
        var auto = new SweepSettings();
        var options = new RunOptions();

        // Convolutional trials want every core: one at a time, in this process.
        var plan = WorkerPlan.Resolve(auto, cnn, options, maxParallel: 6, cores: 2);
        Assert.Equal((1, true, 2), (plan.Workers, plan.InProcess, plan.ThreadsPerTrial));
        // Recurrent trials run single-threaded: two worker processes on two cores, each told it has one core.
        plan = WorkerPlan.Resolve(auto, lstm, options, maxParallel: 6, cores: 2);
        Assert.Equal((2, false, 1, 1), (plan.Workers, plan.InProcess, plan.CoresPerWorker, plan.ThreadsPerTrial));
        Assert.Equal(2, WorkerPlan.Resolve(auto, lstm, options, maxParallel: 6, cores: 16).CoresPerWorker); // 16 cores shared by 6 workers
        Assert.Equal(6, WorkerPlan.Resolve(auto, lstm, options, maxParallel: 6, cores: 16).Workers); // no more workers than trials
        // Explicit threads count too, and limits need a process even for one worker.
        Assert.Equal(2, WorkerPlan.Resolve(auto, cnn, options with { Threads = "1" }, maxParallel: 6, cores: 2).Workers);
        plan = WorkerPlan.Resolve(auto with { TrialTimeout = TimeSpan.FromMinutes(1) }, cnn, options, maxParallel: 6, cores: 2);
        Assert.Equal((1, false, (int?)null), (plan.Workers, plan.InProcess, plan.CoresPerWorker));
        Assert.True(WorkerPlan.Resolve(auto with { Isolation = SweepIsolation.Process }, cnn, options, 6, 2) is { InProcess: false, Workers: 1 });
    }
}
