using System.Numerics;
using EcgExperiments.Core;

namespace EcgExperiments.Signals.Filtering;

/// <summary>How filtfilt extends the signal before the forward-backward pass (scipy's padtype).</summary>
public enum FiltFiltPadType
{
    /// <summary>Point-symmetric about the end samples: 2·x[0] − x[k] (scipy's default).</summary>
    Odd,
    /// <summary>Mirror about the end samples: x[k].</summary>
    Even,
    /// <summary>Repeat the end samples.</summary>
    Constant,
    /// <summary>No extension.</summary>
    None,
}

/// <summary>Options of <see cref="Filter.FiltFilt(TransferFunction, ReadOnlySpan{float}, FiltFiltOptions?)"/> and <see cref="Filter.SosFiltFilt(SecondOrderSections, ReadOnlySpan{float}, FiltFiltOptions?)"/>.</summary>
/// <example><code>
/// var y = Filter.FiltFilt(ba, x, new FiltFiltOptions { PadType = FiltFiltPadType.Even, PadLength = 50 });
/// </code></example>
public sealed record FiltFiltOptions
{
    public FiltFiltPadType PadType { get; init; } = FiltFiltPadType.Odd;

    /// <summary>Samples added at each end; null is scipy's default, 3 × the number of taps.</summary>
    public int? PadLength { get; init; }

    public static FiltFiltOptions Default { get; } = new();
}

/// <summary>
/// Linear filtering with scipy.signal semantics: <c>lfilter</c> (direct form II transposed),
/// <c>lfilter_zi</c>, zero-phase <c>filtfilt</c> (odd extension, steady-state initial conditions),
/// and the second-order-section versions <c>sosfilt</c>, <c>sosfilt_zi</c>, <c>sosfiltfilt</c>.
/// Samples are float; all arithmetic and intermediate signals are double, like scipy's float64 path.
/// </summary>
/// <example><code>
/// var bandPass = FilterPresets.BeatGanBandPass(360);          // 109-tap FIR, 3–45 Hz
/// EcgSignal clean = Filter.FiltFilt(record, bandPass);        // every lead, zero phase
/// </code></example>
public static class Filter
{
    // ------------------------------------------------------------------ lfilter

    /// <summary>scipy.signal.lfilter(b, a, x) from rest.</summary>
    public static float[] LFilter(TransferFunction filter, ReadOnlySpan<float> x)
    {
        var y = new float[x.Length];
        LFilter(filter, x, y, default);
        return y;
    }

    /// <summary>
    /// scipy.signal.lfilter with an initial state: <paramref name="state"/> (length
    /// max(len a, len b) − 1) is read as zi and overwritten with zf; empty means from rest.
    /// </summary>
    public static void LFilter(TransferFunction filter, ReadOnlySpan<float> x, Span<float> y, Span<double> state)
    {
        ArgumentNullException.ThrowIfNull(filter);
        filter.Validate("lfilter");
        if (y.Length != x.Length) throw new ArgumentException($"lfilter: output has {y.Length} samples for {x.Length} inputs", nameof(y));
        var (b, a) = Normalise(filter);
        if (!state.IsEmpty && state.Length != b.Length - 1)
            throw new ArgumentException($"lfilter: zi needs {b.Length - 1} values (max(len(a), len(b)) − 1), got {state.Length}", nameof(state));
        var xd = new double[x.Length];
        for (int i = 0; i < x.Length; i++) xd[i] = x[i];
        var yd = new double[x.Length];
        var z = state.IsEmpty ? new double[b.Length - 1] : state.ToArray();
        Run(b, a, xd, yd, z);
        for (int i = 0; i < y.Length; i++) y[i] = (float)yd[i];
        if (!state.IsEmpty) z.CopyTo(state);
    }

    /// <summary>
    /// scipy.signal.lfilter_zi: the state for which a constant input 1 gives a constant output
    /// (the step response's steady state); scale it by x[0] to start a filter without a transient.
    /// </summary>
    public static double[] LFilterZi(TransferFunction filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        filter.Validate("lfilter_zi");
        var (b, a) = Normalise(filter);
        int n = b.Length;
        if (n == 1) return [];
        // (I − Aᵀ) zi = b[1:] − a[1:]·b[0] with A the companion matrix of a.
        var m = new double[n - 1, n - 1];
        var rhs = new double[n - 1];
        for (int i = 0; i < n - 1; i++)
        {
            m[i, i] = 1;
            m[i, 0] += a[i + 1];
            if (i + 1 < n - 1) m[i, i + 1] = -1;
            rhs[i] = b[i + 1] - a[i + 1] * b[0];
        }
        return Solve(m, rhs);
    }

