using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Signals.Filtering;
using EcgExperiments.Signals.Spectral;

namespace EcgExperiments.Signals.Resampling;

/// <summary>
/// Anti-aliasing filter design of scipy.signal.resample_poly's default <c>window=('kaiser', 5.0)</c>:
/// a low-pass firwin of 2·half + 1 taps, half = <see cref="HalfLengthPerRate"/> · max(up, down),
/// cut-off 1/max(up, down) of Nyquist, scaled by up.
/// </summary>
/// <example><code>
/// var sharper = new ResamplePolyOptions { KaiserBeta = 8.6, HalfLengthPerRate = 20 };
/// </code></example>
public sealed record ResamplePolyOptions
{
    public double KaiserBeta { get; init; } = 5.0;
    public int HalfLengthPerRate { get; init; } = 10;

    public static ResamplePolyOptions Default { get; } = new();

    public void Validate()
    {
        if (!(KaiserBeta >= 0)) throw new ArgumentException($"resample: kaiser β must be ≥ 0, got {KaiserBeta}", "beta");
        if (HalfLengthPerRate < 1) throw new ArgumentException($"resample: half length per rate must be ≥ 1, got {HalfLengthPerRate}", "half_length");
    }
}

/// <summary>
/// A prepared polyphase resampler for one ratio up/down (reduced by their gcd): the filter is
/// designed once and split into its up phases. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Output sample k is Σₙ x[n]·h[k·down − n·up + half] with x zero outside the signal — exactly what
/// scipy's upfirdn-based resample_poly computes with padtype 'constant' — but only the taps
/// that meet non-zero samples are visited.
/// </remarks>
/// <example><code>
/// var r = PolyphaseResampler.Create(up: 250, down: 360);   // reduces to 25/36
/// float[] y = r.Apply(x);                                 // ⌈len·25/36⌉ samples
/// </code></example>
public sealed class PolyphaseResampler
{
    private readonly double[][] _phases; // phase p: h[p], h[p+up], h[p+2up], … reversed
    private readonly int _half;

    private PolyphaseResampler(int up, int down, double[] filter, double[][] phases, int half)
    {
        Up = up;
        Down = down;
        Filter = filter;
        _phases = phases;
        _half = half;
    }

    public static PolyphaseResampler Create(int up, int down, ResamplePolyOptions? options = null)
    {
        options ??= ResamplePolyOptions.Default;
        options.Validate();
        if (up < 1 || down < 1) throw new ArgumentException($"resample: up and down must be ≥ 1, got {up}/{down}", up < 1 ? "up" : "down");
        int g = Gcd(up, down);
        up /= g;
        down /= g;
        if (up == 1 && down == 1) return new PolyphaseResampler(1, 1, [1.0], [[1.0]], 0);
        int maxRate = Math.Max(up, down);
        int half = options.HalfLengthPerRate * maxRate;
        double[] h = FirDesign.Firwin(new FirwinOptions
        {
            Taps = 2 * half + 1,
            CutoffsHz = [1.0 / maxRate],
            PassZero = true,
            SamplingRate = 2.0,
            Window = WindowSpec.Kaiser(options.KaiserBeta),
        });
        for (int i = 0; i < h.Length; i++) h[i] *= up;
        var phases = new double[up][];
        for (int p = 0; p < up; p++)
        {
            int count = (h.Length - p + up - 1) / up;
            var taps = new double[count];
            for (int i = 0; i < count; i++) taps[count - 1 - i] = h[p + i * up];
            phases[p] = taps;
        }
        return new PolyphaseResampler(up, down, h, phases, half);
    }

    /// <summary>Up-sampling factor after reduction by the gcd.</summary>
    public int Up { get; }

    /// <summary>Down-sampling factor after reduction by the gcd.</summary>
    public int Down { get; }

    /// <summary>The anti-aliasing filter (already multiplied by <see cref="Up"/>).</summary>
    public double[] Filter { get; }

