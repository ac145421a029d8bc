using System.Buffers;

namespace EcgExperiments.Pipeline;

/// <summary>One example built in code: its id, patient (group), signal values (row-major in the item shape) and class index.</summary>
public sealed record EcgExample(string Id, string Group, float[] Values, int Label);

/// <summary>Rows held in memory, one float array per row (the result of <see cref="EcgDataView.Materialize"/>, or examples built in code).</summary>
/// <example><code>
/// var view = new InMemoryDataView(new EcgSchema([1, 320], 360, ["N", "V"]), new ExampleIndex(ids, groups, labels), rows);
/// </code></example>
public sealed class InMemoryDataView : EcgDataView
{
    private readonly IReadOnlyList<float[]> _rows;

    public InMemoryDataView(EcgSchema schema, ExampleIndex index, IReadOnlyList<float[]> rows) : base(schema, index)
    {
        if (rows.Count != index.Count) throw new ArgumentException($"{rows.Count} rows of values for {index.Count} examples");
        long size = schema.ItemSize;
        for (int i = 0; i < rows.Count; i++)
            if (rows[i].Length != size)
                throw new SchemaException("data", $"example '{index.Ids[i]}' has {rows[i].Length} values but the schema {schema.ShapeText} needs {size}");
        int lowest = index.LabelSets is null ? 0 : -1;   // a multi-label example may have no label
        foreach (var label in index.Labels)
            if (label < lowest || label >= Math.Max(1, schema.ClassNames.Count))
                throw new SchemaException("data", $"label {label} is not a class of [{string.Join(", ", schema.ClassNames)}]");
        _rows = rows;
    }

    /// <summary>A view of examples built in code.</summary>
    public static InMemoryDataView Create(EcgSchema schema, IEnumerable<EcgExample> examples)
    {
        var list = examples.ToList();
        return new InMemoryDataView(schema, new ExampleIndex(list.Select(e => e.Id).ToArray(), list.Select(e => e.Group).ToArray(), list.Select(e => e.Label).ToArray()),
            list.Select(e => e.Values).ToArray());
    }

    /// <summary>The values of row <paramref name="row"/> (not a copy).</summary>
    public ReadOnlySpan<float> Row(int row) => _rows[row];

    public override void ReadSignals(ReadOnlySpan<int> rows, Span<float> destination)
    {
        int size = (int)Ecg.ItemSize;
        for (int i = 0; i < rows.Length; i++) _rows[rows[i]].AsSpan().CopyTo(destination.Slice(i * size, size));
    }

    public override InMemoryDataView Materialize(CancellationToken cancel = default) => this;

    public override EcgDataView Subset(IReadOnlyList<int> rows) =>
        new InMemoryDataView(Ecg, Index.Subset(rows), rows.Select(i => _rows[i]).ToArray());
}

/// <summary>Some rows of another view, in a given order; reads go to the parent.</summary>
internal sealed class SubsetDataView(EcgDataView parent, IReadOnlyList<int> rows) : EcgDataView(parent.Ecg, parent.Index.Subset(rows))
{
    private readonly int[] _rows = rows.ToArray();

    public override void ReadSignals(ReadOnlySpan<int> rows, Span<float> destination)
    {
        var mapped = rows.Length <= 1024 ? stackalloc int[rows.Length] : new int[rows.Length];
        for (int i = 0; i < rows.Length; i++) mapped[i] = _rows[rows[i]];
        parent.ReadSignals(mapped, destination);
    }

    public override EcgDataView Subset(IReadOnlyList<int> rows) => new SubsetDataView(parent, rows.Select(i => _rows[i]).ToArray());
}

/// <summary>The same values under another item shape of the same size.</summary>
internal sealed class ReshapedDataView(EcgDataView inner, EcgSchema schema) : EcgDataView(Checked(inner, schema), inner.Index)
{
    private static EcgSchema Checked(EcgDataView inner, EcgSchema schema) => schema.ItemSize == inner.Ecg.ItemSize ? schema
        : throw new SchemaException("reshape", $"cannot view {inner.Ecg.ShapeText} items as {schema.ShapeText}");

    public override void ReadSignals(ReadOnlySpan<int> rows, Span<float> destination) => inner.ReadSignals(rows, destination);
}

/// <summary>
/// Maps one item's values to another's (the work of one transformer on one row). Built for an input schema by a
/// transformer; called concurrently from several threads.
/// </summary>
public abstract class SignalMapper(EcgSchema input, EcgSchema output)
{
    public EcgSchema Input { get; } = input;
    public EcgSchema Output { get; } = output;

    /// <summary>Writes the output item for one input item.</summary>
    public abstract void MapRow(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>Maps <paramref name="rows"/> consecutive items (default: the rows in parallel). Override for a batched kernel.</summary>
    public virtual void MapBatch(float[] input, float[] output, int rows)
    {
        int i = (int)Input.ItemSize, o = (int)Output.ItemSize;
        if (rows == 1) MapRow(input.AsSpan(0, i), output.AsSpan(0, o));
        else Parallel.For(0, rows, r => MapRow(input.AsSpan(r * i, i), output.AsSpan(r * o, o)));
    }
}

/// <summary>A transformer applied lazily: each read computes the rows it is asked for from the input view.</summary>
public sealed class MappedDataView(EcgDataView input, SignalMapper mapper) : EcgDataView(mapper.Output, input.Index)
{
    public EcgDataView Input { get; } = input;

    public override void ReadSignals(ReadOnlySpan<int> rows, Span<float> destination)
    {
        if (rows.Length == 0) return;
        int inSize = (int)mapper.Input.ItemSize, outSize = (int)mapper.Output.ItemSize;
        var source = ArrayPool<float>.Shared.Rent(rows.Length * inSize);
        var target = ArrayPool<float>.Shared.Rent(rows.Length * outSize);
        try
        {
            Input.ReadSignals(rows, source.AsSpan(0, rows.Length * inSize));
            mapper.MapBatch(source, target, rows.Length);
            target.AsSpan(0, rows.Length * outSize).CopyTo(destination);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(source);
            ArrayPool<float>.Shared.Return(target);
        }
    }
}
