using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Running;

/// <summary>Command-line overrides of a spec.</summary>
public sealed record RunOptions
{
    public string? Device { get; init; }
    public string? Threads { get; init; }
    /// <summary>Results root overriding the spec's <c>output.dir</c>.</summary>
    public string? OutputDirectory { get; init; }
    public int? Epochs { get; init; }
}

/// <summary>Receives what a run reports while it works (the CLI draws it; tests collect it).</summary>
public interface IRunObserver
{
    void Info(string message);
    void Progress(TrainingProgress progress);
}

/// <summary>
/// The result of one trial. <see cref="Metrics"/> is the task's tidy test-metric table (classification and anomaly:
/// <see cref="MetricReport.ToTable"/>; reconstruction: mse, mean_rmse, … with the lead as class) and
/// <see cref="Baseline"/> the trivial baseline's table on the same test set (class prior / training mean).
/// <see cref="Classification"/> is the full report for classification and anomaly tasks, null otherwise.
/// </summary>
public sealed record RunOutcome(
    string Status, string RunDirectory, string TrialKey, string Task,
    IReadOnlyList<MetricEntry> Metrics, IReadOnlyList<MetricEntry> Baseline, string? BaselineKind,
    MetricReport? Classification, JsonObject Record)
{
    /// <summary>A test metric by name (and class), or null when the task does not report it.</summary>
    public double? Metric(string name, string? className = null) => MetricTable.Find(Metrics, name, className)?.Value;

    /// <summary>The same metric for the trivial baseline.</summary>
    public double? BaselineMetric(string name, string? className = null) => MetricTable.Find(Baseline, name, className)?.Value;
}

/// <summary>Tidy metric tables as stored in run records (<c>metrics_table</c>, <c>baseline_table</c>).</summary>
public static class MetricTable
{
    public static MetricEntry? Find(IReadOnlyList<MetricEntry> table, string name, string? className = null) =>
        table.FirstOrDefault(r => r.Metric == name && string.Equals(r.Class, className, StringComparison.Ordinal));

    public static JsonArray ToJson(IEnumerable<MetricEntry> table) =>
        new(table.Select(r => (JsonNode)new JsonObject
        {
            ["metric"] = r.Metric, ["class"] = r.Class, ["value"] = Num(r.Value), ["lower"] = Num(r.Lower), ["upper"] = Num(r.Upper), ["level"] = Num(r.Level),
            ["method"] = r.Method,
        }).ToArray());

    public static IReadOnlyList<MetricEntry> FromJson(JsonNode? node) =>
        node is JsonArray a
            ? a.OfType<JsonObject>().Select(o => new MetricEntry(
                o["metric"]?.GetValue<string>() ?? "", o["class"]?.GetValue<string>(),
                D(o["value"]), D(o["lower"]), D(o["upper"]), D(o["level"]), o["method"]?.GetValue<string>())).ToList()
            : [];

    private static JsonNode? Num(double? v) => v is { } x && double.IsFinite(x) ? JsonValue.Create(x) : null;
    private static double? D(JsonNode? n) => n is null ? null : n.GetValue<double>();
}

