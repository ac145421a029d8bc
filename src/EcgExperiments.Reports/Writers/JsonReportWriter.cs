using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EcgExperiments.Reports;

/// <summary>
/// The JSON report: <c>{ format: "ecg-report", version: 2, title, confidence_levels, interval_methods, tasks,
/// differing_parameters, runs: [...], rows: [...] }</c>. <c>runs</c> lists each run's identity, task, protocol, model,
/// strategy, baseline kind and the parameters that differ between runs; <c>rows</c> holds the tidy rows of the CSV
/// with the same snake_case column names. Version 2 added <c>task</c>, <c>method</c>, <c>baseline_kind</c>,
/// <c>interval_methods</c> and <c>tasks</c>.
/// </summary>
public static class JsonReportWriter
{
    public const string Format = "ecg-report";
    public const int Version = 2;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Write(IReadOnlyList<RunRecord> runs, IReadOnlyList<TidyMetricRow> rows, ReportOptions options)
    {
        var differing = ParameterDiff.DifferingKeys(runs);
        var root = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["title"] = options.Title,
            ["confidence_levels"] = new JsonArray(MetricLookup.Levels(runs.SelectMany(r => r.Table)).Select(l => (JsonNode?)l).ToArray()),
            ["interval_methods"] = new JsonArray(rows.Select(r => r.Method).OfType<string>().Distinct().Order(StringComparer.Ordinal).Select(m => (JsonNode?)m).ToArray()),
            ["tasks"] = new JsonArray(TaskGroup.Of(runs).Select(g => (JsonNode?)g.Layout.Task).ToArray()),
            ["differing_parameters"] = new JsonArray(differing.Select(k => (JsonNode?)k).ToArray()),
            ["runs"] = new JsonArray(runs.Select(r => (JsonNode?)new JsonObject
            {
                ["experiment"] = r.Experiment,
                ["trial"] = r.TrialKey,
                ["task"] = r.Task,
                ["folder"] = r.Folder,
                ["status"] = r.Status,
                ["protocol"] = r.Protocol,
                ["model"] = r.ModelType,
                ["model_description"] = r.ModelDescription,
                ["strategy"] = r.Strategy,
                ["best_epoch"] = r.BestEpoch,
                ["baseline_kind"] = r.BaselineKind,
                ["parameters"] = new JsonObject(differing.Select(k => KeyValuePair.Create(k, (JsonNode?)ParameterDiff.ValueOf(r, k)))),
            }).ToArray()),
            ["rows"] = new JsonArray(rows.Select(r => (JsonNode?)new JsonObject
            {
                ["experiment"] = r.Experiment,
                ["trial"] = r.TrialKey,
                ["model"] = r.Model,
                ["strategy"] = r.Strategy,
                ["protocol"] = r.Protocol,
                ["scope"] = r.Scope,
                ["metric"] = r.Metric,
                ["class"] = r.Class,
                ["point"] = r.Point,
                ["lower"] = r.Lower,
                ["upper"] = r.Upper,
                ["level"] = r.Level,
                ["method"] = r.Method,
                ["task"] = r.Task,
            }).ToArray()),
        };
        return root.ToJsonString(Options);
    }
}
