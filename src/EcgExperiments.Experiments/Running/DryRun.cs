using EcgExperiments.Experiments.Runs;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Running.Tuning;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running;

/// <summary>The sweep flags of <c>ecg run</c> (<c>--workers</c>, <c>--trial-timeout</c>, <c>--trial-memory</c>, <c>--isolation</c>, <c>--launcher</c>), applied over the spec's <c>sweep:</c> section.</summary>
public sealed record SweepOverrides(string? Workers, string? TrialTimeout, string? TrialMemory, string? Isolation)
{
    /// <summary><c>--launcher</c>: local or slurm (null: the spec's <c>sweep.launcher</c>).</summary>
    public string? Launcher { get; init; }

    /// <summary>The settings with the flags applied; a bad value throws <see cref="ArgumentException"/> naming the flag.</summary>
    public SweepSettings Apply(SweepSettings settings)
    {
        SweepIsolation? isolation = Isolation?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "auto" => SweepIsolation.Auto,
            "process" => SweepIsolation.Process,
            "in_process" or "in-process" => SweepIsolation.InProcess,
            _ => throw new ArgumentException($"--isolation: expected auto, process or in_process, got '{Isolation}'"),
        };
        LauncherKind? launcher = Launcher?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "local" => LauncherKind.Local,
            "slurm" => LauncherKind.Slurm,
            _ => throw new ArgumentException($"--launcher: expected local or slurm, got '{Launcher}'"),
        };
        return settings.WithOverrides(Workers, TrialTimeout, TrialMemory, isolation, launcher);
    }
}

/// <summary>
/// What <c>ecg run --dry-run</c> prints, without reading data: every stage's output shape (ML.NET schema propagation on
/// the ECG schema), the model and task, the split and its protocol, the worker plan, limits, a tuner's rungs, and every
/// trial with its key.
/// </summary>
public static class DryRun
{
    public static IEnumerable<string> Describe(SweepSpace space, SweepSettings settings, RunOptions options)
    {
        var (tuner, plan) = SweepEngine.Prepare(space, settings, options);
        var trials = space.Trials;
        var e = trials[0].Experiment;
        yield return $"{e.File}: {e.Spec.Name} — dry run (no data read)";
        yield return $"  data:  {e.Source.Description}";
        foreach (var (stage, schema) in e.Trace) yield return $"  {stage,-12} → {schema}";
        yield return $"  model: {e.Model.Description} on {e.ModelInput.ShapeText}";
        var sp = e.Spec.Split;
        var splitText = sp.Kind switch
        {
            SplitKind.RandomStratified => $"random stratified {sp.Level.ToString().ToLowerInvariant()}-level [{string.Join(", ", sp.Fractions)}]",
            SplitKind.Official => "the data's official split",
            SplitKind.Kfold => $"stratified {sp.Folds}-fold, fold {sp.Fold} tested, {sp.ValidationFraction:0.##} of the rest validates",
            _ => $"anomaly folds: normal class in {sp.Folds} contiguous folds, fold {sp.Fold} tested; anomalies {1 - sp.AnomalyValidationFraction:0.##}/{sp.AnomalyValidationFraction:0.##} test/validation",
        };
        yield return $"  split: {splitText} — protocol: {sp.Protocol ?? (sp.Kind == SplitKind.Official ? "named by the data's official split" : ExperimentRunner.Protocol(sp, null))}";
        yield return $"  task:  {e.Task.Kind.Text()}; validation metrics: {string.Join(", ", e.ValidationMetrics)} (select_by {e.Spec.Training.SelectBy})";
        if (settings.Slurm is not null)
        {
            var resources = SweepEngine.SlurmResourcesFor(space, settings, plan, options);
            var directives = resources.Directives($"ecg-{ExperimentRunner.Slug(e.Spec.Name)}", tuner.Plan[0].Trials, Slurm.SlurmJobArray.LogPattern);
            yield return $"  launcher: Slurm, the pending trials of each rung as one job array ({resources.Describe()})";
            yield return $"    sbatch {string.Join(' ', directives.Where(d => !d.StartsWith("--output=", StringComparison.Ordinal)))}";
        }
        else yield return $"  workers: {plan.Describe()}";
        var limits = SweepEngine.Limits(settings);
        yield return $"  limits: {(limits.Length == 0 ? "none" : limits[2..])}";
        if (settings.IsTuner)
        {
            yield return $"  tuner: {tuner.Description}; budget key {settings.Budget!.Key}";
            foreach (var rung in tuner.Plan) yield return $"    rung {rung.Rung}: up to {rung.Trials} trial(s) at {settings.Budget.Key}={rung.Budget}";
            var (planned, full) = Tuners.Cost(tuner.Plan, space.Configurations.Count);
            yield return $"    total budget ≤ {planned} (every configuration at {settings.Budget.Max}: {full}); promotions rank validation {settings.Metric} only, rungs retrain from scratch";
        }
        yield return settings.IsTuner ? $"  configurations: {trials.Count} (listed at rung 0)" : $"  trials: {trials.Count}";
        foreach (var t in settings.IsTuner ? trials.Select(t => space.Trial(t.Number, tuner.Plan[0].Budget)) : trials)
        {
            var s = t.Experiment.Spec;
            var values = t.Values.Count == 0 ? "" : "  " + string.Join(", ", t.Values.Select(v => $"{v.Key}={v.Value}"));
            yield return $"    #{t.Number} {StableHash.Short(ExperimentRunner.TrialKey(t.Experiment, options))}  model {t.Experiment.Model.Description}, epochs {options.Epochs ?? s.Training.Epochs}, batch {s.Training.BatchSize}, lr {s.Training.LearningRate}{values}";
        }
    }
}
