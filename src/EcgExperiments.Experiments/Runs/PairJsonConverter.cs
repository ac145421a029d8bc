using System.Text.Json;
using System.Text.Json.Serialization;

namespace EcgExperiments.Experiments.Runs;

/// <summary>
/// Writes an <c>(int, int)</c> option (e.g. <c>model.pool</c>, <c>model.padding</c>) as the two-element list the YAML
/// takes, and reads it back. Without it System.Text.Json writes a value tuple as <c>{}</c> (tuple items are fields), so
/// the run record, the trial key and the model file would silently lose the setting.
/// </summary>
public sealed class IntPairJsonConverter : JsonConverter<(int, int)>
{
    public override (int, int) Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("expected a list of two integers");
        reader.Read();
        int a = reader.GetInt32();
        reader.Read();
        int b = reader.GetInt32();
        reader.Read();
        if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException("expected a list of two integers");
        return (a, b);
    }

    public override void Write(Utf8JsonWriter writer, (int, int) value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.Item1);
        writer.WriteNumberValue(value.Item2);
        writer.WriteEndArray();
    }
}
