using System.Runtime.ExceptionServices;

namespace EcgExperiments.Pipeline;

/// <summary>
/// A source view whose rows live in units read whole — a record file holding one 12-lead ECG, or the ~2,000 beats of a
/// MIT-BIH record. Reading a row reads its unit (a few recently used units are kept), and a read that needs several
/// units loads them in parallel. The index (ids, groups, labels) is built without reading a sample.
/// </summary>
/// <example><code>
/// var view = new UnitDataView(schema, index, unitOfRow, rowInUnit, units: records.Count,
///     load: unit => ReadRecordRows(records[unit]));   // float[rowsInUnit][ItemSize]
/// </code></example>
public sealed class UnitDataView : EcgDataView
{
    private readonly int[] _unitOfRow;
    private readonly int[] _rowInUnit;
    private readonly Func<int, float[][]> _load;
    private readonly int _keep;
    private readonly LinkedList<(int Unit, float[][] Rows)> _recent = new();
    private readonly Lock _lock = new();

    /// <param name="schema">Item shape, rate, leads and classes.</param>
    /// <param name="index">Ids, groups and labels of every row.</param>
    /// <param name="unitOfRow">For each row, the unit holding it.</param>
    /// <param name="rowInUnit">For each row, its position in what <paramref name="load"/> returns for its unit.</param>
    /// <param name="load">Reads one unit: its rows' values (each <see cref="EcgSchema.ItemSize"/> long). Called concurrently for different units.</param>
    /// <param name="keep">Units kept in memory after use.</param>
    public UnitDataView(EcgSchema schema, ExampleIndex index, int[] unitOfRow, int[] rowInUnit, Func<int, float[][]> load, int keep = 8)
        : base(schema, index)
    {
        if (unitOfRow.Length != index.Count || rowInUnit.Length != index.Count)
            throw new ArgumentException("unitOfRow and rowInUnit need one entry per row");
        _unitOfRow = unitOfRow;
        _rowInUnit = rowInUnit;
        _load = load;
        _keep = Math.Max(1, keep);
    }

    public override void ReadSignals(ReadOnlySpan<int> rows, Span<float> destination)
    {
        var units = new Dictionary<int, float[][]>();
        var missing = new List<int>();
        lock (_lock)
        {
            foreach (var row in rows)
            {
                int unit = _unitOfRow[row];
                if (units.ContainsKey(unit) || missing.Contains(unit)) continue;
                var hit = _recent.FirstOrDefault(e => e.Unit == unit);
                if (hit.Rows is not null) units[unit] = hit.Rows;
                else missing.Add(unit);
            }
        }
        if (missing.Count > 0)
        {
            var loaded = new float[missing.Count][][];
            try
            {
                Parallel.For(0, missing.Count, i => loaded[i] = _load(missing[i]));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // One clear error (the reader names the file and record), not a parallel loop's wrapper.
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            lock (_lock)
            {
                for (int i = 0; i < missing.Count; i++)
                {
                    units[missing[i]] = loaded[i];
                    _recent.AddFirst((missing[i], loaded[i]));
                }
                while (_recent.Count > _keep) _recent.RemoveLast();
            }
        }
        int size = (int)Ecg.ItemSize;
        for (int i = 0; i < rows.Length; i++)
        {
            var values = units[_unitOfRow[rows[i]]][_rowInUnit[rows[i]]];
            if (values.Length != size)
                throw new SchemaException("data", $"example '{Index.Ids[rows[i]]}' has {values.Length} values but the schema {Ecg.ShapeText} needs {size}");
            values.CopyTo(destination.Slice(i * size, size));
        }
    }
}
