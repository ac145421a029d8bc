using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using EcgExperiments.Core;

namespace EcgExperiments.Data.NumPy;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0 and 2.0; 3.0 is read too): little-endian
/// <c>&lt;f4 &lt;f8 &lt;i4 &lt;i8 |u1 |b1</c>, C order, any rank. Fortran-ordered, big-endian and other dtypes are
/// refused with a message saying how to re-save them. Writes are atomic (temp file + rename).
/// </summary>
/// <example><code>
/// NpyFile.Write("lead.npy", NpyArray.Create(samples, samples.Length));
/// NpyArray a = NpyFile.Read("lead.npy");     // a.Shape == [1000], a.DType == NpyDType.Float32
/// </code></example>
public static class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new EcgDataException("NumPy file not found", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes .npy bytes; <paramref name="source"/> names the data in errors.</summary>
    public static NpyArray Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
            throw new EcgDataException("not a NumPy .npy file: it does not start with the magic bytes \\x93NUMPY", source);
        int major = bytes[6], minor = bytes[7];
        int headerLength, headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
                headerStart = 10;
                break;
            case 2 or 3:
                if (bytes.Length < 12) throw new EcgDataException("truncated .npy header", source);
                uint len = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
                if (len > int.MaxValue) throw new EcgDataException($"header length {len} is implausible", source);
                headerLength = (int)len;
                headerStart = 12;
                break;
            default:
                throw new EcgDataException($".npy format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)", source);
        }
        if (headerStart + headerLength > bytes.Length)
            throw new EcgDataException($"header claims {headerLength} bytes but the file has only {bytes.Length - headerStart} after the preamble; the file is truncated", source);
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(headerStart, headerLength));
        var (descr, fortran, shape) = ParseHeader(header, source);
        if (fortran)
            throw new EcgDataException("array is stored in Fortran (column-major) order, which is not supported; re-save it with np.save(path, np.ascontiguousarray(a))", source);
        var dtype = descr switch
        {
            "<f4" => NpyDType.Float32,
            "<f8" => NpyDType.Float64,
            "<i4" => NpyDType.Int32,
            "<i8" => NpyDType.Int64,
            "|u1" or "<u1" => NpyDType.UInt8,
            "|b1" or "<b1" => NpyDType.Bool,
            _ when descr.StartsWith('>') => throw new EcgDataException(
                $"dtype '{descr}' is big-endian; re-save it little-endian, e.g. a.astype('<{descr[1..]}')", source),
            _ => throw new EcgDataException($"dtype '{descr}' is not supported (supported: <f4, <f8, <i4, <i8, |u1, |b1)", source),
        };
        long count = 1;
        foreach (var d in shape) count = checked(count * d);
        int size = ElementSize(dtype);
        long needed = count * size;
        var payload = bytes[(headerStart + headerLength)..];
        if (payload.Length < needed)
            throw new EcgDataException($"data is truncated: shape ({string.Join(", ", shape)}) of {descr} needs {needed} bytes, the file has {payload.Length}", source);
        if (count > Array.MaxLength) throw new EcgDataException($"{count} elements do not fit one array", source);
        var data = payload[..(int)needed];
        Array array = dtype switch
        {
            NpyDType.Float32 => Copy<float>(data, (int)count),
            NpyDType.Float64 => Copy<double>(data, (int)count),
            NpyDType.Int32 => Copy<int>(data, (int)count),
            NpyDType.Int64 => Copy<long>(data, (int)count),
            NpyDType.UInt8 => data.ToArray(),
            NpyDType.Bool => CopyBools(data, source),
            _ => throw new InvalidOperationException(),
        };
        return NpyArray.FromBuffer(dtype, shape, array);
    }

    /// <summary>Writes atomically: readers never see a partial file.</summary>
    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(array);
        AtomicFile.Write(path, s => Write(s, array));
    }

    /// <summary>Writes the .npy bytes to <paramref name="stream"/> (version 1.0, or 2.0 when the header needs it).</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        var shape = array.Shape.Count switch
        {
            0 => "()",
            1 => $"({array.Shape[0].ToString(CultureInfo.InvariantCulture)},)",
            _ => $"({string.Join(", ", array.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))})",
        };
        var dict = $"{{'descr': '{Descriptor(array.DType)}', 'fortran_order': False, 'shape': {shape}, }}";
        bool v2 = dict.Length + 1 + 10 > ushort.MaxValue;
        int preamble = v2 ? 12 : 10;
        // Pad with spaces so the data starts on a 64-byte boundary; the header ends with '\n'.
        int total = (preamble + dict.Length + 1 + 63) / 64 * 64;
        var header = dict + new string(' ', total - preamble - dict.Length - 1) + "\n";
        Span<byte> pre = stackalloc byte[12];
        Magic.CopyTo(pre);
        pre[6] = (byte)(v2 ? 2 : 1);
        pre[7] = 0;
        if (v2) BinaryPrimitives.WriteUInt32LittleEndian(pre[8..], (uint)header.Length);
        else BinaryPrimitives.WriteUInt16LittleEndian(pre[8..], (ushort)header.Length);
        stream.Write(pre[..preamble]);
        stream.Write(Encoding.Latin1.GetBytes(header));
        switch (array.Data)
        {
            case float[] f: WriteLittleEndian(stream, f); break;
            case double[] d: WriteLittleEndian(stream, d); break;
            case int[] i: WriteLittleEndian(stream, i); break;
            case long[] l: WriteLittleEndian(stream, l); break;
            case byte[] b: stream.Write(b); break;
            case bool[] bo: stream.Write(bo.Select(x => x ? (byte)1 : (byte)0).ToArray()); break;
            default: throw new InvalidOperationException($"unexpected buffer type {array.Data.GetType().Name}");
        }
    }

    private static string Descriptor(NpyDType t) => t switch
    {
        NpyDType.Float32 => "<f4",
        NpyDType.Float64 => "<f8",
        NpyDType.Int32 => "<i4",
        NpyDType.Int64 => "<i8",
        NpyDType.UInt8 => "|u1",
        NpyDType.Bool => "|b1",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    private static int ElementSize(NpyDType t) => t switch
    {
        NpyDType.Float32 or NpyDType.Int32 => 4,
        NpyDType.Float64 or NpyDType.Int64 => 8,
        _ => 1,
    };

    private static T[] Copy<T>(ReadOnlySpan<byte> data, int count) where T : unmanaged
    {
        var result = new T[count];
        data.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        if (!BitConverter.IsLittleEndian) ReverseEach(result);
        return result;
    }

    private static bool[] CopyBools(ReadOnlySpan<byte> data, string source)
    {
        var result = new bool[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] > 1) throw new EcgDataException($"bool element {i} has byte value {data[i]}; |b1 data must be 0 or 1", source);
            result[i] = data[i] == 1;
        }
        return result;
    }

    private static void WriteLittleEndian<T>(Stream stream, T[] values) where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        var copy = (T[])values.Clone();
        ReverseEach(copy);
        stream.Write(MemoryMarshal.AsBytes(copy.AsSpan()));
    }

    private static void ReverseEach<T>(T[] values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        int size = bytes.Length / Math.Max(1, values.Length);
        for (int i = 0; i < bytes.Length; i += size) bytes.Slice(i, size).Reverse();
    }

    /// <summary>Parses the header's Python dict literal: 'descr', 'fortran_order' and 'shape', in any order.</summary>
    private static (string Descr, bool Fortran, int[] Shape) ParseHeader(string header, string source)
    {
        string? descr = null;
        bool? fortran = null;
        int[]? shape = null;
        var text = header.Trim();
        if (!text.StartsWith('{') || !text.EndsWith('}'))
            throw new EcgDataException($"header is not a Python dict literal: '{Clip(text)}'", source);
        int p = 1;
        while (true)
        {
            SkipSpaceAndCommas(text, ref p);
            if (p >= text.Length - 1) break;
            var key = ReadQuoted(text, ref p, source);
            SkipSpace(text, ref p);
            if (p >= text.Length || text[p] != ':') throw new EcgDataException($"header: expected ':' after '{key}' in '{Clip(text)}'", source);
            p++;
            SkipSpace(text, ref p);
            switch (key)
            {
                case "descr":
                    descr = ReadQuoted(text, ref p, source);
                    break;
                case "fortran_order":
                    if (string.CompareOrdinal(text, p, "True", 0, 4) == 0) { fortran = true; p += 4; }
                    else if (string.CompareOrdinal(text, p, "False", 0, 5) == 0) { fortran = false; p += 5; }
                    else throw new EcgDataException($"header: fortran_order must be True or False in '{Clip(text)}'", source);
                    break;
                case "shape":
                    shape = ReadShape(text, ref p, source);
                    break;
                default:
                    throw new EcgDataException($"header has an unexpected key '{key}' (expected descr, fortran_order, shape)", source);
            }
        }
        if (descr is null || fortran is null || shape is null)
            throw new EcgDataException($"header lacks {(descr is null ? "'descr'" : fortran is null ? "'fortran_order'" : "'shape'")}: '{Clip(text)}'", source);
        return (descr, fortran.Value, shape);
    }

    private static int[] ReadShape(string s, ref int p, string source)
    {
        if (p >= s.Length || s[p] != '(') throw new EcgDataException($"header: shape must be a tuple like (12, 1000) in '{Clip(s)}'", source);
        int close = s.IndexOf(')', p);
        if (close < 0) throw new EcgDataException($"header: shape tuple is not closed in '{Clip(s)}'", source);
        var parts = s[(p + 1)..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            var part = parts[i].TrimEnd('L');
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw new EcgDataException($"header: shape dimension '{parts[i]}' is not a non-negative integer", source);
        }
        p = close + 1;
        return shape;
    }

    private static string ReadQuoted(string s, ref int p, string source)
    {
        if (p >= s.Length || s[p] is not ('\'' or '"')) throw new EcgDataException($"header: expected a quoted string at position {p} of '{Clip(s)}'", source);
        char q = s[p];
        int end = s.IndexOf(q, p + 1);
        if (end < 0) throw new EcgDataException($"header: string at position {p} is not closed", source);
        var value = s[(p + 1)..end];
        p = end + 1;
        return value;
    }

    private static void SkipSpace(string s, ref int p)
    {
        while (p < s.Length && char.IsWhiteSpace(s[p])) p++;
    }

    private static void SkipSpaceAndCommas(string s, ref int p)
    {
        while (p < s.Length && (char.IsWhiteSpace(s[p]) || s[p] == ',')) p++;
    }

    private static string Clip(string s) => s.Length <= 120 ? s : s[..120] + "…";
}
