using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Running.Tuning;
using EcgExperiments.Experiments.Running.Workers;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Running;

/// <summary>What happened to one trial of a sweep.</summary>
public sealed record TrialOutcome(Trial Trial, string TrialKey, string Status, string RunDirectory, RunOutcome? Run, string? Error, double Seconds)
{
    /// <summary>Tuners: the rung the trial ran at (0 for grid and random).</summary>
    public int Rung { get; init; }
    /// <summary>Tuners: the value of the budget key at this rung.</summary>
    public int? Budget { get; init; }
    /// <summary>Tuners: the validation score the trial was ranked by.</summary>
    public double? Score { get; init; }
    /// <summary>The trial had finished before this sweep started and was not run again (<see cref="Run"/> is read from its record when it completed).</summary>
    public bool Skipped { get; init; }
    /// <summary>The worker process that ran it, null when it ran in this process or was skipped.</summary>
    public int? WorkerPid { get; init; }
    /// <summary>Worker trials: the largest resident memory the sweep saw.</summary>
    public long? PeakResidentBytes { get; init; }
}

/// <summary>How a sweep runs, beyond the spec: settings overridden on the command line, how to start worker processes, and whether failed trials run again.</summary>
public sealed record SweepExecution
{
    /// <summary>Workers, limits and tuner (null: the spec's <c>sweep:</c> section as loaded).</summary>
    public SweepSettings? Settings { get; init; }
    /// <summary>How to start a worker (the <c>ecg</c> executable); needed when trials run in worker processes.</summary>
    public WorkerCommand? Worker { get; init; }
    /// <summary>Run trials again whose record says failed (completed trials are always skipped).</summary>
    public bool RetryFailed { get; init; }
}

/// <summary>
/// Runs the trials of a file as its tuner decides (grid, random, successive halving, ASHA), in this process or in
/// worker processes (<see cref="WorkerPlan"/>). A trial whose key (resolved config + data fingerprint + code version)
/// already has a completed run record is skipped; a failing, crashing or killed trial is recorded as failed and the
/// sweep goes on; Ctrl-C stops after the current batch of each running trial (worker processes get SIGINT). Each run
/// record is written atomically and this process alone writes the SQLite index, so a killed sweep loses at most the
/// trials that were running, and the next run of the same file picks up where it stopped.
/// </summary>
public static class SweepRunner
{
    /// <summary>Runs the given trials one after another in this process (the pre-tuner entry point, kept for API callers).</summary>
    public static IReadOnlyList<TrialOutcome> Run(IReadOnlyList<Trial> trials, RunOptions options, IRunObserver observer,
        bool retryFailed = false, CancellationToken cancel = default)
    {
        if (trials.Count == 0) return [];
        var plan = new WorkerPlan(1, true, null, 1, "in this process");
        return Schedule(new ListTuner(trials.Count, "trials"), r => trials[r.Configuration - 1], trials.Count, plan, new SweepSettings(),
            options, new SweepExecution { RetryFailed = retryFailed }, null, observer, cancel);
    }

    /// <summary>Runs a file's sweep with its tuner and worker plan.</summary>
    public static IReadOnlyList<TrialOutcome> Run(SweepSpace space, RunOptions options, SweepExecution execution, IRunObserver observer,
        CancellationToken cancel = default)
    {
        var settings = execution.Settings ?? space.Settings;
        var (tuner, plan) = Prepare(space, settings, options);
        if (!plan.InProcess && execution.Worker is null)
            throw new InvalidOperationException($"this sweep runs trials in worker processes ({plan.Describe()}) but no worker command was given");
        observer = new SynchronizedObserver(observer);
        observer.Info($"sweep: {tuner.Description}; {plan.Describe()}{Limits(settings)}");
        return Schedule(tuner, r => space.Trial(r.Configuration, r.Budget), space.Configurations.Count, plan, settings, options, execution, space.File, observer, cancel);
    }

    /// <summary>The tuner and worker plan a sweep would use (what <c>--dry-run</c> shows).</summary>
    public static (ITuner tuner, WorkerPlan plan) Prepare(SweepSpace space, SweepSettings settings, RunOptions options)
    {
        if (settings.IsTuner && options.Epochs is not null && settings.Budget!.Key == "training.epochs")
            throw new ArgumentException("--epochs cannot be combined with a tuner whose budget key is training.epochs: the tuner sets the epochs of each rung");
        var tuner = Tuners.Create(settings, space.Configurations.Count);
        var plan = WorkerPlan.Resolve(settings, space.Trials, options, tuner.Plan[0].Trials);
        return (tuner, plan);
    }

