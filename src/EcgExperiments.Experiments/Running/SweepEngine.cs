using System.Diagnostics;
using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Running.Slurm;
using EcgExperiments.Experiments.Running.Tuning;
using EcgExperiments.Experiments.Running.Workers;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Running;

/// <summary>What happened to one trial of a sweep.</summary>
public sealed record TrialOutcome(Trial Trial, string TrialKey, TrialStatus Status, string RunDirectory, RunRecord? Record, string? Error, double Seconds)
{
    /// <summary>Tuners: the rung the trial ran at (0 for grid and random).</summary>
    public int Rung { get; init; }
    /// <summary>Tuners: the value of the budget key at this rung.</summary>
    public int? Budget { get; init; }
    /// <summary>Tuners: the validation score the trial was ranked by.</summary>
    public double? Score { get; init; }
    /// <summary>The trial had finished before this sweep started and was not run again (<see cref="Record"/> is its record).</summary>
    public bool Skipped { get; init; }
    /// <summary>The worker process that ran it, null when it ran in this process or was skipped.</summary>
    public int? WorkerPid { get; init; }
    /// <summary>Worker trials: the largest resident memory the sweep saw.</summary>
    public long? PeakResidentBytes { get; init; }
    /// <summary>Trials that failed in this process: the exception (its record holds the type and message).</summary>
    public Exception? Exception { get; init; }
}

/// <summary>One trial the engine hands to a trial runner: the resolved trial, its tuner request, key and folder.</summary>
public sealed record TrialJob(Trial Trial, TrialRequest Request, string TrialKey, string RunDirectory, string Label);

/// <summary>
/// Runs one trial (AutoML's trial-runner seam): in this process, in a worker process with time and memory limits, or on
/// a cluster. A runner never throws for a failing trial: failures come back as outcomes (with the run record saying
/// why), so the sweep goes on.
/// </summary>
public interface ITrialRunner
{
    /// <summary>Trials that can run at once.</summary>
    int Capacity { get; }

    /// <summary>One line for dry runs and logs.</summary>
    string Description { get; }

    Task<TrialOutcome> RunAsync(TrialJob job, CancellationToken cancel);
}

/// <summary>
/// Watches a sweep (AutoML's monitor seam), separate from progress output: a trial started, completed, failed (with the
/// exception when there is one), was skipped as already finished, or became the best so far.
/// </summary>
public interface ISweepMonitor
{
    void ReportRunningTrial(TrialJob job);
    void ReportCompletedTrial(TrialOutcome outcome);
    void ReportFailTrial(TrialOutcome outcome, Exception? exception = null);
    void ReportSkippedTrial(TrialOutcome outcome);
    void ReportBestTrial(TrialOutcome outcome);
}

/// <summary>A monitor that reports nothing (tests, API callers that read the outcomes).</summary>
public sealed class SilentMonitor : ISweepMonitor
{
    public static SilentMonitor Instance { get; } = new();
    public void ReportRunningTrial(TrialJob job) { }
    public void ReportCompletedTrial(TrialOutcome outcome) { }
    public void ReportFailTrial(TrialOutcome outcome, Exception? exception = null) { }
    public void ReportSkippedTrial(TrialOutcome outcome) { }
    public void ReportBestTrial(TrialOutcome outcome) { }
}

/// <summary>How a sweep runs, beyond the spec: settings overridden on the command line, how to start worker processes, and what runs again.</summary>
public sealed record SweepExecution
{
    /// <summary>Workers, limits and tuner (null: the spec's <c>sweep:</c> section as loaded).</summary>
    public SweepSettings? Settings { get; init; }
    /// <summary>How to start a worker (the <c>ecg</c> executable); needed when trials run in worker processes.</summary>
    public WorkerCommand? Worker { get; init; }
    /// <summary>Run trials again whose record says failed.</summary>
    public bool RetryFailed { get; init; }
    /// <summary>Run every trial again, completed ones too (a completed folder is replaced only when the new run completes).</summary>
    public bool Force { get; init; }
    /// <summary>What this run is, written into the results folder's lock for another run's message (e.g. the command line).</summary>
    public string? Purpose { get; init; }
    /// <summary>Slurm launcher: the commands to use (null: sbatch, squeue, sacct, scontrol, scancel from <c>PATH</c>).</summary>
    public SlurmCommands? Slurm { get; init; }
    /// <summary>Slurm launcher: how often the queue is asked (null: 2 s).</summary>
    public TimeSpan? SlurmPollInterval { get; init; }
}

