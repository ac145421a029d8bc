using EcgExperiments.Experiments.Spec;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Running.Workers;

/// <summary>
/// How a sweep runs its trials: how many at once, and whether in this process or in worker processes.
/// <para>
/// In-process is kept for one worker without limits (the default on small machines for convolutional models): it
/// costs no process start or libtorch load per trial and it is what the fast tests exercise. Everything else
/// (parallel trials, time or memory limits, or <c>isolation: process</c>) runs each trial in a worker process,
/// because only a separate process can be killed for time or memory without taking the sweep with it.
/// </para>
/// <para>
/// Parallel workers share the cores: each worker process is told it has ⌊cores / workers⌋ cores
/// (<c>DOTNET_PROCESSOR_COUNT</c>, <c>OMP_NUM_THREADS</c>), so <c>threads: auto</c> resolves to that share. The trial
/// key keeps the setting ("auto"), not the resolved count, so a sweep resumed with a different worker count still
/// finds its finished trials; the thread count actually used is in each run record's environment.
/// </para>
/// </summary>
/// <param name="Workers">Trials run at once.</param>
/// <param name="InProcess">Trials run in this process (then <see cref="Workers"/> is 1).</param>
/// <param name="CoresPerWorker">Cores each worker process is told it has (null: the whole machine).</param>
/// <param name="ThreadsPerTrial">libtorch threads one trial wants on its own.</param>
/// <param name="Reason">How the count was chosen, for dry runs and logs.</param>
/// <remarks>
/// GPUs: when several worker processes run trials on <c>device: cuda</c> or <c>auto</c>, each worker is given one GPU
/// (<c>CUDA_VISIBLE_DEVICES</c>, round-robin over <see cref="Gpus"/>), so parallel trials do not all crowd onto GPU 0.
/// A spec that names its device (<c>cuda:1</c>) keeps it.
/// </remarks>
public sealed record WorkerPlan(int Workers, bool InProcess, int? CoresPerWorker, int ThreadsPerTrial, string Reason)
{
    /// <summary>The GPUs the workers are spread over (<c>CUDA_VISIBLE_DEVICES</c> ids); empty: no assignment.</summary>
    public IReadOnlyList<string> Gpus { get; init; } = [];

    /// <summary>The <c>CUDA_VISIBLE_DEVICES</c> of worker <paramref name="slot"/> (0-based), or null when GPUs are not assigned.</summary>
    public string? GpuFor(int slot) => Gpus.Count == 0 ? null : Gpus[slot % Gpus.Count];

    /// <param name="settings">The sweep's settings (after command-line overrides).</param>
    /// <param name="trials">The trials whose models decide the thread demand (the most demanding wins).</param>
    /// <param name="options">Run options (<c>--threads</c>).</param>
    /// <param name="maxParallel">The most trials that can ever run at once (e.g. the configurations of rung 0).</param>
    /// <param name="cores">Cores to plan for (default: this machine's).</param>
    /// <param name="gpus">GPU ids to spread workers over (default: <see cref="GpuInventory.VisibleDevices"/>).</param>
    public static WorkerPlan Resolve(SweepSettings settings, IEnumerable<Trial> trials, RunOptions options, int maxParallel, int? cores = null,
        IReadOnlyList<string>? gpus = null)
    {
        trials = trials.ToList();
        int n = Math.Max(1, cores ?? Environment.ProcessorCount);
        var demand = trials
            .Select(t => (t.Experiment.Model.Kind, setting: options.Threads ?? t.Experiment.Spec.Threads))
            .Distinct()
            .Select(d => (d.Kind, d.setting, threads: Math.Min(n, ThreadPolicy.Resolve(d.setting, d.Kind).Threads)))
            .DefaultIfEmpty((Kind: ComputeKind.Convolutional, setting: "auto", threads: Math.Min(n, 8)))
            .MaxBy(d => d.threads);
        int threads = demand.threads;
        bool autoThreads = demand.setting.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase);
        string reason;
        int workers;
        if (settings.Workers is { } w)
        {
            workers = w;
            reason = "set explicitly";
            if (!autoThreads && w * threads > n) reason += $"; {w} workers × {threads} threads exceed {n} cores";
        }
        else
        {
            workers = Math.Max(1, n / threads);
            reason = $"auto: {n} core(s) ÷ {threads} thread(s) per trial ({demand.Kind.ToString().ToLowerInvariant()}{(autoThreads ? "" : ", threads set")})";
        }
        if (workers > maxParallel && maxParallel >= 1)
        {
            workers = maxParallel;
            reason += $"; at most {maxParallel} trial(s) can run at once";
        }
        bool inProcess = settings.Isolation == SweepIsolation.InProcess
            || (settings.Isolation == SweepIsolation.Auto && workers == 1 && !settings.HasLimits);
        if (inProcess) workers = 1;
        int? coresPerWorker = !inProcess && workers > 1 ? Math.Max(1, n / workers) : null;
        bool spread = !inProcess && workers > 1 && trials.Any(t => (options.Device ?? t.Experiment.Spec.Device).Trim().ToLowerInvariant() is "cuda" or "auto");
        return new WorkerPlan(workers, inProcess, coresPerWorker, threads, reason) { Gpus = spread ? gpus ?? GpuInventory.VisibleDevices() : [] };
    }

    /// <summary>"2 worker processes (…), 1 core each" or "1 trial at a time in this process (…)".</summary>
    public string Describe() =>
        InProcess
            ? $"1 trial at a time in this process ({Reason})"
            : $"{Workers} worker process(es) ({Reason}){(CoresPerWorker is { } c ? $", {c} core(s) each" : "")}{DescribeGpus()}";

    /// <summary>"; GPUs round-robin: worker 1 → CUDA_VISIBLE_DEVICES=0, worker 2 → 1" (empty without an assignment).</summary>
    private string DescribeGpus() =>
        Gpus.Count == 0 ? "" :
        $"; GPUs round-robin: {string.Join(", ", Enumerable.Range(0, Workers).Select(w => w == 0 ? $"worker 1 → {GpuInventory.VisibleDevicesVariable}={GpuFor(0)}" : $"worker {w + 1} → {GpuFor(w)}"))}";
}
