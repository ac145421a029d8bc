using YamlDotNet.RepresentationModel;

namespace EcgExperiments.Experiments.Spec;

/// <summary>Where a sweep's trials run: on this machine (in this process or local worker processes), or as Slurm job arrays.</summary>
public enum LauncherKind { Local, Slurm }

/// <summary>
/// The <c>sweep.launcher:</c> section: where trials run. <c>local</c> (the default) runs them on this machine as
/// <c>sweep.workers</c> says; <c>slurm</c> submits the pending trials of each rung as one Slurm job array
/// (<c>sbatch --array=1-N%max_parallel</c>) whose tasks run <c>ecg trial</c>, and collects their run records.
/// </summary>
/// <example><code>
/// sweep:
///   trial_timeout: 30m               # → sbatch --time=30 and a warning signal ahead of it
///   trial_memory: 8GiB               # → sbatch --mem (unless launcher.mem is given)
///   launcher:
///     type: slurm
///     partition: gpu
///     cpus_per_task: 4               # → libtorch threads of each trial (SLURM_CPUS_PER_TASK)
///     max_parallel: 16               # → --array=1-N%16
///     extra_args: [--account=cardio, --qos=short]
/// </code></example>
public sealed record LauncherSpec
{
    public LauncherKind Type { get; init; } = LauncherKind.Local;
    /// <summary>Slurm partition (<c>--partition</c>); default: the cluster's default partition.</summary>
    public string? Partition { get; init; }
    /// <summary>Cores per trial (<c>--cpus-per-task</c>); default: the threads a trial asks for (its <c>threads:</c> or the thread policy).</summary>
    public int? CpusPerTask { get; init; }
    /// <summary>Memory per trial (<c>--mem</c>, e.g. <c>8GiB</c>); default: <c>sweep.trial_memory</c>, else the partition's default.</summary>
    public string? Mem { get; init; }
    /// <summary>Generic resources per trial (<c>--gres</c>, e.g. <c>gpu:a100:1</c>); default: <c>gpu:1</c> for trials on <c>device: cuda</c>.</summary>
    public string? Gres { get; init; }
    /// <summary>Array tasks running at once (<c>--array=1-N%max_parallel</c>); default: <c>sweep.workers</c> when it is a number, else as many as the cluster allows.</summary>
    public int? MaxParallel { get; init; }
    /// <summary>Further <c>sbatch</c> options, one per item (e.g. <c>--account=cardio</c>, <c>--qos=short</c>).</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
}

/// <summary>
/// The validated Slurm launcher settings of a sweep (<see cref="SweepSettings.Slurm"/>; null runs trials locally).
/// Time and memory limits come from <see cref="SweepSettings.TrialTimeout"/> and <see cref="SweepSettings.TrialMemoryBytes"/>.
/// </summary>
public sealed record SlurmSettings
{
    public string? Partition { get; init; }
    public int? CpusPerTask { get; init; }
    /// <summary><c>launcher.mem</c> in bytes; null: the sweep's trial memory, else the partition default.</summary>
    public long? MemoryBytes { get; init; }
    public string? Gres { get; init; }
    public int? MaxParallel { get; init; }
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>
    /// sbatch options the launcher writes itself, with the setting that controls each; <c>extra_args</c> may not repeat
    /// them (a second <c>--time</c> would silently win over <c>trial_timeout</c>).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> LauncherOptions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--array"] = "the launcher submits the pending trials as the array (sweep.launcher.max_parallel sets the %limit)",
        ["-a"] = "the launcher submits the pending trials as the array (sweep.launcher.max_parallel sets the %limit)",
        ["--time"] = "set sweep.trial_timeout", ["-t"] = "set sweep.trial_timeout",
        ["--signal"] = "the launcher signals trials ahead of sweep.trial_timeout",
        ["--mem"] = "set sweep.launcher.mem or sweep.trial_memory",
        ["--cpus-per-task"] = "set sweep.launcher.cpus_per_task", ["-c"] = "set sweep.launcher.cpus_per_task",
        ["--partition"] = "set sweep.launcher.partition", ["-p"] = "set sweep.launcher.partition",
        ["--gres"] = "set sweep.launcher.gres",
        ["--output"] = "each array task's log is written beside the job's manifest", ["-o"] = "each array task's log is written beside the job's manifest",
        ["--error"] = "each array task's log is written beside the job's manifest", ["-e"] = "each array task's log is written beside the job's manifest",
        ["--wrap"] = "the launcher writes the batch script", ["--parsable"] = "the launcher reads sbatch's answer itself",
    };

    /// <summary>Reads and checks <c>sweep.launcher</c>: null for the local launcher (errors name the exact key).</summary>
    public static SlurmSettings? FromSpec(LauncherSpec? launcher, YamlBinder binder, YamlMappingNode root)
    {
        if (launcher is null) return null;
        SpecException Bad(string key, string message) => binder.ErrorAt(root, $"sweep.launcher.{key}", message);
        if (launcher.Type == LauncherKind.Local)
        {
            foreach (var (key, given) in new[]
                     {
                         ("partition", launcher.Partition is not null), ("cpus_per_task", launcher.CpusPerTask is not null), ("mem", launcher.Mem is not null),
                         ("gres", launcher.Gres is not null), ("max_parallel", launcher.MaxParallel is not null), ("extra_args", launcher.ExtraArgs.Count > 0),
                     })
                if (given) throw Bad(key, "is only used by the Slurm launcher (launcher: { type: slurm, … }); the local launcher runs trials as sweep.workers says");
            return null;
        }
        if (launcher.Partition is { } p && !IsToken(p)) throw Bad("partition", $"must be a partition name without spaces, got '{p}'");
        if (launcher.CpusPerTask is < 1) throw Bad("cpus_per_task", $"must be ≥ 1, got {launcher.CpusPerTask}");
        if (launcher.MaxParallel is < 1) throw Bad("max_parallel", $"must be ≥ 1 (array tasks running at once), got {launcher.MaxParallel}");
        if (launcher.Gres is { } g && !IsToken(g)) throw Bad("gres", $"must be a generic resource such as gpu:1 or gpu:a100:2, got '{g}'");
        long? memory = null;
        if (launcher.Mem is { } m)
        {
            try { memory = SweepSettings.ParseSize(m); }
            catch (FormatException e) { throw Bad("mem", e.Message); }
        }
        for (int i = 0; i < launcher.ExtraArgs.Count; i++)
            if (CheckExtraArgument(launcher.ExtraArgs[i]) is { } problem) throw Bad("extra_args", $"item {i + 1} ('{launcher.ExtraArgs[i]}'): {problem}");
        return new SlurmSettings
        {
            Partition = launcher.Partition, CpusPerTask = launcher.CpusPerTask, MemoryBytes = memory, Gres = launcher.Gres,
            MaxParallel = launcher.MaxParallel, ExtraArgs = launcher.ExtraArgs.ToList(),
        };
    }

    /// <summary>Why an <c>extra_args</c> item cannot be passed to sbatch, or null when it can.</summary>
    public static string? CheckExtraArgument(string argument)
    {
        var a = argument.Trim();
        if (!a.StartsWith('-') || a.Length < 2) return "expected an sbatch option such as --account=cardio or --qos=short";
        var name = a.StartsWith("--", StringComparison.Ordinal) ? a.Split('=', 2)[0] : a[..2];
        return LauncherOptions.TryGetValue(name, out var instead) ? $"{name} is written by the launcher: {instead}" : null;
    }

    private static bool IsToken(string s) => s.Length > 0 && !s.Any(char.IsWhiteSpace);
}
