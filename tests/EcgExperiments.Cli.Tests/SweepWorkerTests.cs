using System.Diagnostics;
using System.Text.Json.Nodes;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Running.Workers;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Training;

namespace EcgExperiments.Cli.Tests;

/// <summary>Sweeps whose trials run in `ecg trial` worker processes: results, limits, crashes, and a sweep killed with SIGKILL.</summary>
[Collection("worker processes")] // these tests time real processes: never alongside each other
public class SweepWorkerTests
{
    private static (string spec, string results) Write(string sweep)
    {
        var dir = Directory.CreateTempSubdirectory("ecg-workers-").FullName;
        var spec = Path.Combine(dir, "spec.yaml");
        File.WriteAllText(spec, EcgCli.TinySpec + "\n" + sweep);
        return (spec, Path.Combine(dir, "results"));
    }

    private static IReadOnlyList<TrialOutcome> Sweep(string spec, string results, RecordingObserver? lines = null, SweepSettings? settings = null) =>
        SweepEngine.Run(SpecLoader.LoadSweep(spec), new RunOptions { OutputDirectory = results },
            new SweepExecution { Settings = settings, Worker = WorkerCommand.ForAssembly(EcgCli.Dll) }, SilentMonitor.Instance, lines ?? new RecordingObserver());

    [Fact]
    public void Dry_run_shows_workers_limits_and_the_rung_plan_and_bad_flags_name_themselves()
    {
        var (spec, _) = Write("""
            sweep:
              mode: successive_halving
              budget: { key: training.epochs, min: 2, max: 18 }
              eta: 3
              metric: macro_f1
              trial_timeout: 30m
              trial_memory: 4GiB
              parameters:
                training.learning_rate: [0.001, 0.002, 0.003]
                training.batch_size: [8, 16, 32]
            """);
        var (code, stdout, stderr) = EcgCli.Run("run", spec, "--dry-run", "--workers", "2");
        Assert.True(code == 0, stderr);
        Assert.Contains($"workers: 2 worker process(es) (set explicitly), {Math.Max(1, Environment.ProcessorCount / 2)} core(s) each", stdout);
        Assert.Contains("limits: trial timeout 30 min; memory cap 4 GiB", stdout);
        Assert.Contains("successive halving over 9 configuration(s), eta 3, promoting on validation macro_f1 (max)", stdout);
        Assert.Contains("rung 0: up to 9 trial(s) at training.epochs=2", stdout);
        Assert.Contains("rung 1: up to 3 trial(s) at training.epochs=6", stdout);
        Assert.Contains("rung 2: up to 1 trial(s) at training.epochs=18", stdout);
        Assert.Contains("total budget ≤ 54 (every configuration at 18: 162)", stdout);

        var bad = EcgCli.Run("run", spec, "--dry-run", "--trial-timeout", "abc");
        Assert.Equal(ExitCodes.InvalidSpecOrFlag, bad.code);
        Assert.Contains("--trial-timeout: expected a duration such as 90 (seconds), 45s, 30m or 1h30m, got 'abc'", bad.stderr);
        var epochs = EcgCli.Run("run", spec, "--dry-run", "--epochs", "3");
        Assert.Contains("--epochs cannot be combined with a tuner", epochs.stderr);
    }