    /// <summary>"; trial timeout 30 s; memory cap 4 GiB" (empty without limits).</summary>
    public static string Limits(SweepSettings s) =>
        (s.TrialTimeout is { } t ? $"; trial timeout {SweepSettings.FormatDuration(t)}" : "") +
        (s.TrialMemoryBytes is { } m ? $"; memory cap {SweepSettings.FormatSize(m)}" : "");

    private static IReadOnlyList<TrialOutcome> Schedule(ITuner tuner, Func<TrialRequest, Trial> make, int configurations, WorkerPlan plan,
        SweepSettings settings, RunOptions options, SweepExecution execution, string? specFile, IRunObserver observer, CancellationToken cancel)
    {
        var first = make(new TrialRequest(1, 0, tuner.Plan[0].Budget)).Experiment;
        var resultsRoot = ExperimentRunner.ResultsRoot(options.OutputDirectory ?? first.Spec.Output.Dir);
        var experimentDir = Path.Combine(resultsRoot, ExperimentRunner.Slug(first.Spec.Name));
        using var index = new RunIndex(Path.Combine(experimentDir, "index.sqlite"));
        var outcomes = new List<TrialOutcome>();
        var running = new List<Task<TrialOutcome>>();
        string? fatal = null;
        bool tuned = settings.IsTuner;

        void Finish(TrialRequest request, TrialOutcome outcome)
        {
            double? score = null;
            if (tuned && outcome.Status == "completed")
            {
                var record = outcome.Run?.Record;
                score = ValidationScore.Best(record, settings.Metric, settings.Direction);
                if (score is null && fatal is null)
                    fatal = $"sweep.metric '{settings.Metric}' is not in trial {outcome.Trial.Number}'s validation history; available: {string.Join(", ", ValidationScore.Available(record))}";
            }
            outcome = outcome with { Score = score };
            var values = string.Join(", ", outcome.Trial.Values.Select(v => $"{v.Key}={v.Value}"));
            var run = outcome.Run;
            index.Record(outcome.TrialKey, first.Spec.Name, outcome.Trial.Number, outcome.Status, outcome.RunDirectory, values, outcome.Error,
                outcome.Skipped ? null : outcome.Seconds, run?.Metric(Evaluation.MetricNames.Accuracy), run?.Metric(Evaluation.MetricNames.MacroF1),
                run?.Metric(Evaluation.MetricNames.RocAuc), outcome.Rung, outcome.Budget, score, outcome.PeakResidentBytes);
            if (tuned && !outcome.Skipped)
                observer.Info($"trial {outcome.Trial.Number} rung {outcome.Rung}: {outcome.Status}, validation {settings.Metric} {(score is { } s ? s.ToString("0.0000", CultureInfo.InvariantCulture) : "–")}");
            tuner.Report(new TrialReport(request, outcome.Status, score));
            outcomes.Add(outcome);
        }

        var requests = new Dictionary<Task<TrialOutcome>, TrialRequest>();
        while (true)
        {
            while (fatal is null && !cancel.IsCancellationRequested && running.Count < plan.Workers)
            {
                var next = tuner.Next();
                if (next.Kind != SuggestionKind.Run) break;
                var request = next.Request!;
                var trial = make(request);
                var key = ExperimentRunner.TrialKey(trial.Experiment, options);
                var runDir = Path.Combine(experimentDir, StableHash.Short(key));
                var label = Label(trial, request, configurations, key, tuned);
                var previous = RunRecordFile.Read(runDir, key);
                var status = RunRecordFile.Status(previous);
                if (status == "completed" || (status == "failed" && !execution.RetryFailed))
                {
                    observer.Info($"{label}: already {status}, skipped");
                    Finish(request, new TrialOutcome(trial, key, status, runDir, status == "completed" ? RunRecordFile.ToOutcome(previous!, runDir) : null,
                        status == "failed" ? RunRecordFile.Error(previous) : null, 0) { Skipped = true, Rung = request.Rung, Budget = request.Budget });
                    continue;
                }
                observer.Info(label);
                if (plan.InProcess)
                {
                    Finish(request, InProcess(trial, request, key, runDir, options, observer, cancel));
                    continue;
                }
                var task = Task.Run(() => InWorker(trial, request, key, runDir, resultsRoot, specFile!, plan, settings, options, execution.Worker!, observer, cancel));
                running.Add(task);
                requests[task] = request;
            }
            if (running.Count == 0) break;
            var done = Task.WhenAny(running).GetAwaiter().GetResult();
            running.Remove(done);
            Finish(requests[done], done.GetAwaiter().GetResult());
        }
        if (fatal is not null) throw new ArgumentException(fatal);
        var ordered = outcomes.OrderBy(o => o.Rung).ThenBy(o => o.Trial.Number).ToList();
        if (SweepOverhead.Measure(ordered) is { } overhead) observer.Info(overhead.Describe(plan.InProcess ? "in this process" : "in worker processes"));
        return ordered;
    }

