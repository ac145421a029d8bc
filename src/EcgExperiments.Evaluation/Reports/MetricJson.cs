using System.Text.Json;
using System.Text.Json.Serialization;
using EcgExperiments.Core;

namespace EcgExperiments.Evaluation;

/// <summary>A persisted report that carries its format version.</summary>
public interface IVersionedReport
{
    /// <summary>Format version the instance was written with.</summary>
    int FormatVersion { get; }

    /// <summary>Newest format version this build reads and writes.</summary>
    static abstract int SupportedFormatVersion { get; }
}

/// <summary>
/// JSON for metric reports: camelCase, enums as strings, ±∞ and NaN as named literals (ROC curves
/// start at threshold +∞). Reading a report from a newer format fails with a message saying so.
/// </summary>
/// <example><code>
/// string json = MetricJson.Serialize(report);
/// MetricReport back = MetricJson.Deserialize&lt;MetricReport&gt;(json);
/// </code></example>
public static class MetricJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize<T>(T report) => JsonSerializer.Serialize(report, Options);

    /// <exception cref="EcgDataException">Invalid JSON, or a format version this build cannot read.</exception>
    public static T Deserialize<T>(string json, string? source = null) where T : IVersionedReport
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException e)
        {
            throw new EcgDataException($"not a valid {typeof(T).Name} JSON: {e.Message}", file: source, inner: e);
        }
        if (value is null) throw new EcgDataException($"JSON holds null, expected a {typeof(T).Name}", file: source);
        int supported = T.SupportedFormatVersion;
        if (value.FormatVersion > supported || value.FormatVersion < 1)
            throw new EcgDataException($"{typeof(T).Name} format version {value.FormatVersion}; this build reads versions 1..{supported}. Update EcgExperiments to read it.", file: source);
        return value;
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
