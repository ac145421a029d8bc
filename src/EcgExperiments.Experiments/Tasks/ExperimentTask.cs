using System.Text.Json.Nodes;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Tasks;

/// <summary>
/// A task (classification, anomaly detection, reconstruction): what a trained model's test numbers are, against which
/// trivial baseline, and what its predictions file holds. The runner owns everything around it (data, split, pipeline,
/// training, the files and the run record); a model declares its task in its registration.
/// </summary>
public interface IExperimentTask
{
    TaskKind Kind { get; }

    /// <summary>The test metric that ranks finished trials of a sweep (e.g. roc_auc, macro_roc_auc, mse) and whether larger is better.</summary>
    (string Metric, bool HigherIsBetter) Headline { get; }

    /// <summary>Checks against the data's classes before any data is read (e.g. the normal class of an anomaly task); null when fine.</summary>
    (string Key, string Message)? Check(ExperimentSpec spec, EcgSchema schema);

    /// <summary>Evaluates <paramref name="model"/> on the context's test split (thresholds chosen on its validation split only).</summary>
    TaskEvaluation Evaluate(TaskContext context, IEcgPredictor model);
}

/// <summary>Everything a task sees of one trial: the spec and the three split parts after the fitted pipeline.</summary>
public sealed record TaskContext(ResolvedExperiment Experiment, EcgDataView Train, EcgDataView Validation, EcgDataView Test, CancellationToken Cancel)
{
    public ExperimentSpec Spec => Experiment.Spec;

    /// <summary>Bootstrap settings of the spec (seeded by the experiment seed), or null for none.</summary>
    public BootstrapOptions? Bootstrap(bool stratified = true) => Spec.Evaluation.BootstrapResamples > 0
        ? new BootstrapOptions { Resamples = Spec.Evaluation.BootstrapResamples, Level = Spec.Evaluation.ConfidenceLevel, Seed = Spec.Seed, Stratified = stratified }
        : null;
}

/// <summary>A task's results for the run record and the files of the run folder.</summary>
public sealed record TaskEvaluation
{
    /// <summary>The tidy test-metric table.</summary>
    public required IReadOnlyList<MetricEntry> Metrics { get; init; }
    /// <summary>The trivial baseline's table on the same test set.</summary>
    public required IReadOnlyList<MetricEntry> Baseline { get; init; }
    public required string BaselineKind { get; init; }
    /// <summary>The full report written as metrics.json (a <see cref="MetricReport"/> or a <see cref="ReconstructionReport"/>).</summary>
    public required object Report { get; init; }
    /// <summary>The model as it is saved: with the decision threshold chosen on validation, where there is one.</summary>
    public required IEcgPredictor Model { get; init; }
    public DecisionThreshold? Threshold { get; init; }
    /// <summary>Task-specific details for the run record.</summary>
    public JsonObject Details { get; init; } = [];
    /// <summary>One row per test example (predictions.csv).</summary>
    public required PredictionTable Predictions { get; init; }
    /// <summary>A sentence placing the numbers (what the score is, what the baseline is), for metrics.md.</summary>
    public required string Context { get; init; }
}

/// <summary>A predictions file: a header and one row per test example.</summary>
public sealed record PredictionTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>The tasks by kind (one registration each).</summary>
public static class ExperimentTasks
{
    private static readonly Dictionary<TaskKind, IExperimentTask> All = new()
    {
        [TaskKind.Classification] = new ClassificationTask(),
        [TaskKind.MultiLabel] = new MultiLabelTask(),
        [TaskKind.Anomaly] = new AnomalyTask(),
        [TaskKind.Reconstruction] = new ReconstructionTask(),
    };

    public static IExperimentTask Get(TaskKind kind) => All[kind];

    /// <summary>
    /// The task a model of <paramref name="modelTask"/> solves on data of <paramref name="data"/>: a classifier on label
    /// sets (<see cref="EcgSchema.MultiLabel"/>) is a multi-label task; otherwise the model's own.
    /// </summary>
    public static IExperimentTask For(TaskKind modelTask, EcgSchema data) =>
        Get(modelTask == TaskKind.Classification && data.MultiLabel ? TaskKind.MultiLabel : modelTask);
}
