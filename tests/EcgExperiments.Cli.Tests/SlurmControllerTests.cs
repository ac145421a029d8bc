using System.Text.RegularExpressions;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Running.Slurm;
using EcgExperiments.Experiments.Running.Tuning;
using EcgExperiments.Experiments.Running.Workers;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Cli.Tests;

/// <summary>
/// The Slurm launcher's controller against stub sbatch/squeue/sacct/scancel (<see cref="FakeSlurm"/>): real trials run
/// through the generated batch script, and scripted task ends stand in for what only a cluster does (memory kills, lost
/// nodes). Covers collecting records, failed records for tasks that left none, skipping finished trials on a re-run,
/// tuners submitting one array per rung, Ctrl-C, and <c>ecg status</c> / <c>ecg index</c> on the results.
/// </summary>
[Collection("worker processes")] // real trial processes: never alongside the other process tests
public class SlurmControllerTests
{
    private static (string spec, string results) Write(string sweep)
    {
        var dir = Directory.CreateTempSubdirectory("ecg-slurm-").FullName;
        var spec = Path.Combine(dir, "spec.yaml");
        File.WriteAllText(spec, EcgCli.TinySpec.Replace("epochs: 2", "epochs: 1") + "\n" + sweep);
        return (spec, Path.Combine(dir, "results"));
    }

    private static IReadOnlyList<TrialOutcome> Sweep(string spec, string results, FakeSlurm slurm, RecordingObserver? lines = null, bool retryFailed = false, CancellationToken cancel = default) =>
        SweepEngine.Run(SpecLoader.LoadSweep(spec), new RunOptions { OutputDirectory = results },
            new SweepExecution
            {
                Worker = WorkerCommand.ForAssembly(EcgCli.Dll), RetryFailed = retryFailed, Slurm = new SlurmCommands(slurm.Bin), SlurmPollInterval = TimeSpan.FromMilliseconds(100),
            },
            SilentMonitor.Instance, lines ?? new RecordingObserver(), cancel);