    // ------------------------------------------------------------------ filtfilt

    /// <summary>
    /// scipy.signal.filtfilt(b, a, x): extend both ends (odd by default, 3·max(len a, len b)
    /// samples), filter forward from the steady state scaled by the first sample, filter the
    /// reversed result the same way, reverse and cut the extension. Zero phase; the magnitude
    /// response is squared. The signal must be longer than the extension.
    /// </summary>
    public static float[] FiltFilt(TransferFunction filter, ReadOnlySpan<float> x, FiltFiltOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(filter);
        filter.Validate("filtfilt");
        options ??= FiltFiltOptions.Default;
        var (b, a) = Normalise(filter);
        int edge = Edge(options, filter.Order, x.Length, "filtfilt");
        var ext = Extend(x, edge, options.PadType);
        var zi = LFilterZi(filter);
        var y = new double[ext.Length];
        var z = new double[zi.Length];
        for (int i = 0; i < z.Length; i++) z[i] = zi[i] * ext[0];
        Run(b, a, ext, y, z);
        Array.Reverse(y);
        for (int i = 0; i < z.Length; i++) z[i] = zi[i] * y[0];
        Run(b, a, y, ext, z);
        Array.Reverse(ext);
        var result = new float[x.Length];
        for (int i = 0; i < result.Length; i++) result[i] = (float)ext[edge + i];
        return result;
    }

    /// <summary>Zero-phase filtering of every lead of <paramref name="signal"/>; the rate is unchanged.</summary>
    public static EcgSignal FiltFilt(EcgSignal signal, TransferFunction filter, FiltFiltOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(signal);
        return signal.With(PerLead(signal, lead => FiltFilt(filter, lead, options)));
    }

    /// <summary>
    /// Shortest signal <see cref="FiltFilt(TransferFunction, ReadOnlySpan{float}, FiltFiltOptions?)"/>
    /// accepts with these options: padlen + 1 (328 for the 109-tap BeatGAN band-pass). Needs no data,
    /// for shape checks of a pipeline.
    /// </summary>
    public static int MinimumFiltFiltLength(TransferFunction filter, FiltFiltOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(filter);
        options ??= FiltFiltOptions.Default;
        return options.PadType == FiltFiltPadType.None ? 1 : (options.PadLength ?? 3 * filter.Order) + 1;
    }

    // ------------------------------------------------------------------ second-order sections

    /// <summary>scipy.signal.sosfilt from rest.</summary>
    public static float[] SosFilt(SecondOrderSections sos, ReadOnlySpan<float> x)
    {
        var y = new float[x.Length];
        SosFilt(sos, x, y, default);
        return y;
    }

    /// <summary>scipy.signal.sosfilt with state (sections × 2 values, zi in and zf out; empty = from rest).</summary>
    public static void SosFilt(SecondOrderSections sos, ReadOnlySpan<float> x, Span<float> y, Span<double> state)
    {
        ArgumentNullException.ThrowIfNull(sos);
        sos.Validate("sosfilt");
        if (y.Length != x.Length) throw new ArgumentException($"sosfilt: output has {y.Length} samples for {x.Length} inputs", nameof(y));
        if (!state.IsEmpty && state.Length != 2 * sos.Count)
            throw new ArgumentException($"sosfilt: zi needs {2 * sos.Count} values (sections × 2), got {state.Length}", nameof(state));
        var buffer = new double[x.Length];
        for (int i = 0; i < x.Length; i++) buffer[i] = x[i];
        var z = state.IsEmpty ? new double[2 * sos.Count] : state.ToArray();
        RunSos(sos.Coefficients, buffer, z);
        for (int i = 0; i < y.Length; i++) y[i] = (float)buffer[i];
        if (!state.IsEmpty) z.CopyTo(state);
    }

    /// <summary>scipy.signal.sosfilt_zi: per-section lfilter_zi, each scaled by the DC gain of the sections before it.</summary>
    public static double[] SosFiltZi(SecondOrderSections sos)
    {
        ArgumentNullException.ThrowIfNull(sos);
        sos.Validate("sosfilt_zi");
        var zi = new double[2 * sos.Count];
        double scale = 1;
        for (int s = 0; s < sos.Count; s++)
        {
            var row = sos.Section(s);
            double[] b = [row[0], row[1], row[2]], a = [row[3], row[4], row[5]];
            var sectionZi = LFilterZi(new TransferFunction(b, a));
            for (int i = 0; i < sectionZi.Length; i++) zi[2 * s + i] = scale * sectionZi[i];
            scale *= (b[0] + b[1] + b[2]) / (a[0] + a[1] + a[2]);
        }
        return zi;
    }

