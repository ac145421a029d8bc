using EcgExperiments.Core;
using EcgExperiments.Training;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Running.Slurm;

namespace EcgExperiments.Experiments.Running;

/// <summary>A trial of a Slurm submission that has not recorded its end (yet): its task, how Slurm sees it, and, when it has ended, why it left no record.</summary>
/// <param name="Task">The array task.</param>
/// <param name="State">Slurm's view (null when Slurm no longer knows the job).</param>
/// <param name="Explanation">For a task that ended without a record: the failure as the controller would record it.</param>
public sealed record UnrecordedTask(SlurmArrayTask Task, SlurmTaskState? State, string? Explanation);

/// <summary>One Slurm submission of an experiment: its manifest, how many of its trials have recorded their end, and the others.</summary>
/// <param name="Folder">The submission's folder (script, manifest, task logs).</param>
/// <param name="Manifest">Its manifest.</param>
/// <param name="Recorded">Tasks whose trial wrote (or had written for it) a run record after submission.</param>
/// <param name="Unrecorded">The other tasks, with Slurm's view of them.</param>
/// <param name="SlurmError">Why Slurm could not be asked (no client tools here, controller unreachable), or null.</param>
public sealed record SlurmSubmissionStatus(string Folder, SlurmArrayManifest Manifest, int Recorded, IReadOnlyList<UnrecordedTask> Unrecorded, string? SlurmError);

/// <summary>Where an experiment's trials stand (<c>ecg status</c>): its run records by status, and its Slurm submissions.</summary>
/// <param name="Folder">The experiment's results folder.</param>
/// <param name="Runs">Every readable run record with its folder and place in the sweep (when known).</param>
/// <param name="Unreadable">Run records that could not be read, with why.</param>
/// <param name="Submissions">Its Slurm submissions, oldest first.</param>
public sealed record ExperimentStatus(string Folder, IReadOnlyList<(string Folder, RunRecord Record, SweepPlace? Place)> Runs, IReadOnlyList<string> Unreadable,
    IReadOnlyList<SlurmSubmissionStatus> Submissions)
{
    /// <summary>
    /// The training checkpoints of trials that have not completed, by trial key: where an interrupted, failed or
    /// killed trial will resume (or how far a running one has come). Unreadable checkpoints are left out.
    /// </summary>
    public IReadOnlyDictionary<string, CheckpointInfo> Checkpoints { get; init; } = new Dictionary<string, CheckpointInfo>();

    /// <summary>Run counts by status.</summary>
    public IReadOnlyDictionary<TrialStatus, int> Counts => Runs.GroupBy(r => r.Record.Status).ToDictionary(g => g.Key, g => g.Count());
}

/// <summary>
/// Reads where an experiment's trials stand, read-only: the run records (the source of truth), each placed in its sweep
/// by the index or the Slurm manifests, and for Slurm submissions the tasks that have not recorded their end, as
/// <c>squeue</c>/<c>sacct</c> see them — pending, running, or ended without a record (with the reason the controller
/// records when it collects them).
/// </summary>
public static class SweepStatus
{
    /// <param name="experimentDirectory">The experiment's results folder.</param>
    /// <param name="slurm">The Slurm commands (null: from <c>PATH</c>).</param>
    public static ExperimentStatus Of(string experimentDirectory, SlurmCommands? slurm = null)
    {
        slurm ??= new SlurmCommands();
        var places = RunIndexRebuild.SweepPlaces(experimentDirectory);
        var runs = new List<(string, RunRecord, SweepPlace?)>();
        var unreadable = new List<string>();
        foreach (var folder in RunIndexRebuild.TrialFolders(experimentDirectory))
        {
            try
            {
                var record = RunRecordFile.Read(folder);
                runs.Add((folder, record, places.GetValueOrDefault(record.TrialKey)));
            }
            catch (RunRecordException e) { unreadable.Add(e.Message); }
        }
        var submissions = SlurmArrayManifest.Under(experimentDirectory).Select(m => Submission(m.Path, m.Manifest, slurm)).ToList();
        return new ExperimentStatus(experimentDirectory, runs.OrderBy(r => r.Item3?.Rung ?? 0).ThenBy(r => r.Item3?.Trial ?? int.MaxValue).ToList(), unreadable, submissions)
        {
            Checkpoints = CheckpointsIn(experimentDirectory),
        };
    }

    /// <summary>The readable checkpoints of an experiment folder's trials, by trial key (a damaged one is skipped: the next run sets it aside and says why).</summary>
    public static IReadOnlyDictionary<string, CheckpointInfo> CheckpointsIn(string experimentDirectory)
    {
        var found = new Dictionary<string, CheckpointInfo>(StringComparer.Ordinal);
        foreach (var file in ExperimentRunner.CheckpointFiles(experimentDirectory))
        {
            try
            {
                if (TrainingCheckpoint.Peek(file) is { } info) found[info.Key] = info;
            }
            catch (EcgDataException) { } // set aside by the next run, which says why
            catch (IOException) { }      // being replaced by a running trial at this moment
        }
        return found;
    }

    private static SlurmSubmissionStatus Submission(string manifestPath, SlurmArrayManifest manifest, SlurmCommands slurm)
    {
        var folder = Path.GetDirectoryName(manifestPath)!;
        var open = manifest.Tasks.Where(t => RunRecordFile.TryRead(t.RunDirectory, t.TrialKey) is not { } r || r.StartedUtc == t.PreviousRecordStartedUtc).ToList();
        int recorded = manifest.Tasks.Count - open.Count;
        if (open.Count == 0) return new SlurmSubmissionStatus(folder, manifest, recorded, [], null);
        if (manifest.JobId is not { } jobId)
            return new SlurmSubmissionStatus(folder, manifest, recorded, open.Select(t => new UnrecordedTask(t, null, null)).ToList(), "never submitted (sbatch did not answer)");
        try
        {
            var queued = slurm.Queued(jobId);
            var states = open.Any(t => !queued.ContainsKey(t.Task)) ? slurm.States(jobId) : new Dictionary<int, SlurmTaskState>();
            var resources = Resources(manifest);
            var tasks = open.Select(t =>
            {
                var state = queued.GetValueOrDefault(t.Task) ?? states.GetValueOrDefault(t.Task);
                string? why = state is { IsActive: false } ? SlurmTaskEnd.Describe(jobId, state, resources, SlurmTaskEnd.Tail(Path.Combine(folder, t.Log))).Message : null;
                return new UnrecordedTask(t, state, why);
            }).ToList();
            return new SlurmSubmissionStatus(folder, manifest, recorded, tasks, null);
        }
        catch (SlurmException e)
        {
            return new SlurmSubmissionStatus(folder, manifest, recorded, open.Select(t => new UnrecordedTask(t, null, null)).ToList(), e.Message);
        }
    }

    /// <summary>The limits a submission ran under, read back from its <c>#SBATCH</c> options (for naming a limit failure).</summary>
    private static SlurmResources Resources(SlurmArrayManifest manifest)
    {
        string? Value(string option) => manifest.Sbatch.FirstOrDefault(d => d.StartsWith(option + "=", StringComparison.Ordinal))?[(option.Length + 1)..];
        long? memory = Value("--mem") is { } m && long.TryParse(m.TrimEnd('M'), out var mib) ? mib : null;
        TimeSpan? time = Value("--time") is { } t && int.TryParse(t, out var minutes) ? TimeSpan.FromMinutes(minutes) : null;
        return new SlurmResources(Value("--partition"), 1, memory, Value("--gres"), null, time, []);
    }
}