/// <summary>
/// Runs the trials of a file as its tuner decides (grid, random, successive halving, ASHA) through a trial runner (in
/// this process, or worker processes: <see cref="WorkerPlan"/>). Every <c>ecg run</c> goes through here, a single trial
/// too. A trial whose key (resolved config + data fingerprint + code version) already has a completed run record is
/// skipped; a failing, crashing or killed trial is recorded as failed and the sweep goes on; Ctrl-C stops after the
/// current batch of each running trial. Run records are the source of truth; this process alone writes the SQLite
/// index beside them, so a killed sweep loses at most the trials that were running, and the next run picks up where it stopped.
/// </summary>
public static class SweepEngine
{
    /// <summary>Runs a file's trials with its tuner and worker plan.</summary>
    public static IReadOnlyList<TrialOutcome> Run(SweepSpace space, RunOptions options, SweepExecution execution, ISweepMonitor monitor, IRunObserver observer,
        CancellationToken cancel = default)
    {
        var settings = execution.Settings ?? space.Settings;
        var (tuner, plan) = Prepare(space, settings, options);
        observer = new SynchronizedObserver(observer);
        ITrialRunner runner = settings.Slurm is not null
            ? new SlurmTrialRunner(space.File, settings, SlurmResourcesFor(space, settings, plan, options), options,
                execution.Worker ?? throw new InvalidOperationException("this sweep runs trials as Slurm array tasks but no worker command was given"),
                observer, execution.Slurm, execution.SlurmPollInterval)
            : plan.InProcess
            ? new InProcessTrialRunner(options, observer)
            : new WorkerProcessTrialRunner(space.File, plan, settings, options,
                execution.Worker ?? throw new InvalidOperationException($"this sweep runs trials in worker processes ({plan.Describe()}) but no worker command was given"),
                observer);
        if (space.Configurations.Count > 1 || settings.IsTuner) observer.Info($"sweep: {tuner.Description}; {runner.Description}{Limits(settings)}");
        return Schedule(space, tuner, runner, settings, options, execution, monitor, observer, cancel);
    }

    /// <summary>The tuner and worker plan a sweep would use (what <c>--dry-run</c> shows).</summary>
    public static (ITuner Tuner, WorkerPlan Plan) Prepare(SweepSpace space, SweepSettings settings, RunOptions options)
    {
        if (settings.IsTuner && options.Epochs is not null && settings.Budget!.Key == "training.epochs")
            throw new ArgumentException("--epochs cannot be combined with a tuner whose budget key is training.epochs: the tuner sets the epochs of each rung");
        var tuner = Tuners.Create(settings, space.Configurations.Count);
        var plan = WorkerPlan.Resolve(settings, space.Trials, options, tuner.Plan[0].Trials);
        return (tuner, plan);
    }

    /// <summary>What each Slurm array task of the sweep asks for (<see cref="SweepSettings.Slurm"/> must be set).</summary>
    public static SlurmResources SlurmResourcesFor(SweepSpace space, SweepSettings settings, WorkerPlan plan, RunOptions options) =>
        SlurmResources.For(settings, plan.ThreadsPerTrial, SlurmTrialRunner.WantsGpu(space.Trials, options));

    /// <summary>"; trial timeout 30 s; memory cap 4 GiB" (empty without limits).</summary>
    public static string Limits(SweepSettings s) =>
        (s.TrialTimeout is { } t ? $"; trial timeout {SweepSettings.FormatDuration(t)}" : "") +
        (s.TrialMemoryBytes is { } m ? $"; memory cap {SweepSettings.FormatSize(m)}" : "");

