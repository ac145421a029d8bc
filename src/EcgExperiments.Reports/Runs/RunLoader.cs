using System.Text.Json;
using System.Text.Json.Nodes;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>
/// Finds and reads run folders. A path is either a run folder (it holds run.json) or a results root,
/// which is scanned recursively for run.json files. Runs are returned sorted by experiment, then trial key,
/// so reports are deterministic.
/// </summary>
/// <example><code>
/// IReadOnlyList&lt;RunRecord&gt; runs = RunLoader.Discover(["results"]);
/// </code></example>
public static class RunLoader
{
    public const string RunFileName = "run.json";
    public const string MetricsFileName = "metrics.json";
    public const string ReconstructionFileName = "reconstruction.json";
    public const string MetricsTableField = "metrics_table";
    public const string BaselineTableField = "baseline_table";

    /// <exception cref="EcgDataException">A path does not exist, holds no run.json, or a run record cannot be read.</exception>
    public static IReadOnlyList<RunRecord> Discover(IEnumerable<string> paths)
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in paths)
        {
            var path = Path.GetFullPath(raw);
            if (File.Exists(path) && Path.GetFileName(path) == RunFileName) { folders.Add(Path.GetDirectoryName(path)!); continue; }
            if (!Directory.Exists(path)) throw new EcgDataException("no such run folder or results root", file: path);
            var found = Directory.EnumerateFiles(path, RunFileName, SearchOption.AllDirectories).ToList();
            if (found.Count == 0) throw new EcgDataException($"no {RunFileName} in this folder or below it; pass a run folder or a results root", file: path);
            foreach (var f in found) folders.Add(Path.GetDirectoryName(f)!);
        }
        return folders.Select(Load)
            .OrderBy(r => r.Experiment, StringComparer.Ordinal)
            .ThenBy(r => r.TrialKey, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Reads one run folder: run.json's task (default classification), its <c>metrics_table</c> and <c>baseline_table</c>
    /// and, for classification and anomaly runs, metrics.json (or run.json's <c>metrics</c>). A record without
    /// <c>metrics_table</c> (written before it existed) takes the table of metrics.json.
    /// </summary>
    /// <exception cref="EcgDataException">run.json is missing, not an "ecg-run" record, names an unknown task, has a malformed
    /// table, or has neither a table nor metrics. The message names the file.</exception>
    public static RunRecord Load(string folder)
    {
        var runPath = Path.Combine(folder, RunFileName);
        if (!File.Exists(runPath)) throw new EcgDataException($"{RunFileName} not found", file: folder);
        JsonObject run;
        try
        {
            run = JsonNode.Parse(File.ReadAllText(runPath)) as JsonObject
                  ?? throw new EcgDataException("run record is not a JSON object", file: runPath);
        }
        catch (JsonException e)
        {
            throw new EcgDataException($"run record is not valid JSON: {e.Message}", file: runPath, inner: e);
        }
        if (Str(run, "format") != "ecg-run")
            throw new EcgDataException("not a run record (expected \"format\": \"ecg-run\")", file: runPath);

        var config = run["resolved_config"] as JsonObject ?? new JsonObject();
        var task = Str(run, "task") ?? TaskLayouts.Classification;   // records from before tasks were all classifiers
        if (TaskLayouts.Find(task) is null)
            throw new EcgDataException($"unknown task \"{task}\"; this build reports {string.Join(", ", TaskLayouts.Names)}", file: runPath);

        // The full classification report (curves, confusion) of classification and anomaly runs; reconstruction has none,
        // and a multi-label run's metrics.json is a multi-label report (its tidy table is all a report reads).
        MetricReport? metrics = null;
        if (task is not (TaskLayouts.Reconstruction or TaskLayouts.MultiLabel))
        {
            var metricsPath = Path.Combine(folder, MetricsFileName);
            if (File.Exists(metricsPath)) metrics = MetricJson.Deserialize<MetricReport>(File.ReadAllText(metricsPath), metricsPath);
            else if (run["metrics"] is JsonObject m) metrics = MetricJson.Deserialize<MetricReport>(m.ToJsonString(), runPath);
        }

        IReadOnlyList<MetricEntry> table, baseline;
        if (run.ContainsKey(MetricsTableField))
        {
            table = ReadTable(run[MetricsTableField], MetricsTableField, runPath, metrics);
            baseline = run.ContainsKey(BaselineTableField) ? ReadTable(run[BaselineTableField], BaselineTableField, runPath, metrics?.Baseline)
                : metrics?.Baseline?.ToTable() ?? [];
        }
        else if (metrics is not null)
        {
            table = metrics.ToTable();
            baseline = metrics.Baseline?.ToTable() ?? [];
        }
        else
        {
            var what = task is TaskLayouts.Reconstruction or TaskLayouts.MultiLabel
                ? $"a {task} run record needs \"{MetricsTableField}\""
                : $"run has no \"{MetricsTableField}\", no {MetricsFileName} and no \"metrics\" in its record";
            throw new EcgDataException($"{what} (status: {Str(run, "status") ?? "unknown"})", file: runPath);
        }

        var trialKey = Str(run, "trial_key") ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        var modelType = Str(config["model"], "type") ?? "unknown";
        return new RunRecord
        {
            Folder = Path.GetFullPath(folder),
            Experiment = Str(run, "experiment") ?? Str(config, "name") ?? "unnamed",
            TrialKey = trialKey.Length > 12 ? trialKey[..12] : trialKey,
            Status = Str(run, "status") ?? "unknown",
            Protocol = Str(run["split"], "protocol") ?? Str(config["split"], "protocol") ?? Str(run["split"], "kind") ?? "unspecified protocol",
            ModelType = modelType,
            ModelDescription = Str(run["model"], "description") ?? modelType,
            Strategy = Str((config["training"] as JsonObject)?["imbalance"], "strategy") ?? "none",
            ResolvedConfig = config,
            FlatConfig = ConfigFlattener.Flatten(config),
            History = ReadHistory(run["history"] as JsonArray),
            BestEpoch = run["best_epoch"] is JsonValue be && be.TryGetValue<int>(out var b) ? b : null,
            Task = task,
            Table = table,
            BaselineTable = baseline,
            BaselineKind = Str(run, "baseline_kind") ?? metrics?.BaselineKind,
            Metrics = metrics,
            TestSampleCount = metrics?.SampleCount ?? ReconstructionRecordCount(folder),
        };
    }

    /// <summary>
    /// Reads a tidy table (<c>metrics_table</c> or <c>baseline_table</c>): rows <c>{metric, class, value, lower, upper,
    /// level, method}</c>, numbers or null (or "NaN"/"Infinity"). A row without a method takes the one of the matching
    /// interval in <paramref name="report"/>, else "percentile_bootstrap" when it has bounds: intervals were all
    /// bootstrap before methods were recorded.
    /// </summary>
    internal static IReadOnlyList<MetricEntry> ReadTable(JsonNode? node, string field, string file, MetricReport? report)
    {
        if (node is not JsonArray rows) throw new EcgDataException($"\"{field}\" must be an array of {{metric, class, value, lower, upper, level}} rows", file: file);
        var table = new List<MetricEntry>(rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            string where = $"\"{field}\" row {i}";
            if (rows[i] is not JsonObject row) throw new EcgDataException($"{where} is not an object", file: file);
            var metric = Str(row, "metric");
            if (string.IsNullOrEmpty(metric)) throw new EcgDataException($"{where} has no \"metric\" name", file: file);
            if (row["class"] is not null && Str(row, "class") is null) throw new EcgDataException($"{where} ({metric}): \"class\" must be a string or null", file: file);
            var cls = Str(row, "class");
            double? Field(string name) => TableNumber(row[name], $"{where} ({metric}): \"{name}\"", file);
            double? lower = Field("lower"), upper = Field("upper");
            var key = cls is null ? metric : MetricNames.PerClass(metric, cls);
            var method = Str(row, "method")
                         ?? (lower is null || upper is null ? null
                             : report is not null && report.Intervals.TryGetValue(key, out var ci) ? ci.Method : IntervalMethods.PercentileBootstrap);
            table.Add(new MetricEntry(metric, cls, Field("value"), lower, upper, Field("level"), method));
        }
        return table;
    }

    private static double? TableNumber(JsonNode? node, string what, string file)
    {
        if (node is null) return null;
        if (node is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.Number: return v.GetValue<double>();
                case JsonValueKind.String:
                    switch (v.GetValue<string>())
                    {
                        case "NaN": return double.NaN;
                        case "Infinity": return double.PositiveInfinity;
                        case "-Infinity": return double.NegativeInfinity;
                    }
                    break;
            }
        }
        throw new EcgDataException($"{what} must be a number or null, got {node.ToJsonString()}", file: file);
    }

    /// <summary>recordCount of reconstruction.json, when the run wrote one.</summary>
    private static int? ReconstructionRecordCount(string folder)
    {
        var path = Path.Combine(folder, ReconstructionFileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) is JsonObject o && o["recordCount"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;
        }
        catch (JsonException e)
        {
            throw new EcgDataException($"not valid JSON: {e.Message}", file: path, inner: e);
        }
    }

    private static List<EpochLoss> ReadHistory(JsonArray? history)
    {
        var list = new List<EpochLoss>();
        if (history is null) return list;
        int i = 0;
        foreach (var e in history.OfType<JsonObject>())
        {
            i++;
            int epoch = e["epoch"] is JsonValue ev && ev.TryGetValue<int>(out var n) ? n : i;
            list.Add(new EpochLoss(epoch, Num(e["train_loss"]), Num(e["validation_loss"])));
        }
        return list;
    }

    private static string? Str(JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static double? Num(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;
}
