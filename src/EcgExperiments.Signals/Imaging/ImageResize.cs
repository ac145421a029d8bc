using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EcgExperiments.Signals.Imaging;

/// <summary>How an image axis is resampled.</summary>
public enum ResizeMode
{
    /// <summary>
    /// Exact area averaging: output cell i covers input [i·s, (i+1)·s), s = in/out, and each input
    /// cell contributes the fraction it overlaps. The same rule up- and down-scales (when
    /// up-scaling a cell overlaps at most two inputs). Equals OpenCV INTER_AREA when both axes shrink
    /// or both grow; for one axis shrinking and the other growing OpenCV switches to a two-tap
    /// approximation on the shrinking axis, which this does not copy.
    /// </summary>
    Area,

    /// <summary>
    /// Bilinear with half-pixel centres (OpenCV INTER_LINEAR, PyTorch align_corners=False): source
    /// coordinate (i + 0.5)·s − 0.5 clamped to the edges. Meant for up-scaling; it aliases when shrinking.
    /// </summary>
    Bilinear,
}

/// <summary>
/// A prepared separable resize of (srcHeight × srcWidth) images to (height × width): per-axis
/// weights computed once, applied in the cheaper axis order. Immutable and thread-safe.
/// </summary>
/// <example><code>
/// var plan = ResizePlan.Create(215, 27, 64, 64, ResizeMode.Area);
/// var scratch = new float[plan.ScratchLength];
/// plan.Apply(spectrogramDb, 27, image64, scratch);
/// </code></example>
public sealed class ResizePlan
{
    private readonly AxisWeights _rows;
    private readonly AxisWeights _columns;
    private readonly bool _rowsFirst;

    private ResizePlan(int srcHeight, int srcWidth, int height, int width, ResizeMode mode, AxisWeights rows, AxisWeights columns, bool rowsFirst)
    {
        SourceHeight = srcHeight;
        SourceWidth = srcWidth;
        Height = height;
        Width = width;
        Mode = mode;
        _rows = rows;
        _columns = columns;
        _rowsFirst = rowsFirst;
    }

    public static ResizePlan Create(int srcHeight, int srcWidth, int height, int width, ResizeMode mode = ResizeMode.Area)
    {
        if (srcHeight < 1 || srcWidth < 1) throw new ArgumentException($"resize: source image must be at least 1 × 1, got {srcHeight} × {srcWidth}", "source");
        if (height < 1 || width < 1) throw new ArgumentException($"resize: target size must be at least 1 × 1, got {height} × {width}", "size");
        var rows = AxisWeights.Create(srcHeight, height, mode);
        var columns = AxisWeights.Create(srcWidth, width, mode);
        // Rows first makes a (height × srcWidth) intermediate; columns first a (srcHeight × width) one.
        double rowsFirstCost = (double)height * srcWidth * rows.MeanTaps + (double)height * width * columns.MeanTaps;
        double columnsFirstCost = (double)srcHeight * width * columns.MeanTaps + (double)height * width * rows.MeanTaps;
        return new ResizePlan(srcHeight, srcWidth, height, width, mode, rows, columns, rowsFirstCost <= columnsFirstCost);
    }

    public int SourceHeight { get; }
    public int SourceWidth { get; }
    public int Height { get; }
    public int Width { get; }
    public ResizeMode Mode { get; }

    /// <summary>Floats of scratch memory <see cref="Apply(ReadOnlySpan{float}, int, Span{float}, Span{float})"/> needs.</summary>
    public int ScratchLength => _rowsFirst ? Height * SourceWidth : SourceHeight * Width;