    [Fact]
    public void Two_workers_give_the_same_results_as_the_in_process_sweep()
    {
        var (spec, results) = Write("""
            sweep:
              workers: 2
              parameters:
                training.learning_rate: [0.003, 0.01, 0.03]
            """);
        var lines = new RecordingObserver();
        var parallel = Sweep(spec, results, lines);
        Assert.All(parallel, o => Assert.Equal(TrialStatus.Completed, o.Status));
        Assert.All(parallel, o => Assert.NotNull(o.WorkerPid));
        Assert.Equal(3, parallel.Select(o => o.WorkerPid).Distinct().Count());
        Assert.Contains(lines.All, l => l.StartsWith("[2] epoch   2/2", StringComparison.Ordinal)); // worker output relayed with its trial number
        Assert.All(parallel, o => Assert.True(o.PeakResidentBytes > 10 << 20));

        var inProcess = Sweep(spec, results + "-in-process", settings: SpecLoader.LoadSweep(spec).Settings with { Workers = 1 });
        Assert.All(inProcess, o => Assert.Null(o.WorkerPid));
        Assert.Equal(parallel.Select(o => o.TrialKey), inProcess.Select(o => o.TrialKey));
        // Bit-exact on CPU with one thread per trial: the worker path changes nothing about the results.
        Assert.Equal(parallel.Select(o => o.Record!.MetricsTable), inProcess.Select(o => o.Record!.MetricsTable));
        Assert.Equal(parallel.Select(o => Learning(o.RunDirectory)), inProcess.Select(o => Learning(o.RunDirectory)));
    }