    private static string Label(Trial trial, TrialRequest request, int configurations, string key, bool tuned)
    {
        var values = string.Join(", ", trial.Values.Select(v => $"{v.Key}={v.Value}"));
        return $"trial {trial.Number}/{configurations}{(tuned ? $" rung {request.Rung}" : "")} {StableHash.Short(key)} {values}".TrimEnd();
    }

    private static TrialOutcome InProcess(Trial trial, TrialRequest request, string key, string runDir, RunOptions options, IRunObserver observer, CancellationToken cancel)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            var run = ExperimentRunner.Run(trial.Experiment, options, observer, cancel);
            return new TrialOutcome(trial, key, run.Status, run.RunDirectory, run, null, sw.Elapsed.TotalSeconds) { Rung = request.Rung, Budget = request.Budget };
        }
        catch (OperationCanceledException)
        {
            return new TrialOutcome(trial, key, "interrupted", runDir, null, null, sw.Elapsed.TotalSeconds) { Rung = request.Rung, Budget = request.Budget };
        }
        catch (Exception e)
        {
            // Failures are data: the run record (status failed) is already written; note it and go on.
            observer.Info($"trial {trial.Number} failed: {e.Message}");
            return new TrialOutcome(trial, key, "failed", runDir, null, $"{e.Message}", sw.Elapsed.TotalSeconds) { Rung = request.Rung, Budget = request.Budget };
        }
    }

    private static async Task<TrialOutcome> InWorker(Trial trial, TrialRequest request, string key, string runDir, string resultsRoot, string specFile,
        WorkerPlan plan, SweepSettings settings, RunOptions options, WorkerCommand worker, IRunObserver observer, CancellationToken cancel)
    {
        var startedUtc = DateTime.UtcNow;
        var sw = Stopwatch.StartNew();
        var args = new List<string> { "trial", Path.GetFullPath(specFile), "--trial", Invariant(trial.Number), "--expect-key", key, "--watch-parent", "--output", resultsRoot };
        if (request.Budget is { } b) args.AddRange(["--budget", Invariant(b)]);
        if (options.Device is { } d) args.AddRange(["--device", d]);
        if (options.Threads is { } t) args.AddRange(["--threads", t]);
        if (options.Epochs is { } ep) args.AddRange(["--epochs", Invariant(ep)]);
        var env = new Dictionary<string, string>();
        if (plan.CoresPerWorker is { } cores)
            foreach (var name in new[] { "DOTNET_PROCESSOR_COUNT", "OMP_NUM_THREADS", "MKL_NUM_THREADS" }) env[name] = Invariant(cores);
        var prefix = $"[{trial.Number}{(settings.IsTuner ? $".{request.Rung}" : "")}] ";
        var exit = await TrialWorker.RunAsync(worker, args, env, settings.TrialTimeout, settings.TrialMemoryBytes,
            pid => observer.Info($"{prefix}worker pid {pid}"), line => observer.Info(prefix + line), cancel).ConfigureAwait(false);

        var record = RunRecordFile.Read(runDir, key);
        bool fresh = record?["started_utc"]?.GetValue<string>() is { } s
            && DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var st) && st >= startedUtc.AddSeconds(-1);
        var status = fresh ? RunRecordFile.Status(record) : null;
        TrialOutcome Outcome(string st, RunOutcome? run, string? error) =>
            new(trial, key, st, runDir, run, error, sw.Elapsed.TotalSeconds)
            {
                Rung = request.Rung, Budget = request.Budget, WorkerPid = exit.Pid, PeakResidentBytes = exit.PeakResidentBytes > 0 ? exit.PeakResidentBytes : null,
            };

        if (exit.KilledFor is { } why)
        {
            RunRecordFile.WriteFailed(trial.Experiment, options, runDir, key, "TrialLimitExceeded", why, startedUtc, exit.Seconds, exit.PeakResidentBytes);
            observer.Info($"{prefix}killed: {why}");
            return Outcome("failed", null, why);
        }
        switch (status)
        {
            case "completed":
                return Outcome("completed", RunRecordFile.ToOutcome(record!, runDir), null);
            case "failed":
                return Outcome("failed", null, RunRecordFile.Error(record));
            case "interrupted":
                return Outcome("interrupted", RunRecordFile.ToOutcome(record!, runDir), null);
        }
        if (cancel.IsCancellationRequested && exit.ExitCode == 130) return Outcome("interrupted", null, null);
        // The worker died without recording its end (crash, signal, or an error before the run started).
        var last = exit.ErrorTail.LastOrDefault(l => !string.IsNullOrWhiteSpace(l));
        var message = exit.Describe() + (last is null ? "" : $": {last.Trim()}");
        RunRecordFile.WriteFailed(trial.Experiment, options, runDir, key, "WorkerCrashed", message, startedUtc, exit.Seconds, exit.PeakResidentBytes);
        observer.Info($"{prefix}{message}");
        return Outcome("failed", null, message);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Serialises observer calls: worker output arrives on several threads.</summary>
    private sealed class SynchronizedObserver(IRunObserver inner) : IRunObserver
    {
        private readonly Lock _lock = new();

        public void Info(string message)
        {
            lock (_lock) inner.Info(message);
        }

        public void Progress(TrainingProgress progress)
        {
            lock (_lock) inner.Progress(progress);
        }
    }
}