    /// <summary>
    /// Resizes the image whose top-left value is <paramref name="source"/>[0] and whose rows are
    /// <paramref name="sourceRowStride"/> apart (a crop of a wider array needs no copy).
    /// </summary>
    public void Apply(ReadOnlySpan<float> source, int sourceRowStride, Span<float> destination, Span<float> scratch)
    {
        if (sourceRowStride < SourceWidth) throw new ArgumentException($"resize: row stride {sourceRowStride} is less than the width {SourceWidth}", nameof(sourceRowStride));
        if (source.Length < (long)(SourceHeight - 1) * sourceRowStride + SourceWidth)
            throw new ArgumentException($"resize: a {SourceHeight} × {SourceWidth} source with row stride {sourceRowStride} needs {(SourceHeight - 1) * sourceRowStride + SourceWidth} values, got {source.Length}", nameof(source));
        if (destination.Length < Height * Width) throw new ArgumentException($"resize: destination needs {Height * Width} values, got {destination.Length}", nameof(destination));
        if (scratch.Length < ScratchLength) throw new ArgumentException($"resize: scratch needs {ScratchLength} values, got {scratch.Length}", nameof(scratch));
        if (_rowsFirst)
        {
            ResampleRows(source, sourceRowStride, SourceWidth, scratch, SourceWidth);
            ResampleColumns(scratch, SourceWidth, Height, destination, Width);
        }
        else
        {
            ResampleColumns(source, sourceRowStride, SourceHeight, scratch, Width);
            ResampleRows(scratch, Width, Width, destination, Width);
        }
    }

    /// <summary>Resizes a contiguous (SourceHeight × SourceWidth) image.</summary>
    public void Apply(ReadOnlySpan<float> source, Span<float> destination)
    {
        float[] scratch = ArrayPool<float>.Shared.Rent(Math.Max(1, ScratchLength));
        try { Apply(source, SourceWidth, destination, scratch); }
        finally { ArrayPool<float>.Shared.Return(scratch); }
    }

