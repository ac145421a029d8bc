using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Runs;

/// <summary>Where a trial stands. Written in run records as snake_case (<c>completed</c>, <c>failed</c>, …).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrialStatus>))]
public enum TrialStatus
{
    /// <summary>Started and not finished (a record left behind by a process that died).</summary>
    Running,
    /// <summary>Trained, evaluated and written.</summary>
    Completed,
    /// <summary>Stopped by an error, a time or memory limit, or a crash; the record says why.</summary>
    Failed,
    /// <summary>Stopped on request (Ctrl-C) after a finished batch; partly trained.</summary>
    Interrupted,
}

/// <summary>The words run records, the index and the console use for statuses and tasks.</summary>
public static class RunRecordNames
{
    /// <summary>"completed", "failed", "interrupted", "running".</summary>
    public static string Text(this TrialStatus status) => JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    /// <summary>"classification", "multi_label", "anomaly", "reconstruction".</summary>
    public static string Text(this TaskKind task) => JsonNamingPolicy.SnakeCaseLower.ConvertName(task.ToString());
}

/// <summary>What a model's task is; decides evaluation, baselines and artefacts.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TaskKind>))]
public enum TaskKind
{
    /// <summary>Per-class metrics against the class prior.</summary>
    Classification,
    /// <summary>Trained on the normal class only; ROC-AUC, AP and F1 against a constant score.</summary>
    Anomaly,
    /// <summary>One lead → all leads; MSE, per-lead RMSE, Pearson r and R² against each lead's training mean.</summary>
    Reconstruction,
    /// <summary>
    /// A classifier on label sets (one sigmoid per label): macro/micro ROC-AUC, per-label AUC and AP, F-max, F1 at
    /// per-label thresholds chosen on validation, Hamming loss, against the training label prevalence.
    /// </summary>
    MultiLabel,
}

/// <summary>The data a trial used: description, fingerprint, schema and per-split class counts.</summary>
public sealed record DataRecord(string Description, string Fingerprint, string Schema, IReadOnlyList<string> Classes, SplitCounts Counts);

/// <summary>Examples per class in each split part.</summary>
public sealed record SplitCounts(IReadOnlyList<int> Train, IReadOnlyList<int> Validation, IReadOnlyList<int> Test);

/// <summary>The split a trial used and the protocol every test number refers to.</summary>
public sealed record SplitRecord(string Kind, string Protocol, string Fingerprint, int OverlappingPatients);

/// <summary>The trained model: its description and trainable parameter count.</summary>
public sealed record ModelRecord(string Description, long Parameters);

/// <summary>
/// Seconds spent in each phase of a trial. A trial resumed from a checkpoint ran in several sittings (processes): the
/// phases are this sitting's, training and the total span them all.
/// </summary>
public sealed record TimingsRecord
{
    public double? LoadSeconds { get; init; }
    public double? PipelineSeconds { get; init; }
    public double? TrainAndEvaluateSeconds { get; init; }
    /// <summary>The epochs' time, every sitting's (the sum of the history's epoch times).</summary>
    public double? TrainSeconds { get; init; }
    /// <summary>Wall time of the trial: this sitting's, plus each earlier sitting's from its start to its last checkpoint.</summary>
    public double TotalSeconds { get; init; }
    /// <summary>How many sittings trained the trial, when more than one (null: one).</summary>
    public int? Sittings { get; init; }
}

/// <summary>Why a trial failed: the exception type (or a kind such as TrialLimitExceeded) and its message.</summary>
public sealed record ErrorRecord(string Type, string Message)
{
    /// <summary>Where the full stack trace was written, when it was.</summary>
    public string? Log { get; init; }
}

/// <summary>
/// The one record of a trial (<c>run.json</c>): written by the runner, read by the sweep engine, <c>verify</c>, reports and
/// the CLI summary through <see cref="RunRecordFile"/>, which checks <see cref="Version"/>. Everything a trial produced
/// that a later reader needs is a typed member here; task-specific details live in <see cref="TaskDetails"/>.
/// </summary>
public sealed record RunRecord
{
    public const string FormatName = "ecg-run";

