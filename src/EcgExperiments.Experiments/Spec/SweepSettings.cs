using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace EcgExperiments.Experiments.Spec;

/// <summary>
/// The validated execution and tuner settings of a sweep: the <c>sweep:</c> section's strings parsed into numbers
/// (errors point at file:line:column and name the key), then optionally overridden from the command line.
/// </summary>
public sealed record SweepSettings
{
    public SweepMode Mode { get; init; } = SweepMode.Grid;
    /// <summary>Worker processes; null = auto (workers × threads per trial ≤ cores).</summary>
    public int? Workers { get; init; }
    public TimeSpan? TrialTimeout { get; init; }
    public long? TrialMemoryBytes { get; init; }
    public SweepIsolation Isolation { get; init; } = SweepIsolation.Auto;
    /// <summary>Tuners only.</summary>
    public BudgetSpec? Budget { get; init; }
    public int Eta { get; init; } = 3;
    /// <summary>Tuners: the validation metric (from the run record's history) that ranks trials.</summary>
    public string Metric { get; init; } = "loss";
    public MetricDirection Direction { get; init; } = MetricDirection.Min;
    /// <summary>Trials run as Slurm job arrays with these settings; null: on this machine.</summary>
    public SlurmSettings? Slurm { get; init; }

    public bool IsTuner => Mode is SweepMode.SuccessiveHalving or SweepMode.Asha;
    public bool HasLimits => TrialTimeout is not null || TrialMemoryBytes is not null;

    /// <summary>Rung budgets: min·eta^r while ≤ max, the last one raised to max (min 2, max 18, eta 3 → 2, 6, 18; max 20 → 2, 6, 20).</summary>
    public IReadOnlyList<int> RungBudgets()
    {
        if (Budget is null) return [];
        var budgets = new List<int>();
        for (long b = Budget.Min; b <= Budget.Max; b *= Eta) budgets.Add((int)b);
        budgets[^1] = Budget.Max;
        return budgets;
    }

