using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EcgExperiments.Reports;

/// <summary>
/// The JSON report: <c>{ format: "ecg-report", version: 3, title, confidence_levels, interval_methods, tasks,
/// differing_parameters, runs: [...], rows: [...], comparisons: {...} }</c>. <c>runs</c> lists each run's identity, short
/// name, test set, task, protocol, model, strategy, baseline kind and the parameters that differ between runs; <c>rows</c>
/// holds the tidy rows of the CSV with the same snake_case column names; <c>comparisons</c> holds the test sets (label,
/// task, runs, examples, class counts, how the reference was chosen), the tidy comparison rows (the columns of
/// report-comparisons.csv), the verdicts, warnings and notes. Version 2 added <c>task</c>, <c>method</c>,
/// <c>baseline_kind</c>, <c>interval_methods</c> and <c>tasks</c>; version 3 <c>name</c>, <c>test_set</c> and <c>comparisons</c>.
/// </summary>
public static class JsonReportWriter
{
    public const string Format = "ecg-report";
    public const int Version = 3;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Write(IReadOnlyList<RunRecord> runs, IReadOnlyList<TidyMetricRow> rows, ReportOptions options, ComparisonReport comparisons,
        IReadOnlyList<IncompleteRun>? incomplete = null)
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
                ["name"] = comparisons.NameOf(r),
                ["test_set"] = comparisons.TestSetOf(r).Label,
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
            ["comparisons"] = Comparisons(comparisons),
            // Runs left out of the rows and comparisons, with their status and why.
            ["incomplete_runs"] = new JsonArray((incomplete ?? []).Select(r => (JsonNode?)new JsonObject
            {
                ["experiment"] = r.Experiment,
                ["trial"] = r.TrialKey,
                ["folder"] = r.Folder,
                ["status"] = r.Status,
                ["model_description"] = r.Model,
                ["strategy"] = r.Strategy,
                ["epochs_trained"] = r.EpochsTrained,
                ["reason"] = r.Reason,
            }).ToArray()),
        };
        return root.ToJsonString(Options);
    }

    private static JsonObject Comparisons(ComparisonReport c) => new()
    {
        ["test_sets"] = new JsonArray(c.TestSets.Select(t => (JsonNode?)new JsonObject
        {
            ["label"] = t.Label,
            ["task"] = t.Task,
            ["examples"] = t.ExampleCount,
            ["class_counts"] = new JsonObject(t.ClassCounts.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["runs"] = new JsonArray(t.Runs.Select(r => (JsonNode?)r.TrialKey).ToArray()),
            ["reference"] = t.Reference,
        }).ToArray()),
        ["rows"] = new JsonArray(c.Rows.Select(r => (JsonNode?)new JsonObject
        {
            ["experiment"] = r.Experiment,
            ["test_set"] = r.TestSet,
            ["run"] = r.Run,
            ["run_name"] = r.RunName,
            ["reference"] = r.Reference,
            ["reference_name"] = r.ReferenceName,
            ["metric"] = r.Metric,
            ["class"] = r.Class,
            ["run_value"] = r.RunValue,
            ["reference_value"] = r.ReferenceValue,
            ["difference"] = r.Difference,
            ["lower"] = r.Lower,
            ["upper"] = r.Upper,
            ["level"] = r.Level,
            ["interval_method"] = Evaluation.ComparisonTests.PairedBootstrap,
            ["test"] = r.Test,
            ["statistic"] = r.Statistic,
            ["p"] = r.P,
            ["adjusted_p"] = r.AdjustedP,
            ["adjustment"] = ComparisonRow.Adjustment,
            ["detail"] = r.Detail,
            ["task"] = r.Task,
        }).ToArray()),
        ["verdicts"] = new JsonArray(c.Verdicts.Select(v => (JsonNode?)new JsonObject
        {
            ["test_set"] = v.TestSet, ["run"] = v.Run, ["reference"] = v.Reference, ["significant"] = v.Significant, ["text"] = v.Text,
        }).ToArray()),
        ["warnings"] = new JsonArray(c.Warnings.Select(w => (JsonNode?)w).ToArray()),
        ["notes"] = new JsonArray(c.Notes.Select(n => (JsonNode?)n).ToArray()),
    };
}