    [Fact]
    public void Trials_run_as_one_array_tasks_that_left_no_record_are_recorded_as_failed_and_a_rerun_submits_only_what_is_pending()
    {
        var (spec, results) = Write("""
            sweep:
              trial_memory: 2GiB
              launcher: { type: slurm, max_parallel: 2, extra_args: [--qos=short] }
              parameters:
                training.learning_rate: [0.003, 0.01, 0.03]
            """);
        var slurm = new FakeSlurm();
        // Task 2 is killed for memory (a cgroup cluster's account of it), task 3's node fails; task 1 really runs.
        slurm.Script(2, "OUT_OF_MEMORY", "0:125", "slurmstepd: error: Detected 1 oom_kill event in StepId=100.batch. Some of the step tasks have been OOM Killed.");
        slurm.Script(3, "NODE_FAIL", "0:0", "");
        var outcomes = Sweep(spec, results, slurm);

        Assert.Equal([TrialStatus.Completed, TrialStatus.Failed, TrialStatus.Failed], outcomes.Select(o => o.Status));
        Assert.Single(slurm.SbatchCalls);
        var experimentDir = Path.Combine(results, "wtiny");
        var (manifestPath, manifest) = Assert.Single(SlurmArrayManifest.Under(experimentDir));
        Assert.Equal("100", manifest.JobId);
        Assert.Equal(outcomes.Select(o => o.TrialKey), manifest.Tasks.Select(t => t.TrialKey));
        Assert.Equal([1, 2, 3], manifest.Tasks.Select(t => t.Trial));
        // What was submitted is the script beside the manifest, with the launcher's options.
        var submitted = slurm.JobScript("100");
        Assert.Equal(File.ReadAllText(Path.Combine(Path.GetDirectoryName(manifestPath)!, SlurmArrayManifest.ScriptName)), submitted);
        Assert.Contains("#SBATCH --array=1-3%2\n", submitted);
        Assert.Contains("#SBATCH --mem=2048M\n", submitted);
        Assert.Contains("#SBATCH --qos=short\n", submitted);
        Assert.Contains($"--expect-key {outcomes[0].TrialKey} ", submitted);
        Assert.DoesNotContain("--watch-parent", submitted);

        // The completed trial's record is the one the task wrote; the others were written by the controller from Slurm's account.
        Assert.Null(outcomes[0].Record!.RecordedBy);
        Assert.True(outcomes[0].Record!.StartedUtc > manifest.CreatedUtc.AddSeconds(-1));
        var oom = RunRecordFile.Read(outcomes[1].RunDirectory);
        Assert.Equal(("TrialLimitExceeded", TrialStatus.Failed), (oom.Error!.Type, oom.Status));
        Assert.Equal("memory limit 2 GiB exceeded (Slurm job 100_2 OUT_OF_MEMORY, signal 125)", oom.Error.Message);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(manifestPath)!, "task-2.log"), oom.Error.Log);
        var lost = RunRecordFile.Read(outcomes[2].RunDirectory);
        Assert.Equal(("WorkerCrashed", "Slurm job 100_3 NODE_FAIL (the node failed)"), (lost.Error!.Type, lost.Error.Message));
        Assert.Equal(outcomes[2].TrialKey, lost.TrialKey);
        Assert.Equal(0.03, lost.ResolvedConfig["training"]!["learning_rate"]!.GetValue<double>());

        // The index has the three trials in sweep order.
        var index = EcgCli.IndexRows(experimentDir, "trial, status, sweep_values");
        Assert.Equal(["1|completed|training.learning_rate=0.003", "2|failed|training.learning_rate=0.01", "3|failed|training.learning_rate=0.03"], index);

        // ecg index rebuilds the same rows from the run records (positions from the manifest when the old index is gone).
        File.Delete(Path.Combine(experimentDir, RunIndex.FileName));
        var rebuilt = EcgCli.Run("index", results);
        Assert.True(rebuilt.code == 0, rebuilt.stderr);
        Assert.Contains($"{Path.Combine(experimentDir, RunIndex.FileName)}: 3 run(s) indexed", rebuilt.stdout);
        Assert.Equal(index, EcgCli.IndexRows(experimentDir, "trial, status, sweep_values"));
        var status = EcgCli.Run("status", results);
        Assert.Contains("3 run record(s) — 1 completed, 2 failed", status.stdout);
        Assert.Contains($"#2 {outcomes[1].TrialKey[..12]} failed: memory limit 2 GiB exceeded", status.stdout);
        Assert.Contains("slurm job 100 (", status.stdout);
        Assert.Contains("3/3 trial(s) recorded", status.stdout);

        // A re-run submits nothing: the completed and the failed trials are skipped by key.
        var again = Sweep(spec, results, slurm);
        Assert.All(again, o => Assert.True(o.Skipped));
        Assert.Single(slurm.SbatchCalls);
        // --retry-failed submits the two failed trials as a new two-task array; now they run and complete.
        slurm.ClearScripts();
        var retried = Sweep(spec, results, slurm, retryFailed: true);
        Assert.Equal(2, slurm.SbatchCalls.Count);
        Assert.Contains("#SBATCH --array=1-2%2\n", slurm.JobScript("101"));
        Assert.Equal([true, false, false], retried.Select(o => o.Skipped));
        Assert.All(retried, o => Assert.Equal(TrialStatus.Completed, o.Status));
        Assert.All(retried, o => Assert.Equal(TrialStatus.Completed, RunRecordFile.Read(o.RunDirectory).Status));
    }

    [Theory]
    [InlineData("successive_halving")]
    [InlineData("asha")]
    public void A_tuner_submits_each_rung_as_an_array_and_promotes_on_validation_metrics_only(string mode)
    {
        var (spec, results) = Write($$"""
            sweep:
              mode: {{mode}}
              budget: { key: training.epochs, min: 1, max: 3 }
              eta: 3
              metric: macro_f1
              launcher: { type: slurm }
              parameters:
                training.learning_rate: [0.0003, 0.01, 0.05]
            """);
        var slurm = new FakeSlurm();
        var outcomes = Sweep(spec, results, slurm);

        // Rung 0: the three configurations at 1 epoch in one array; rung 1: the best of them at 3 epochs in a second one.
        Assert.Equal(2, slurm.SbatchCalls.Count);
        var manifests = SlurmArrayManifest.Under(Path.Combine(results, "wtiny")).Select(m => m.Manifest).ToList();
        Assert.Equal([[0, 0, 0], [1]], manifests.Select(m => m.Tasks.Select(t => t.Rung).ToArray()));
        Assert.Equal([1, 1, 1, 3], manifests.SelectMany(m => m.Tasks).Select(t => t.Budget!.Value));
        Assert.All(outcomes, o => Assert.Equal(TrialStatus.Completed, o.Status));
        Assert.Equal([1, 1, 1, 3], outcomes.Select(o => o.Record!.History.Count));

        // The promoted configuration is the best by validation macro_f1 read from the rung-0 records (ties: lower number).
        var rung0 = outcomes.Where(o => o.Rung == 0).ToList();
        var best = rung0.OrderByDescending(o => ValidationScore.Best(o.Record, "macro_f1", MetricDirection.Max)).ThenBy(o => o.Trial.Number).First();
        var promoted = Assert.Single(outcomes, o => o.Rung == 1);
        Assert.Equal(best.Trial.Number, promoted.Trial.Number);
        Assert.Equal(manifests[1].Tasks[0].Trial, promoted.Trial.Number);
        Assert.All(outcomes, o => Assert.Equal(ValidationScore.Best(o.Record, "macro_f1", MetricDirection.Max), o.Score));
        Assert.Equal(("macro_f1", MetricDirection.Max), (manifests[0].Metric, manifests[0].Direction!.Value));
    }

    [Fact]
    public void Ctrl_C_cancels_pending_tasks_and_stops_running_ones_after_their_batch()
    {
        var (spec, results) = Write("""
            sweep:
              launcher: { type: slurm }
              parameters:
                training.epochs: [100000, 1, 1]   # the first cannot finish before the cancel, however slow the machine
            """);
        var slurm = new FakeSlurm();
        using var cancel = new CancellationTokenSource();
        var experimentDir = Path.Combine(results, "wtiny");
        // Cancel once the first task is training (its log shows an epoch line): tasks 2 and 3 still wait behind it.
        // Before that, ecg status asks the (stub) squeue where the unrecorded tasks stand.
        var status = "";
        var lines = new RecordingObserver
        {
            OnLine = l =>
            {
                if (!l.StartsWith("[1] slurm job 100_1 running", StringComparison.Ordinal)) return;
                _ = Task.Run(() =>
                {
                    var log = Directory.GetFiles(Path.Combine(experimentDir, "slurm"), "task-1.log", SearchOption.AllDirectories).Single();
                    var deadline = DateTime.UtcNow.AddSeconds(120);
                    while (!Regex.IsMatch(File.ReadAllText(log), @"epoch +1/100000") && DateTime.UtcNow < deadline) Thread.Sleep(50);
                    status = EcgCli.Run(["status", results], new Dictionary<string, string> { ["PATH"] = $"{slurm.Bin}:{Environment.GetEnvironmentVariable("PATH")}" }, null).stdout;
                    cancel.Cancel();
                });
            },
        };
        var outcomes = Sweep(spec, results, slurm, lines, cancel: cancel.Token);

        Assert.True(cancel.IsCancellationRequested);
        Assert.Equal(["--state=PENDING 100", "--state=RUNNING --batch --signal=INT 100"], slurm.ScancelCalls);
        Assert.All(outcomes, o => Assert.Equal(TrialStatus.Interrupted, o.Status));
        Assert.Contains("slurm job 100 (", status);
        Assert.Matches($@"task 1: #1 {outcomes[0].TrialKey[..12]} running for 00:01:05 \(log: ", status);
        Assert.Matches($@"task 2: #2 {outcomes[1].TrialKey[..12]} pending \(log: ", status);
        // The running trial stopped after a batch and recorded itself; the cancelled ones never ran and have no record.
        var first = RunRecordFile.Read(outcomes[0].RunDirectory);
        Assert.Equal(TrialStatus.Interrupted, first.Status);
        Assert.InRange(first.History.Count, 1, 99_999);
        Assert.All(outcomes.Skip(1), o => Assert.False(File.Exists(RunRecordFile.PathIn(o.RunDirectory))));
    }
}
