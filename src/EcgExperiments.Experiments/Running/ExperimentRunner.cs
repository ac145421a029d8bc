using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Prediction;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Sources;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Experiments.Tasks;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training;
using Microsoft.ML;

namespace EcgExperiments.Experiments.Running;

/// <summary>Command-line overrides of a spec.</summary>
public sealed record RunOptions
{
    public string? Device { get; init; }
    public string? Threads { get; init; }
    /// <summary>Results root overriding the spec's <c>output.dir</c>.</summary>
    public string? OutputDirectory { get; init; }
    public int? Epochs { get; init; }
    /// <summary>Overrides the spec's <c>output.checkpoint_every</c> (a duration, <c>epoch</c> or <c>off</c>).</summary>
    public string? CheckpointEvery { get; init; }
}

/// <summary>Receives what a run reports while it works (the CLI draws it; tests collect it).</summary>
public interface IRunObserver
{
    void Info(string message);
    void Progress(TrainingProgress progress);
}

/// <summary>The result of one trial: its run record and the folder it lives in.</summary>
public sealed record RunOutcome(RunRecord Record, string RunDirectory)
{
    private readonly Lazy<MetricReport?> _report = new(() =>
        Record.Task is TaskKind.Classification or TaskKind.Anomaly && File.Exists(Path.Combine(RunDirectory, "metrics.json"))
            ? MetricJson.Deserialize<MetricReport>(File.ReadAllText(Path.Combine(RunDirectory, "metrics.json")), Path.Combine(RunDirectory, "metrics.json"))
            : null);

    /// <summary>The full report (metrics.json: curves, confusion matrix, intervals) of classification and anomaly runs, read on first use; null otherwise.</summary>
    public MetricReport? Classification => _report.Value;

    public TaskKind? Task => Record.Task;
    public TrialStatus Status => Record.Status;
    public string TrialKey => Record.TrialKey;
    public IReadOnlyList<MetricEntry> Metrics => Record.MetricsTable;
    public IReadOnlyList<MetricEntry> Baseline => Record.BaselineTable;
    public string? BaselineKind => Record.BaselineKind;

    /// <summary>A test metric by name (and class), or null when the task does not report it.</summary>
    public double? Metric(string name, string? className = null) => Record.Metric(name, className);

    /// <summary>The same metric for the trivial baseline.</summary>
    public double? BaselineMetric(string name, string? className = null) => Record.BaselineMetric(name, className);
}

