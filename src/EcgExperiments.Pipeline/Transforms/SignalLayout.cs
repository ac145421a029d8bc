using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EcgExperiments.Pipeline.Transforms;

/// <summary>One lead in, its transformed samples out.</summary>
internal delegate float[] LeadMap(ReadOnlySpan<float> lead);

/// <summary>
/// How a signal transform reads an item: [samples] is one lead, [leads × samples] is a multi-lead record.
/// Shape checks are data-free so a pipeline can be traced in a dry run.
/// </summary>
internal readonly record struct SignalLayout(int Leads, int Samples)
{
    public static SignalLayout Of(EcgSchema schema, string stage, int minimumSamples = 1)
    {
        var s = schema.ItemShape;
        if (s.Count is not (1 or 2))
            throw new SchemaException(stage, $"expects a signal item [samples] or [leads × samples], got {schema.ShapeText}");
        long leads = s.Count == 1 ? 1 : s[0], samples = s[^1];
        if (leads < 1) throw new SchemaException(stage, $"expects at least one lead, got {schema.ShapeText}");
        if (samples < minimumSamples)
            throw new SchemaException(stage, $"expects signals of ≥ {minimumSamples} samples, got {samples} ({schema.ShapeText})");
        return new SignalLayout((int)leads, (int)samples);
    }

    /// <summary>The same item rank as <paramref name="schema"/> with a new sample count.</summary>
    public static IReadOnlyList<long> WithSamples(EcgSchema schema, long samples) =>
        schema.ItemShape.Count == 1 ? [samples] : [schema.ItemShape[0], samples];

    public static double RequireRate(EcgSchema schema, string stage)
    {
        if (schema.SamplingRate is not { } fs || !(fs > 0))
            throw new SchemaException(stage, $"needs the sampling rate of its input, but {schema.ShapeText} carries none (an image, or a source without a rate)");
        return fs;
    }

    /// <summary>Writes <paramref name="perLead"/>(lead) for each lead of a flat [leads × samples] item into <paramref name="output"/>.</summary>
    public static void MapLeads(ReadOnlySpan<float> values, Span<float> output, int leads, int samples, int outSamples, LeadMap perLead)
    {
        for (int l = 0; l < leads; l++)
        {
            var y = perLead(values.Slice(l * samples, samples));
            if (y.Length != outSamples)
                throw new InvalidOperationException($"lead {l}: produced {y.Length} samples, the schema promised {outSamples}");
            y.CopyTo(output.Slice(l * outSamples, outSamples));
        }
    }

    public static string Hz(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>
/// JSON form of transform options for <see cref="EcgTransformerBase.SaveState"/>: snake_case keys and enum names,
/// the same spelling as the YAML experiment files, so a saved stage reads like its YAML.
/// </summary>
public static class TransformStateJson
{
    /// <summary>Serializer settings shared by the transforms' SaveState/LoadState.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        IncludeFields = true,   // (int, int) pairs such as stft_image size
    };

    /// <summary>Options record → JSON object.</summary>
    public static JsonObject Save<T>(T options) => JsonSerializer.SerializeToNode(options, Options)!.AsObject();

    /// <summary>JSON object → options record; names the stage when the state does not fit.</summary>
    public static T Load<T>(JsonObject state, string stage)
    {
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            return state.Deserialize<T>(Options) ?? throw new JsonException("null state");
        }
        catch (JsonException e)
        {
            throw new SchemaException(stage, $"saved state cannot be read as {typeof(T).Name}: {e.Message}");
        }
    }
}
