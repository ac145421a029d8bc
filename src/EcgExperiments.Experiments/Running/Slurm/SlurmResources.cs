using System.Globalization;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running.Slurm;

/// <summary>
/// What every task of a sweep's job arrays asks Slurm for, as <c>#SBATCH</c> options: the sweep's time limit rounded up
/// to whole minutes (<c>--time</c>) with a warning signal ahead of it (<c>--signal=B:USR1@seconds</c>, so the trial
/// stops after its batch and records itself instead of being killed), memory (<c>--mem</c>), cores
/// (<c>--cpus-per-task</c>), a GPU for CUDA trials (<c>--gres=gpu:1</c>), partition, the <c>%</c> throttle and the
/// user's extra options.
/// </summary>
/// <param name="Partition">Partition, or null for the cluster's default.</param>
/// <param name="CpusPerTask">Cores of each task (its libtorch threads).</param>
/// <param name="MemoryMiB">Memory of each task in MiB (Slurm's M), or null for the partition default.</param>
/// <param name="Gres">Generic resources of each task, or null.</param>
/// <param name="MaxParallel">Tasks of one array running at once (<c>launcher.max_parallel</c>, else an explicit <c>workers</c>), or null for no limit.</param>
/// <param name="TimeLimit">The sweep's trial timeout, or null for the partition's limit.</param>
/// <param name="ExtraArgs">Further sbatch options, verbatim.</param>
public sealed record SlurmResources(string? Partition, int CpusPerTask, long? MemoryMiB, string? Gres, int? MaxParallel, TimeSpan? TimeLimit, IReadOnlyList<string> ExtraArgs)
{
    /// <summary>The signal that warns a task ahead of its time limit (Slurm sends it to the batch shell, which is the trial itself after <c>exec</c>).</summary>
    public const string WarningSignal = "USR1";

    /// <summary>The resources of a sweep's tasks.</summary>
    /// <param name="settings">The sweep's settings (<see cref="SweepSettings.Slurm"/> must be set).</param>
    /// <param name="threadsPerTrial">Threads a trial asks for: the cores when <c>cpus_per_task</c> is not given.</param>
    /// <param name="gpu">Whether the trials run on CUDA (then <c>gpu:1</c> unless <c>gres</c> is given).</param>
    public static SlurmResources For(SweepSettings settings, int threadsPerTrial, bool gpu)
    {
        var slurm = settings.Slurm ?? throw new ArgumentException("the sweep does not use the Slurm launcher", nameof(settings));
        long? memory = slurm.MemoryBytes ?? settings.TrialMemoryBytes;
        return new SlurmResources(slurm.Partition, slurm.CpusPerTask ?? Math.Max(1, threadsPerTrial),
            memory is { } m ? (m + (1 << 20) - 1) >> 20 : null, slurm.Gres ?? (gpu ? "gpu:1" : null), slurm.MaxParallel ?? settings.Workers, settings.TrialTimeout, slurm.ExtraArgs);
    }

    /// <summary><c>--time</c> in whole minutes (the trial timeout rounded up), or null.</summary>
    public int? TimeMinutes => TimeLimit is { } t ? Math.Max(1, (int)Math.Ceiling(t.TotalSeconds / 60 - 1e-9)) : null;

    /// <summary>
    /// Seconds before the hard limit at which the warning signal is sent: at least the rounding gap (so a 90 s timeout
    /// warns at 90 s of a 2-minute job), and at least a tenth of the limit within [30 s, 5 min], so the trial has time
    /// to finish its batch and write its record. Slurm may send it up to a minute early (its event resolution).
    /// </summary>
    public int? WarningSeconds
    {
        get
        {
            if (TimeMinutes is not { } minutes || TimeLimit is not { } limit) return null;
            int hard = minutes * 60;
            int gap = hard - (int)Math.Floor(limit.TotalSeconds);
            int margin = Math.Clamp(hard / 10, 30, 300);
            return Math.Min(Math.Max(gap, margin), hard - 1);
        }
    }

    /// <summary>The <c>#SBATCH</c> options of an array of <paramref name="tasks"/> tasks (without the <c>#SBATCH</c> prefix).</summary>
    /// <param name="jobName">The job's name.</param>
    /// <param name="tasks">Array tasks, numbered 1 to <paramref name="tasks"/>.</param>
    /// <param name="logPattern">Each task's log file (<c>%a</c> = the task number).</param>
    public IReadOnlyList<string> Directives(string jobName, int tasks, string logPattern)
    {
        var d = new List<string>
        {
            $"--job-name={jobName}",
            $"--array=1-{Invariant(tasks)}{(MaxParallel is { } p ? $"%{Invariant(p)}" : "")}",
            $"--output={logPattern}",
        };
        if (TimeMinutes is { } minutes) d.Add($"--time={Invariant(minutes)}");
        if (WarningSeconds is { } ahead) d.Add($"--signal=B:{WarningSignal}@{Invariant(ahead)}");
        if (MemoryMiB is { } mem) d.Add($"--mem={Invariant(mem)}M");
        d.Add($"--cpus-per-task={Invariant(CpusPerTask)}");
        if (Partition is { } partition) d.Add($"--partition={partition}");
        if (Gres is { } gres) d.Add($"--gres={gres}");
        d.AddRange(ExtraArgs.Select(a => a.Trim()));
        return d;
    }

    /// <summary>"partition gpu, 4 CPUs, 8192 MiB, gpu:1, at most 16 at once, time 30 min (warned 180 s ahead)".</summary>
    public string Describe()
    {
        var parts = new List<string>
        {
            Partition is { } p ? $"partition {p}" : "default partition",
            $"{CpusPerTask} CPU(s) per trial",
            MemoryMiB is { } m ? $"{m} MiB" : "partition's default memory",
        };
        if (Gres is { } g) parts.Add(g);
        if (MaxParallel is { } n) parts.Add($"at most {n} task(s) at once");
        if (TimeMinutes is { } t) parts.Add($"--time={t} min, warned {WarningSeconds} s ahead");
        if (ExtraArgs.Count > 0) parts.Add(string.Join(' ', ExtraArgs));
        return string.Join(", ", parts);
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