/// <summary>
/// Runs one resolved trial end to end — load, split, fit the pipeline, train, evaluate through the model's task — and
/// writes its folder: the model file, predictions, metric tables and the run record. Everything is written into a
/// staging folder first and put in place by one rename (<see cref="RunFolders.Publish"/>), so a folder holds one
/// whole trial, and a run that does not complete never replaces a completed one.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>Serializer settings of resolved configurations (the same as run records).</summary>
    public static JsonSerializerOptions Json => RunRecordFile.Json;

    /// <summary>
    /// The code version in trial keys: the project version (Directory.Build.props), bumped when a change alters
    /// results. Not the commit: that would re-run every finished trial after any unrelated commit. The commit is
    /// recorded in each run record's environment.
    /// </summary>
    public static string CodeVersion =>
        typeof(ExperimentRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    /// <summary>The training options a trial runs with (the spec's, with <c>--epochs</c> applied).</summary>
    public static TrainingOptions Training(ResolvedExperiment e, RunOptions? overrides) =>
        overrides?.Epochs is { } ep ? e.Spec.Training with { Epochs = ep } : e.Spec.Training;

    /// <summary>The resolved configuration as JSON: every spec value with defaults filled in, components with their bound options.</summary>
    public static JsonObject ResolvedConfig(ResolvedExperiment e, RunOptions? overrides = null)
    {
        var spec = e.Spec;
        var training = Training(e, overrides);
        var trainingNode = JsonSerializer.SerializeToNode(training, Json)!.AsObject();
        if (training.Imbalance is { } strategy) trainingNode["imbalance"] = Component(strategy.Name, strategy.Options, "strategy");
        return new JsonObject
        {
            ["name"] = spec.Name,
            ["description"] = spec.Description,
            ["seed"] = spec.Seed,
            ["device"] = overrides?.Device ?? spec.Device,
            ["threads"] = overrides?.Threads ?? spec.Threads,
            ["cudnn_deterministic"] = spec.CudnnDeterministic,
            ["data"] = Component(spec.Data!.Type, e.ComponentOptions["data"]),
            ["split"] = JsonSerializer.SerializeToNode(spec.Split, Json),
            ["pipeline"] = new JsonArray(spec.Pipeline.Select((p, i) => (JsonNode)Component(p.Type, e.ComponentOptions[$"pipeline[{i}]"])).ToArray()),
            ["model"] = Component(spec.Model!.Type, e.ComponentOptions["model"]),
            ["training"] = trainingNode,
            ["evaluation"] = JsonSerializer.SerializeToNode(spec.Evaluation, Json),
        };
    }

    /// <summary>A component as <c>{ type: name, …its options }</c>; options filled from the data's schema are left out.</summary>
    public static JsonObject Component(string name, object options, string discriminator = "type")
    {
        var result = new JsonObject { [discriminator] = name };
        foreach (var (k, v) in OptionsJson(options)) result[k] = v?.DeepClone();
        return result;
    }

    /// <summary>An options record as JSON (YAML names), without its schema-derived members.</summary>
    public static JsonObject OptionsJson(object options)
    {
        var node = JsonSerializer.SerializeToNode(options, options.GetType(), Json)!.AsObject();
        foreach (var p in options.GetType().GetProperties().Where(p => p.GetCustomAttribute<SchemaDerivedAttribute>() is not null))
            node.Remove(JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name));
        return node;
    }

    /// <summary>Trial key = hash of resolved config + data fingerprint + code version (+ the model's revision from 2 on).</summary>
    public static string TrialKey(ResolvedExperiment e, RunOptions? overrides = null) =>
        StableHash.OfSequence([ResolvedConfig(e, overrides).ToJsonString(), e.Source.Fingerprint, CodeVersion,
            .. (e.Model.Revision > 1 ? [$"model revision {e.Model.Revision}"] : Array.Empty<string>())]);

    /// <summary>Where a trial's results live: <c>results/&lt;experiment&gt;/&lt;first 12 hex digits of the key&gt;</c>.</summary>
    public static string RunDirectory(ResolvedExperiment e, RunOptions? options, string? trialKey = null) =>
        Path.Combine(ExperimentDirectory(e, options), StableHash.Short(trialKey ?? TrialKey(e, options)));

    /// <summary>
    /// Where a trial's training checkpoint lives while it trains: <c>&lt;experiment folder&gt;/.checkpoints/&lt;key&gt;.ckpt</c>,
    /// outside the trial's staging folder so that it outlives a killed process; deleted when the trial completes.
    /// </summary>
    public static string CheckpointPath(ResolvedExperiment e, RunOptions? options, string trialKey) =>
        Path.Combine(ExperimentDirectory(e, options), CheckpointFolder, StableHash.Short(trialKey) + ".ckpt");

    /// <summary>The folder of an experiment's checkpoints (see <see cref="CheckpointPath"/>).</summary>
    public const string CheckpointFolder = ".checkpoints";

    /// <summary>The checkpoint files of an experiment folder's trials, in name order (none when it has no checkpoint folder).</summary>
    public static IEnumerable<string> CheckpointFiles(string experimentDirectory)
    {
        var folder = Path.Combine(experimentDirectory, CheckpointFolder);
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.ckpt").Order(StringComparer.Ordinal) : [];
    }

    /// <summary>The trial's checkpoint settings (<c>output.checkpoint_every</c> or <c>--checkpoint-every</c>), or null when off.</summary>
    public static CheckpointOptions? Checkpoint(ResolvedExperiment e, RunOptions? options, string trialKey) =>
        OutputSpec.ParseCheckpointEvery(options?.CheckpointEvery ?? e.Spec.Output.CheckpointEvery) is { } every
            ? new CheckpointOptions(CheckpointPath(e, options, trialKey), trialKey, every)
            : null;

    /// <summary>Says whether the trial continues from a checkpoint; an unreadable or foreign one is set aside and training starts afresh.</summary>
    private static void AnnounceResume(CheckpointOptions checkpoint, IRunObserver observer)
    {
        try
        {
            if (TrainingCheckpoint.Peek(checkpoint.Path) is not { } info) return;
            if (info.Key == checkpoint.Key)
            {
                observer.Info($"resuming after epoch {info.Epoch} of {info.Epochs} from the checkpoint written {info.WrittenUtc:yyyy-MM-dd HH:mm} UTC");
                return;
            }
            observer.Info($"the checkpoint {checkpoint.Path} belongs to another trial ({StableHash.Short(info.Key)}); it is set aside and training starts at epoch 1");
        }
        catch (EcgDataException ex)
        {
            observer.Info($"{ex.Message}; it is set aside and training starts at epoch 1");
        }
        File.Move(checkpoint.Path, checkpoint.Path + $".unusable-{DateTime.UtcNow:yyyyMMddHHmmss}", overwrite: true);
    }

    private static void RemoveCheckpoint(string path)
    {
        if (File.Exists(path)) File.Delete(path);
        var folder = Path.GetDirectoryName(path)!;
        if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            try { Directory.Delete(folder); }
            catch (IOException) { } // another trial wrote its checkpoint there meanwhile
        }
    }

    /// <summary>The experiment's results folder (holding its trials and index).</summary>
    public static string ExperimentDirectory(ResolvedExperiment e, RunOptions? options) =>
        Path.Combine(ResultsRoot(options?.OutputDirectory ?? e.Spec.Output.Dir), Slug(e.Spec.Name));

    /// <summary>The protocol every test number carries: the spec's words, else what the split itself is.</summary>
    public static string Protocol(SplitSpec split, OfficialSplit? official) => split.Protocol ?? split.Kind switch
    {
        SplitKind.Official => official?.Name ?? "the data's official split",
        SplitKind.Kfold => $"stratified {split.Folds}-fold, fold {split.Fold} tested",
        SplitKind.AnomalyFolds => $"anomaly folds: normal class in {split.Folds} contiguous folds, fold {split.Fold} tested",
        _ => $"random stratified, {(split.Level == SplitLevel.Patient ? "patient-disjoint" : "example-level (patients may straddle parts)")}",
    };

    public static RunOutcome Run(ResolvedExperiment e, RunOptions options, IRunObserver observer, CancellationToken cancel = default)
    {
        var total = Stopwatch.StartNew();
        var spec = e.Spec;
        var training = Training(e, options);
        var key = TrialKey(e, options);
        var runDir = RunDirectory(e, options, key);
        var staging = RunFolders.CreateStaging(runDir);

        var device = Device.Parse(options.Device ?? spec.Device);
        var threads = ThreadPolicy.Resolve(options.Threads ?? spec.Threads, e.Model.Kind);
        torch.set_num_threads(threads.Threads);
        if (device.IsCuda) torch.backends.cudnn.deterministic = spec.CudnnDeterministic;
        var record = new RunRecord
        {
            Experiment = spec.Name,
            SpecFile = e.File,
            Status = TrialStatus.Running,
            StartedUtc = DateTime.UtcNow,
            TrialKey = key,
            CodeVersion = CodeVersion,
            ResolvedConfig = ResolvedConfig(e, options),
            Seed = spec.Seed,
            Environment = EnvironmentInfo.Describe(device, threads.Threads, threads.Reason),
            Task = e.Task.Kind,
        };
        observer.Info($"{spec.Name}: {e.Source.Description}");
        observer.Info($"device {device}, {threads.Threads} thread(s) ({threads.Reason}); results → {runDir}");
        var timings = new TimingsRecord();
        try
        {
            var sw = Stopwatch.StartNew();
            // The source's rows are read once into memory when they fit; transforms are then computed as rows are read.
            // Non-finite samples are found here, where the data is loaded, naming the record and lead (data.non_finite says what to do).
            var loaded = NonFiniteSamples.Apply(e.Source.Load(cancel), DataSourceOptions.PolicyOf(e.ComponentOptions["data"]), observer.Info, cancel);
            var data = CachePolicy.Prepare(loaded, CachePolicy.SourceBytes, cancel);
            timings = timings with { LoadSeconds = sw.Elapsed.TotalSeconds };

            sw.Restart();
            var (split, official) = MakeSplit(e, data, observer);
            if (split.OverlappingGroups > 0 && !spec.Split.AllowPatientOverlap)
                throw new EcgDataException($"{split.OverlappingGroups} patients appear in more than one split part; set split.allow_patient_overlap: true only to reproduce an intra-patient protocol", e.File);
            var fitted = EcgPipeline.Chain(e.Pipeline).Fit(split.Train);
            var train = EcgDataView.From(fitted.Transform(split.Train));
            var val = EcgDataView.From(fitted.Transform(split.Validation));
            var test = EcgDataView.From(fitted.Transform(split.Test));
            timings = timings with { PipelineSeconds = sw.Elapsed.TotalSeconds };
            var protocol = Protocol(spec.Split, official);
            record = record with
            {
                Data = new DataRecord(e.Source.Description, e.Source.Fingerprint, train.Ecg.ToString(), train.Ecg.ClassNames,
                    new SplitCounts(train.ClassCounts(), val.ClassCounts(), test.ClassCounts())),
                Split = new SplitRecord(JsonNamingPolicy.SnakeCaseLower.ConvertName(spec.Split.Kind.ToString()), protocol, split.Fingerprint, split.OverlappingGroups),
                PipelineTrace = e.Trace.Select(t => $"{t.Stage}: {t.Schema}").ToList(),
            };
            observer.Info($"split {split.Train.Count}/{split.Validation.Count}/{split.Test.Count} (train/val/test), classes {string.Join(", ", train.Ecg.ClassNames)}; protocol: {protocol}");

            sw.Restart();
            int normal = e.Model.Task == TaskKind.Anomaly ? AnomalyTask.NormalClass(spec, train.Ecg) : 0;
            var trainer = e.Model.CreateTrainer(new TrainerContext(training, device, spec.Seed, normal));
            var checkpoint = Checkpoint(e, options, key) is { } every ? every with { SittingStartedUtc = record.StartedUtc } : null;
            if (checkpoint is not null) AnnounceResume(checkpoint, observer);
            var run = trainer.Train(train, val, new Progress(observer), cancel, checkpoint);
            if (run.Resumed is { } resumed) run.Summary["resumed_after_epoch"] = resumed.AfterEpoch;
            using var trained = run.Model;
            var evaluation = e.Task.Evaluate(new TaskContext(e, train, val, test, cancel), trained);
            timings = timings with { TrainAndEvaluateSeconds = sw.Elapsed.TotalSeconds, TrainSeconds = run.History.Sum(h => h.Seconds) };
            long parameters = trained.Network.parameter_count();
            var manifest = new ModelManifest
            {
                CodeVersion = CodeVersion,
                CreatedUtc = DateTime.UtcNow,
                Experiment = spec.Name,
                TrialKey = key,
                Task = e.Task.Kind,
                ModelType = spec.Model!.Type,
                ModelOptions = OptionsJson(e.ComponentOptions["model"]),
                ModelDescription = e.Model.Description,
                DataType = spec.Data!.Type,
                DataOptions = OptionsJson(e.ComponentOptions["data"]),
                Input = SchemaRecord.Of(e.Source.Schema),
                ModelInput = SchemaRecord.Of(e.ModelInput),
                BatchSize = ((PredictorBase)evaluation.Model).BatchSize,
                Threshold = evaluation.Model switch
                {
                    ClassificationPredictor c when c.IsBinary => c.Threshold,
                    AnomalyPredictor a => a.Threshold,
                    _ => null,
                },
                Thresholds = evaluation.Model is ClassificationPredictor { IsMultiLabel: true } m ? m.Thresholds : null,
                ThresholdChoice = evaluation.Threshold is { } t ? new DecisionThresholdRecord(ThresholdRuleName(t.Rule), t.Value, t.ValidationCount) : null,
            };
            var context = $"{e.Source.Description}; model {e.Model.Description} ({parameters:N0} parameters); {evaluation.Context}";
            var artefacts = ArtefactWriter.Write(staging, spec.Name, protocol, evaluation, manifest, fitted, test.Count, context);
            // The parameter count rides along as a table row so `verify` can check SPEC §6's "exact" counts too.
            var metrics = evaluation.Metrics.Append(new MetricEntry("parameters", null, parameters, null, null, null)).ToList();
            record = record with
            {
                Status = run.Interrupted ? TrialStatus.Interrupted : TrialStatus.Completed,
                Model = new ModelRecord(e.Model.Description, parameters),
                History = run.History,
                BestEpoch = run.BestEpoch,
                MetricsTable = metrics,
                BaselineTable = evaluation.Baseline,
                BaselineKind = evaluation.BaselineKind,
                DecisionThreshold = evaluation.Threshold,
                TaskDetails = evaluation.Details,
                TrainingSummary = run.Summary,
                Artefacts = artefacts,
                Timings = timings with
                {
                    TotalSeconds = total.Elapsed.TotalSeconds + (run.Resumed?.WallSeconds ?? 0),
                    Sittings = run.Resumed is { } r ? r.Sittings + 1 : null,
                },
                PeakMemoryBytes = Math.Max(ProcessMemory.PeakResidentBytes(), run.Resumed?.PeakMemoryBytes ?? 0),
                FinishedUtc = DateTime.UtcNow,
            };
            RunRecordFile.Write(staging, record);
            var outcome = new RunOutcome(record, RunFolders.Publish(staging, runDir, record));
            // A completed trial needs its checkpoint no more; an interrupted one keeps it for the next run to resume.
            if (checkpoint is not null && !run.Interrupted) RemoveCheckpoint(checkpoint.Path);
            return outcome;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            record = record with
            {
                Status = TrialStatus.Failed,
                Error = new ErrorRecord(ex.GetType().Name, ex.Message),
                Timings = timings with { TotalSeconds = total.Elapsed.TotalSeconds },
                PeakMemoryBytes = ProcessMemory.PeakResidentBytes(),
                FinishedUtc = DateTime.UtcNow,
            };
            try
            {
                RunRecordFile.Write(staging, record);
                RunFolders.Publish(staging, runDir, record);
            }
            catch (Exception writeError) when (writeError is IOException or UnauthorizedAccessException)
            {
                // The original error is what the user needs; the failed record could not be written (e.g. a full disk).
                observer.Info($"the failed run's record could not be written to {runDir}: {writeError.Message}");
            }
            throw;
        }
        catch (OperationCanceledException)
        {
            RunFolders.Discard(staging);
            throw;
        }
    }

    private static string ThresholdRuleName(ThresholdRule rule) => rule switch
    {
        BestF1Rule => "best_f1",
        YoudenRule => "youden",
        FixedRule f => $"fixed {f.Value.ToString(CultureInfo.InvariantCulture)}",
        _ => rule.GetType().Name,
    };

    private static (DataSplit Split, OfficialSplit? Official) MakeSplit(ResolvedExperiment e, EcgDataView data, IRunObserver observer)
    {
        var spec = e.Spec;
        var s = spec.Split;
        switch (s.Kind)
        {
            case SplitKind.Official:
                var official = e.Source.Official(data)
                    ?? throw new SpecException(spec.Data!.Where with { Key = "split.kind" }, $"data source '{spec.Data.Type}' has no official split; use random_stratified or kfold");
                observer.Info($"official split: {official.Name}");
                return (DataSplit.Create(data, official.Train, official.Validation, official.Test), official);
            case SplitKind.Kfold:
                observer.Info($"stratified {s.Folds}-fold, fold {s.Fold} tested, {s.ValidationFraction:0.##} of the rest validates");
                return (DataSplit.KFold(data, s.Folds, s.Fold, s.ValidationFraction, spec.Seed), null);
            case SplitKind.AnomalyFolds:
                var normal = AnomalyTask.NormalClass(spec, data.Ecg);
                observer.Info($"anomaly folds: normal '{data.Ecg.ClassNames[normal]}' in {s.Folds} contiguous folds, fold {s.Fold} tested; anomalies {1 - s.AnomalyValidationFraction:0.##}/{s.AnomalyValidationFraction:0.##} test/validation");
                return (DataSplit.AnomalyFolds(data, normal, s.Folds, s.Fold, s.ValidationFraction, s.AnomalyValidationFraction, spec.Seed), null);
            default:
                return (DataSplit.RandomStratified(data, s.Fractions, spec.Seed, s.Level == SplitLevel.Patient), null);
        }
    }

    /// <summary>Resolves a results root: absolute as given, relative to the repository root when running from a checkout.</summary>
    public static string ResultsRoot(string dir) =>
        Path.IsPathRooted(dir) ? dir : Path.GetFullPath(Path.Combine(ProjectPaths.RepositoryRoot ?? Directory.GetCurrentDirectory(), dir));

    public static string Slug(string name) =>
        new string(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());

    private sealed class Progress(IRunObserver observer) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => observer.Progress(value);
    }
}

