using System.Text.Json;
using System.Text.Json.Serialization;
using EcgExperiments.Data;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.Experiments.Spec;
using YamlDotNet.RepresentationModel;

namespace EcgExperiments.Experiments.Sources;

/// <summary>
/// YAML <c>data.labels</c> of a PTB-XL source: which classes records get. Three forms:
/// <list type="bullet">
/// <item>a list of NORM and HYP in label order — SPEC §2.1's binary task, multi-label records handled by
/// <c>data.policy</c> (the form every experiment file before label definitions used: its runs keep their trial keys);</item>
/// <item>a preset name — <c>all</c>, <c>diagnostic</c>, <c>subdiagnostic</c>, <c>superdiagnostic</c>, <c>form</c>,
/// <c>rhythm</c>: the PTB-XL benchmark's multi-label tasks;</item>
/// <item>a mapping — a <c>preset:</c> or free <c>classes:</c> (each a list of SCP statements, diagnostic subclasses or
/// superclasses, or <c>{ codes: […], only: true }</c>), with <c>multiple:</c> (<c>drop</c> or <c>multi_label</c>),
/// <c>none:</c> (<c>drop</c>, <c>keep_empty</c>, <c>keep_as:NAME</c>), <c>min_likelihood:</c> and <c>min_count:</c>
/// (see <see cref="PtbXlLabelDefinition"/>).</item>
/// </list>
/// In run records and trial keys the list stays a list and a definition is written out with its defaults.
/// </summary>
/// <example><code>
/// labels: [NORM, HYP]
/// labels: superdiagnostic
/// labels:
///   classes: { NORM: { codes: [NORM], only: true }, MI: [MI], STTC: [superclass:STTC] }
///   multiple: drop             # one class per record: multi-class
///   min_likelihood: 50
/// </code></example>
[JsonConverter(typeof(PtbXlLabelsJsonConverter))]
public sealed record PtbXlLabels : IYamlForm<PtbXlLabels>
{
    private PtbXlLabels(IReadOnlyList<string>? normAndHyp, PtbXlLabelDefinition? definition)
    {
        NormAndHypOrder = normAndHyp;
        Definition = definition;
    }

    /// <summary>The SPEC §2.1 form: NORM and HYP in label order; null for a definition.</summary>
    public IReadOnlyList<string>? NormAndHypOrder { get; }

    /// <summary>A label definition (preset or free classes); null for the SPEC §2.1 list.</summary>
    public PtbXlLabelDefinition? Definition { get; }

    /// <summary>The SPEC §2.1 list (NORM vs HYP, in this label order).</summary>
    public static PtbXlLabels NormAndHyp(params string[] order) => new(order, null);

    /// <summary>A label definition.</summary>
    public static PtbXlLabels Of(PtbXlLabelDefinition definition) => new(null, definition ?? throw new ArgumentNullException(nameof(definition)));

    public static implicit operator PtbXlLabels(PtbXlLabelDefinition definition) => Of(definition);

    /// <summary>The definition records are labelled by: the given one, or NORM vs HYP under <paramref name="policy"/>.</summary>
    public PtbXlLabelDefinition Resolve(MultiLabelPolicy policy) => Definition ?? PtbXlLabelDefinition.NormVersusHyp(policy, NormAndHypOrder);

    public override string ToString() => Definition?.Describe() ?? $"[{string.Join(", ", NormAndHypOrder!)}]";

    private const string Keys = "preset, classes, multiple, none, min_likelihood, min_count";

    public static PtbXlLabels FromYaml(YamlBinder binder, YamlNode node, string key)
    {
        switch (node)
        {
            case YamlSequenceNode seq:
                return NormAndHyp(seq.Children.Select((n, i) => (string)binder.Convert(typeof(string), n, $"{key}[{i}]")!).ToArray());
            case YamlScalarNode { Value: { Length: > 0 } name }:
                return Of(new PtbXlLabelDefinition { Preset = Preset(binder, node, key, name) });
            case YamlMappingNode map:
                return Of(BindDefinition(binder, map, key));
            default:
                throw binder.Error(node, key,
                    "expected [NORM, HYP], a preset (all, diagnostic, subdiagnostic, superdiagnostic, form, rhythm) or a mapping with preset: or classes:");
        }
    }

