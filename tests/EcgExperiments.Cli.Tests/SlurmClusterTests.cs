using System.Diagnostics;
using System.Text.RegularExpressions;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Running.Slurm;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.TestSupport;
using Xunit.Abstractions;

namespace EcgExperiments.Cli.Tests;

/// <summary>
/// Real Slurm runs through <c>ecg run</c> on a single-node cluster the fixture starts on localhost (slurmctld, slurmd,
/// munge with their own configuration; memory enforced by slurmd's accounting poll) and stops after the tests.
/// </summary>
[Collection("worker processes")]
public class SlurmClusterTests(SlurmTestClusterFixture cluster, ITestOutputHelper output) : IClassFixture<SlurmTestClusterFixture>
{
    private const string Spec = """
        name: slurm-limits
        seed: 3
        device: cpu
        threads: 1
        data: { type: synthetic, records: 200, effect: 1.0 }
        pipeline: [ { type: zscore } ]
        model: { type: cnn2d, widths: [16, 32], kernel: 9, kernel_height: 3, padding: [1, 0], pool: [2, 4] }
        training: { epochs: 1, batch_size: 4, learning_rate: 0.003, select_by: macro_f1 }
        evaluation: { bootstrap_resamples: 0 }
        sweep:
          trial_timeout: 2m
          trial_memory: 700MiB
          launcher: { type: slurm }
          parameters:
            # 1 epoch in about 420 MiB; 100000 epochs (the time limit); 1 epoch at batch 128 (about 930 MiB: the memory limit)
            training:
              - { epochs: 1, batch_size: 4, learning_rate: 0.003, select_by: macro_f1 }
              - { epochs: 100000, batch_size: 4, learning_rate: 0.003, select_by: macro_f1 }
              - { epochs: 1, batch_size: 128, learning_rate: 0.003, select_by: macro_f1 }
        """;

    /// <summary>
    /// Two 1-epoch trials as one job array give the same trial keys and metrics as local workers; the index, rebuilt by
    /// <c>ecg index</c> from the run records, lists both; a second run submits nothing.
    /// </summary>
    [SlurmClusterFact]
    public void A_two_trial_sweep_through_slurm_records_what_local_workers_record_and_a_rerun_submits_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-slurm-cluster-").FullName;
        var spec = Path.Combine(dir, "spec.yaml");
        File.WriteAllText(spec, EcgCli.TinySpec.Replace("epochs: 2", "epochs: 1") + """

            sweep:
              parameters:
                training.learning_rate: [0.003, 0.01]
            """);
        var onSlurm = Path.Combine(dir, "slurm");
        var local = Path.Combine(dir, "local");

        var clock = Stopwatch.StartNew();
        var slurm = Ecg("run", spec, "--output", onSlurm, "--launcher", "slurm");
        var slurmSeconds = clock.Elapsed.TotalSeconds;
        Assert.True(slurm.code == 0, $"exit {slurm.code}: {slurm.stderr}\n{slurm.stdout}");
        clock.Restart();
        var locally = Ecg("run", spec, "--output", local, "--launcher", "local", "--workers", "2");
        var localSeconds = clock.Elapsed.TotalSeconds;
        Assert.True(locally.code == 0, $"exit {locally.code}: {locally.stderr}\n{locally.stdout}");
        output.WriteLine($"2 trials, 1 epoch: {slurmSeconds:0.0} s wall through Slurm, {localSeconds:0.0} s with 2 local workers");

        var experimentDir = Path.Combine(onSlurm, "wtiny");
        var (_, manifest) = Assert.Single(SlurmArrayManifest.Under(experimentDir));
        Assert.Equal([1, 2], manifest.Tasks.Select(t => t.Trial));
        var viaSlurm = manifest.Tasks.Select(t => RunRecordFile.Read(t.RunDirectory)).ToList();
        Assert.All(viaSlurm, r => Assert.Equal((TrialStatus.Completed, null), (r.Status, r.RecordedBy)));
        var viaWorkers = manifest.Tasks.Select(t => RunRecordFile.Read(Path.Combine(local, "wtiny", Path.GetFileName(t.RunDirectory)))).ToList();
        Assert.Equal(viaWorkers.Select(r => r.TrialKey), viaSlurm.Select(r => r.TrialKey));
        Assert.Equal(viaWorkers.Select(r => r.MetricsTable), viaSlurm.Select(r => r.MetricsTable));

