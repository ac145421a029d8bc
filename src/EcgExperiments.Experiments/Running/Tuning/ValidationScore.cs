using System.Text.Json.Nodes;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running.Tuning;

/// <summary>
/// A trial's score for a tuner: the best value of a validation metric over the epochs in the run record's
/// <c>history</c> (<c>loss</c> reads <c>validation_loss</c>, anything else <c>validation_metrics.&lt;name&gt;</c>).
/// Test metrics (<c>metrics_table</c>) are never read, so tuning cannot leak the test split into model choice.
/// </summary>
public static class ValidationScore
{
    /// <summary>The best validation value in <paramref name="record"/>'s history, or null when the record has no history or no such metric.</summary>
    public static double? Best(JsonObject? record, string metric, MetricDirection direction)
    {
        var values = Values(record, metric);
        if (values.Count == 0) return null;
        return direction == MetricDirection.Max ? values.Max() : values.Min();
    }

    /// <summary>The validation metric names a record's history offers (for error messages).</summary>
    public static IReadOnlyList<string> Available(JsonObject? record)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (record?["history"] is JsonArray history)
            foreach (var epoch in history.OfType<JsonObject>())
            {
                if (epoch["validation_loss"] is JsonValue) names.Add("loss");
                if (epoch["validation_metrics"] is JsonObject m) foreach (var (k, _) in m) names.Add(k);
            }
        return names.ToList();
    }

    private static List<double> Values(JsonObject? record, string metric)
    {
        var list = new List<double>();
        if (record?["history"] is not JsonArray history) return list;
        bool loss = metric.Equals("loss", StringComparison.OrdinalIgnoreCase);
        foreach (var epoch in history.OfType<JsonObject>())
        {
            var node = loss ? epoch["validation_loss"] : (epoch["validation_metrics"] as JsonObject)?[metric];
            if (node is JsonValue v && v.TryGetValue<double>(out var x) && double.IsFinite(x)) list.Add(x);
        }
        return list;
    }
}
