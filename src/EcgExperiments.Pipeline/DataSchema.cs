namespace EcgExperiments.Pipeline;

/// <summary>
/// What every example of a <see cref="DataView"/> looks like, known before any data is read: the shape of one
/// item (e.g. [12, 1000] leads × samples, or [1, 64, 64] for an image), its sampling rate when it is a signal,
/// the lead names, and the class names of the label.
/// </summary>
public sealed record DataSchema(IReadOnlyList<long> ItemShape, double? SamplingRate, IReadOnlyList<string> ClassNames, IReadOnlyList<string>? LeadNames = null)
{
    public long ItemSize => ItemShape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => $"[{string.Join(" × ", ItemShape)}]";

    public override string ToString() =>
        $"{ShapeText}{(SamplingRate is { } fs ? $" @ {fs:0.###} Hz" : "")}, classes [{string.Join(", ", ClassNames)}]";
}

/// <summary>One example: flat row-major values of shape <see cref="DataSchema.ItemShape"/>, a class label and the patient (group) it comes from.</summary>
public sealed record Example(string Id, string Group, float[] Values, int Label);

/// <summary>An immutable set of examples that share one schema.</summary>
public sealed class DataView
{
    public DataView(DataSchema schema, IReadOnlyList<Example> examples)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(examples);
        var size = schema.ItemSize;
        foreach (var e in examples)
            if (e.Values.Length != size)
                throw new SchemaException("data", $"example '{e.Id}' has {e.Values.Length} values but the schema {schema.ShapeText} needs {size}");
        Schema = schema;
        Examples = examples;
    }

    public DataSchema Schema { get; }
    public IReadOnlyList<Example> Examples { get; }
    public int Count => Examples.Count;

    public int[] Labels() => Examples.Select(e => e.Label).ToArray();

    /// <summary>Examples per class, in class order.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[Schema.ClassNames.Count];
        foreach (var e in Examples) counts[e.Label]++;
        return counts;
    }

    public DataView Subset(IEnumerable<int> indices) => new(Schema, indices.Select(i => Examples[i]).ToList());

    public DataView With(DataSchema schema, IReadOnlyList<Example> examples) => new(schema, examples);
}

/// <summary>A pipeline stage cannot accept its input (raised by shape propagation, before any data is touched).</summary>
public sealed class SchemaException(string stage, string message) : Exception($"stage `{stage}`: {message}")
{
    public string Stage { get; } = stage;
}
