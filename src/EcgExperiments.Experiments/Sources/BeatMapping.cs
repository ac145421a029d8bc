using System.Text.Json;
using System.Text.Json.Serialization;
using EcgExperiments.Data.MitBih;
using EcgExperiments.Experiments.Spec;
using YamlDotNet.RepresentationModel;

namespace EcgExperiments.Experiments.Sources;

/// <summary>
/// YAML <c>data.mapping</c> of a <c>mitbih_beats</c> source: annotation symbol → beat class, as a preset name
/// (<c>aami</c>, <c>beat_gan</c>, <c>n_vs_v</c>, <c>beat_vs_non_beat</c>) or a custom map
/// <c>{ classes: { N: [N, L, R, e, j], V: [V, E] }, name: nv }</c> (symbols checked against the WFDB annotation codes;
/// symbols no class lists are left out and counted). A preset is written to run records and trial keys exactly as
/// the mapping names of earlier versions were, so their runs keep their keys.
/// </summary>
/// <example><code>
/// mapping: aami
/// mapping: { classes: { N: [N, L, R], SVEB: [A, a, J, S], VEB: [V, E] }, name: three-class }
/// </code></example>
[JsonConverter(typeof(BeatMappingJsonConverter))]
public sealed record BeatMapping : IYamlForm<BeatMapping>
{
    private BeatMapping(BeatMappingName? preset, BeatClassMappingOptions? custom)
    {
        Preset = preset;
        Custom = custom;
    }

    /// <summary>The named mapping, or null for a custom one.</summary>
    public BeatMappingName? Preset { get; }

    /// <summary>The custom classes, or null for a preset.</summary>
    public BeatClassMappingOptions? Custom { get; }

    public static BeatMapping Of(BeatMappingName preset) => new(preset, null);

    /// <summary>A custom mapping (its classes are checked when the mapping is built).</summary>
    public static BeatMapping Of(BeatClassMappingOptions custom) => new(null, custom ?? throw new ArgumentNullException(nameof(custom)));

    public static implicit operator BeatMapping(BeatMappingName preset) => Of(preset);

    /// <summary>The mapping itself; a custom map with an unknown symbol, a symbol in two classes or fewer than two classes throws <see cref="ArgumentException"/>.</summary>
    public BeatClassMapping Build() => Preset switch
    {
        BeatMappingName.Aami => BeatClassMapping.Aami,
        BeatMappingName.BeatGan => BeatClassMapping.BeatGan,
        BeatMappingName.NormalVersusVentricular => BeatClassMapping.NormalVersusVentricular,
        BeatMappingName.BeatVersusNonBeat => BeatClassMapping.BeatVersusNonBeat,
        null => Custom!.Build(),
        _ => throw new ArgumentOutOfRangeException(nameof(Preset), Preset, "unknown beat mapping"),
    };

    /// <summary>A preset by the names YAML and the CLI use (aami, beat_gan or beatgan, n_vs_v, beat_vs_non_beat, and the enum's names).</summary>
    public static BeatMappingName ParsePreset(string name) => (name ?? "").Trim().ToLowerInvariant().Replace("_", "").Replace("-", "") switch
    {
        "aami" => BeatMappingName.Aami,
        "beatgan" => BeatMappingName.BeatGan,
        "nvsv" or "normalversusventricular" => BeatMappingName.NormalVersusVentricular,
        "beatvsnonbeat" or "beatversusnonbeat" => BeatMappingName.BeatVersusNonBeat,
        _ => throw new ArgumentException($"unknown beat mapping '{name}'; valid: aami, beat_gan, n_vs_v, beat_vs_non_beat, or {{ classes: {{ N: [N, L, R], V: [V, E] }} }}"),
    };

    public override string ToString() => Preset?.ToString() ?? $"custom {Custom!.Name ?? "custom"}";

    public static BeatMapping FromYaml(YamlBinder binder, YamlNode node, string key)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } name })
        {
            try { return Of(ParsePreset(name)); }
            catch (ArgumentException e) { throw binder.Error(node, key, e.Message); }
        }
        if (node is not YamlMappingNode map)
            throw binder.Error(node, key, "expected a preset (aami, beat_gan, n_vs_v, beat_vs_non_beat) or { classes: { CLASS: [symbols] }, name: … }");
        var classes = new List<BeatClassDefinition>();
        string? mappingName = null;
        foreach (var (k, v) in map.Children)
        {
            var field = (k as YamlScalarNode)?.Value ?? "";
            var path = $"{key}.{field}";
            if (field == "name") mappingName = (string)binder.Convert(typeof(string), v, path)!;
            else if (field == "classes")
            {
                if (v is not YamlMappingNode cm) throw binder.Error(v, path, "expected a mapping of class name → annotation symbols, e.g. { N: [N, L, R], V: [V, E] }");
                foreach (var (ck, cv) in cm.Children)
                {
                    var cls = (ck as YamlScalarNode)?.Value ?? "";
                    classes.Add(new BeatClassDefinition(cls, ((IEnumerable<string>)binder.Convert(typeof(IReadOnlyList<string>), cv, $"{path}.{cls}")!).ToArray()));
                }
            }
            else throw binder.Error(k, path, YamlBinder.UnknownKey(field, ["classes", "name"]));
        }
        var custom = Of(new BeatClassMappingOptions { Classes = classes, Name = mappingName });
        try
        {
            custom.Build();
        }
        catch (ArgumentException e)
        {
            throw binder.Error(map, key, e.Message);
        }
        return custom;
    }

    internal void Write(Utf8JsonWriter w, JsonSerializerOptions options)
    {
        if (Preset is { } p)
        {
            // the enum as the serializer writes enums (a number, or its snake_case name): the form of earlier versions
            JsonSerializer.Serialize(w, p, options);
            return;
        }
        w.WriteStartObject();
        w.WriteString("name", Custom!.Name ?? "custom");
        w.WriteStartObject("classes");
        foreach (var c in Custom.Classes!)
        {
            w.WriteStartArray(c.Name);
            foreach (var s in c.Symbols) w.WriteStringValue(s);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    internal static BeatMapping Read(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => Of((BeatMappingName)e.GetInt32()),
        JsonValueKind.String => Of(ParsePreset(e.GetString()!)),
        JsonValueKind.Object => Of(new BeatClassMappingOptions
        {
            Name = e.TryGetProperty("name", out var n) ? n.GetString() : null,
            Classes = e.GetProperty("classes").EnumerateObject()
                .Select(c => new BeatClassDefinition(c.Name, c.Value.EnumerateArray().Select(x => x.GetString()!).ToArray())).ToArray(),
        }),
        _ => throw new JsonException($"a beat mapping is a preset name or {{ name, classes }}, got {e.ValueKind}"),
    };
}

/// <summary>Writes a <see cref="BeatMapping"/> preset as the enum it is, a custom map as <c>{ name, classes }</c>.</summary>
public sealed class BeatMappingJsonConverter : JsonConverter<BeatMapping>
{
    public override BeatMapping Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        try
        {
            return BeatMapping.Read(doc.RootElement);
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, BeatMapping value, JsonSerializerOptions options) => value.Write(writer, options);
}