    /// <summary>
    /// scipy.signal.sosfiltfilt: forward-backward filtering through second-order sections, with the
    /// same padding rules as filtfilt (taps = 2·sections + 1, less trailing zero coefficients).
    /// </summary>
    public static float[] SosFiltFilt(SecondOrderSections sos, ReadOnlySpan<float> x, FiltFiltOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sos);
        sos.Validate("sosfiltfilt");
        options ??= FiltFiltOptions.Default;
        int zerosB2 = 0, zerosA2 = 0;
        for (int s = 0; s < sos.Count; s++)
        {
            if (sos.Coefficients[s * 6 + 2] == 0) zerosB2++;
            if (sos.Coefficients[s * 6 + 5] == 0) zerosA2++;
        }
        int taps = 2 * sos.Count + 1 - Math.Min(zerosB2, zerosA2);
        int edge = Edge(options, taps, x.Length, "sosfiltfilt");
        var ext = Extend(x, edge, options.PadType);
        var zi = SosFiltZi(sos);
        var z = new double[zi.Length];
        for (int i = 0; i < z.Length; i++) z[i] = zi[i] * ext[0];
        RunSos(sos.Coefficients, ext, z);
        Array.Reverse(ext);
        for (int i = 0; i < z.Length; i++) z[i] = zi[i] * ext[0];
        RunSos(sos.Coefficients, ext, z);
        Array.Reverse(ext);
        var result = new float[x.Length];
        for (int i = 0; i < result.Length; i++) result[i] = (float)ext[edge + i];
        return result;
    }

    /// <summary>Zero-phase second-order-section filtering of every lead.</summary>
    public static EcgSignal SosFiltFilt(EcgSignal signal, SecondOrderSections sos, FiltFiltOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(signal);
        return signal.With(PerLead(signal, lead => SosFiltFilt(sos, lead, options)));
    }

    // ------------------------------------------------------------------ internals

    private static float[][] PerLead(EcgSignal signal, Func<float[], float[]> apply)
    {
        var leads = new float[signal.LeadCount][];
        for (int l = 0; l < leads.Length; l++)
        {
            try { leads[l] = apply(signal.Leads[l]); }
            catch (ArgumentException e)
            {
                throw new EcgDataException($"lead {signal.LeadNames[l]}: {e.Message}", record: signal.RecordId, inner: e);
            }
        }
        return leads;
    }

    /// <summary>b and a divided by a[0] and zero-padded to the same length.</summary>
    private static (double[] B, double[] A) Normalise(TransferFunction filter)
    {
        int n = filter.Order;
        var b = new double[n];
        var a = new double[n];
        double a0 = filter.A[0];
        for (int i = 0; i < filter.B.Length; i++) b[i] = filter.B[i] / a0;
        for (int i = 0; i < filter.A.Length; i++) a[i] = filter.A[i] / a0;
        return (b, a);
    }

    private static int Edge(FiltFiltOptions options, int taps, int length, string operation)
    {
        if (options.PadType == FiltFiltPadType.None) return 0;
        int edge = options.PadLength ?? 3 * taps;
        if (edge < 0) throw new ArgumentException($"{operation}: padlen must be ≥ 0, got {edge}", "padlen");
        if (length <= edge)
            throw new ArgumentException($"{operation}: the signal has {length} samples but must be longer than padlen = {edge}" +
                                        (options.PadLength is null ? $" (3 × {taps} taps); filter a longer stretch, e.g. the whole record before cutting beats" : ""), "x");
        return edge;
    }

    /// <summary>scipy's odd_ext / even_ext / const_ext by <paramref name="edge"/> samples, as double.</summary>
    private static double[] Extend(ReadOnlySpan<float> x, int edge, FiltFiltPadType type)
    {
        int n = x.Length;
        var ext = new double[n + 2 * edge];
        for (int i = 0; i < n; i++) ext[edge + i] = x[i];
        for (int i = 1; i <= edge; i++)
        {
            double left, right;
            switch (type)
            {
                case FiltFiltPadType.Odd:
                    left = 2.0 * x[0] - x[i];
                    right = 2.0 * x[n - 1] - x[n - 1 - i];
                    break;
                case FiltFiltPadType.Even:
                    left = x[i];
                    right = x[n - 1 - i];
                    break;
                default:
                    left = x[0];
                    right = x[n - 1];
                    break;
            }
            ext[edge - i] = left;
            ext[edge + n - 1 + i] = right;
        }
        return ext;
    }

    /// <summary>
    /// Direct form II transposed over doubles; <paramref name="z"/> is the state (in and out).
    /// <paramref name="x"/> and <paramref name="y"/> may be the same array.
    /// </summary>
    private static void Run(double[] b, double[] a, double[] x, double[] y, double[] z)
    {
        int n = b.Length;
        bool fir = true;
        for (int i = 1; i < n; i++) if (a[i] != 0) { fir = false; break; }
        if (fir && n > 8 && !ReferenceEquals(x, y))
        {
            RunFir(b, x, y, z);
            return;
        }
        for (int t = 0; t < x.Length; t++)
        {
            double xt = x[t];
            double yt = b[0] * xt + (n > 1 ? z[0] : 0);
            for (int k = 1; k < n - 1; k++) z[k - 1] = z[k] + b[k] * xt - a[k] * yt;
            if (n > 1) z[n - 2] = b[n - 1] * xt - a[n - 1] * yt;
            y[t] = yt;
        }
    }

    /// <summary>
    /// FIR fast path: y[t] = Σ b[k]·x[t−k] + zi[t] (the initial state only reaches the first n − 1
    /// outputs), as SIMD dot products; the final state is rebuilt from the last inputs.
    /// </summary>
    private static void RunFir(double[] b, double[] x, double[] y, double[] z)
    {
        int n = b.Length, len = x.Length, lanes = Vector<double>.Count;
        var reversed = new double[n];
        for (int k = 0; k < n; k++) reversed[k] = b[n - 1 - k];
        var padded = new double[len + n - 1];
        Array.Copy(x, 0, padded, n - 1, len);
        for (int t = 0; t < len; t++)
        {
            // padded[t .. t+n) holds x[t−n+1 .. t]
            var acc = Vector<double>.Zero;
            int k = 0;
            for (; k + lanes <= n; k += lanes)
                acc = Vector.FusedMultiplyAdd(new Vector<double>(reversed, k), new Vector<double>(padded, t + k), acc);
            double sum = Vector.Sum(acc);
            for (; k < n; k++) sum += reversed[k] * padded[t + k];
            if (t < n - 1) sum += z[t];
            y[t] = sum;
        }
        // zf[i] = Σ_{m ≥ 0} b[i+1+m]·x[len−1−m] + zi[i+len] (when that state index still exists)
        var zf = new double[n - 1];
        for (int i = 0; i < n - 1; i++)
        {
            double s = i + len < n - 1 ? z[i + len] : 0;
            for (int m = 0; i + 1 + m < n && len - 1 - m >= 0; m++) s += b[i + 1 + m] * x[len - 1 - m];
            zf[i] = s;
        }
        zf.CopyTo(z, 0);
    }

    /// <summary>Cascade of DF-II-transposed biquads in place over <paramref name="x"/>; <paramref name="z"/> is sections × 2.</summary>
    private static void RunSos(double[] sos, double[] x, double[] z)
    {
        int sections = sos.Length / 6;
        for (int t = 0; t < x.Length; t++)
        {
            double v = x[t];
            for (int s = 0; s < sections; s++)
            {
                int o = s * 6;
                double y = sos[o] * v + z[2 * s];
                z[2 * s] = sos[o + 1] * v - sos[o + 4] * y + z[2 * s + 1];
                z[2 * s + 1] = sos[o + 2] * v - sos[o + 5] * y;
                v = y;
            }
            x[t] = v;
        }
    }

    /// <summary>Gaussian elimination with partial pivoting (the systems here are at most a few hundred wide).</summary>
    private static double[] Solve(double[,] m, double[] rhs)
    {
        int n = rhs.Length;
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
            if (m[pivot, col] == 0) throw new ArgumentException("lfilter_zi: I − A is singular (the filter has a pole at z = 1)");
            if (pivot != col)
            {
                for (int c = 0; c < n; c++) (m[col, c], m[pivot, c]) = (m[pivot, c], m[col, c]);
                (rhs[col], rhs[pivot]) = (rhs[pivot], rhs[col]);
            }
            for (int r = col + 1; r < n; r++)
            {
                double f = m[r, col] / m[col, col];
                if (f == 0) continue;
                for (int c = col; c < n; c++) m[r, c] -= f * m[col, c];
                rhs[r] -= f * rhs[col];
            }
        }
        var x = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double s = rhs[r];
            for (int c = r + 1; c < n; c++) s -= m[r, c] * x[c];
            x[r] = s / m[r, r];
        }
        return x;
    }
}
