namespace EcgExperiments.Data.NumPy;

/// <summary>Element types the project reads and writes in <c>.npy</c> files, with their NumPy descriptors.</summary>
public enum NpyDType
{
    /// <summary><c>&lt;f4</c>, float.</summary>
    Float32,

    /// <summary><c>&lt;f8</c>, double.</summary>
    Float64,

    /// <summary><c>&lt;i4</c>, int.</summary>
    Int32,

    /// <summary><c>&lt;i8</c>, long.</summary>
    Int64,

    /// <summary><c>|u1</c>, byte.</summary>
    UInt8,

    /// <summary><c>|b1</c>, bool.</summary>
    Bool,
}

/// <summary>
/// An n-dimensional array in C (row-major) order: a shape and a flat typed buffer
/// (<c>float[]</c>, <c>double[]</c>, <c>int[]</c>, <c>long[]</c>, <c>byte[]</c> or <c>bool[]</c>).
/// </summary>
/// <example><code>
/// var a = NpyArray.Create(new float[12 * 1000], 12, 1000);   // (12, 1000) float32
/// NpyFile.Write("out.npy", a);
/// float[] back = NpyFile.Read("out.npy").As&lt;float&gt;();
/// </code></example>
public sealed class NpyArray
{
    private NpyArray(NpyDType dtype, int[] shape, Array data)
    {
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    public NpyDType DType { get; }

    /// <summary>Dimensions; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The elements in C order.</summary>
    public Array Data { get; }

    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>Wraps <paramref name="data"/> (not copied) with a shape; the shape's product must equal the length.</summary>
    public static NpyArray Create<T>(T[] data, params int[] shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var dtype = DTypeOf<T>();
        if (shape.Any(d => d < 0)) throw new ArgumentException($"shape ({string.Join(", ", shape)}) has a negative dimension", nameof(shape));
        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (count != data.Length)
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {count} elements but the data has {data.Length}", nameof(shape));
        return new NpyArray(dtype, (int[])shape.Clone(), data);
    }

    /// <summary>The flat buffer as <typeparamref name="T"/>[]; throws when the element type differs.</summary>
    public T[] As<T>() where T : unmanaged =>
        Data as T[] ?? throw new InvalidCastException($"array holds {DType} elements, not {typeof(T).Name}");

    internal static NpyArray FromBuffer(NpyDType dtype, int[] shape, Array data) => new(dtype, shape, data);

    internal static NpyDType DTypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? NpyDType.Float32
        : typeof(T) == typeof(double) ? NpyDType.Float64
        : typeof(T) == typeof(int) ? NpyDType.Int32
        : typeof(T) == typeof(long) ? NpyDType.Int64
        : typeof(T) == typeof(byte) ? NpyDType.UInt8
        : typeof(T) == typeof(bool) ? NpyDType.Bool
        : throw new NotSupportedException($"element type {typeof(T).Name} has no .npy dtype here (use float, double, int, long, byte or bool)");
}