    private static PtbXlLabelPreset Preset(YamlBinder binder, YamlNode node, string key, string name)
    {
        try { return PtbXlLabelDefinition.ParsePreset(name); }
        catch (ArgumentException e) { throw binder.Error(node, key, e.Message + "; or give classes: { NAME: [codes] }"); }
    }

    private static PtbXlLabelDefinition BindDefinition(YamlBinder binder, YamlMappingNode map, string key)
    {
        var d = new PtbXlLabelDefinition();
        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            var path = $"{key}.{name}";
            try
            {
                d = name switch
                {
                    "preset" => d with { Preset = Preset(binder, v, path, (string)binder.Convert(typeof(string), v, path)!) },
                    "classes" => d with { Classes = Classes(binder, v, path) },
                    "multiple" => d with { Multiple = LabelPolicyNames.ParseMultiple((string)binder.Convert(typeof(string), v, path)!) },
                    "none" => WithNone(d, (string)binder.Convert(typeof(string), v, path)!),
                    "min_likelihood" => d with { MinLikelihood = (double)binder.Convert(typeof(double), v, path)! },
                    "min_count" => d with { MinCount = (int)binder.Convert(typeof(int), v, path)! },
                    _ => throw binder.Error(k, path, YamlBinder.UnknownKey(name, Keys.Split(", "))),
                };
            }
            catch (ArgumentException e)
            {
                throw binder.Error(v, path, e.Message);
            }
        }
        try
        {
            d.Validate();
        }
        catch (ArgumentException e)
        {
            throw binder.Error(map, key, e.Message);
        }
        return d;
    }

    /// <summary>The no-class policy written as drop, keep_empty or keep_as:NAME.</summary>
    private static PtbXlLabelDefinition WithNone(PtbXlLabelDefinition d, string text)
    {
        var (policy, name) = LabelPolicyNames.ParseNone(text);
        return d with { None = policy, NoneClass = name };
    }

    /// <summary><c>{ NAME: [codes] }</c> or <c>{ NAME: { codes: [codes], only: true } }</c>, in label order.</summary>
    private static IReadOnlyList<PtbXlClassDefinition> Classes(YamlBinder binder, YamlNode node, string key)
    {
        if (node is not YamlMappingNode map)
            throw binder.Error(node, key, "expected a mapping of class name → codes, e.g. { NORM: { codes: [NORM], only: true }, MI: [MI] }");
        var classes = new List<PtbXlClassDefinition>();
        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            var path = $"{key}.{name}";
            switch (v)
            {
                case YamlSequenceNode or YamlScalarNode:
                    classes.Add(new PtbXlClassDefinition(name, Codes(binder, v, path)));
                    break;
                case YamlMappingNode m:
                    IReadOnlyList<string>? codes = null;
                    bool only = false;
                    foreach (var (ck, cv) in m.Children)
                    {
                        var field = (ck as YamlScalarNode)?.Value ?? "";
                        if (field == "codes") codes = Codes(binder, cv, $"{path}.codes");
                        else if (field == "only") only = (bool)binder.Convert(typeof(bool), cv, $"{path}.only")!;
                        else throw binder.Error(ck, $"{path}.{field}", YamlBinder.UnknownKey(field, ["codes", "only"]));
                    }
                    classes.Add(new PtbXlClassDefinition(name, codes ?? throw binder.Error(v, path, "needs codes: [statements, subclasses or superclasses]")) { Only = only });
                    break;
            }
        }
        return classes;
    }

    private static IReadOnlyList<string> Codes(YamlBinder binder, YamlNode node, string key) => node is YamlScalarNode
        ? [(string)binder.Convert(typeof(string), node, key)!]
        : ((IEnumerable<string>)binder.Convert(typeof(IReadOnlyList<string>), node, key)!).ToArray();

    // ---- JSON: the list as a list; a definition with its defaults, enums as their YAML words -------------------

    internal static void Write(Utf8JsonWriter w, PtbXlLabels value)
    {
        if (value.Definition is not { } d)
        {
            w.WriteStartArray();
            foreach (var c in value.NormAndHypOrder!) w.WriteStringValue(c);
            w.WriteEndArray();
            return;
        }
        w.WriteStartObject();
        if (d.Preset is { } p) w.WriteString("preset", p.ToString().ToLowerInvariant());
        if (d.Classes is { } classes)
        {
            w.WriteStartObject("classes");
            foreach (var c in classes)
            {
                w.WriteStartObject(c.Name);
                w.WriteStartArray("codes");
                foreach (var code in c.Codes) w.WriteStringValue(code);
                w.WriteEndArray();
                w.WriteBoolean("only", c.Only);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteString("multiple", d.EffectiveMultiple == MultipleClassPolicy.MultiLabel ? "multi_label" : "drop");
        w.WriteString("none", d.None switch
        {
            NoClassPolicy.Drop => "drop",
            NoClassPolicy.KeepEmpty => "keep_empty",
            _ => $"keep_as:{d.NoneClass}",
        });
        if (d.MinLikelihood is { } m) w.WriteNumber("min_likelihood", m);
        w.WriteNumber("min_count", d.MinCount);
        w.WriteEndObject();
    }

    internal static PtbXlLabels Read(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Array) return NormAndHyp(e.EnumerateArray().Select(x => x.GetString() ?? "").ToArray());
        if (e.ValueKind == JsonValueKind.String) return Of(new PtbXlLabelDefinition { Preset = PtbXlLabelDefinition.ParsePreset(e.GetString()!) });
        if (e.ValueKind != JsonValueKind.Object) throw new JsonException($"PTB-XL labels must be a list, a preset name or an object, got {e.ValueKind}");
        var d = new PtbXlLabelDefinition();
        foreach (var p in e.EnumerateObject())
        {
            d = p.Name switch
            {
                "preset" => d with { Preset = PtbXlLabelDefinition.ParsePreset(p.Value.GetString()!) },
                "classes" => d with
                {
                    Classes = p.Value.EnumerateObject().Select(c => c.Value.ValueKind == JsonValueKind.Array
                        ? new PtbXlClassDefinition(c.Name, c.Value.EnumerateArray().Select(x => x.GetString()!).ToArray())
                        : new PtbXlClassDefinition(c.Name, c.Value.GetProperty("codes").EnumerateArray().Select(x => x.GetString()!).ToArray())
                        {
                            Only = c.Value.TryGetProperty("only", out var o) && o.GetBoolean(),
                        }).ToArray(),
                },
                "multiple" => d with { Multiple = LabelPolicyNames.ParseMultiple(p.Value.GetString()!) },
                "none" => WithNone(d, p.Value.GetString()!),
                "min_likelihood" => d with { MinLikelihood = p.Value.GetDouble() },
                "min_count" => d with { MinCount = p.Value.GetInt32() },
                _ => throw new JsonException($"unknown PTB-XL label key '{p.Name}'; valid: {Keys}"),
            };
        }
        return Of(d);
    }
}

/// <summary>Writes <see cref="PtbXlLabels"/> as the list or the definition it is (the same text under any serializer options).</summary>
public sealed class PtbXlLabelsJsonConverter : JsonConverter<PtbXlLabels>
{
    public override PtbXlLabels Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        try
        {
            return PtbXlLabels.Read(doc.RootElement);
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, PtbXlLabels value, JsonSerializerOptions options) => PtbXlLabels.Write(writer, value);
}
