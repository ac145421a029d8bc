using EcgExperiments.Signals.Spectral;

namespace EcgExperiments.Signals.Filtering;

/// <summary>
/// Options of scipy.signal.firwin (window-method FIR design). Cut-offs are in the units of
/// <see cref="SamplingRate"/> (Hz with fs in Hz; the default fs = 2 makes them fractions of Nyquist).
/// </summary>
/// <example><code>
/// var bandPass = new FirwinOptions { Taps = 109, CutoffsHz = [3, 45], PassZero = false, SamplingRate = 360 };
/// double[] b = FirDesign.Firwin(bandPass);
/// </code></example>
public sealed record FirwinOptions
{
    /// <summary>Filter length (numtaps = order + 1).</summary>
    public required int Taps { get; init; }

    /// <summary>Band edges, strictly increasing, each in (0, fs/2).</summary>
    public required double[] CutoffsHz { get; init; }

    /// <summary>True: the first band (from 0 Hz) passes — low-pass / band-stop. False: high-pass / band-pass.</summary>
    public bool PassZero { get; init; } = true;

    public double SamplingRate { get; init; } = 2.0;
    public WindowSpec Window { get; init; } = WindowSpec.Hamming;

    /// <summary>Normalise to unit gain at the centre of the first pass band (0 Hz, Nyquist or the band middle).</summary>
    public bool Scale { get; init; } = true;

    public void Validate()
    {
        if (Taps < 1) throw new ArgumentException($"firwin: numtaps must be ≥ 1, got {Taps}", "numtaps");
        if (!(SamplingRate > 0) || !double.IsFinite(SamplingRate)) throw new ArgumentException($"firwin: fs must be a positive number, got {SamplingRate}", "fs");
        if (CutoffsHz is null || CutoffsHz.Length == 0) throw new ArgumentException("firwin: at least one cutoff frequency is needed", "cutoff");
        double nyquist = SamplingRate / 2;
        for (int i = 0; i < CutoffsHz.Length; i++)
        {
            if (!(CutoffsHz[i] > 0 && CutoffsHz[i] < nyquist))
                throw new ArgumentException($"firwin: cutoff {CutoffsHz[i]} must be inside (0, fs/2) = (0, {nyquist})", "cutoff");
            if (i > 0 && !(CutoffsHz[i] > CutoffsHz[i - 1]))
                throw new ArgumentException($"firwin: cutoffs must increase strictly, got {string.Join(", ", CutoffsHz)}", "cutoff");
        }
        bool passNyquist = (CutoffsHz.Length % 2 == 1) ^ PassZero;
        if (passNyquist && Taps % 2 == 0)
            throw new ArgumentException($"firwin: a filter that passes Nyquist needs an odd number of taps, got {Taps}", "numtaps");
    }
}

/// <summary>FIR filter design by the window method, numerically matching scipy.signal.firwin.</summary>
/// <example><code>
/// double[] lowPass = FirDesign.Firwin(31, [40], passZero: true, samplingRate: 360);
/// </code></example>
public static class FirDesign
{
    public static double[] Firwin(int taps, double[] cutoffsHz, bool passZero = true, double samplingRate = 2.0, WindowSpec? window = null)
        => Firwin(new FirwinOptions { Taps = taps, CutoffsHz = cutoffsHz, PassZero = passZero, SamplingRate = samplingRate, Window = window ?? WindowSpec.Hamming });

    /// <summary>
    /// Sum of ideal (sinc) band responses over the bands, times the symmetric window, optionally
    /// scaled to unit gain at the first pass band's reference frequency — scipy's algorithm.
    /// </summary>
    public static double[] Firwin(FirwinOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        double nyquist = options.SamplingRate / 2;
        bool passNyquist = (options.CutoffsHz.Length % 2 == 1) ^ options.PassZero;
        var edges = new List<double>();
        if (options.PassZero) edges.Add(0);
        edges.AddRange(options.CutoffsHz.Select(c => c / nyquist));
        if (passNyquist) edges.Add(1);

        int n = options.Taps;
        double alpha = 0.5 * (n - 1);
        var h = new double[n];
        for (int band = 0; band < edges.Count; band += 2)
        {
            double left = edges[band], right = edges[band + 1];
            for (int i = 0; i < n; i++)
            {
                double m = i - alpha;
                h[i] += right * Sinc(right * m) - left * Sinc(left * m);
            }
        }
        double[] w = options.Window.Create(n, periodic: false);
        for (int i = 0; i < n; i++) h[i] *= w[i];
        if (options.Scale)
        {
            double first = edges[0], second = edges[1];
            double f = first == 0 ? 0 : second == 1 ? 1 : 0.5 * (first + second);
            double s = 0;
            for (int i = 0; i < n; i++) s += h[i] * Math.Cos(Math.PI * (i - alpha) * f);
            for (int i = 0; i < n; i++) h[i] /= s;
        }
        return h;
    }

    /// <summary>numpy.sinc: sin(πx)/(πx), 1 at 0.</summary>
    internal static double Sinc(double x)
    {
        if (x == 0) return 1;
        double y = Math.PI * x;
        return Math.Sin(y) / y;
    }
}