    private static IReadOnlyList<TrialOutcome> Schedule(SweepSpace space, ITuner tuner, ITrialRunner runner, SweepSettings settings, RunOptions options,
        SweepExecution execution, ISweepMonitor monitor, IRunObserver observer, CancellationToken cancel)
    {
        var first = space.Trial(1, tuner.Plan[0].Budget).Experiment;
        var experimentDir = ExperimentRunner.ExperimentDirectory(first, options);
        // Before any training: a folder that cannot take the results, or that another run is writing, fails now.
        OutputStorage.EnsureWritable(experimentDir);
        using var held = FolderLock.Acquire(experimentDir, execution.Purpose ?? $"ecg run {space.File}");
        RunFolders.RemoveStale(experimentDir);
        using var index = new RunIndex(Path.Combine(experimentDir, RunIndex.FileName));
        if (index.Reconcile(experimentDir) is { } repaired) observer.Info(repaired);
        bool indexWarned = false;
        var outcomes = new List<TrialOutcome>();
        var running = new Dictionary<Task<TrialOutcome>, TrialJob>();
        string? fatal = null;
        bool tuned = settings.IsTuner;
        TrialOutcome? best = null;

        void Finish(TrialJob job, TrialOutcome outcome, Exception? exception = null)
        {
            double? score = null;
            if (tuned && outcome.Status == TrialStatus.Completed)
            {
                score = ValidationScore.Best(outcome.Record, settings.Metric, settings.Direction);
                if (score is null && fatal is null)
                    fatal = $"sweep.metric '{settings.Metric}' is not in trial {outcome.Trial.Number}'s validation history; available: {string.Join(", ", ValidationScore.Available(outcome.Record))}";
            }
            outcome = outcome with { Score = score, Rung = job.Request.Rung, Budget = job.Request.Budget };
            try
            {
                index.Record(outcome, first.Spec.Name);
            }
            catch (RunIndexException e) when (!indexWarned)
            {
                // The run records are the truth and the next run rebuilds the index from them: the sweep goes on.
                indexWarned = true;
                observer.Info($"warning: {e.Message}");
            }
            catch (RunIndexException)
            {
            }
            if (outcome.Skipped) monitor.ReportSkippedTrial(outcome);
            else if (outcome.Status == TrialStatus.Completed) monitor.ReportCompletedTrial(outcome);
            else if (outcome.Status == TrialStatus.Failed) monitor.ReportFailTrial(outcome, exception);
            if (tuned && !outcome.Skipped)
                observer.Info($"trial {outcome.Trial.Number} rung {outcome.Rung}: {outcome.Status.Text()}, validation {settings.Metric} {(score is { } s ? s.ToString("0.0000", CultureInfo.InvariantCulture) : "–")}");
            if (outcome.Status == TrialStatus.Completed && IsBetter(outcome, best, settings, first))
            {
                best = outcome;
                monitor.ReportBestTrial(outcome);
            }
            tuner.Report(new TrialReport(job.Request, outcome.Status, score));
            outcomes.Add(outcome);
        }

        while (true)
        {
            while (fatal is null && !cancel.IsCancellationRequested && running.Count < runner.Capacity)
            {
                var next = tuner.Next();
                if (next.Kind != SuggestionKind.Run) break;
                var request = next.Request!;
                var trial = space.Trial(request.Configuration, request.Budget);
                var key = ExperimentRunner.TrialKey(trial.Experiment, options);
                var job = new TrialJob(trial, request, key, Path.Combine(experimentDir, StableHash.Short(key)), Label(trial, request, space.Configurations.Count, key, tuned));
                var previous = RunRecordFile.TryRead(job.RunDirectory, key);
                var status = previous?.Status;
                if (!execution.Force && (status == TrialStatus.Completed || (status == TrialStatus.Failed && !execution.RetryFailed)))
                {
                    observer.Info($"{job.Label}: already {status!.Value.Text()}, skipped{(status == TrialStatus.Failed ? " (--retry-failed runs it again)" : " (--force runs it again)")}");
                    Finish(job, new TrialOutcome(trial, key, status.Value, job.RunDirectory, previous, previous!.Error?.Message, 0) { Skipped = true });
                    continue;
                }
                observer.Info(job.Label);
                monitor.ReportRunningTrial(job);
                running[runner.RunAsync(job, cancel)] = job;
            }
            if (runner is IBatchingTrialRunner batching) batching.SubmitQueued(cancel);
            if (running.Count == 0) break;
            var done = Task.WhenAny(running.Keys).GetAwaiter().GetResult();
            var finished = running[done];
            running.Remove(done);
            Finish(finished, done.GetAwaiter().GetResult());
        }
        if (fatal is not null) throw new ArgumentException(fatal);
        var ordered = outcomes.OrderBy(o => o.Rung).ThenBy(o => o.Trial.Number).ToList();
        if (SweepOverhead.Measure(ordered) is { } overhead) observer.Info(overhead.Describe(runner.Description));
        return ordered;
    }