        // The run records stay the source of truth: ecg index rebuilds the same rows without the old index.
        var rows = EcgCli.IndexRows(experimentDir, "trial, status, sweep_values");
        Assert.Equal(["1|completed|training.learning_rate=0.003", "2|completed|training.learning_rate=0.01"], rows);
        File.Delete(Path.Combine(experimentDir, RunIndex.FileName));
        var rebuilt = Ecg("index", onSlurm);
        Assert.True(rebuilt.code == 0, rebuilt.stderr);
        Assert.Equal(rows, EcgCli.IndexRows(experimentDir, "trial, status, sweep_values"));
        Assert.Contains("2 run record(s) — 2 completed", Ecg("status", onSlurm).stdout);

        // Both trials are found done by key: no second array is submitted.
        var again = Ecg("run", spec, "--output", onSlurm, "--launcher", "slurm");
        Assert.True(again.code == 0, again.stderr);
        Assert.Single(SlurmArrayManifest.Under(experimentDir));
    }

    /// <summary>
    /// Three trials as one array: one completes in one epoch, one runs into the 2-minute time limit (Slurm's warning
    /// signal makes it stop and record itself), one is killed by Slurm for passing its 700 MiB memory limit (the
    /// controller records it from the job state and the task's log).
    /// </summary>
    [SlurmClusterFact]
    public void A_sweep_runs_as_a_job_array_with_one_completed_one_timed_out_and_one_memory_killed_trial()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-slurm-cluster-").FullName;
        var spec = Path.Combine(dir, "spec.yaml");
        File.WriteAllText(spec, Spec);
        var results = Path.Combine(dir, "results");

        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = Ecg("run", spec, "--output", results);
        output.WriteLine($"ecg run --launcher slurm (3 trials): {clock.Elapsed.TotalSeconds:0.0} s wall");
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        Assert.True(code == 1, $"exit {code} (1 = some trials failed): {stderr}");

        var experimentDir = Path.Combine(results, "slurm-limits");
        var (_, manifest) = Assert.Single(SlurmArrayManifest.Under(experimentDir));
        Assert.Matches(@"^\d+$", manifest.JobId);
        var records = manifest.Tasks.Select(t => RunRecordFile.Read(t.RunDirectory)).ToList();
        Assert.Equal([TrialStatus.Completed, TrialStatus.Failed, TrialStatus.Failed], records.Select(r => r.Status));
        Assert.Equal(manifest.Tasks.Select(t => t.TrialKey), records.Select(r => r.TrialKey));

        // Warned ahead of its 2-minute limit, the trial stopped after a batch and recorded itself: its partial history and model stay.
        var timedOut = records[1];
        Assert.Equal(("TrialLimitExceeded", "time limit 2 min reached: Slurm's warning signal stopped the trial after its current batch"), (timedOut.Error!.Type, timedOut.Error.Message));
        Assert.Null(timedOut.RecordedBy);
        Assert.InRange(timedOut.History.Count, 1, 99_999);
        Assert.InRange(timedOut.Timings!.TotalSeconds, 1, 120);
        Assert.True(File.Exists(Path.Combine(manifest.Tasks[1].RunDirectory, "model.ecgmodel")));

        // Killed by slurmd's memory enforcement: no record of its own; the controller wrote one from the job state and the log.
        var killed = records[2];
        Assert.Equal("TrialLimitExceeded", killed.Error!.Type);
        Assert.Matches(new Regex($@"^memory limit 700 MiB exceeded \(Slurm job {manifest.JobId}_3 (FAILED, signal 9|OUT_OF_MEMORY)"), killed.Error.Message);
        Assert.Equal("sweep (the worker could not record its end)", killed.RecordedBy);
        Assert.True(File.Exists(killed.Error.Log), killed.Error.Log);
        Assert.Empty(killed.History);

        // The index (rollback journal: no WAL side files on a shared filesystem) lists the three trials in sweep order.
        Assert.Equal(["1|completed", "2|failed", "3|failed"], EcgCli.IndexRows(experimentDir, "trial, status"));
        Assert.False(File.Exists(Path.Combine(experimentDir, RunIndex.FileName + "-wal")));
        var status = Ecg("status", results);
        Assert.Contains("3 run record(s) — 1 completed, 2 failed", status.stdout);
        Assert.Contains($"slurm job {manifest.JobId} (", status.stdout);
    }

    /// <summary>Runs <c>ecg</c> against the test cluster (its <c>SLURM_CONF</c>), not the machine's own Slurm.</summary>
    private (int code, string stdout, string stderr) Ecg(params string[] args) => EcgCli.Run(args, cluster.ProcessEnvironment, null);
}