    /// <summary>⌈inputLength · up / down⌉, resample_poly's output length.</summary>
    public int OutputLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        long n = (long)inputLength * Up;
        return checked((int)((n + Down - 1) / Down));
    }

    public float[] Apply(ReadOnlySpan<float> x)
    {
        var y = new float[OutputLength(x.Length)];
        Apply(x, y);
        return y;
    }

    public void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        int nOut = OutputLength(x.Length);
        if (y.Length != nOut) throw new ArgumentException($"resample: {x.Length} samples at {Up}/{Down} give {nOut}, output has {y.Length}", nameof(y));
        if (Up == 1 && Down == 1)
        {
            x.CopyTo(y);
            return;
        }
        int n = x.Length;
        for (int k = 0; k < nOut; k++)
        {
            long t = (long)k * Down + _half;          // filter index that meets x[0]
            long nHi = Math.Min(n - 1, t / Up);       // last input the filter reaches
            int offset = (int)(t - nHi * Up);         // filter index that meets x[nHi]
            int phase = offset % Up, skip = offset / Up;
            var taps = _phases[phase];
            // taps[m] (reversed) meets x[nHi − (L − 1 − skip) + m] for m ≤ L − 1 − skip
            int last = taps.Length - 1 - skip;
            if (last < 0) { y[k] = 0; continue; }
            long baseIndex = nHi - last;
            int mStart = baseIndex < 0 ? (int)-baseIndex : 0;
            double sum = 0;
            for (int m = mStart; m <= last; m++) sum += taps[m] * x[(int)(baseIndex + m)];
            y[k] = (float)sum;
        }
    }

    internal static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}

/// <summary>
/// Resampling facade: scipy.signal.resample_poly for integer ratios and rate-to-rate conversion of
/// whole signals (the new rate travels with the result).
/// </summary>
/// <example><code>
/// EcgSignal at250 = Resample.ToRate(mitBihRecord, 250);   // 360 → 250 Hz, ratio 25/36
/// float[] y = Resample.Poly(x, up: 2, down: 5);
/// </code></example>
public static class Resample
{
    /// <summary>
    /// Length of resample_poly's output, ⌈n·up/down⌉ after reducing up/down, without designing
    /// the filter (for shape checks before any data is read).
    /// </summary>
    public static int OutputLength(int inputLength, int up, int down)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        if (up < 1 || down < 1) throw new ArgumentException($"resample: up and down must be ≥ 1, got {up}/{down}", up < 1 ? "up" : "down");
        int g = PolyphaseResampler.Gcd(up, down);
        long n = (long)inputLength * (up / g);
        return checked((int)((n + down / g - 1) / (down / g)));
    }

    /// <summary>Output length when resampling <paramref name="inputLength"/> samples from <paramref name="fromHz"/> to <paramref name="toHz"/>.</summary>
    public static int OutputLength(int inputLength, double fromHz, double toHz)
    {
        var (up, down) = RatioForRates(fromHz, toHz);
        return OutputLength(inputLength, up, down);
    }

    /// <summary>scipy.signal.resample_poly(x, up, down) with its default Kaiser(5.0) design.</summary>
    public static float[] Poly(ReadOnlySpan<float> x, int up, int down, ResamplePolyOptions? options = null)
        => PolyphaseResampler.Create(up, down, options).Apply(x);

    /// <summary>
    /// The reduced ratio (up, down) taking <paramref name="fromHz"/> to <paramref name="toHz"/>,
    /// e.g. 360 → 250 gives (25, 36). Rates must be whole numbers of Hz or have at most three
    /// decimals (128.5 Hz works); anything else has no exact small ratio.
    /// </summary>
    public static (int Up, int Down) RatioForRates(double fromHz, double toHz)
    {
        if (!(fromHz > 0) || !double.IsFinite(fromHz) || !(toHz > 0) || !double.IsFinite(toHz))
            throw new ArgumentException($"resample: rates must be positive numbers, got {fromHz} → {toHz} Hz");
        for (long scale = 1; scale <= 1000; scale *= 10)
        {
            double f = fromHz * scale, t = toHz * scale;
            if (Math.Abs(f - Math.Round(f)) < 1e-9 * f && Math.Abs(t - Math.Round(t)) < 1e-9 * t && f < int.MaxValue && t < int.MaxValue)
            {
                int from = (int)Math.Round(f), to = (int)Math.Round(t);
                int g = PolyphaseResampler.Gcd(from, to);
                return (to / g, from / g);
            }
        }
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"resample: {fromHz} → {toHz} Hz is not a ratio of whole numbers (rates need at most three decimals); use Resample.Poly with explicit up/down"));
    }

    /// <summary>Every lead resampled to <paramref name="targetRate"/>; the result carries that rate.</summary>
    public static EcgSignal ToRate(EcgSignal signal, double targetRate, ResamplePolyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(signal);
        (int up, int down) ratio;
        try { ratio = RatioForRates(signal.SamplingRate, targetRate); }
        catch (ArgumentException e) { throw new EcgDataException(e.Message, record: signal.RecordId, inner: e); }
        var resampler = PolyphaseResampler.Create(ratio.up, ratio.down, options);
        var leads = new float[signal.LeadCount][];
        for (int l = 0; l < leads.Length; l++) leads[l] = resampler.Apply(signal.Leads[l]);
        return signal.With(leads, targetRate);
    }
}

