using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Running.Workers;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running.Slurm;

/// <summary>
/// Runs a sweep's trials as Slurm job arrays behind the engine's trial-runner seam: the trials the tuner offers at once
/// (a grid, a rung, an ASHA promotion) are queued and submitted together as one array
/// (<see cref="SlurmJobArray"/>), whose tasks run <c>ecg trial … --expect-key KEY</c> on the cluster and write their
/// run records into the shared results folder. A watcher polls <c>squeue</c> and, for tasks that left the queue,
/// <c>sacct</c> (or <c>scontrol</c>); each ended task completes its trial with the run record the trial wrote, or, when
/// it died without one (killed for memory or time, node failure, cancelled, crashed), with a failed record written here
/// from Slurm's state, the exit code and the task's log. Ctrl-C cancels pending tasks and sends running ones SIGINT, so
/// they stop after their batch and record themselves as interrupted. If this process dies, the tasks run on and record
/// themselves; a later <c>ecg run</c> skips what they finished.
/// </summary>
public sealed class SlurmTrialRunner : IBatchingTrialRunner
{
    /// <summary>How long a task may be missing from both the queue and the accounting before it counts as ended in an unknown state.</summary>
    private static readonly TimeSpan Unaccounted = TimeSpan.FromSeconds(90);

    private readonly string _specFile;
    private readonly SweepSettings _settings;
    private readonly SlurmResources _resources;
    private readonly RunOptions _options;
    private readonly WorkerCommand _worker;
    private readonly IRunObserver _observer;
    private readonly SlurmCommands _commands;
    private readonly TimeSpan _poll;
    private readonly Lock _lock = new();
    private readonly List<Pending> _queue = [];
    private int _submissions;

    private sealed record Pending(TrialJob Job, TaskCompletionSource<TrialOutcome> Done);

    /// <param name="specFile">The spec the tasks run (<c>ecg trial SPEC</c>).</param>
    /// <param name="settings">The sweep's settings (the tuner's metric goes into the manifests).</param>
    /// <param name="resources">What each task asks Slurm for.</param>
    /// <param name="options">The run's overrides, passed on to every task.</param>
    /// <param name="worker">The <c>ecg</c> executable the tasks start (it must be reachable at the same path on the nodes).</param>
    /// <param name="observer">Receives submissions, task state changes and failures.</param>
    /// <param name="commands">The Slurm commands (default: from <c>PATH</c>).</param>
    /// <param name="pollInterval">How often the queue is asked (default 2 s).</param>
    public SlurmTrialRunner(string specFile, SweepSettings settings, SlurmResources resources, RunOptions options, WorkerCommand worker, IRunObserver observer,
        SlurmCommands? commands = null, TimeSpan? pollInterval = null)
    {
        _specFile = Path.GetFullPath(specFile);
        _settings = settings;
        _resources = resources;
        _options = options;
        _worker = worker;
        _observer = observer;
        _commands = commands ?? new SlurmCommands();
        _poll = pollInterval ?? TimeSpan.FromSeconds(2);
    }

    /// <summary>Whether any trial runs on CUDA (its tasks then ask for a GPU).</summary>
    public static bool WantsGpu(IEnumerable<Trial> trials, RunOptions options) =>
        trials.Any(t => (options.Device ?? t.Experiment.Spec.Device).Trim().StartsWith("cuda", StringComparison.OrdinalIgnoreCase));

    /// <summary>Slurm throttles the array (<c>%max_parallel</c>); the engine hands over every trial it can.</summary>
    public int Capacity => int.MaxValue;

    public string Description => $"Slurm job arrays ({_resources.Describe()})";

