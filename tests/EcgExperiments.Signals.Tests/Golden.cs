using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace EcgExperiments.Signals.Tests;

/// <summary>
/// Reads the golden cases written by tools/golden/make_signal_goldens.py: manifest.json (parameters
/// and array file names per case) and the .npy arrays (little-endian f8/f4, C order).
/// </summary>
internal static class Golden
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Golden");
    private static readonly Lazy<JsonElement> Manifest = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json"))).RootElement);

    public static JsonElement Params(string @case) => Manifest.Value.GetProperty("cases").GetProperty(@case).GetProperty("params");

    public static NpyArray Array(string @case, string name)
    {
        string file = Manifest.Value.GetProperty("cases").GetProperty(@case).GetProperty("arrays").GetProperty(name).GetString()!;
        return NpyArray.Read(Path.Combine(Folder, file));
    }

    public static float[] Floats(string @case, string name) => Array(@case, name).AsFloats();
    public static double[] Doubles(string @case, string name) => Array(@case, name).Values;
}

internal sealed record NpyArray(int[] Shape, double[] Values)
{
    public float[] AsFloats() => System.Array.ConvertAll(Values, v => (float)v);

    public static NpyArray Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path}: not a .npy file");
        int major = bytes[6];
        int headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        int headerStart = major == 1 ? 10 : 12;
        string header = Encoding.ASCII.GetString(bytes, headerStart, headerLength);
        string descr = Between(header, "'descr': '", "'");
        if (header.Contains("'fortran_order': True")) throw new InvalidDataException($"{path}: Fortran order not supported");
        string shapeText = Between(header, "'shape': (", ")");
        int[] shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        int count = shape.Aggregate(1, (a, b) => a * b);
        var data = bytes.AsSpan(headerStart + headerLength);
        var values = new double[count];
        for (int i = 0; i < count; i++)
            values[i] = descr switch
            {
                "<f8" => BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..]),
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]),
                _ => throw new InvalidDataException($"{path}: dtype {descr} not supported"),
            };
        return new NpyArray(shape, values);
    }

    private static string Between(string s, string start, string end)
    {
        int a = s.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return s[a..s.IndexOf(end, a, StringComparison.Ordinal)];
    }
}

/// <summary>Element-wise comparison with a stated tolerance and a readable failure.</summary>
internal static class Assertions
{
    /// <summary>|actual − expected| ≤ atol + rtol·|expected| everywhere (numpy.allclose's rule).</summary>
    public static void AllClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double rtol, double atol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double excess = Math.Abs(actual[i] - expected[i]) - (atol + rtol * Math.Abs(expected[i]));
            if (double.IsNaN(actual[i]) || excess > worst) { worst = double.IsNaN(actual[i]) ? double.PositiveInfinity : excess; worstAt = i; }
        }
        Assert.True(worstAt < 0, worstAt < 0 ? "" :
            $"{what}: element {worstAt} is {actual[worstAt]:R}, expected {expected[worstAt]:R} (rtol {rtol}, atol {atol})");
    }

    public static void AllClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double rtol, double atol, string what)
    {
        var a = new double[actual.Length];
        for (int i = 0; i < a.Length; i++) a[i] = actual[i];
        AllClose(expected, a, rtol, atol, what);
    }

    public static double MaxAbs(ReadOnlySpan<double> values)
    {
        double m = 0;
        foreach (var v in values) m = Math.Max(m, Math.Abs(v));
        return m;
    }
}
