using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Runs;

namespace EcgExperiments.Experiments.Running.Slurm;

/// <summary>One array task of a submission: which trial it runs (configuration, rung, budget), under which key, into which folder.</summary>
/// <param name="Task">The array task number (<c>SLURM_ARRAY_TASK_ID</c>, from 1).</param>
/// <param name="Trial">The sweep's configuration number.</param>
/// <param name="Rung">Tuners: the rung (0 otherwise).</param>
/// <param name="Budget">Tuners: the budget key's value at this rung.</param>
/// <param name="TrialKey">The key the trial must resolve to (<c>ecg trial --expect-key</c>).</param>
/// <param name="RunDirectory">Where the trial's run record is published.</param>
/// <param name="SweepValues">The swept values, as the index shows them ("training.learning_rate=0.003").</param>
/// <param name="Log">The task's log file (standard output and error), relative to the manifest's folder.</param>
public sealed record SlurmArrayTask(int Task, int Trial, int Rung, int? Budget, string TrialKey, string RunDirectory, string SweepValues, string Log)
{
    /// <summary>When the run record in <see cref="RunDirectory"/> before submission started (null: there was none); a record with another start time is the task's own.</summary>
    public DateTime? PreviousRecordStartedUtc { get; init; }
}

/// <summary>
/// The manifest of one job array (<c>manifest.json</c> beside its <c>job.sbatch</c>): array task → trial, key and run
/// folder, and the job id once submitted. The controller collects results with it; <c>ecg status</c> and
/// <c>ecg index</c> read it to place trials run on the cluster in their sweep.
/// </summary>
public sealed record SlurmArrayManifest
{
    public const string FormatName = "ecg-slurm-array";
    public const int CurrentVersion = 1;
    public const string FileName = "manifest.json";
    public const string ScriptName = "job.sbatch";

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public required string Experiment { get; init; }
    public required string SpecFile { get; init; }
    /// <summary>Slurm's job id of the array (null until <c>sbatch</c> has answered).</summary>
    public string? JobId { get; init; }
    public DateTime CreatedUtc { get; init; }
    public DateTime? SubmittedUtc { get; init; }
    /// <summary>Tuners: the validation metric promotions rank by, and its direction (for rebuilding the index's scores).</summary>
    public string? Metric { get; init; }
    public Spec.MetricDirection? Direction { get; init; }
    /// <summary>The job's <c>#SBATCH</c> options, as submitted.</summary>
    public IReadOnlyList<string> Sbatch { get; init; } = [];
    public required IReadOnlyList<SlurmArrayTask> Tasks { get; init; }

    private static readonly JsonSerializerOptions Json = new(RunRecordFile.Json) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static void Write(string path, SlurmArrayManifest manifest) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(manifest, Json) + "\n");

    public static string Serialize(SlurmArrayManifest manifest) => JsonSerializer.Serialize(manifest, Json) + "\n";

    /// <summary>Reads a manifest; a damaged or foreign file throws <see cref="InvalidDataException"/> naming it.</summary>
    public static SlurmArrayManifest Read(string path)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<SlurmArrayManifest>(File.ReadAllText(path), Json) ?? throw new JsonException("empty");
            if (manifest.Format != FormatName) throw new JsonException($"format '{manifest.Format}', expected '{FormatName}'");
            if (manifest.Version > CurrentVersion)
                throw new JsonException($"version {manifest.Version} was written by a newer version of the framework (this one reads up to {CurrentVersion})");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a readable Slurm array manifest ({e.Message})", e);
        }
    }

    /// <summary>Every manifest under an experiment's results folder (<c>slurm/*/manifest.json</c>), oldest first; unreadable ones are left out.</summary>
    public static IReadOnlyList<(string Path, SlurmArrayManifest Manifest)> Under(string experimentDirectory)
    {
        var root = Path.Combine(experimentDirectory, SlurmJobArray.FolderName);
        if (!Directory.Exists(root)) return [];
        var list = new List<(string, SlurmArrayManifest)>();
        foreach (var path in Directory.GetFiles(root, FileName, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try { list.Add((path, Read(path))); }
            catch (InvalidDataException) { }
        }
        return list.OrderBy(m => m.Item2.CreatedUtc).ToList();
    }
}

