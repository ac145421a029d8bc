using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EcgExperiments.Data.Wfdb;

/// <summary>
/// Decoders for WFDB signal file formats (WFDB <c>signal(5)</c>). A signal file is a stream of
/// samples, interleaved frame by frame across the signals stored in it; packed formats (212, 310,
/// 311) pack samples in blocks that may straddle frames, so decoding works on stream sample indices.
/// Formats 508, 516 and 524 are FLAC streams (see <see cref="Flac.FlacSignalFile"/>); format 0 is a null signal
/// with no file (every sample invalid), as in layout headers.
/// </summary>
internal static class WfdbFormats
{
    public static readonly int[] Supported = [0, 8, 16, 24, 32, 61, 80, 160, 212, 310, 311, 508, 516, 524];

    /// <summary>The value WFDB returns for a sample that is missing (WFDB_INVALID_SAMPLE), used where a format has none of its own.</summary>
    public const int InvalidSampleDefault = -32768;

    public static bool IsSupported(int format) => Array.IndexOf(Supported, format) >= 0;

    /// <summary>True for the FLAC-compressed formats 508, 516 and 524.</summary>
    public static bool IsFlac(int format) => format is 508 or 516 or 524;

    /// <summary>Bits per sample a FLAC format may hold (format − 500).</summary>
    public static int FlacBits(int format) => format - 500;

    /// <summary>WFDB default ADC resolution when the header gives none (12 bits, 10 for difference format, lower where the format is narrower).</summary>
    public static int DefaultResolution(int format) => format switch
    {
        8 => 10,
        80 or 508 => 8,
        310 or 311 => 10,
        516 => 16,
        524 => 24,
        _ => 12,
    };

    /// <summary>The raw value WFDB reserves for "no sample here", or null where the format has none.</summary>
    public static int? InvalidSample(int format) => format switch
    {
        0 => InvalidSampleDefault,
        16 or 61 or 160 or 516 => short.MinValue,
        212 => -2048,
        310 or 311 => -512,
        80 or 508 => -128,
        24 or 524 => -(1 << 23),
        32 => int.MinValue,
        _ => null,
    };

    /// <summary>Samples per packing block and bytes per block.</summary>
    public static (int Samples, int Bytes) Block(int format) => format switch
    {
        8 or 80 => (1, 1),
        16 or 61 or 160 => (1, 2),
        24 => (1, 3),
        32 => (1, 4),
        212 => (2, 3),
        310 or 311 => (3, 4),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unsupported WFDB format"),
    };

    /// <summary>Bytes needed to hold stream samples [0, <paramref name="count"/>), counting a final partial block only as far as its last sample reaches.</summary>
    public static long BytesFor(int format, long count)
    {
        var (spb, bpb) = Block(format);
        long full = count / spb, rest = count % spb;
        long bytes = full * bpb;
        if (rest == 0) return bytes;
        return bytes + format switch
        {
            212 => 2,                       // the first sample of a pair lives in the first two bytes
            310 => rest == 1 ? 2 : 4,       // sample 1 is in the second 16-bit word
            311 => rest == 1 ? 2 : 3,       // bits 0-9, then 10-19
            _ => bpb,
        };
    }

    /// <summary>Whole stream samples present in <paramref name="bytes"/> bytes (inverse of <see cref="BytesFor"/>).</summary>
    public static long SamplesIn(int format, long bytes)
    {
        var (spb, bpb) = Block(format);
        long full = bytes / bpb * spb, rest = bytes % bpb;
        return full + format switch
        {
            212 => rest >= 2 ? 1 : 0,
            310 => rest >= 2 ? 1 : 0,
            311 => rest >= 3 ? 2 : rest >= 2 ? 1 : 0,
            _ => 0,
        };
    }

    /// <summary>
    /// Decodes <paramref name="dest"/>.Length samples. <paramref name="data"/> starts at a block boundary;
    /// the first <paramref name="skip"/> samples of the first block are discarded (skip &lt; samples per block).
    /// Bytes missing from a final partial block read as zero. Format 8 yields the raw first differences.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // bulk loops: skip tier-0 JIT
    public static void Decode(int format, ReadOnlySpan<byte> data, int skip, Span<int> dest)
    {
        switch (format)
        {
            case 16:
                {
                    var src = MemoryMarshal.Cast<byte, short>(data[..(dest.Length * 2)]);
                    if (BitConverter.IsLittleEndian)
                        for (int i = 0; i < dest.Length; i++) dest[i] = src[i];
                    else
                        for (int i = 0; i < dest.Length; i++) dest[i] = BinaryPrimitives.ReverseEndianness(src[i]);
                    return;
                }
            case 61:
                for (int i = 0; i < dest.Length; i++) dest[i] = BinaryPrimitives.ReadInt16BigEndian(data.Slice(2 * i, 2));
                return;
            case 160:
                for (int i = 0; i < dest.Length; i++) dest[i] = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(2 * i, 2)) - 32768;
                return;
            case 80:
                for (int i = 0; i < dest.Length; i++) dest[i] = data[i] - 128;
                return;
            case 8:
                for (int i = 0; i < dest.Length; i++) dest[i] = (sbyte)data[i];
                return;
            case 24:
                for (int i = 0; i < dest.Length; i++)
                {
                    int b = 3 * i;
                    int v = data[b] | (data[b + 1] << 8) | (data[b + 2] << 16);
                    dest[i] = (v << 8) >> 8;
                }
                return;
            case 32:
                for (int i = 0; i < dest.Length; i++) dest[i] = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(4 * i, 4));
                return;
            case 212:
                Decode212(data, skip, dest);
                return;
            case 310:
            case 311:
                Decode10Bit(format, data, skip, dest);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unsupported WFDB format");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // bulk loops: skip tier-0 JIT
    private static void Decode212(ReadOnlySpan<byte> data, int skip, Span<int> dest)
    {
        int n = dest.Length, o = 0, b = 0;
        if (skip == 1 && n > 0)
        {
            dest[o++] = Second212(data, 0);
            b = 3;
        }
        // Whole pairs: 12 low bits of the first little-endian byte pair, then the high nibble of byte 1 with byte 2.
        int pairs = (n - o) / 2;
        for (int k = 0; k < pairs; k++, b += 3)
        {
            int b0 = data[b], b1 = data[b + 1], b2 = data[b + 2];
            dest[o++] = (((b1 & 0x0F) << 8 | b0) << 20) >> 20;
            dest[o++] = (((b1 & 0xF0) << 4 | b2) << 20) >> 20;
        }
        if (o < n)
        {
            int b0 = data[b], b1 = b + 1 < data.Length ? data[b + 1] : 0;
            dest[o] = (((b1 & 0x0F) << 8 | b0) << 20) >> 20;
        }
    }

