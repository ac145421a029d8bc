using EcgExperiments.TestSupport;
using System.Diagnostics;
using System.Text;
using EcgExperiments.Core;
using EcgExperiments.Data.NumPy;

namespace EcgExperiments.Data.Tests.NumPy;

public sealed class NpyFileTests
{
    private static NpyArray RoundTrip(NpyArray a)
    {
        using var ms = new MemoryStream();
        NpyFile.Write(ms, a);
        Assert.Equal(0, (ms.Length - a.Count * ElementSize(a.DType)) % 64); // header padded to 64 bytes
        return NpyFile.Parse(ms.ToArray(), "memory.npy");
    }

    private static int ElementSize(NpyDType t) => t switch { NpyDType.Float64 or NpyDType.Int64 => 8, NpyDType.Float32 or NpyDType.Int32 => 4, _ => 1 };

    [Fact]
    public void Every_dtype_and_rank_round_trips()
    {
        var f = Enumerable.Range(0, 24).Select(i => i * 0.5f - 3).ToArray();
        foreach (var a in new[]
        {
            NpyArray.Create(f, 2, 3, 4),
            NpyArray.Create(f.Select(x => (double)x / 3).ToArray(), 24),
            NpyArray.Create(Enumerable.Range(-12, 24).ToArray(), 4, 6),
            NpyArray.Create(Enumerable.Range(0, 24).Select(i => (long)i << 40).ToArray(), 1, 24, 1),
            NpyArray.Create(Enumerable.Range(0, 24).Select(i => (byte)(i * 10)).ToArray(), 24),
            NpyArray.Create(Enumerable.Range(0, 24).Select(i => i % 3 == 0).ToArray(), 3, 8),
            NpyArray.Create(new float[] { 42 }),               // 0-d scalar
            NpyArray.Create(Array.Empty<double>(), 0, 5),        // empty
        })
        {
            var back = RoundTrip(a);
            Assert.Equal(a.DType, back.DType);
            Assert.Equal(a.Shape, back.Shape);
            Assert.Equal(a.Data, back.Data);
        }
    }

    [Fact]
    public void Files_are_written_atomically_and_read_back()
    {
        using var tmp = new TempFolder("npy");
        var a = NpyArray.Create(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        NpyFile.Write(tmp.File("a.npy"), a);
        Assert.Equal(["a.npy"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
        var back = NpyFile.Read(tmp.File("a.npy"));
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, back.As<float>());
        Assert.Throws<InvalidCastException>(() => back.As<double>());
        var header = Encoding.Latin1.GetString(File.ReadAllBytes(tmp.File("a.npy")).AsSpan(10, 118));
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header);
    }

    [Fact]
    public void Version_2_headers_are_read()
    {
        var dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }";
        var header = dict.PadRight(64 - 12 - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([2, 0]);
        bytes.AddRange(BitConverter.GetBytes((uint)header.Length));
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        foreach (var v in new[] { 7, -8, 9 }) bytes.AddRange(BitConverter.GetBytes(v));
        var a = NpyFile.Parse(bytes.ToArray(), "v2.npy");
        Assert.Equal(new[] { 7, -8, 9 }, a.As<int>());
        Assert.Equal([3], a.Shape);
    }

    [PythonPeerFact("numpy")]
    public void Files_written_by_NumPy_read_here_and_files_written_here_read_in_NumPy()
    {
        const string python = PythonPeerFactAttribute.Python;
        using var tmp = new TempFolder("npy-golden");
        var script = $$"""
            import numpy as np
            np.save(r'{{tmp.File("f4.npy")}}', np.arange(24, dtype='<f4').reshape(2, 3, 4) / 8)
            np.save(r'{{tmp.File("i8.npy")}}', np.array([[1, -2], [3, 2**40]], dtype='<i8'))
            np.save(r'{{tmp.File("b1.npy")}}', np.array([True, False, True]))
            np.save(r'{{tmp.File("u1.npy")}}', np.array([0, 255, 7], dtype='|u1'))
            np.lib.format.write_array(open(r'{{tmp.File("v2.npy")}}', 'wb'), np.array([1.5, -2.5]), version=(2, 0))
            np.save(r'{{tmp.File("fortran.npy")}}', np.asfortranarray(np.ones((2, 3))))
            """;
        Assert.True(RunPython(python, script, out var err), err);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => i / 8f), NpyFile.Read(tmp.File("f4.npy")).As<float>());
        Assert.Equal([2, 3, 4], NpyFile.Read(tmp.File("f4.npy")).Shape);
        Assert.Equal(new long[] { 1, -2, 3, 1L << 40 }, NpyFile.Read(tmp.File("i8.npy")).As<long>());
        Assert.Equal(new[] { true, false, true }, NpyFile.Read(tmp.File("b1.npy")).As<bool>());
        Assert.Equal(new byte[] { 0, 255, 7 }, NpyFile.Read(tmp.File("u1.npy")).As<byte>());
        Assert.Equal(new[] { 1.5, -2.5 }, NpyFile.Read(tmp.File("v2.npy")).As<double>());
        var ex = Assert.Throws<EcgDataException>(() => NpyFile.Read(tmp.File("fortran.npy")));
        Assert.Contains("Fortran (column-major) order", ex.Message);
        Assert.Contains("fortran.npy", ex.Message);

        NpyFile.Write(tmp.File("ours.npy"), NpyArray.Create(new double[] { 0.25, 0.5, 0.75, 1, 1.25, 1.5 }, 3, 2));
        Assert.True(RunPython(python, $"import numpy as np; a = np.load(r'{tmp.File("ours.npy")}'); " +
            "assert a.dtype == np.float64 and a.shape == (3, 2) and a[2, 1] == 1.5 and a.flags['C_CONTIGUOUS'], a", out err), err);
    }

    private static bool RunPython(string python, string script, out string stderr)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(script);
        p.StandardInput.Close();
        stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}