    // out row i = Σ w · in row j (vectorised across the row)
    private void ResampleRows(ReadOnlySpan<float> src, int srcStride, int width, Span<float> dst, int dstStride)
    {
        int lanes = Vector<float>.Count;
        ref float srcBase = ref MemoryMarshal.GetReference(src);
        ref float dstBase = ref MemoryMarshal.GetReference(dst);
        var rows = _rows;
        for (int i = 0; i < Height; i++)
        {
            ref float outRow = ref Unsafe.Add(ref dstBase, i * dstStride);
            int first = rows.First[i], count = rows.Count[i], at = rows.Offset[i];
            // first tap assigns, the others accumulate: no separate clearing pass
            for (int k = 0; k < count; k++)
            {
                float w = rows.Weight[at + k];
                ref float inRow = ref Unsafe.Add(ref srcBase, (first + k) * srcStride);
                var vw = new Vector<float>(w);
                int c = 0;
                if (k == 0)
                {
                    for (; c + lanes <= width; c += lanes)
                        (Vector.LoadUnsafe(ref inRow, (nuint)c) * vw).StoreUnsafe(ref outRow, (nuint)c);
                    for (; c < width; c++) Unsafe.Add(ref outRow, c) = w * Unsafe.Add(ref inRow, c);
                }
                else
                {
                    for (; c + lanes <= width; c += lanes)
                        Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref inRow, (nuint)c), vw, Vector.LoadUnsafe(ref outRow, (nuint)c)).StoreUnsafe(ref outRow, (nuint)c);
                    for (; c < width; c++) Unsafe.Add(ref outRow, c) += w * Unsafe.Add(ref inRow, c);
                }
            }
        }
    }

    // out column j of each row = Σ w · in column (a short dot product per output)
    private void ResampleColumns(ReadOnlySpan<float> src, int srcStride, int rows, Span<float> dst, int dstStride)
    {
        ref float srcBase = ref MemoryMarshal.GetReference(src);
        ref float dstBase = ref MemoryMarshal.GetReference(dst);
        ref int first = ref MemoryMarshal.GetArrayDataReference(_columns.First);
        ref int count = ref MemoryMarshal.GetArrayDataReference(_columns.Count);
        ref int offset = ref MemoryMarshal.GetArrayDataReference(_columns.Offset);
        ref float weight = ref MemoryMarshal.GetArrayDataReference(_columns.Weight);
        for (int r = 0; r < rows; r++)
        {
            ref float inRow = ref Unsafe.Add(ref srcBase, r * srcStride);
            ref float outRow = ref Unsafe.Add(ref dstBase, r * dstStride);
            for (int j = 0; j < Width; j++)
            {
                ref float x = ref Unsafe.Add(ref inRow, Unsafe.Add(ref first, j));
                ref float w = ref Unsafe.Add(ref weight, Unsafe.Add(ref offset, j));
                int n = Unsafe.Add(ref count, j);
                float sum = w * x;
                for (int k = 1; k < n; k++) sum += Unsafe.Add(ref w, k) * Unsafe.Add(ref x, k);
                Unsafe.Add(ref outRow, j) = sum;
            }
        }
    }

    /// <summary>Sparse interpolation matrix of one axis: output i = Σ_k Weight[Offset[i]+k] · input[First[i]+k].</summary>
    private sealed class AxisWeights
    {
        public required int[] First { get; init; }
        public required int[] Count { get; init; }
        public required int[] Offset { get; init; }
        public required float[] Weight { get; init; }
        public double MeanTaps => (double)Weight.Length / First.Length;

        public static AxisWeights Create(int input, int output, ResizeMode mode)
        {
            var first = new int[output];
            var count = new int[output];
            var offset = new int[output];
            var weights = new List<float>();
            for (int i = 0; i < output; i++)
            {
                offset[i] = weights.Count;
                if (mode == ResizeMode.Area)
                {
                    // Cell i spans [i·in/out, (i+1)·in/out); weights are overlaps / cell width.
                    double a = (double)i * input / output, b = (double)(i + 1) * input / output;
                    int j0 = (int)Math.Floor(a), j1 = Math.Min(input, (int)Math.Ceiling(b));
                    double total = b - a;
                    first[i] = j0;
                    for (int j = j0; j < j1; j++)
                        weights.Add((float)((Math.Min(b, j + 1) - Math.Max(a, j)) / total));
                    count[i] = j1 - j0;
                }
                else
                {
                    double src = Math.Clamp((i + 0.5) * input / output - 0.5, 0, input - 1);
                    int j0 = (int)Math.Floor(src);
                    double f = src - j0;
                    first[i] = j0;
                    if (j0 + 1 < input)
                    {
                        weights.Add((float)(1 - f));
                        weights.Add((float)f);
                        count[i] = 2;
                    }
                    else
                    {
                        weights.Add(1f);
                        count[i] = 1;
                    }
                }
            }
            return new AxisWeights { First = first, Count = count, Offset = offset, Weight = weights.ToArray() };
        }
    }
}

/// <summary>Image resizing facade (allocating); see <see cref="ResizePlan"/> for loops.</summary>
/// <example><code>
/// Grid2D&lt;float&gt; small = ImageResize.Area(spectrogramDb, 64, 64);
/// Grid2D&lt;float&gt; large = ImageResize.Bilinear(thumbnail, 256, 256);
/// </code></example>
public static class ImageResize
{
    /// <summary>Exact area-average resize (<see cref="ResizeMode.Area"/>).</summary>
    public static Grid2D<float> Area(Grid2D<float> source, int height, int width) => Resize(source, height, width, ResizeMode.Area);

    /// <summary>Half-pixel bilinear resize (<see cref="ResizeMode.Bilinear"/>), for up-scaling.</summary>
    public static Grid2D<float> Bilinear(Grid2D<float> source, int height, int width) => Resize(source, height, width, ResizeMode.Bilinear);

    public static Grid2D<float> Resize(Grid2D<float> source, int height, int width, ResizeMode mode)
    {
        ArgumentNullException.ThrowIfNull(source);
        var plan = ResizePlan.Create(source.Rows, source.Columns, height, width, mode);
        var result = new Grid2D<float>(height, width);
        plan.Apply(source.Data, result.Data);
        return result;
    }
}