    /// <summary>Reads and checks the spec's <c>sweep:</c> section (defaults when there is none).</summary>
    public static SweepSettings FromSpec(ExperimentSpec spec, YamlBinder binder, YamlMappingNode root)
    {
        var sweep = spec.Sweep ?? new SweepSpec();
        YamlNode At(string key) => Node(root, "sweep", key);
        SpecException Bad(string key, string message) => binder.Error(At(key), $"sweep.{key}", message);

        int? workers;
        try { workers = ParseWorkers(sweep.Workers); }
        catch (FormatException e) { throw Bad("workers", e.Message); }
        TimeSpan? timeout = null;
        if (sweep.TrialTimeout is { } t)
        {
            try { timeout = ParseDuration(t); }
            catch (FormatException e) { throw Bad("trial_timeout", e.Message); }
        }
        long? memory = null;
        if (sweep.TrialMemory is { } m)
        {
            try { memory = ParseSize(m); }
            catch (FormatException e) { throw Bad("trial_memory", e.Message); }
        }
        if (sweep.Isolation == SweepIsolation.InProcess && (workers > 1 || timeout is not null || memory is not null))
            throw Bad("isolation", "in_process runs one trial at a time without limits; remove workers > 1, trial_timeout and trial_memory, or use auto");
        if (sweep.Trials is < 1) throw Bad("trials", $"must be ≥ 1, got {sweep.Trials}");
        var slurm = SlurmSettings.FromSpec(sweep.Launcher, binder, root);
        if (slurm is not null && CheckSlurm(sweep.Isolation) is { } conflict) throw Bad(conflict.Key, conflict.Message);

        var settings = new SweepSettings
        {
            Mode = sweep.Mode, Workers = workers, TrialTimeout = timeout, TrialMemoryBytes = memory, Isolation = sweep.Isolation, Slurm = slurm,
        };
        bool tuner = settings.IsTuner;
        if (!tuner)
        {
            foreach (var (key, given) in new[] { ("budget", sweep.Budget is not null), ("metric", sweep.Metric is not null), ("direction", sweep.Direction is not null) })
                if (given) throw Bad(key, $"is only used by the tuners (mode: successive_halving or asha), not by mode {YamlBinder.SnakeCase(sweep.Mode.ToString())}");
            if (sweep.Eta != 3) throw Bad("eta", "is only used by the tuners (mode: successive_halving or asha)");
            return settings;
        }
        if (sweep.Eta < 2) throw Bad("eta", $"must be ≥ 2 (each rung keeps the best 1/eta of its trials), got {sweep.Eta}");
        var budget = sweep.Budget ?? throw Bad("mode", $"{YamlBinder.SnakeCase(sweep.Mode.ToString())} needs a budget, e.g. `budget: {{ key: training.epochs, min: 2, max: 18 }}`");
        YamlNode BudgetAt(string key) => Node(root, "sweep", "budget", key);
        if (string.IsNullOrWhiteSpace(budget.Key)) throw binder.Error(BudgetAt("key"), "sweep.budget.key", "names the key the budget sets, e.g. training.epochs");
        if (budget.Min < 1) throw binder.Error(BudgetAt("min"), "sweep.budget.min", $"must be ≥ 1, got {budget.Min}");
        if (budget.Max < budget.Min) throw binder.Error(BudgetAt("max"), "sweep.budget.max", $"must be ≥ min ({budget.Min}), got {budget.Max}");
        if (sweep.Parameters.ContainsKey(budget.Key))
            throw binder.Error(Node(root, "sweep", "parameters", budget.Key), $"sweep.parameters.{budget.Key}", "is the tuner's budget key; the tuner sets it per rung, so it cannot be swept too");
        var metric = sweep.Metric ?? spec.Training.SelectBy;
        if (string.IsNullOrWhiteSpace(metric)) throw Bad("metric", "names a validation metric, e.g. macro_f1 or loss");
        var direction = sweep.Direction ?? (metric.Equals("loss", StringComparison.OrdinalIgnoreCase) ? MetricDirection.Min : MetricDirection.Max);
        return settings with { Budget = budget, Eta = sweep.Eta, Metric = metric, Direction = direction };
    }

    /// <summary>
    /// The command line's overrides (<c>--workers</c>, <c>--trial-timeout</c>, <c>--trial-memory</c>, <c>--isolation</c>,
    /// <c>--launcher</c>); bad values throw <see cref="ArgumentException"/> naming the flag. <c>--launcher slurm</c> keeps
    /// the spec's <c>sweep.launcher</c> options when it has them.
    /// </summary>
    public SweepSettings WithOverrides(string? workers = null, string? trialTimeout = null, string? trialMemory = null, SweepIsolation? isolation = null,
        LauncherKind? launcher = null)
    {
        var s = this;
        try { if (workers is not null) s = s with { Workers = ParseWorkers(workers) }; }
        catch (FormatException e) { throw new ArgumentException($"--workers: {e.Message}"); }
        try { if (trialTimeout is not null) s = s with { TrialTimeout = ParseDuration(trialTimeout) }; }
        catch (FormatException e) { throw new ArgumentException($"--trial-timeout: {e.Message}"); }
        try { if (trialMemory is not null) s = s with { TrialMemoryBytes = ParseSize(trialMemory) }; }
        catch (FormatException e) { throw new ArgumentException($"--trial-memory: {e.Message}"); }
        if (isolation is { } i) s = s with { Isolation = i };
        if (launcher is { } l) s = s with { Slurm = l == LauncherKind.Slurm ? s.Slurm ?? new SlurmSettings() : null };
        if (s.Isolation == SweepIsolation.InProcess && s.Slurm is null && (s.Workers > 1 || s.HasLimits))
            throw new ArgumentException("--isolation in_process runs one trial at a time without limits; drop --workers > 1, --trial-timeout and --trial-memory (or the spec's) or use auto");
        if (s.Slurm is not null && CheckSlurm(s.Isolation) is { } conflict)
            throw new ArgumentException($"--launcher slurm: sweep.{conflict.Key} {conflict.Message}");
        return s;
    }