/// <summary>
/// The sweep engine's time per trial that is not training: trial wall time in the sweep minus the run record's
/// <c>train_seconds</c>, split into the runner's own data loading, pipeline fitting and evaluation (from the record's
/// timings) and what lies outside the runner (worker start, libtorch load, spec parsing, record reading, index).
/// </summary>
/// <param name="Trials">Trials measured (completed in this sweep).</param>
/// <param name="Wall">Mean wall seconds per trial as the sweep saw it.</param>
/// <param name="Train">Mean <c>train_seconds</c>.</param>
/// <param name="LoadAndPipeline">Mean <c>load_seconds + pipeline_seconds</c>.</param>
/// <param name="EvaluateAndArtefacts">Mean rest of the runner's <c>total_seconds</c> (evaluation, artefacts, record).</param>
/// <param name="OutsideRunner">Mean wall − <c>total_seconds</c>.</param>
public sealed record SweepOverhead(int Trials, double Wall, double Train, double LoadAndPipeline, double EvaluateAndArtefacts, double OutsideRunner)
{
    /// <summary>Mean seconds per trial not spent training.</summary>
    public double NotTraining => Wall - Train;

    public static SweepOverhead? Measure(IEnumerable<TrialOutcome> outcomes)
    {
        var rows = outcomes
            .Where(o => !o.Skipped && o.Status == "completed" && o.Run?.Record["timings"] is JsonObject)
            .Select(o => (o.Seconds, t: (JsonObject)o.Run!.Record["timings"]!))
            .Select(x => (wall: x.Seconds, train: D(x.t, "train_seconds"), lp: D(x.t, "load_seconds") + D(x.t, "pipeline_seconds"), total: D(x.t, "total_seconds")))
            .ToList();
        if (rows.Count == 0) return null;
        return new SweepOverhead(rows.Count, rows.Average(r => r.wall), rows.Average(r => r.train), rows.Average(r => r.lp),
            rows.Average(r => r.total - r.train - r.lp), rows.Average(r => r.wall - r.total));
    }

    public string Describe(string where) => string.Create(CultureInfo.InvariantCulture,
        $"per-trial time not training ({where}, mean of {Trials}): {NotTraining:0.000} s = load+pipeline {LoadAndPipeline:0.000} s + evaluate/artefacts {EvaluateAndArtefacts:0.000} s + outside the runner {OutsideRunner:0.000} s (wall {Wall:0.000} s, train {Train:0.000} s)");

    private static double D(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<double>(out var x) ? x : 0;
}
