using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EcgExperiments.Training.Imbalance;

/// <summary>
/// One number per class, given in class order (<c>[1, 3]</c>) or by class name (<c>{ HYP: 3, NORM: 1 }</c>). Names are
/// resolved against the data's classes, so a spec stays right when the class order changes.
/// </summary>
/// <example><code>
/// ClassValues.Of(1, 3).Resolve(["NORM", "HYP"], "class_weights");                                   // [1, 3]
/// ClassValues.Of(new Dictionary&lt;string, double&gt; { ["HYP"] = 3, ["NORM"] = 1 }).Resolve(["NORM", "HYP"], "class_weights"); // [1, 3]
/// </code></example>
[JsonConverter(typeof(ClassValuesJsonConverter))]
public sealed record ClassValues
{
    /// <summary>Values in class order.</summary>
    public IReadOnlyList<double>? ByPosition { get; init; }
    /// <summary>Values keyed by class name.</summary>
    public IReadOnlyDictionary<string, double>? ByName { get; init; }

    public static ClassValues Of(params double[] values) => new() { ByPosition = values };
    public static ClassValues Of(IReadOnlyDictionary<string, double> byName) => new() { ByName = byName };

    /// <summary>How many values were given.</summary>
    public int Count => ByPosition?.Count ?? ByName?.Count ?? 0;

    /// <summary>Every value given (either form).</summary>
    public IEnumerable<double> Values => ByPosition ?? ByName?.Values ?? (IEnumerable<double>)[];

    /// <summary>What is wrong with these values for the classes, or null (<paramref name="key"/> names the option in messages).</summary>
    public string? Problem(IReadOnlyList<string> classes, string key)
    {
        if (ByName is { } map)
        {
            var unknown = map.Keys.Where(k => !classes.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
            if (unknown.Count > 0) return $"{key} names {string.Join(", ", unknown.Select(u => $"'{u}'"))}, not a class of the data [{string.Join(", ", classes)}]";
            var missing = classes.Where(c => !map.Keys.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
            if (missing.Count > 0) return $"{key} gives no value for {string.Join(", ", missing)}; give one per class [{string.Join(", ", classes)}]";
            return null;
        }
        int n = ByPosition?.Count ?? 0;
        return n == classes.Count ? null : $"{key} lists {n} value(s) but the data has {classes.Count} classes [{string.Join(", ", classes)}]";
    }

    /// <summary>The values in class order; throws <see cref="ArgumentException"/> with <see cref="Problem"/>'s message.</summary>
    public double[] Resolve(IReadOnlyList<string> classes, string key)
    {
        if (Problem(classes, key) is { } problem) throw new ArgumentException(problem);
        if (ByName is { } map)
            return classes.Select(c => map.First(kv => string.Equals(kv.Key, c, StringComparison.OrdinalIgnoreCase)).Value).ToArray();
        return ByPosition!.ToArray();
    }

    public override string ToString() => ByName is { } map
        ? "{" + string.Join(", ", map.Select(kv => $"{kv.Key}: {kv.Value.ToString("0.###", CultureInfo.InvariantCulture)}")) + "}"
        : "[" + string.Join(", ", (ByPosition ?? []).Select(v => v.ToString("0.###", CultureInfo.InvariantCulture))) + "]";
}

/// <summary>Writes <see cref="ClassValues"/> as the list or mapping it was given as.</summary>
public sealed class ClassValuesJsonConverter : JsonConverter<ClassValues>
{
    public override ClassValues? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.StartObject
            ? ClassValues.Of(JsonSerializer.Deserialize<Dictionary<string, double>>(ref reader, options)!)
            : ClassValues.Of(JsonSerializer.Deserialize<double[]>(ref reader, options)!);

    public override void Write(Utf8JsonWriter writer, ClassValues value, JsonSerializerOptions options)
    {
        if (value.ByName is { } map)
        {
            writer.WriteStartObject();
            foreach (var (k, v) in map) writer.WriteNumber(k, v);
            writer.WriteEndObject();
        }
        else JsonSerializer.Serialize(writer, value.ByPosition ?? [], options);
    }
}