    /// <summary>Version 2: typed record (statuses and tasks as enums, imbalance as strategy + its own options, error logs).</summary>
    public const int CurrentVersion = 2;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public required string Experiment { get; init; }
    public string? SpecFile { get; init; }
    public required TrialStatus Status { get; init; }
    public DateTime StartedUtc { get; init; }
    public DateTime? FinishedUtc { get; init; }
    public required string TrialKey { get; init; }
    public string CodeVersion { get; init; } = "";
    /// <summary>Every spec value with defaults filled in, components with their bound options (what the trial key hashes).</summary>
    public JsonObject ResolvedConfig { get; init; } = [];
    public ulong Seed { get; init; }
    public JsonObject? Environment { get; init; }
    public TaskKind? Task { get; init; }
    public DataRecord? Data { get; init; }
    public SplitRecord? Split { get; init; }
    public IReadOnlyList<string> PipelineTrace { get; init; } = [];
    public ModelRecord? Model { get; init; }
    public IReadOnlyList<EpochRecord> History { get; init; } = [];
    public int? BestEpoch { get; init; }
    /// <summary>The tidy test-metric table (for every task) — what <c>verify</c>, sweeps and reports read.</summary>
    public IReadOnlyList<MetricEntry> MetricsTable { get; init; } = [];
    /// <summary>The trivial baseline's table on the same test set.</summary>
    public IReadOnlyList<MetricEntry> BaselineTable { get; init; } = [];
    public string? BaselineKind { get; init; }
    /// <summary>Binary and anomaly tasks: the decision threshold, chosen on validation only.</summary>
    public DecisionThreshold? DecisionThreshold { get; init; }
    /// <summary>Task-specific details (anomaly: per-class AUC against the normal class, score scaling; reconstruction: identity baseline).</summary>
    public JsonObject TaskDetails { get; init; } = [];
    /// <summary>Trainer-specific facts (e.g. a GAN's discriminator size and resets).</summary>
    public IReadOnlyDictionary<string, double> TrainingSummary { get; init; } = new Dictionary<string, double>();
    /// <summary>Artefact name → file name in the run folder.</summary>
    public IReadOnlyDictionary<string, string> Artefacts { get; init; } = new Dictionary<string, string>();
    public TimingsRecord? Timings { get; init; }
    /// <summary>Peak resident memory of the trial's process: the largest of its sittings' where it was resumed (as far as their checkpoints recorded it).</summary>
    public long? PeakMemoryBytes { get; init; }
    public ErrorRecord? Error { get; init; }
    /// <summary>Who wrote the record when it was not the trial itself (e.g. the sweep, for a worker that died).</summary>
    public string? RecordedBy { get; init; }

    /// <summary>A test metric by name (and class), or null.</summary>
    public double? Metric(string name, string? className = null) => MetricTable.Find(MetricsTable, name, className)?.Value;

    /// <summary>The baseline's value of a metric, or null.</summary>
    public double? BaselineMetric(string name, string? className = null) => MetricTable.Find(BaselineTable, name, className)?.Value;

    /// <summary>The split protocol every test number of this run refers to.</summary>
    public string Protocol => Split?.Protocol ?? "unknown protocol";
}

/// <summary>Lookups in tidy metric tables.</summary>
public static class MetricTable
{
    public static MetricEntry? Find(IReadOnlyList<MetricEntry> table, string name, string? className = null) =>
        table.FirstOrDefault(r => r.Metric == name && string.Equals(r.Class, className, StringComparison.Ordinal));
}

/// <summary>A run record that cannot be read: missing, truncated, not a run record, or from a newer version. Names the file.</summary>
public sealed class RunRecordException(string path, string message, bool newer = false) : Exception($"{path}: {message}")
{
    public string Path { get; } = path;

    /// <summary>The record was written by a newer version of the framework (never treated as absent, never overwritten).</summary>
    public bool Newer { get; } = newer;
}

