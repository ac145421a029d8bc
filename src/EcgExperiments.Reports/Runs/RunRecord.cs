using System.Text.Json.Nodes;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>One epoch of a run's training history (validation loss is null when there was no validation set).</summary>
public sealed record EpochLoss(int Epoch, double? TrainLoss, double? ValidationLoss)
{
    /// <summary>An epoch an interruption cut short.</summary>
    public bool Partial { get; init; }
}

/// <summary>
/// What a report needs from one run folder (<c>results/&lt;experiment&gt;/&lt;trial-key-12&gt;/</c>): identity, task, the
/// protocol the test metrics were measured under, the resolved configuration (raw and flattened to dotted
/// keys), the per-epoch losses, the tidy test-metric table with its baseline's, and, for classification and
/// anomaly runs, the full <see cref="MetricReport"/> (curves, confusion). Made by <see cref="RunLoader"/>.
/// </summary>
public sealed record RunRecord
{
    /// <summary>Full path of the run folder.</summary>
    public required string Folder { get; init; }
    public required string Experiment { get; init; }

    /// <summary>First 12 hex digits of the trial key (the folder name).</summary>
    public required string TrialKey { get; init; }
    public required string Status { get; init; }

    /// <summary>The split protocol every test metric of this run refers to, e.g. "random stratified by record".</summary>
    public required string Protocol { get; init; }

    /// <summary><c>resolved_config.model.type</c>.</summary>
    public required string ModelType { get; init; }

    /// <summary><c>model.description</c> of the run record (falls back to the model type).</summary>
    public required string ModelDescription { get; init; }

    /// <summary><c>resolved_config.training.imbalance.strategy</c>, or "none" without one.</summary>
    public required string Strategy { get; init; }

    /// <summary>The resolved configuration as written in run.json.</summary>
    public required JsonObject ResolvedConfig { get; init; }

    /// <summary><see cref="ResolvedConfig"/> flattened by <see cref="ConfigFlattener"/>.</summary>
    public required IReadOnlyDictionary<string, string> FlatConfig { get; init; }

    public required IReadOnlyList<EpochLoss> History { get; init; }
    public int? BestEpoch { get; init; }

    /// <summary>"classification", "multi_label", "anomaly" or "reconstruction" (<see cref="TaskLayouts"/>); records without one are classification.</summary>
    public required string Task { get; init; }

    /// <summary>
    /// The tidy test-metric table (run.json's <c>metrics_table</c>; for records written before it existed,
    /// <see cref="MetricReport.ToTable"/> of <see cref="Metrics"/>). Every row with an interval names its method.
    /// </summary>
    public required IReadOnlyList<MetricEntry> Table { get; init; }

    /// <summary>The trivial baseline's table on the same test set (empty when the run has none).</summary>
    public required IReadOnlyList<MetricEntry> BaselineTable { get; init; }

    /// <summary>What the baseline is, e.g. "class-prior (training labels)", "training mean per lead"; null when unknown.</summary>
    public string? BaselineKind { get; init; }

    /// <summary>
    /// The full classification report (metrics.json, or run.json's <c>metrics</c>) of classification and anomaly
    /// runs, for ROC/PR curves and the confusion matrix; null for reconstruction runs and for runs that have only a table.
    /// </summary>
    public MetricReport? Metrics { get; init; }

    /// <summary>Test samples (records, beats) the metrics were computed on, when the run says.</summary>
    public int? TestSampleCount { get; init; }

    /// <summary>The data's fingerprint (runs on the same data and split share a test set).</summary>
    public string? DataFingerprint { get; init; }

    /// <summary>The split's fingerprint.</summary>
    public string? SplitFingerprint { get; init; }

    /// <summary>Why a failed run failed (its record's error message), null otherwise.</summary>
    public string? Error { get; init; }

    /// <summary>The run trained, evaluated and wrote its results (failed and interrupted runs are listed apart in reports).</summary>
    public bool IsCompleted => Status == "completed";

    /// <summary>The spec file the run was made from, as the run recorded it (null for records without one).</summary>
    public string? SpecFile { get; init; }

    /// <summary>Epochs trained (history length) and the best epoch's number, e.g. "100 (best 87)"; null without a history.</summary>
    public string? Epochs { get; init; }

    /// <summary>Where it ran: device, threads, CPU or GPU model, from the run's environment record.</summary>
    public string? Hardware { get; init; }

    /// <summary>Wall time of the whole trial in seconds (every sitting's, when it was resumed from a checkpoint).</summary>
    public double? WallSeconds { get; init; }

    /// <summary>How many sittings (processes) trained the trial, when more than one.</summary>
    public int? Sittings { get; init; }

    /// <summary>Peak resident memory of the trial's process in bytes.</summary>
    public long? PeakMemoryBytes { get; init; }

    /// <summary>Short label for legends and headings: "experiment/trialkey".</summary>
    public string Label => $"{Experiment}/{TrialKey}";
}

/// <summary>
/// A run a report lists apart from the tables: failed (no test metrics), interrupted (stopped part-way through training:
/// its metrics are those of a partly trained model), running (a record left by a process that died) or unreadable.
/// </summary>
/// <param name="Experiment">Experiment name (the parent folder's name when the record is unreadable).</param>
/// <param name="TrialKey">Trial key prefix (the folder name when the record is unreadable).</param>
/// <param name="Model">Model description, or "—".</param>
/// <param name="Strategy">Imbalance strategy, or "—".</param>
/// <param name="Status">"failed", "interrupted", "running" or "unreadable".</param>
/// <param name="EpochsTrained">Whole epochs in the record's history (an epoch an interruption cut short is not counted).</param>
/// <param name="Reason">Why: the error, or what an interruption means.</param>
/// <param name="Folder">The run folder.</param>
public sealed record IncompleteRun(string Experiment, string TrialKey, string Model, string Strategy, string Status, int EpochsTrained, string Reason, string Folder)
{
    public static IncompleteRun Of(RunRecord run) => new(run.Experiment, run.TrialKey, run.ModelDescription, run.Strategy, run.Status, run.History.Count(h => !h.Partial),
        run.Status switch
        {
            "interrupted" => $"stopped on request after {run.History.Count(h => !h.Partial)} whole epoch(s){(run.History.Any(h => h.Partial) ? " and part of the next" : "")}: partly trained, so its metrics are left out",
            "running" => "the process running it ended without recording an outcome",
            _ => run.Error ?? "no reason recorded",
        }, run.Folder);

    /// <summary>A trial still training in <paramref name="experimentDirectory"/>: its checkpoint says where the next run resumes.</summary>
    public static IncompleteRun Of(Training.CheckpointInfo checkpoint, string experimentDirectory) =>
        new(Path.GetFileName(Path.TrimEndingDirectorySeparator(experimentDirectory)), Core.StableHash.Short(checkpoint.Key), "—", "—", "in progress", checkpoint.Epoch,
            $"training: {checkpoint.Describe()}; the spec's next `ecg run` into this results folder resumes it",
            experimentDirectory);

    public static IncompleteRun Of(UnreadableRun run) =>
        new(Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(run.Folder))) ?? "", Path.GetFileName(Path.TrimEndingDirectorySeparator(run.Folder)),
            "—", "—", "unreadable", 0, run.Reason, run.Folder);
}
