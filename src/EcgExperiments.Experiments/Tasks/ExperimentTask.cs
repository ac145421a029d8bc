using System.Text.Json.Nodes;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments;

/// <summary>
/// A model the runner can build and train for a data schema: what it needs to know before data exists (description,
/// compute kind for the thread policy, input check) and which task it solves. The task (classification,
/// reconstruction, anomaly detection) owns training, evaluation on the test split, the trivial baseline and the
/// artefacts; the runner owns everything around it (data, split, pipeline, run record, atomic writes).
/// </summary>
public abstract record ModelBuild(string Description, ComputeKind Kind, Func<DataSchema, string?> CheckInput)
{
    /// <summary>"classification", "reconstruction" or "anomaly" (written to the run record as <c>task</c>).</summary>
    public abstract string Task { get; }

    /// <summary>Trains on the context's train split (validating every epoch) and evaluates on its test split.</summary>
    internal abstract TaskResult Run(TaskContext context);
}

/// <summary>Everything a task needs for one trial (splits already transformed by the fitted pipeline).</summary>
internal sealed record TaskContext(
    ResolvedExperiment Experiment,
    TrainingOptions Training,
    Device Device,
    DataView Train,
    DataView Validation,
    DataView Test,
    string RunDirectory,
    IProgress<TrainingProgress> Progress,
    CancellationToken Cancel)
{
    public ExperimentSpec Spec => Experiment.Spec;

    /// <summary>Bootstrap settings of the spec (seeded by the experiment seed), or null for none.</summary>
    public BootstrapOptions? Bootstrap(bool stratified = true) => Spec.Evaluation.BootstrapResamples > 0
        ? new BootstrapOptions { Resamples = Spec.Evaluation.BootstrapResamples, Level = Spec.Evaluation.ConfidenceLevel, Seed = Spec.Seed, Stratified = stratified }
        : null;

    /// <summary>Index of the normal class for anomaly tasks (<c>evaluation.normal_class</c>, default the first class).</summary>
    public int NormalClass(DataSchema schema) => TaskSupport.NormalClassIndex(Spec.Evaluation.NormalClass, schema);
}

/// <summary>What a task hands back to the runner for the run record.</summary>
internal sealed record TaskResult
{
    public required bool Interrupted { get; init; }
    public required long Parameters { get; init; }
    public required IReadOnlyList<EpochRecord> History { get; init; }
    public required int BestEpoch { get; init; }
    public required IReadOnlyList<MetricEntry> Metrics { get; init; }
    public required IReadOnlyList<MetricEntry> Baseline { get; init; }
    public required string BaselineKind { get; init; }
    /// <summary>Classification and anomaly tasks: the full report (curves, confusion matrix), written as metrics.json.</summary>
    public MetricReport? Report { get; init; }
    /// <summary>Extra run-record entries (e.g. decision_threshold, per-class anomaly AUCs).</summary>
    public JsonObject Extra { get; init; } = [];
    /// <summary>Artefact name → file name in the run folder.</summary>
    public JsonObject Artefacts { get; init; } = [];
}

internal static class TaskSupport
{
    public static int NormalClassIndex(string? name, DataSchema schema)
    {
        if (name is null) return 0;
        for (int i = 0; i < schema.ClassNames.Count; i++)
            if (string.Equals(schema.ClassNames[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        throw new ArgumentException($"evaluation.normal_class '{name}' is not a class of the data [{string.Join(", ", schema.ClassNames)}]");
    }

    /// <summary>The same examples under another item shape with the same number of values (e.g. [1 × T] → [T]).</summary>
    public static DataView Reshape(DataView view, params long[] shape) =>
        view.Schema.ItemShape.SequenceEqual(shape) ? view : view.With(view.Schema with { ItemShape = shape }, view.Examples);
}