/// <summary>Runs one resolved experiment end to end and writes its results atomically.</summary>
public static class ExperimentRunner
{
    public const int RunRecordVersion = 1;

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new IntPairConverter() },
    };

    /// <summary>
    /// The code version in trial keys: the project version (Directory.Build.props), bumped when a change alters
    /// results. Not the commit: that would re-run every finished trial after any unrelated commit. The commit is
    /// recorded in each run record's environment.
    /// </summary>
    public static string CodeVersion =>
        typeof(ExperimentRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    /// <summary>The resolved configuration as JSON: every spec value with defaults filled in, components with their bound options.</summary>
    public static JsonObject ResolvedConfig(ResolvedExperiment e, RunOptions? overrides = null)
    {
        var spec = e.Spec;
        var training = overrides?.Epochs is { } ep ? spec.Training with { Epochs = ep } : spec.Training;
        var o = new JsonObject
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
            ["training"] = JsonSerializer.SerializeToNode(training, Json),
            ["evaluation"] = JsonSerializer.SerializeToNode(spec.Evaluation, Json),
        };
        return o;
    }

    private static JsonObject Component(string type, object options)
    {
        var node = JsonSerializer.SerializeToNode(options, options.GetType(), Json)!.AsObject();
        var result = new JsonObject { ["type"] = type };
        foreach (var (k, v) in node.ToList()) { node.Remove(k); result[k] = v; }
        return result;
    }

    /// <summary>Trial key = hash of resolved config + data fingerprint + code version.</summary>
    public static string TrialKey(ResolvedExperiment e, RunOptions? overrides = null) =>
        StableHash.OfSequence([ResolvedConfig(e, overrides).ToJsonString(), e.Source.Fingerprint, CodeVersion]);

    public static RunOutcome Run(ResolvedExperiment e, RunOptions options, IRunObserver observer, CancellationToken cancel = default)
    {
        var total = Stopwatch.StartNew();
        var spec = e.Spec;
        var training = options.Epochs is { } epochs ? spec.Training with { Epochs = epochs } : spec.Training;
        var config = ResolvedConfig(e, options);
        var key = TrialKey(e, options);
        var runDir = Path.Combine(ResultsRoot(options.OutputDirectory ?? spec.Output.Dir), Slug(spec.Name), StableHash.Short(key));
        Directory.CreateDirectory(runDir);

        var device = Device.Parse(options.Device ?? spec.Device);
        var threads = ThreadPolicy.Resolve(options.Threads ?? spec.Threads, e.Model.Kind);
        torch.set_num_threads(threads.Threads);
        if (device.IsCuda) torch.backends.cudnn.deterministic = spec.CudnnDeterministic;
        var record = new JsonObject
        {
            ["format"] = "ecg-run",
            ["version"] = RunRecordVersion,
            ["experiment"] = spec.Name,
            ["spec_file"] = e.File,
            ["status"] = "running",
            ["started_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["trial_key"] = key,
            ["code_version"] = CodeVersion,
            ["resolved_config"] = config,
            ["seed"] = spec.Seed,
            ["environment"] = EnvironmentInfo.Describe(device, threads.Threads, threads.Reason),
        };
        observer.Info($"{spec.Name}: {e.Source.Description}");
        observer.Info($"device {device}, {threads.Threads} thread(s) ({threads.Reason}); results → {runDir}");
        var timings = new JsonObject();
        try
        {
            var sw = Stopwatch.StartNew();
            var data = e.Source.Load(cancel);
            timings["load_seconds"] = sw.Elapsed.TotalSeconds;

            sw.Restart();
            var split = MakeSplit(e, data, observer);
            if (split.OverlappingGroups > 0 && !spec.Split.AllowPatientOverlap)
                throw new EcgDataException($"{split.OverlappingGroups} patients appear in more than one split part; set split.allow_patient_overlap: true only to reproduce an intra-patient protocol", e.File);
            var fitted = e.Pipeline.Fit(split.Train);
            var train = ((ITransformer)fitted).Transform(split.Train);
            var val = ((ITransformer)fitted).Transform(split.Validation);
            var test = ((ITransformer)fitted).Transform(split.Test);
            timings["pipeline_seconds"] = sw.Elapsed.TotalSeconds;
            record["data"] = new JsonObject
            {
                ["description"] = e.Source.Description,
                ["fingerprint"] = e.Source.Fingerprint,
                ["schema"] = train.Schema.ToString(),
                ["classes"] = new JsonArray(train.Schema.ClassNames.Select(c => (JsonNode)c).ToArray()),
                ["counts"] = new JsonObject
                {
                    ["train"] = new JsonArray(train.ClassCounts().Select(c => (JsonNode)c).ToArray()),
                    ["validation"] = new JsonArray(val.ClassCounts().Select(c => (JsonNode)c).ToArray()),
                    ["test"] = new JsonArray(test.ClassCounts().Select(c => (JsonNode)c).ToArray()),
                },
            };
            record["split"] = new JsonObject
            {
                ["kind"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(spec.Split.Kind.ToString()),
                ["protocol"] = spec.Split.Protocol,
                ["fingerprint"] = split.Fingerprint,
                ["overlapping_patients"] = split.OverlappingGroups,
            };
            record["pipeline_trace"] = new JsonArray(e.Trace.Select(t => (JsonNode)$"{t.stage}: {t.schema}").ToArray());
            observer.Info($"split {split.Train.Count}/{split.Validation.Count}/{split.Test.Count} (train/val/test), classes {string.Join(", ", train.Schema.ClassNames)}");

            sw.Restart();
            var task = e.Model.Run(new TaskContext(e, training, device, train, val, test, runDir, new Progress(observer), cancel));
            timings["train_and_evaluate_seconds"] = sw.Elapsed.TotalSeconds;
            timings["train_seconds"] = task.History.Sum(h => h.Seconds);
            record["task"] = e.Model.Task;
            record["model"] = new JsonObject { ["description"] = e.Model.Description, ["parameters"] = task.Parameters };
            record["history"] = JsonSerializer.SerializeToNode(task.History, Json);
            record["best_epoch"] = task.BestEpoch;
            foreach (var (k, v) in task.Extra.ToList()) { task.Extra.Remove(k); record[k] = v; }
            if (task.Report is { } report) record["metrics"] = JsonNode.Parse(MetricJson.Serialize(report));
            // The parameter count rides along as a table row so `verify` can check SPEC §6's "exact" counts too.
            var metrics = task.Metrics.Append(new MetricEntry("parameters", null, task.Parameters, null, null, null)).ToList();
            record["metrics_table"] = MetricTable.ToJson(metrics);
            record["baseline_kind"] = task.BaselineKind;
            record["baseline_table"] = MetricTable.ToJson(task.Baseline);
            AtomicFile.WriteAllText(Path.Combine(runDir, "pipeline.json"), PipelineFile.Serialize(fitted));
            task.Artefacts["pipeline"] = "pipeline.json";
            record["artefacts"] = task.Artefacts;
            record["status"] = task.Interrupted ? "interrupted" : "completed";
            timings["total_seconds"] = total.Elapsed.TotalSeconds;
            record["timings"] = timings;
            record["peak_memory_bytes"] = EnvironmentInfo.PeakResidentBytes();
            record["finished_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            AtomicFile.WriteAllText(Path.Combine(runDir, "run.json"), record.ToJsonString(Json));
            return new RunOutcome(record["status"]!.GetValue<string>(), runDir, key, e.Model.Task, metrics, task.Baseline, task.BaselineKind, task.Report, record);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            record["status"] = "failed";
            record["error"] = new JsonObject { ["type"] = ex.GetType().Name, ["message"] = ex.Message };
            timings["total_seconds"] = total.Elapsed.TotalSeconds;
            record["timings"] = timings;
            AtomicFile.WriteAllText(Path.Combine(runDir, "run.json"), record.ToJsonString(Json));
            throw;
        }
    }

    private static DataSplit MakeSplit(ResolvedExperiment e, DataView data, IRunObserver observer)
    {
        var spec = e.Spec;
        var s = spec.Split;
        switch (s.Kind)
        {
            case SplitKind.Official:
                var official = e.Source.Official(data)
                    ?? throw new SpecException(spec.Data!.Where with { Key = "split.kind" }, $"data source '{spec.Data.Type}' has no official split; use random_stratified or kfold");
                observer.Info($"official split: {official.Name}");
                return DataSplit.Create(data, official.Train, official.Validation, official.Test);
            case SplitKind.Kfold:
                observer.Info($"stratified {s.Folds}-fold, fold {s.Fold} tested, {s.ValidationFraction:0.##} of the rest validates");
                return DataSplit.KFold(data, s.Folds, s.Fold, s.ValidationFraction, spec.Seed);
            case SplitKind.AnomalyFolds:
                var normal = TaskSupport.NormalClassIndex(spec.Evaluation.NormalClass, data.Schema);
                observer.Info($"anomaly folds: normal '{data.Schema.ClassNames[normal]}' in {s.Folds} contiguous folds, fold {s.Fold} tested; anomalies {1 - s.AnomalyValidationFraction:0.##}/{s.AnomalyValidationFraction:0.##} test/validation");
                return DataSplit.AnomalyFolds(data, normal, s.Folds, s.Fold, s.ValidationFraction, s.AnomalyValidationFraction, spec.Seed);
            default:
                return DataSplit.RandomStratified(data, s.Fractions, spec.Seed, s.Level == SplitLevel.Patient);
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

    private sealed class IntPairConverter : JsonConverter<(int, int)>
    {
        public override (int, int) Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var a = JsonSerializer.Deserialize<int[]>(ref reader, options) ?? [];
            return a.Length == 2 ? (a[0], a[1]) : throw new JsonException("expected [height, width]");
        }

        public override void Write(Utf8JsonWriter writer, (int, int) value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(value.Item1);
            writer.WriteNumberValue(value.Item2);
            writer.WriteEndArray();
        }
    }
}