/// <summary>Linear interpolation onto a fixed number of points (SPEC §2.3).</summary>
/// <example><code>
/// float[] y = Interpolate.LinearToLength(lead, 1000);   // np.interp(np.linspace(0, n−1, 1000), np.arange(n), lead)
/// </code></example>
public static class Interpolate
{
    /// <summary>
    /// numpy: <c>np.interp(np.linspace(0, n − 1, length), np.arange(n), x)</c> — the output spans
    /// the same interval as the input, first and last samples kept.
    /// </summary>
    public static float[] LinearToLength(ReadOnlySpan<float> x, int length)
    {
        var y = new float[length];
        LinearToLength(x, y);
        return y;
    }

    /// <inheritdoc cref="LinearToLength(ReadOnlySpan{float}, int)"/>
    public static void LinearToLength(ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.IsEmpty) throw new ArgumentException("interp: the input has no samples", nameof(x));
        if (y.IsEmpty) throw new ArgumentException("interp: the output length must be ≥ 1", nameof(y));
        int n = x.Length, m = y.Length;
        if (m == 1 || n == 1)
        {
            y.Fill(x[0]);
            if (m > 1) y[^1] = x[^1];
            return;
        }
        double step = (double)(n - 1) / (m - 1); // numpy.linspace: i·step, the last point exactly n − 1
        for (int i = 0; i < m - 1; i++)
        {
            double position = i * step;
            int j = Math.Min((int)position, n - 2);
            double slope = (double)x[j + 1] - x[j];
            y[i] = (float)(slope * (position - j) + x[j]);
        }
        y[m - 1] = x[n - 1];
    }

    /// <summary>
    /// Every lead interpolated to <paramref name="length"/> points over the same time span; the
    /// new rate is fs·(length − 1)/(n − 1) (unchanged when the length is).
    /// </summary>
    public static EcgSignal LinearToLength(EcgSignal signal, int length)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if (signal.Length < 2) throw new EcgDataException($"interp: needs at least 2 samples to define a time span, got {signal.Length}", record: signal.RecordId);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        var leads = new float[signal.LeadCount][];
        for (int l = 0; l < leads.Length; l++) leads[l] = LinearToLength(signal.Leads[l], length);
        double rate = signal.SamplingRate * (length - 1) / (signal.Length - 1);
        return signal.With(leads, rate);
    }
}
