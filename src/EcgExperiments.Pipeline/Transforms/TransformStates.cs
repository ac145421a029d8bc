using System.Text.Json.Nodes;

namespace EcgExperiments.Pipeline.Transforms;

/// <summary>
/// Rebuilds a fitted transformer from its name and <see cref="ITransformer.SaveState"/> (the entries of a
/// <see cref="PipelineFile"/>). One line per transform; an unknown name says which ones are known.
/// </summary>
/// <example><code>
/// var copy = TransformStates.Load(t.Name, t.SaveState());
/// </code></example>
public static class TransformStates
{
    private static readonly Dictionary<string, Func<JsonObject, ITransformer>> Loaders = new(StringComparer.Ordinal)
    {
        ["zscore"] = s => new ZScoreTransformer(
            s["mean"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray(),
            s["std"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray(),
            s["epsilon"]!.GetValue<double>()),
        ["resample"] = ResampleTransform.LoadState,
        ["interpolate"] = InterpolateTransform.LoadState,
        ["bandpass"] = BandPassTransform.LoadState,
        ["minmax"] = MinMaxTransform.LoadState,
        ["select_leads"] = SelectLeadsTransform.LoadState,
        ["stft_image"] = StftImageTransform.LoadState,
    };

    /// <summary>Names that can be loaded.</summary>
    public static IReadOnlyCollection<string> Names => Loaders.Keys;

    public static ITransformer Load(string name, JsonObject state) =>
        Loaders.TryGetValue(name, out var load) ? load(state)
        : throw new SchemaException(name, $"no loader for saved stage '{name}'; known: {string.Join(", ", Loaders.Keys.Order())}");
}
