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
public sealed record WorkerPlan(int Workers, bool InProcess, int? CoresPerWorker, int ThreadsPerTrial, string Reason)
{
    /// <param name="settings">The sweep's settings (after command-line overrides).</param>
    /// <param name="trials">The trials whose models decide the thread demand (the most demanding wins).</param>
    /// <param name="options">Run options (<c>--threads</c>).</param>
    /// <param name="maxParallel">The most trials that can ever run at once (e.g. the configurations of rung 0).</param>
    /// <param name="cores">Cores to plan for (default: this machine's).</param>
    public static WorkerPlan Resolve(SweepSettings settings, IEnumerable<Trial> trials, RunOptions options, int maxParallel, int? cores = null)
    {
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
        return new WorkerPlan(workers, inProcess, coresPerWorker, threads, reason);
    }

    /// <summary>"2 worker processes (…), 1 core each" or "1 trial at a time in this process (…)".</summary>
    public string Describe() =>
        InProcess
            ? $"1 trial at a time in this process ({Reason})"
            : $"{Workers} worker process(es) ({Reason}){(CoresPerWorker is { } c ? $", {c} core(s) each" : "")}";
}
