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

    /// <summary>Reads one run folder.</summary>
    /// <exception cref="EcgDataException">run.json is missing, not an "ecg-run" record, or lacks metrics.</exception>
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
        var metricsPath = Path.Combine(folder, MetricsFileName);
        string metricsJson;
        string metricsSource;
        if (File.Exists(metricsPath)) { metricsJson = File.ReadAllText(metricsPath); metricsSource = metricsPath; }
        else if (run["metrics"] is JsonObject m) { metricsJson = m.ToJsonString(); metricsSource = runPath; }
        else throw new EcgDataException($"run has no {MetricsFileName} and no \"metrics\" in its record (status: {Str(run, "status") ?? "unknown"})", file: folder);
        var metrics = MetricJson.Deserialize<MetricReport>(metricsJson, metricsSource);

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
            Metrics = metrics,
        };
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