    public Task<TrialOutcome> RunAsync(TrialJob job, CancellationToken cancel)
    {
        var done = new TaskCompletionSource<TrialOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock) _queue.Add(new Pending(job, done));
        return done.Task;
    }

    public void SubmitQueued(CancellationToken cancel)
    {
        List<Pending> batch;
        lock (_lock)
        {
            batch = [.. _queue];
            _queue.Clear();
        }
        if (batch.Count == 0) return;
        try
        {
            var submission = Submit(batch);
            _ = Task.Run(() => WatchAsync(submission, cancel), CancellationToken.None);
        }
        catch (Exception e)
        {
            foreach (var p in batch) p.Done.TrySetException(e);
            throw;
        }
    }

    private sealed record Submission(string Directory, string JobId, DateTime SubmittedUtc, IReadOnlyList<(SlurmArrayTask Task, Pending Pending)> Tasks);

    private Submission Submit(List<Pending> batch)
    {
        var first = batch[0].Job;
        var experiment = first.Trial.Experiment;
        var created = DateTime.UtcNow;
        var experimentDir = Path.GetDirectoryName(first.RunDirectory)!;
        var dir = Path.Combine(experimentDir, SlurmJobArray.FolderName, SlurmJobArray.NewFolderName(created, Interlocked.Increment(ref _submissions)));
        Directory.CreateDirectory(dir);
        var resultsRoot = ExperimentRunner.ResultsRoot(_options.OutputDirectory ?? experiment.Spec.Output.Dir);
        var tasks = batch.Select((p, i) => new SlurmArrayTask(i + 1, p.Job.Trial.Number, p.Job.Request.Rung, p.Job.Request.Budget, p.Job.TrialKey,
                p.Job.RunDirectory, string.Join(", ", p.Job.Trial.Values.Select(v => $"{v.Key}={v.Value}")), SlurmJobArray.LogName(i + 1))
            {
                PreviousRecordStartedUtc = RunRecordFile.TryRead(p.Job.RunDirectory, p.Job.TrialKey)?.StartedUtc,
            }).ToList();
        var commands = batch.Select(p => Command(p.Job, resultsRoot)).ToList();
        var directives = _resources.Directives($"ecg-{ExperimentRunner.Slug(experiment.Spec.Name)}", tasks.Count, Path.Combine(dir, SlurmJobArray.LogPattern));
        var rungs = _settings.IsTuner ? tasks.Select(t => t.Rung).Distinct().ToList() : null;
        var script = Path.Combine(dir, SlurmArrayManifest.ScriptName);
        File.WriteAllText(script, SlurmJobArray.Script(experiment.Spec.Name, _specFile, rungs, directives, commands));
        var manifestPath = Path.Combine(dir, SlurmArrayManifest.FileName);
        var manifest = new SlurmArrayManifest
        {
            Experiment = experiment.Spec.Name, SpecFile = _specFile, CreatedUtc = created, Sbatch = directives, Tasks = tasks,
            Metric = _settings.IsTuner ? _settings.Metric : null, Direction = _settings.IsTuner ? _settings.Direction : null,
        };
        SlurmArrayManifest.Write(manifestPath, manifest);
        var jobId = _commands.Submit(script);
        var submitted = DateTime.UtcNow;
        SlurmArrayManifest.Write(manifestPath, manifest with { JobId = jobId, SubmittedUtc = submitted });
        _observer.Info($"slurm: job {jobId}: {tasks.Count} trial(s) ({string.Join(", ", tasks.Select(Name))}) → {dir}");
        return new Submission(dir, jobId, submitted, tasks.Zip(batch).Select(x => (x.First, x.Second)).ToList());
    }

    private List<string> Command(TrialJob job, string resultsRoot) =>
        SlurmJobArray.Command(_worker, _specFile, job.Trial.Number, job.Request.Budget, job.TrialKey, resultsRoot, _options, _resources.TimeLimit);

    private string Name(SlurmArrayTask t) => _settings.IsTuner ? $"trial {t.Trial} rung {t.Rung}" : $"trial {t.Trial}";

    private string Prefix(SlurmArrayTask t) => $"[{t.Trial}{(_settings.IsTuner ? $".{t.Rung}" : "")}] ";

    private async Task WatchAsync(Submission s, CancellationToken cancel)
    {
        var open = s.Tasks.ToDictionary(t => t.Task.Task);
        var shown = new Dictionary<int, string>();
        var missingSince = new Dictionary<int, DateTime>();
        bool failing = false;
        using var interrupt = cancel.Register(() =>
        {
            _observer.Info($"slurm: stopping job {s.JobId} (pending tasks cancelled, running ones stop after their batch)");
            try { _commands.Interrupt(s.JobId); }
            catch (SlurmException e) { _observer.Info($"slurm: {e.Message}"); }
        });
        try
        {
            while (open.Count > 0)
            {
                await Task.Delay(_poll, CancellationToken.None).ConfigureAwait(false);
                IReadOnlyDictionary<int, SlurmTaskState> queued, states;
                try
                {
                    queued = _commands.Queued(s.JobId);
                    foreach (var (task, state) in queued)
                        if (open.TryGetValue(task, out var t) && shown.GetValueOrDefault(task) != state.State)
                        {
                            shown[task] = state.State;
                            _observer.Info($"{Prefix(t.Task)}slurm job {s.JobId}_{task} {state.State.ToLowerInvariant()}");
                        }
                    var left = open.Keys.Where(task => !queued.TryGetValue(task, out var q) || !q.IsActive).ToList();
                    if (left.Count == 0) continue;
                    states = _commands.States(s.JobId);
                    foreach (var task in left)
                    {
                        SlurmTaskState end;
                        if (states.TryGetValue(task, out var known))
                        {
                            if (known.IsActive) continue; // still finishing in the controller's view
                            end = known;
                        }
                        else
                        {
                            var since = missingSince.TryGetValue(task, out var m) ? m : missingSince[task] = DateTime.UtcNow;
                            if (DateTime.UtcNow - since < Unaccounted) continue;
                            end = new SlurmTaskState(task, "UNKNOWN", Reason: "neither in the queue nor in the accounting");
                        }
                        var (array, pending) = open[task];
                        open.Remove(task);
                        pending.Done.TrySetResult(Finish(s, array, pending.Job, end, cancel));
                    }
                    failing = false;
                }
                catch (SlurmException e)
                {
                    if (!failing) _observer.Info($"slurm: {e.Message} (asking again every {_poll.TotalSeconds:0.#} s)");
                    failing = true;
                }
            }
        }
        catch (Exception e)
        {
            foreach (var (_, pending) in open.Values) pending.Done.TrySetException(e);
        }
    }

    /// <summary>The outcome of an ended task: the trial's own record, or a failed record written from Slurm's account of it.</summary>
    private TrialOutcome Finish(Submission s, SlurmArrayTask task, TrialJob job, SlurmTaskState end, CancellationToken cancel)
    {
        var seconds = end.Elapsed?.TotalSeconds ?? (DateTime.UtcNow - s.SubmittedUtc).TotalSeconds;
        var record = RunRecordFile.TryRead(job.RunDirectory, job.TrialKey);
        if (record is not null && record.StartedUtc != task.PreviousRecordStartedUtc)
        {
            _observer.Info($"{Prefix(task)}slurm job {s.JobId}_{task.Task} {end.State.ToLowerInvariant()}: trial {record.Status.Text()}");
            return new TrialOutcome(job.Trial, job.TrialKey, record.Status, job.RunDirectory, record, record.Error?.Message, seconds);
        }
        if (cancel.IsCancellationRequested && (end.State == "CANCELLED" || end.ExitCode == 130))
            return new TrialOutcome(job.Trial, job.TrialKey, TrialStatus.Interrupted, job.RunDirectory, null, null, seconds);
        var log = Path.Combine(s.Directory, task.Log);
        var (type, message) = SlurmTaskEnd.Describe(s.JobId, end, _resources, SlurmTaskEnd.Tail(log));
        var failed = RunRecords.WriteFailed(job.Trial.Experiment, _options, job.RunDirectory, job.TrialKey, type, message,
            end.StartUtc ?? s.SubmittedUtc, end.Elapsed?.TotalSeconds ?? 0, null, log);
        _observer.Info($"{Prefix(task)}{message} (log: {log})");
        return new TrialOutcome(job.Trial, job.TrialKey, TrialStatus.Failed, job.RunDirectory, failed, message, seconds);
    }
}
