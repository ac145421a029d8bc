using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using static EcgExperiments.Torch.Native.NativeMethods;

namespace EcgExperiments.Torch;

public static partial class torch
{
    public static partial class autograd
    {
        /// <summary>libtorch's operator profiler (PyTorch's <c>torch.autograd.profiler</c>).</summary>
        public static class profiler
        {
            /// <summary>
            /// Records every libtorch operator run on this thread (forward ops and the autograd backward nodes) until
            /// the returned profile is stopped or disposed; one profile at a time.
            /// </summary>
            /// <example><code>
            /// using var prof = torch.autograd.profiler.profile();
            /// for (int i = 0; i &lt; 5; i++) step();
            /// Console.WriteLine(prof.Table(top: 10));
            /// </code></example>
            public static OpProfile profile() => new();
        }
    }
}

/// <summary>One operator's totals in an <see cref="OpProfile"/>: calls, time including nested operators, and self time.</summary>
public sealed record OpStats(string Name, long Calls, double TotalMicroseconds, double SelfMicroseconds);

/// <summary>A running or finished operator profile (see <see cref="torch.autograd.profiler.profile"/>).</summary>
public sealed class OpProfile : IDisposable
{
    private IReadOnlyList<OpStats>? _stats;

    internal OpProfile() => Tensor.Check(ecg_profiler_start(), "profiler start");

    /// <summary>Stops recording (once) and returns the per-operator totals, largest self time first.</summary>
    public IReadOnlyList<OpStats> KeyAverages()
    {
        if (_stats is not null) return _stats;
        var p = ecg_profiler_stop();
        if (p == IntPtr.Zero) throw new TorchException($"profiler stop: {LastError()}");
        var text = Marshal.PtrToStringUTF8(p) ?? "";
        _stats = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(f => new OpStats(f[0], long.Parse(f[1], CultureInfo.InvariantCulture),
                double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture)))
            .OrderByDescending(s => s.SelfMicroseconds)
            .ToList();
        return _stats;
    }

    /// <summary>The <paramref name="top"/> operators by self time, as an aligned text table.</summary>
    public string Table(int top = 15)
    {
        var stats = KeyAverages();
        double all = stats.Sum(s => s.SelfMicroseconds);
        var sb = new StringBuilder();
        sb.AppendLine("operator                                 |   calls |  self ms | self % | total ms");
        foreach (var s in stats.Take(top))
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{Truncate(s.Name, 40),-40} | {s.Calls,7} | {s.SelfMicroseconds / 1000,8:0.0} | {100 * s.SelfMicroseconds / Math.Max(all, 1e-9),5:0.0}% | {s.TotalMicroseconds / 1000,8:0.0}"));
        return sb.ToString();
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    public void Dispose() => KeyAverages();
}