    [Fact]
    public void A_trial_over_its_time_limit_or_memory_cap_is_killed_and_recorded_as_failed_while_the_sweep_goes_on()
    {
        var (spec, results) = Write("""
            sweep:
              trial_timeout: 8s
              parameters:
                training.epochs: [1, 500]
            """);
        // The 1-epoch trial completes first without a limit (however busy the machine), so the limited sweep finds it
        // done by its key and only the 500-epoch trial meets the limit.
        var warm = Path.Combine(Path.GetDirectoryName(spec)!, "one-epoch.yaml");
        File.WriteAllText(warm, EcgCli.TinySpec + "\nsweep:\n  parameters:\n    training.epochs: [1]\n");
        Assert.Equal(TrialStatus.Completed, Assert.Single(Sweep(warm, results)).Status);
        var outcomes = Sweep(spec, results);
        Assert.Equal([TrialStatus.Completed, TrialStatus.Failed], outcomes.Select(o => o.Status));
        Assert.True(outcomes[0].Skipped);
        Assert.Equal("time limit 8 s exceeded", outcomes[1].Error);
        Assert.True(outcomes[1].Seconds >= 8, $"killed after {outcomes[1].Seconds} s, before its 8 s limit");
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(outcomes[1].RunDirectory, "run.json")))!;
        Assert.Equal("failed", record["status"]!.GetValue<string>());
        Assert.Equal("time limit 8 s exceeded", record["error"]!["message"]!.GetValue<string>());
        Assert.Equal(outcomes[1].TrialKey, record["trial_key"]!.GetValue<string>());

        // libtorch alone needs more than 64 MiB resident: every trial is killed, each one recorded.
        var capped = Sweep(spec, results + "-capped", settings: SpecLoader.LoadSweep(spec).Settings with { TrialTimeout = null, TrialMemoryBytes = 64L << 20 });
        Assert.All(capped, o => Assert.Equal(TrialStatus.Failed, o.Status));
        Assert.All(capped, o => Assert.Matches(@"^memory cap 64 MiB exceeded \(peak \d+ MiB\)$", o.Error));
        Assert.All(capped, o => Assert.Contains("memory cap 64 MiB", File.ReadAllText(Path.Combine(o.RunDirectory, "run.json"))));
    }

    [Fact]
    public void A_worker_killed_by_a_signal_is_recorded_as_failed_with_the_signal()
    {
        var (spec, results) = Write("""
            sweep:
              isolation: process
              parameters:
                training.epochs: [400, 1]
            """);
        // Kill the first worker from outside, as the OOM killer would, once it reports training (its first epoch line).
        int pid = 0;
        var lines = new RecordingObserver
        {
            OnLine = l =>
            {
                if (l.StartsWith("[1] worker pid ", StringComparison.Ordinal)) pid = int.Parse(l["[1] worker pid ".Length..]);
                else if (l.StartsWith("[1] epoch", StringComparison.Ordinal) && pid != 0)
                {
                    ProcessProbe.Signal(pid, ProcessProbe.SigKill);
                    pid = 0;
                }
            },
        };
        var outcomes = Sweep(spec, results, lines);
        Assert.Equal([TrialStatus.Failed, TrialStatus.Completed], outcomes.Select(o => o.Status));
        Assert.Equal("worker exited with signal 9", outcomes[0].Error);
        Assert.Contains("worker exited with signal 9", File.ReadAllText(Path.Combine(outcomes[0].RunDirectory, "run.json")));
    }

    /// <summary>
    /// The acceptance test for resumable sweeps: `ecg run` is SIGKILLed while one trial has finished and others run in
    /// workers; the workers stop on their own; the re-run skips the finished trials without touching their records and
    /// completes the rest; and a finished trial's metrics equal a fresh single run of the same configuration.
    /// </summary>
    [Fact]
    public void A_sweep_killed_with_SIGKILL_leaves_no_workers_and_resumes_without_redoing_finished_trials()
    {
        var (spec, results) = Write("""
            sweep:
              workers: 2
              parameters:
                training.learning_rate: [0.001, 0.002, 0.003, 0.004, 0.005]
            """);
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("epochs: 2", "epochs: 3"));
        var experimentDir = Path.Combine(results, "wtiny");

        var errors = new System.Text.StringBuilder();
        using var sweep = StartEcg(errors, "run", spec, "--output", results);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        List<int> workers;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "no trial completed within 120 s");
            Assert.False(sweep.HasExited, "the sweep ended before it could be killed: " + errors);
            workers = WorkerPids(spec);
            if (Completed(experimentDir).Count >= 1 && workers.Count >= 1) break;
            Thread.Sleep(50);
        }
        sweep.Kill(); // SIGKILL: no handler runs in the sweep process
        sweep.WaitForExit();
        var finished = Completed(experimentDir);
        Assert.InRange(finished.Count, 1, 4);

        // The workers notice their parent is gone (their stdin pipe closes), stop after the current batch, and exit.
        var stopDeadline = DateTime.UtcNow.AddSeconds(45);
        while (workers.Any(ProcessProbe.IsAlive) && DateTime.UtcNow < stopDeadline) Thread.Sleep(100);
        Assert.True(!workers.Any(ProcessProbe.IsAlive), $"worker(s) {string.Join(", ", workers.Where(ProcessProbe.IsAlive))} outlived the killed sweep");
        Assert.Empty(WorkerPids(spec));
        finished = Completed(experimentDir); // a worker may have completed its trial while the kill was delivered
        var snapshot = finished.ToDictionary(f => f, File.ReadAllBytes);

        var (code, stdout, stderr) = EcgCli.Run("run", spec, "--output", results);
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(snapshot.Count, stdout.Split('\n').Count(l => l.Contains("already completed, skipped", StringComparison.Ordinal)));
        foreach (var (file, bytes) in snapshot) Assert.Equal(bytes, File.ReadAllBytes(file)); // not redone, not rewritten
        var all = TrialFolders(experimentDir).Select(d => Path.Combine(d, "run.json")).Where(File.Exists).ToList();
        Assert.Equal(5, all.Count);
        Assert.All(all, f => Assert.Equal("completed", Record(f)["status"]!.GetValue<string>()));

        // A trial finished before the kill equals a fresh single run of its configuration (CPU, one thread: bit-exact).
        var first = Record(snapshot.Keys.First());
        var lr = first["resolved_config"]!["training"]!["learning_rate"]!.GetValue<double>();
        var single = Path.Combine(Path.GetDirectoryName(spec)!, "single.yaml");
        File.WriteAllText(single, EcgCli.TinySpec.Replace("epochs: 2", "epochs: 3").Replace("learning_rate: 0.003", $"learning_rate: {lr.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
        var fresh = EcgCli.Run("run", single, "--output", results + "-fresh");
        Assert.True(fresh.code == 0, fresh.stdout + fresh.stderr);
        var freshRecord = Record(Path.Combine(results + "-fresh", "wtiny", Path.GetFileName(Path.GetDirectoryName(snapshot.Keys.First()))!, "run.json"));
        Assert.Equal(first["trial_key"]!.GetValue<string>(), freshRecord["trial_key"]!.GetValue<string>());
        Assert.Equal(first["metrics_table"]!.ToJsonString(), freshRecord["metrics_table"]!.ToJsonString());
        Assert.Equal(Learning(first), Learning(freshRecord));
    }

    /// <summary>The per-epoch history without its wall-clock seconds: what must be bit-identical between equal runs.</summary>
    private static string Learning(string runDirectory) => Learning(Record(Path.Combine(runDirectory, "run.json")));

    private static string Learning(JsonObject record)
    {
        var history = record["history"]!.DeepClone().AsArray();
        foreach (var epoch in history.OfType<JsonObject>()) epoch.Remove("seconds");
        Assert.NotEmpty(history);
        return history.ToJsonString();
    }

    [Fact]
    public void A_worker_whose_sweep_is_killed_stops_its_trial_as_interrupted_instead_of_running_on()
    {
        var (spec, results) = Write("""
            sweep:
              isolation: process
              parameters:
                training.epochs: [1000]
            """);
        var errors = new System.Text.StringBuilder();
        var training = new ManualResetEventSlim();
        using var sweep = StartEcg(errors, "run", spec, "--output", results, onLine: l => { if (l.StartsWith("[1] epoch", StringComparison.Ordinal)) training.Set(); });
        // Into training (the worker's first epoch line relayed by the sweep): 1000 epochs would take minutes.
        Assert.True(training.Wait(TimeSpan.FromSeconds(120)), "the worker reported no epoch: " + errors);
        var workers = WorkerPids(spec);
        Assert.NotEmpty(workers);
        sweep.Kill();
        sweep.WaitForExit();
        var killed = DateTime.UtcNow;
        while (workers.Any(ProcessProbe.IsAlive) && DateTime.UtcNow - killed < TimeSpan.FromSeconds(20)) Thread.Sleep(50);
        Assert.False(workers.Any(ProcessProbe.IsAlive), "the worker outlived its sweep");
        var record = Record(TrialFolders(Path.Combine(results, "wtiny")).Select(d => Path.Combine(d, "run.json")).Single());
        Assert.Equal("interrupted", record["status"]!.GetValue<string>()); // it stopped on its own, after a batch
        Assert.True(record["history"]!.AsArray().Count < 1000);
    }

    private static JsonObject Record(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    /// <summary>The trial folders of an experiment (named by key; staging and replaced folders carry a suffix).</summary>
    private static IEnumerable<string> TrialFolders(string experimentDir) =>
        Directory.GetDirectories(experimentDir).Where(d => !Path.GetFileName(d).Contains('.'));

    private static List<string> Completed(string experimentDir) =>
        !Directory.Exists(experimentDir) ? [] :
        TrialFolders(experimentDir).Select(d => Path.Combine(d, "run.json"))
            .Where(f => File.Exists(f) && Record(f)["status"]?.GetValue<string>() == "completed").ToList();

    /// <summary>Live `ecg trial` processes working on this spec (found through /proc, as an orphan would be).</summary>
    private static List<int> WorkerPids(string spec)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (args.Contains("trial") && args.Contains(spec) && ProcessProbe.IsAlive(pid)) pids.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }

    private static Process StartEcg(System.Text.StringBuilder errors, params string[] args) => StartEcg(errors, args, null);

    private static Process StartEcg(System.Text.StringBuilder errors, string a0, string a1, string a2, string a3, Action<string> onLine) => StartEcg(errors, [a0, a1, a2, a3], onLine);

    private static Process StartEcg(System.Text.StringBuilder errors, string[] args, Action<string>? onLine)
    {
        var psi = new ProcessStartInfo("dotnet", [EcgCli.Dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is { } line) onLine?.Invoke(line); }; // drain, so a full pipe never blocks the sweep
        p.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

}