    /// <summary>
    /// Format 212 with two one-sample signals per frame (the MIT-BIH layout): each 3-byte block is one frame, so
    /// its two samples go straight to their signals' arrays (null: not wanted), with no intermediate stream.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode212Frames(ReadOnlySpan<byte> data, int[]? first, int[]? second, int frames)
    {
        if (data.Length < 3L * frames - 1) throw new ArgumentException("not enough bytes for the frames", nameof(data));
        ref byte b = ref MemoryMarshal.GetReference(data);
        int whole = data.Length >= 3L * frames ? frames : frames - 1; // a final frame may lack its third byte
        if (first is not null && first.Length < frames || second is not null && second.Length < frames)
            throw new ArgumentException("target shorter than the frames");
        if (first is not null && second is not null)
        {
            ref int a = ref MemoryMarshal.GetArrayDataReference(first), c = ref MemoryMarshal.GetArrayDataReference(second);
            for (int f = 0; f < whole; f++)
            {
                int b0 = Unsafe.Add(ref b, 3 * f), b1 = Unsafe.Add(ref b, 3 * f + 1), b2 = Unsafe.Add(ref b, 3 * f + 2);
                Unsafe.Add(ref a, f) = ((b1 & 0x0F) << 28 | b0 << 20) >> 20;
                Unsafe.Add(ref c, f) = ((b1 & 0xF0) << 24 | b2 << 20) >> 20;
            }
        }
        else if (first is not null)
        {
            ref int a = ref MemoryMarshal.GetArrayDataReference(first);
            for (int f = 0; f < whole; f++)
                Unsafe.Add(ref a, f) = ((Unsafe.Add(ref b, 3 * f + 1) & 0x0F) << 28 | Unsafe.Add(ref b, 3 * f) << 20) >> 20;
        }
        else if (second is not null)
        {
            ref int c = ref MemoryMarshal.GetArrayDataReference(second);
            for (int f = 0; f < whole; f++)
                Unsafe.Add(ref c, f) = ((Unsafe.Add(ref b, 3 * f + 1) & 0xF0) << 24 | Unsafe.Add(ref b, 3 * f + 2) << 20) >> 20;
        }
        if (whole < frames)
        {
            int f = whole, b0 = data[3 * f], b1 = data[3 * f + 1], b2 = 3 * f + 2 < data.Length ? data[3 * f + 2] : 0;
            if (first is not null) first[f] = ((b1 & 0x0F) << 28 | b0 << 20) >> 20;
            if (second is not null) second[f] = ((b1 & 0xF0) << 24 | b2 << 20) >> 20;
        }
    }

    private static int Second212(ReadOnlySpan<byte> data, int b)
    {
        int b1 = data[b + 1], b2 = data[b + 2];
        return (((b1 & 0xF0) << 4 | b2) << 20) >> 20;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // bulk loops: skip tier-0 JIT
    private static void Decode10Bit(int format, ReadOnlySpan<byte> data, int skip, Span<int> dest)
    {
        Span<int> block = stackalloc int[3];
        Span<byte> quad = stackalloc byte[4];
        int o = 0, b = 0, first = skip;
        while (o < dest.Length)
        {
            // Copy the block (zero-padding a final partial one) so every read below stays in bounds.
            quad.Clear();
            data.Slice(b, Math.Min(4, data.Length - b)).CopyTo(quad);
            if (format == 310)
            {
                // Two little-endian words; bits 1-10 of each are samples 0 and 1, their top 5 bits form sample 2.
                int w0 = quad[0] | (quad[1] << 8), w1 = quad[2] | (quad[3] << 8);
                block[0] = SignExtend10((w0 >> 1) & 0x3FF);
                block[1] = SignExtend10((w1 >> 1) & 0x3FF);
                block[2] = SignExtend10(((w0 >> 11) & 0x1F) | (((w1 >> 11) & 0x1F) << 5));
            }
            else
            {
                // One little-endian 32-bit word: samples in bits 0-9, 10-19, 20-29.
                uint w = BinaryPrimitives.ReadUInt32LittleEndian(quad);
                block[0] = SignExtend10((int)(w & 0x3FF));
                block[1] = SignExtend10((int)((w >> 10) & 0x3FF));
                block[2] = SignExtend10((int)((w >> 20) & 0x3FF));
            }
            for (int k = first; k < 3 && o < dest.Length; k++) dest[o++] = block[k];
            first = 0;
            b += 4;
        }
    }

    private static int SignExtend10(int v) => (v << 22) >> 22;
}