    /// <summary>Better by the tuner's validation score, or (grid, random) by the test table's headline metric.</summary>
    private static bool IsBetter(TrialOutcome candidate, TrialOutcome? best, SweepSettings settings, ResolvedExperiment first)
    {
        if (best is null) return true;
        if (settings.IsTuner)
            return candidate.Score is { } c && (best.Score is not { } b || (settings.Direction == MetricDirection.Max ? c > b : c < b));
        var (metric, higher) = first.Task.Headline;
        double? Value(TrialOutcome o) => o.Record?.Metric(metric) ?? o.Record?.Metric(Evaluation.MetricNames.Accuracy);
        return Value(candidate) is { } v && (Value(best) is not { } w || (higher ? v > w : v < w));
    }

    private static string Label(Trial trial, TrialRequest request, int configurations, string key, bool tuned)
    {
        var values = string.Join(", ", trial.Values.Select(v => $"{v.Key}={v.Value}"));
        return $"trial {trial.Number}/{configurations}{(tuned ? $" rung {request.Rung}" : "")} {StableHash.Short(key)} {values}".TrimEnd();
    }

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

/// <summary>Runs a trial in this process (one at a time, no limits; the fastest way for a single trial).</summary>
public sealed class InProcessTrialRunner(RunOptions options, IRunObserver observer) : ITrialRunner
{
    public int Capacity => 1;
    public string Description => "in this process";

    public Task<TrialOutcome> RunAsync(TrialJob job, CancellationToken cancel)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            var run = ExperimentRunner.Run(job.Trial.Experiment, options, observer, cancel);
            return Task.FromResult(new TrialOutcome(job.Trial, job.TrialKey, run.Status, run.RunDirectory, run.Record, null, sw.Elapsed.TotalSeconds));
        }
        catch (OperationCanceledException)
        {
            return Task.FromResult(new TrialOutcome(job.Trial, job.TrialKey, TrialStatus.Interrupted, job.RunDirectory, null, null, sw.Elapsed.TotalSeconds));
        }
        catch (Exception e)
        {
            // Failures are data: the runner has written the failed record; note it and go on.
            observer.Info($"trial {job.Trial.Number} failed: {e.Message}");
            var record = RunRecordFile.TryRead(job.RunDirectory, job.TrialKey);
            return Task.FromResult(new TrialOutcome(job.Trial, job.TrialKey, TrialStatus.Failed, job.RunDirectory, record, e.Message, sw.Elapsed.TotalSeconds) { Exception = e });
        }
    }
}

