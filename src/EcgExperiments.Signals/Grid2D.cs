namespace EcgExperiments.Signals;

/// <summary>
/// A dense two-dimensional array stored row-major in one flat buffer (<c>Data[row * Columns + column]</c>),
/// the layout numpy uses for C-ordered arrays. Spectrograms are (frequency bins × frames), images
/// (height × width).
/// </summary>
/// <example><code>
/// var s = Spectrogram.StftMagnitude(beat, StftOptions.For(nFft: 428, winLength: 64, hopLength: 16));
/// float dc = s[0, 13];            // bin 0, frame 13
/// Span&lt;float&gt; bin5 = s.Row(5);
/// </code></example>
public sealed class Grid2D<T> where T : struct
{
    /// <summary>A zero-filled grid.</summary>
    public Grid2D(int rows, int columns)
        : this(rows, columns, new T[checked(Math.Max(rows, 0) * Math.Max(columns, 0))]) { }

    /// <summary>Wraps <paramref name="data"/> (not copied) as a <paramref name="rows"/> × <paramref name="columns"/> grid.</summary>
    public Grid2D(int rows, int columns, T[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != (long)rows * columns)
            throw new ArgumentException($"a {rows} × {columns} grid needs {(long)rows * columns} values, got {data.Length}", nameof(data));
        Rows = rows;
        Columns = columns;
        Data = data;
    }

    public int Rows { get; }
    public int Columns { get; }

    /// <summary>The row-major buffer (shared, not a copy).</summary>
    public T[] Data { get; }

    public (int Rows, int Columns) Shape => (Rows, Columns);

    public ref T this[int row, int column]
    {
        get
        {
            if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"grid has {Rows} rows");
            if ((uint)column >= (uint)Columns) throw new ArgumentOutOfRangeException(nameof(column), column, $"grid has {Columns} columns");
            return ref Data[row * Columns + column];
        }
    }

    /// <summary>Row <paramref name="row"/> as a span over the shared buffer.</summary>
    public Span<T> Row(int row)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"grid has {Rows} rows");
        return Data.AsSpan(row * Columns, Columns);
    }
}