/// <summary>
/// One submission of trials as a Slurm job array: a folder under <c>results/&lt;experiment&gt;/slurm/</c> holding the
/// batch script (<c>job.sbatch</c>), its manifest and one log per task. The script picks its task's command by
/// <c>SLURM_ARRAY_TASK_ID</c> and <c>exec</c>s the trial entry point (<c>ecg trial … --expect-key KEY</c>), so the
/// trial itself receives Slurm's signals, and it gives libtorch and .NET the task's cores (<c>SLURM_CPUS_PER_TASK</c>).
/// </summary>
public static class SlurmJobArray
{
    /// <summary>The folder of an experiment's submissions.</summary>
    public const string FolderName = "slurm";

    /// <summary>The batch script: what it is, <c>#SBATCH</c> options, the thread environment, and one <c>exec</c> line per task.</summary>
    /// <param name="experiment">The experiment's name.</param>
    /// <param name="specFile">The spec its trials come from.</param>
    /// <param name="rungs">Tuners: the rungs of the trials (null for grid and random sweeps).</param>
    /// <param name="directives">The options from <see cref="SlurmResources.Directives"/>.</param>
    /// <param name="commands">Each task's command line (program first), in task order.</param>
    public static string Script(string experiment, string specFile, IReadOnlyList<int>? rungs, IReadOnlyList<string> directives, IReadOnlyList<IReadOnlyList<string>> commands)
    {
        var s = new StringBuilder();
        s.Append("#!/bin/bash\n");
        s.Append("# ").Append(experiment).Append(": ").Append(commands.Count.ToString(CultureInfo.InvariantCulture)).Append(" trial(s) of ").Append(specFile)
            .Append(rungs is null ? "" : $", rung {string.Join("/", rungs)}").Append(", as one job array.\n");
        s.Append("# Written by `ecg run --launcher slurm`; ").Append(SlurmArrayManifest.FileName).Append(" beside it maps each array task to its trial and trial key.\n");
        foreach (var d in directives) s.Append("#SBATCH ").Append(d).Append('\n');
        s.Append("set -u\n");
        s.Append("# .NET and libtorch use the cores Slurm gave this task, not every core of the node.\n");
        s.Append("export DOTNET_PROCESSOR_COUNT=\"${SLURM_CPUS_PER_TASK:-1}\" OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\" MKL_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n");
        s.Append("# exec: the trial is the batch step, so the time-limit warning signal reaches it.\n");
        s.Append("case \"${SLURM_ARRAY_TASK_ID:-}\" in\n");
        for (int i = 0; i < commands.Count; i++)
            s.Append("  ").Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(") exec ").Append(string.Join(' ', commands[i].Select(Quote))).Append(" ;;\n");
        s.Append("  *) echo \"array task '${SLURM_ARRAY_TASK_ID:-}' is not one of this job's 1-").Append(commands.Count.ToString(CultureInfo.InvariantCulture))
            .Append("\" >&2; exit 2 ;;\n");
        s.Append("esac\n");
        return s.ToString();
    }

    /// <summary>
    /// An array task's command line: the trial entry point (<c>ecg trial SPEC --trial N --expect-key KEY …</c>, the
    /// same as a local worker's) without the parent watch — a batch job has no parent pipe — and with the trial's time
    /// limit, which names the failure when Slurm's warning signal stops it.
    /// </summary>
    public static List<string> Command(Workers.WorkerCommand worker, string specFile, int trial, int? budget, string trialKey, string resultsRoot, RunOptions options, TimeSpan? timeLimit)
    {
        var command = new List<string> { worker.FileName };
        command.AddRange(worker.Prefix);
        command.AddRange(WorkerProcessTrialRunner.WorkerArguments(specFile, trial, budget, trialKey, resultsRoot, options, watchParent: false));
        if (timeLimit is { } limit) command.AddRange(["--time-limit", Math.Ceiling(limit.TotalSeconds).ToString(CultureInfo.InvariantCulture)]);
        return command;
    }

    /// <summary>A word for bash: bare when it is plainly safe, else single-quoted (Python's <c>shlex.quote</c> rules).</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':' or '=' or '+' or ',' or '@' or '%')
            ? word
            : "'" + word.Replace("'", "'\"'\"'") + "'";

    /// <summary>A new submission folder name: UTC time, controller pid and a sequence number (unique per controller).</summary>
    public static string NewFolderName(DateTime utc, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{utc:yyyyMMdd-HHmmss}-p{Environment.ProcessId}-{sequence}");

    /// <summary>The log file of a task (relative to the submission folder); <c>%a</c> in the <c>--output</c> pattern.</summary>
    public static string LogName(int task) => $"task-{task.ToString(CultureInfo.InvariantCulture)}.log";

    public const string LogPattern = "task-%a.log";
}