/// <summary>
/// Run folders are written in a staging folder beside their final place and published by renames, so a folder is always
/// one whole trial. A run that did not complete never replaces a completed one: it is kept beside it as
/// <c>&lt;folder&gt;.last-failed</c> (or <c>.last-interrupted</c>) instead.
/// </summary>
public static class RunFolders
{
    /// <summary>A new staging folder beside <paramref name="runDir"/>, named by host and pid (<c>&lt;folder&gt;.partial-&lt;host&gt;-&lt;pid&gt;-&lt;random&gt;</c>).</summary>
    public static string CreateStaging(string runDir)
    {
        var staging = $"{runDir}.partial-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
        Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>
    /// Removes staging folders left by processes of this host that died (host and pid are in the name). Folders of other
    /// hosts are left alone: on a shared filesystem they may belong to a cluster task that is still running.
    /// </summary>
    public static void RemoveStale(string experimentDir)
    {
        if (!Directory.Exists(experimentDir)) return;
        foreach (var dir in Directory.GetDirectories(experimentDir, "*.partial-*"))
        {
            var parts = Path.GetFileName(dir).Split(".partial-")[^1].Split('-');
            if (parts.Length < 2) continue;
            var host = parts.Length == 2 ? Environment.MachineName : string.Join('-', parts[..^2]); // <pid>-<random>: written before hosts were named
            if (host != Environment.MachineName) continue;
            if (int.TryParse(parts[^2], out var pid) && !Workers.ProcessProbe.IsAlive(pid)) Discard(dir);
        }
    }

    public static void Discard(string staging)
    {
        try { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>Moves <paramref name="staging"/> into place; returns where the trial's folder now is.</summary>
    public static string Publish(string staging, string runDir, RunRecord record)
    {
        bool completedThere = File.Exists(RunRecordFile.PathIn(runDir)) && RunRecordFile.TryRead(runDir, record.TrialKey) is { Status: TrialStatus.Completed };
        var target = runDir;
        if (record.Status != TrialStatus.Completed && completedThere)
            target = $"{runDir}.last-{JsonNamingPolicy.SnakeCaseLower.ConvertName(record.Status.ToString())}";
        var old = $"{target}.old-{Guid.NewGuid():N}";
        if (Directory.Exists(target)) Directory.Move(target, old);
        Directory.Move(staging, target);
        Discard(old);
        return target;
    }
}
