using System.Text.Json.Nodes;
using Microsoft.ML;

namespace EcgExperiments.Pipeline.Transforms;

/// <summary>
/// Rebuilds a fitted transformer from its name and <see cref="EcgTransformerBase.SaveState"/> (the entries of a
/// <see cref="PipelineFile"/>). One line per transform; an unknown name says which ones are known.
/// </summary>
/// <example><code>
/// var copy = TransformStates.Load(t.Name, t.SaveState());
/// </code></example>
public static class TransformStates
{
    private static readonly Dictionary<string, Func<JsonObject, EcgTransformerBase>> Loaders = new(StringComparer.Ordinal)
    {
        ["zscore"] = ZScoreTransformer.LoadState,
        ["resample"] = ResampleTransformer.LoadState,
        ["interpolate"] = InterpolateTransformer.LoadState,
        ["bandpass"] = BandPassTransformer.LoadState,
        ["minmax"] = MinMaxTransformer.LoadState,
        ["select_leads"] = SelectLeadsTransformer.LoadState,
        ["stft_image"] = StftImageTransformer.LoadState,
    };

    /// <summary>Names that can be loaded.</summary>
    public static IReadOnlyCollection<string> Names => Loaders.Keys;

    public static EcgTransformerBase Load(string name, JsonObject state) =>
        Loaders.TryGetValue(name, out var load) ? load(state)
        : throw new SchemaException(name, $"no loader for saved stage '{name}'; known: {string.Join(", ", Loaders.Keys.Order())}");
}

/// <summary>
/// Versioned JSON persistence of a fitted pipeline (format 1): each stage's name and <see cref="EcgTransformerBase.SaveState"/>,
/// read back by <see cref="TransformStates"/>. Only the framework's own transformers can be saved this way.
/// </summary>
public static class PipelineFile
{
    public const int FormatVersion = 1;

    public static string Serialize(IEnumerable<ITransformer> stages)
    {
        var arr = new JsonArray();
        foreach (var stage in stages)
        {
            if (stage is not EcgTransformerBase t)
                throw new NotSupportedException($"stage {stage.GetType().Name} is not one of the framework's transformers and cannot be written to a pipeline file");
            arr.Add(new JsonObject { ["name"] = t.Name, ["state"] = t.SaveState() });
        }
        return new JsonObject { ["format"] = "ecg-pipeline", ["version"] = FormatVersion, ["pipeline"] = new JsonObject { ["stages"] = arr } }
            .ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The fitted stages of a pipeline file's text; <paramref name="source"/> names the file in errors.</summary>
    public static IReadOnlyList<EcgTransformerBase> Deserialize(string json, string source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new System.Text.Json.JsonException("not a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new SchemaException("pipeline", $"{source}: not a pipeline file ({e.Message})");
        }
        if (root["format"]?.GetValue<string>() != "ecg-pipeline") throw new SchemaException("pipeline", $"{source}: not an ecg-pipeline file");
        var version = root["version"]?.GetValue<int>() ?? 0;
        if (version > FormatVersion)
            throw new SchemaException("pipeline", $"{source}: pipeline format {version} is newer than this build reads ({FormatVersion}); update the framework");
        var stages = root["pipeline"]?["stages"] as JsonArray ?? [];
        return stages.OfType<JsonObject>()
            .Select(s => TransformStates.Load(s["name"]?.GetValue<string>() ?? "", s["state"] as JsonObject ?? []))
            .ToList();
    }
}
