using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running.Workers;

/// <summary>Reading a trial's run.json, turning it back into a <see cref="RunOutcome"/>, and recording a trial whose worker died before it could.</summary>
public static class RunRecordFile
{
    public const string FileName = "run.json";

    /// <summary>The run record in <paramref name="runDir"/> when it belongs to <paramref name="trialKey"/>, else null (absent, unreadable or another key).</summary>
    public static JsonObject? Read(string runDir, string trialKey)
    {
        var path = Path.Combine(runDir, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) is JsonObject o && o["trial_key"]?.GetValue<string>() == trialKey ? o : null;
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException)
        {
            return null; // a record that does not parse is treated as absent and the trial runs again
        }
    }

    public static string? Status(JsonObject? record) => record?["status"]?.GetValue<string>();

    /// <summary>The error message a failed record carries.</summary>
    public static string? Error(JsonObject? record) => record?["error"]?["message"]?.GetValue<string>();

    /// <summary>A finished record as the outcome <see cref="ExperimentRunner.Run"/> would have returned (without the in-memory classification report).</summary>
    public static RunOutcome ToOutcome(JsonObject record, string runDir) =>
        new(Status(record) ?? "unknown", runDir, record["trial_key"]?.GetValue<string>() ?? "", record["task"]?.GetValue<string>() ?? "classification",
            MetricTable.FromJson(record["metrics_table"]), MetricTable.FromJson(record["baseline_table"]),
            record["baseline_kind"]?.GetValue<string>(), null, record);

    /// <summary>
    /// Writes (atomically) a failed record for a trial whose worker was killed or died without recording its end. Any
    /// record the worker left (status running) is replaced.
    /// </summary>
    public static JsonObject WriteFailed(ResolvedExperiment e, RunOptions options, string runDir, string trialKey, string errorType, string message,
        DateTime startedUtc, double seconds, long? peakResidentBytes)
    {
        var record = new JsonObject
        {
            ["format"] = "ecg-run",
            ["version"] = ExperimentRunner.RunRecordVersion,
            ["experiment"] = e.Spec.Name,
            ["spec_file"] = e.File,
            ["status"] = "failed",
            ["started_utc"] = startedUtc.ToString("O", CultureInfo.InvariantCulture),
            ["trial_key"] = trialKey,
            ["code_version"] = ExperimentRunner.CodeVersion,
            ["resolved_config"] = ExperimentRunner.ResolvedConfig(e, options),
            ["seed"] = e.Spec.Seed,
            ["error"] = new JsonObject { ["type"] = errorType, ["message"] = message },
            ["recorded_by"] = "sweep (the worker could not record its end)",
            ["timings"] = new JsonObject { ["total_seconds"] = seconds },
            ["peak_memory_bytes"] = peakResidentBytes,
            ["finished_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        AtomicFile.WriteAllText(Path.Combine(runDir, FileName), record.ToJsonString(ExperimentRunner.Json));
        return record;
    }
}
