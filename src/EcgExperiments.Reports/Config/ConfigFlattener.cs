using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EcgExperiments.Reports;

/// <summary>
/// Flattens a resolved configuration to dotted keys for the diff-only parameter table. Objects nest with
/// dots (<c>training.imbalance.strategy</c>); arrays of scalars stay one value in compact JSON
/// (<c>model.widths = [4,8]</c>) because they are one setting; arrays holding objects are indexed
/// (<c>pipeline[0].type</c>) so a changed pipeline stage shows as the key that changed. Scalars are written
/// invariantly: strings bare, numbers round-trip, <c>null</c> as "null".
/// </summary>
/// <example><code>
/// var flat = ConfigFlattener.Flatten(JsonNode.Parse("{\"training\":{\"epochs\":8}}")!.AsObject());
/// // flat["training.epochs"] == "8"
/// </code></example>
public static class ConfigFlattener
{
    public static IReadOnlyDictionary<string, string> Flatten(JsonObject config)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(config, "", result);
        return result;
    }

    private static void Walk(JsonNode? node, string prefix, SortedDictionary<string, string> into)
    {
        switch (node)
        {
            case JsonObject o:
                if (o.Count == 0 && prefix.Length > 0) into[prefix] = "{}";
                foreach (var (key, child) in o) Walk(child, prefix.Length == 0 ? key : $"{prefix}.{key}", into);
                break;
            case JsonArray a when a.Any(x => x is JsonObject or JsonArray):
                for (int i = 0; i < a.Count; i++) Walk(a[i], $"{prefix}[{i}]", into);
                if (a.Count == 0) into[prefix] = "[]";
                break;
            case JsonArray a:
                into[prefix] = "[" + string.Join(",", a.Select(Scalar)) + "]";
                break;
            default:
                into[prefix] = Scalar(node);
                break;
        }
    }

    private static string Scalar(JsonNode? node)
    {
        if (node is not JsonValue v) return "null";
        return v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.GetValue<double>().ToString("R", CultureInfo.InvariantCulture),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => "null",
        };
    }
}