/// <summary>
/// Runs each trial in a worker process (the same <c>ecg</c> executable, <c>ecg trial</c>) with its share of the cores,
/// a wall-clock limit and a resident-memory cap; a trial killed for either, or one whose process died, is recorded as
/// failed with the reason.
/// </summary>
public sealed class WorkerProcessTrialRunner(string specFile, WorkerPlan plan, SweepSettings settings, RunOptions options, WorkerCommand worker, IRunObserver observer)
    : ITrialRunner
{
    private readonly WorkerSlots _slots = new(plan.Workers);

    public int Capacity => plan.Workers;
    public string Description => plan.Describe();

    public async Task<TrialOutcome> RunAsync(TrialJob job, CancellationToken cancel)
    {
        var (trial, request, key, runDir) = (job.Trial, job.Request, job.TrialKey, job.RunDirectory);
        var startedUtc = DateTime.UtcNow;
        var sw = Stopwatch.StartNew();
        var resultsRoot = ExperimentRunner.ResultsRoot(options.OutputDirectory ?? trial.Experiment.Spec.Output.Dir);
        var args = WorkerArguments(specFile, trial.Number, request.Budget, key, resultsRoot, options);
        var env = new Dictionary<string, string>();
        if (plan.CoresPerWorker is { } cores)
            foreach (var name in new[] { "DOTNET_PROCESSOR_COUNT", "OMP_NUM_THREADS", "MKL_NUM_THREADS" }) env[name] = Invariant(cores);
        using var slot = _slots.Take();
        if (plan.GpuFor(slot.Index) is { } gpu) env[GpuInventory.VisibleDevicesVariable] = gpu; // each worker its own GPU
        var prefix = $"[{trial.Number}{(settings.IsTuner ? $".{request.Rung}" : "")}] ";
        var exit = await TrialWorker.RunAsync(worker, args, env, settings.TrialTimeout, settings.TrialMemoryBytes,
            pid => observer.Info($"{prefix}worker pid {pid}"), line => observer.Info(prefix + line), cancel).ConfigureAwait(false);

        var record = RunRecordFile.TryRead(runDir, key);
        bool fresh = record is not null && record.StartedUtc >= startedUtc.AddSeconds(-1);
        TrialOutcome Outcome(TrialStatus status, RunRecord? r, string? error) =>
            new(trial, key, status, runDir, r, error, sw.Elapsed.TotalSeconds)
            {
                WorkerPid = exit.Pid, PeakResidentBytes = exit.PeakResidentBytes > 0 ? exit.PeakResidentBytes : null,
            };

        // A record that cannot be written (a full disk) is reported beside the trial's own reason, never instead of it.
        RunRecord? RecordFailure(string type, string message)
        {
            try
            {
                return RunRecords.WriteFailed(trial.Experiment, options, runDir, key, type, message, startedUtc, exit.Seconds, exit.PeakResidentBytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                observer.Info($"{prefix}the failed record could not be written to {runDir}: {e.Message}");
                return null;
            }
        }

        if (exit.KilledFor is { } why)
        {
            var failed = RecordFailure("TrialLimitExceeded", why);
            observer.Info($"{prefix}killed: {why}");
            return Outcome(TrialStatus.Failed, failed, why);
        }
        if (fresh) return Outcome(record!.Status, record, record.Error?.Message);
        if (cancel.IsCancellationRequested && exit.ExitCode == 130) return Outcome(TrialStatus.Interrupted, null, null);
        // The worker died without recording its end (crash, signal, or an error before the run started).
        var last = exit.ErrorTail.LastOrDefault(l => !string.IsNullOrWhiteSpace(l));
        var message = exit.Describe() + (last is null ? "" : $": {last.Trim()}");
        var crashed = RecordFailure("WorkerCrashed", message);
        observer.Info($"{prefix}{message}");
        return Outcome(TrialStatus.Failed, crashed, message);
    }

    /// <summary>
    /// The <c>ecg trial</c> command line of one trial (also what a cluster job array runs, there without
    /// <paramref name="watchParent"/>: a batch job has no parent pipe whose closing would mean its sweep has gone).
    /// </summary>
    public static List<string> WorkerArguments(string specFile, int number, int? budget, string key, string resultsRoot, RunOptions options, bool watchParent = true)
    {
        var args = new List<string> { "trial", Path.GetFullPath(specFile), "--trial", Invariant(number), "--expect-key", key };
        if (watchParent) args.Add("--watch-parent");
        args.AddRange(["--output", resultsRoot]);
        if (budget is { } b) args.AddRange(["--budget", Invariant(b)]);
        if (options.Device is { } d) args.AddRange(["--device", d]);
        if (options.Threads is { } t) args.AddRange(["--threads", t]);
        if (options.Epochs is { } ep) args.AddRange(["--epochs", Invariant(ep)]);
        if (options.CheckpointEvery is { } every) args.AddRange(["--checkpoint-every", every]);
        return args;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Run records written on a trial's behalf.</summary>
public static class RunRecords
{
    /// <summary>
    /// Writes a failed record for a trial whose worker was killed or died without recording its end. A completed
    /// record of the same trial is never replaced (see <see cref="RunFolders.Publish"/>). <paramref name="log"/> is the
    /// worker's log file, when it has one (a cluster task's output).
    /// </summary>
    public static RunRecord WriteFailed(ResolvedExperiment e, RunOptions options, string runDir, string trialKey, string errorType, string message,
        DateTime startedUtc, double seconds, long? peakResidentBytes, string? log = null)
    {
        var record = new RunRecord
        {
            Experiment = e.Spec.Name,
            SpecFile = e.File,
            Status = TrialStatus.Failed,
            StartedUtc = startedUtc,
            TrialKey = trialKey,
            CodeVersion = ExperimentRunner.CodeVersion,
            ResolvedConfig = ExperimentRunner.ResolvedConfig(e, options),
            Seed = e.Spec.Seed,
            Task = e.Task.Kind,
            Error = new ErrorRecord(errorType, message) { Log = log },
            RecordedBy = "sweep (the worker could not record its end)",
            Timings = new TimingsRecord { TotalSeconds = seconds },
            PeakMemoryBytes = peakResidentBytes,
            FinishedUtc = DateTime.UtcNow,
        };
        var staging = RunFolders.CreateStaging(runDir);
        RunRecordFile.Write(staging, record);
        RunFolders.Publish(staging, runDir, record);
        return record;
    }
}

/// <summary>
/// The sweep engine's time per trial that is not training: trial wall time in the sweep minus the run record's training
/// seconds, split into the runner's own data loading, pipeline fitting and evaluation (from the record's timings) and what
/// lies outside the runner (worker start, libtorch load, spec parsing, record reading, index).
/// </summary>
/// <param name="Trials">Trials measured (completed in this sweep).</param>
/// <param name="Wall">Mean wall seconds per trial as the sweep saw it.</param>
/// <param name="Train">Mean training seconds.</param>
/// <param name="LoadAndPipeline">Mean load + pipeline seconds.</param>
/// <param name="EvaluateAndArtefacts">Mean rest of the runner's total (evaluation, artefacts, record).</param>
/// <param name="OutsideRunner">Mean wall − the runner's total.</param>
public sealed record SweepOverhead(int Trials, double Wall, double Train, double LoadAndPipeline, double EvaluateAndArtefacts, double OutsideRunner)
{
    /// <summary>Mean seconds per trial not spent training.</summary>
    public double NotTraining => Wall - Train;

    public static SweepOverhead? Measure(IEnumerable<TrialOutcome> outcomes)
    {
        var rows = outcomes
            // A trial resumed from a checkpoint spent part of its time in earlier processes: not this sweep's overhead.
            .Where(o => !o.Skipped && o.Status == TrialStatus.Completed && o.Record?.Timings is { Sittings: null or 1 })
            .Select(o => (wall: o.Seconds, t: o.Record!.Timings!))
            .Select(x => (x.wall, train: x.t.TrainSeconds ?? 0, lp: (x.t.LoadSeconds ?? 0) + (x.t.PipelineSeconds ?? 0), total: x.t.TotalSeconds))
            .ToList();
        if (rows.Count == 0) return null;
        return new SweepOverhead(rows.Count, rows.Average(r => r.wall), rows.Average(r => r.train), rows.Average(r => r.lp),
            rows.Average(r => r.total - r.train - r.lp), rows.Average(r => r.wall - r.total));
    }

    public string Describe(string where) => string.Create(CultureInfo.InvariantCulture,
        $"per-trial time not training ({where}, mean of {Trials}): {NotTraining:0.000} s = load+pipeline {LoadAndPipeline:0.000} s + evaluate/artefacts {EvaluateAndArtefacts:0.000} s + outside the runner {OutsideRunner:0.000} s (wall {Wall:0.000} s, train {Train:0.000} s)");
}