    /// <summary>Settings of local trials that cannot hold on Slurm: the key and why, or null.</summary>
    private static (string Key, string Message)? CheckSlurm(SweepIsolation isolation) =>
        isolation == SweepIsolation.InProcess ? ("isolation", "in_process cannot run on Slurm: every trial is an array task") : null;

    /// <summary>"auto" → null, else a positive integer.</summary>
    public static int? ParseWorkers(string text)
    {
        var s = text.Trim();
        if (s.Equals("auto", StringComparison.OrdinalIgnoreCase)) return null;
        if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1) return n;
        throw new FormatException($"must be 'auto' or a positive number of worker processes, got '{text}'");
    }

    private static readonly Regex DurationPart = new(@"(\d+(?:\.\d+)?)\s*(ms|min|sec|s|m|h|d)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>"90" (seconds), "45s", "30m", "1.5h", "1h30m", "500ms".</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var s = text.Trim();
        double seconds;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain)) seconds = plain;
        else
        {
            var matches = DurationPart.Matches(s);
            if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)).Replace(" ", "") != s.Replace(" ", ""))
                throw new FormatException($"expected a duration such as 90 (seconds), 45s, 30m or 1h30m, got '{text}'");
            seconds = matches.Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * m.Groups[2].Value.ToLowerInvariant() switch
            {
                "ms" => 0.001, "s" or "sec" => 1, "m" or "min" => 60, "h" => 3600, _ => 86400,
            });
        }
        if (!double.IsFinite(seconds) || seconds <= 0) throw new FormatException($"must be a positive duration, got '{text}'");
        return TimeSpan.FromSeconds(seconds);
    }

    private static readonly Regex SizePattern = new(@"^(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B|[kKMGT]B)$", RegexOptions.CultureInvariant);

    /// <summary>"512MiB", "4GiB", "4G" (binary), "2GB" (decimal), "100B". A unit is required: a bare number is too easy to misread.</summary>
    public static long ParseSize(string text)
    {
        var m = SizePattern.Match(text.Trim());
        if (!m.Success) throw new FormatException($"expected a size with a unit such as 512MiB, 4GiB or 2GB, got '{text}'");
        var unit = m.Groups[2].Value;
        double factor = unit switch
        {
            "B" => 1,
            "kB" or "KB" => 1e3, "MB" => 1e6, "GB" => 1e9, "TB" => 1e12,
            _ => Math.Pow(1024, "KMGT".IndexOf(char.ToUpperInvariant(unit[0])) + 1),
        };
        var bytes = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * factor;
        if (bytes < 1 || bytes > long.MaxValue) throw new FormatException($"must be a positive size, got '{text}'");
        return (long)bytes;
    }

    /// <summary>"30 s", "2.5 s", "30 min", "1 h 30 min".</summary>
    public static string FormatDuration(TimeSpan t)
    {
        var s = t.TotalSeconds;
        if (s < 120 || s % 60 != 0) return string.Create(CultureInfo.InvariantCulture, $"{s:0.###} s");
        var minutes = (long)(s / 60);
        return minutes % 60 == 0 ? $"{minutes / 60} h" : minutes < 60 ? $"{minutes} min" : $"{minutes / 60} h {minutes % 60} min";
    }

    /// <summary>"512 MiB", "4 GiB", "1.5 GiB".</summary>
    public static string FormatSize(long bytes)
    {
        const double MiB = 1024 * 1024, GiB = MiB * 1024;
        return bytes >= GiB
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / GiB:0.##} GiB")
            : string.Create(CultureInfo.InvariantCulture, $"{Math.Round(bytes / MiB)} MiB");
    }

    /// <summary>The deepest node that exists on a key path below the root (for error positions).</summary>
    private static YamlNode Node(YamlMappingNode root, params string[] path)
    {
        YamlNode node = root;
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next)) return node;
            node = next;
        }
        return node;
    }
}