/// <summary>
/// Reads and writes <c>run.json</c>: the only place run records are parsed. Writes are atomic (temp file + rename).
/// Reads check the format and version: a newer version is refused with a message saying to update; version 1 records
/// (before the typed record) load unchanged, their field names being the same.
/// </summary>
public static class RunRecordFile
{
    public const string FileName = "run.json";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new IntPairJsonConverter() },
    };

    public static string PathIn(string runDirectory) => System.IO.Path.Combine(runDirectory, FileName);

    public static void Write(string runDirectory, RunRecord record) =>
        AtomicFile.WriteAllText(PathIn(runDirectory), JsonSerializer.Serialize(record, Json));

    /// <summary>The record in <paramref name="path"/> (a run.json file or its folder); throws <see cref="RunRecordException"/> naming the file.</summary>
    public static RunRecord Read(string path)
    {
        if (Directory.Exists(path)) path = PathIn(path);
        if (!File.Exists(path)) throw new RunRecordException(path, "no run record here");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new RunRecordException(path, $"cannot be read: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Parses a run record's text; <paramref name="path"/> names it in errors.</summary>
    public static RunRecord Parse(string text, string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new RunRecordException(path, $"is not a complete run record (truncated or damaged JSON: {e.Message}); delete the folder to run the trial again");
        }
        if (root["format"]?.GetValue<string>() is { } format && format != RunRecord.FormatName)
            throw new RunRecordException(path, $"is a '{format}' file, not a run record");
        int version = root["version"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 1;
        if (version > RunRecord.CurrentVersion)
            throw new RunRecordException(path, $"was written by a newer version of the framework (run record version {version}; this one reads up to {RunRecord.CurrentVersion}); update the framework to read it", newer: true);
        if (version < RunRecord.CurrentVersion) root = MigrateFromVersion1(root);
        RunRecord record;
        try
        {
            record = root.Deserialize<RunRecord>(Json) ?? throw new JsonException("empty record");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new RunRecordException(path, $"does not read as a version {version} run record: {e.Message}");
        }
        foreach (var (name, table) in new[] { ("metrics_table", record.MetricsTable), ("baseline_table", record.BaselineTable) })
            for (int i = 0; i < table.Count; i++)
                if (string.IsNullOrEmpty(table[i].Metric)) throw new RunRecordException(path, $"\"{name}\" row {i} has no \"metric\" name");
        if (string.IsNullOrEmpty(record.TrialKey)) throw new RunRecordException(path, "has no \"trial_key\"");
        return record;
    }

    /// <summary>
    /// Version 1 (before the typed record) kept task details at the top level and wrote the decision threshold and an
    /// inline report with the metrics serializer: they move into <see cref="RunRecord.TaskDetails"/>; the rest reads as is.
    /// </summary>
    private static JsonObject MigrateFromVersion1(JsonObject v1)
    {
        var known = typeof(RunRecord).GetProperties().Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)).ToHashSet(StringComparer.Ordinal);
        var details = v1["task_details"] as JsonObject ?? [];
        foreach (var (key, value) in v1.ToList())
        {
            if (key is "decision_threshold" or "metrics" || !known.Contains(key))
            {
                v1.Remove(key);
                if (key != "metrics") details[key] = value;
            }
        }
        v1["task_details"] = details;
        v1["version"] = RunRecord.CurrentVersion;
        return v1;
    }

    /// <summary>The record of <paramref name="trialKey"/> in <paramref name="runDirectory"/>, or null when absent, of another key, or unreadable.</summary>
    public static RunRecord? TryRead(string runDirectory, string trialKey)
    {
        var path = PathIn(runDirectory);
        if (!File.Exists(path)) return null;
        try
        {
            var record = Read(path);
            return record.TrialKey == trialKey ? record : null;
        }
        catch (RunRecordException e) when (!e.Newer)
        {
            return null; // a damaged or foreign record counts as absent: the trial runs again
        }
    }
}
