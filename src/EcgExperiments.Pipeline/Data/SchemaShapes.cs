using Microsoft.ML;
using Microsoft.ML.Data;

namespace EcgExperiments.Pipeline;

/// <summary>
/// <see cref="SchemaShape"/> support for the framework's estimators. ML.NET mints <see cref="SchemaShape.Column"/>
/// values only internally (its constructor and <c>SchemaShape.Create</c> are internal), so shapes with dimensions,
/// rates and lead names are propagated on <see cref="EcgSchema"/>/<see cref="DataViewSchema"/>; here the coarse
/// SchemaShape that ML.NET's <c>EstimatorChain</c> asks for is checked and extended — new columns are derived from
/// existing ones through ML.NET's own public estimators (copy a column, convert its item type), never by reflection.
/// </summary>
public static class SchemaShapes
{
    private static readonly MLContext Ml = new(seed: 0);

    /// <summary>Throws <see cref="SchemaException"/> unless the shape has a known-size Single vector Signal column; returns the shape.</summary>
    public static SchemaShape RequireSignal(SchemaShape input, string stage)
    {
        if (Find(input, EcgColumns.Signal) is not { } signal)
            throw new SchemaException(stage, $"the input has no '{EcgColumns.Signal}' column (columns: {string.Join(", ", input.Select(c => c.Name))})");
        if (signal.Kind != SchemaShape.Column.VectorKind.Vector || signal.ItemType != NumberDataViewType.Single)
            throw new SchemaException(stage, $"column '{EcgColumns.Signal}' must be a known-size vector of Single, got {signal.Kind} of {signal.ItemType}");
        return input;
    }

    /// <summary>Throws unless the shape has a key-typed Label column.</summary>
    public static SchemaShape RequireLabel(SchemaShape input, string stage)
    {
        if (Find(input, EcgColumns.Label) is not { IsKey: true })
            throw new SchemaException(stage, $"needs a key-typed '{EcgColumns.Label}' column (class names as key values)");
        return input;
    }

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public static SchemaShape.Column? Find(SchemaShape shape, string name)
    {
        foreach (var c in shape)
            if (c.Name == name) return c;
        return null;
    }

    /// <summary>Adds (or replaces) <paramref name="name"/> with the shape of the existing column <paramref name="like"/>.</summary>
    public static SchemaShape AddLike(SchemaShape input, string name, string like) =>
        Ml.Transforms.CopyColumns(name, like).GetOutputSchema(input);

    /// <summary>Adds (or replaces) a column <paramref name="name"/>: the vector kind of <paramref name="from"/> with item type <paramref name="kind"/>.</summary>
    public static SchemaShape AddConverted(SchemaShape input, string name, string from, DataKind kind) =>
        Ml.Transforms.Conversion.ConvertType(name, from, kind).GetOutputSchema(input);
}
