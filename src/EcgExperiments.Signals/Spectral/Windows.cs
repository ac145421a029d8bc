namespace EcgExperiments.Signals.Spectral;

/// <summary>Window families known to the STFT and FIR designers (scipy.signal.get_window names).</summary>
public enum WindowKind
{
    /// <summary>scipy 'hann' (raised cosine, zero at both ends of the symmetric form).</summary>
    Hann,
    /// <summary>scipy 'hamming' (0.54 − 0.46 cos).</summary>
    Hamming,
    /// <summary>scipy 'boxcar': all ones.</summary>
    Rectangular,
    /// <summary>scipy ('kaiser', β); β is carried by <see cref="WindowSpec.Beta"/>.</summary>
    Kaiser,
}

/// <summary>A window family plus its parameter (β for Kaiser), like scipy's window argument.</summary>
/// <example><code>
/// double[] w = WindowSpec.Kaiser(5.0).Create(101, periodic: false);
/// </code></example>
public readonly record struct WindowSpec(WindowKind Kind, double Beta = 0)
{
    public static WindowSpec Hann => new(WindowKind.Hann);
    public static WindowSpec Hamming => new(WindowKind.Hamming);
    public static WindowSpec Rectangular => new(WindowKind.Rectangular);
    public static WindowSpec Kaiser(double beta) => new(WindowKind.Kaiser, beta);

    /// <summary>
    /// The window of <paramref name="length"/> samples. <paramref name="periodic"/> = true is
    /// scipy's <c>fftbins=True</c> (spectral analysis: the symmetric window of length + 1 without
    /// its last sample); false is the symmetric form filter design uses.
    /// </summary>
    public double[] Create(int length, bool periodic) => Windows.Create(this, length, periodic);

    public override string ToString() => Kind == WindowKind.Kaiser ? $"kaiser(β={Beta})" : Kind.ToString().ToLowerInvariant();
}

/// <summary>Window functions with scipy.signal.get_window semantics, in double precision.</summary>
/// <example><code>
/// double[] hann = Windows.Create(WindowSpec.Hann, 64, periodic: true);     // get_window('hann', 64)
/// double[] framed = Windows.PadCenter(hann, 428);                            // librosa.util.pad_center
/// </code></example>
public static class Windows
{
    public static double[] Create(WindowSpec spec, int length, bool periodic)
    {
        if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length), length, "window length must be positive");
        if (spec.Kind == WindowKind.Kaiser && !(spec.Beta >= 0))
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Beta, "kaiser window needs β ≥ 0");
        if (length == 1) return [1.0];
        // The periodic window is the symmetric one of length + 1, truncated (scipy's _extend/_truncate).
        int m = periodic ? length + 1 : length;
        var w = new double[length];
        double denominator = m - 1;
        switch (spec.Kind)
        {
            case WindowKind.Hann:
                for (int n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / denominator);
                break;
            case WindowKind.Hamming:
                for (int n = 0; n < length; n++) w[n] = 0.54 - 0.46 * Math.Cos(2 * Math.PI * n / denominator);
                break;
            case WindowKind.Rectangular:
                Array.Fill(w, 1.0);
                break;
            case WindowKind.Kaiser:
                double alpha = denominator / 2, i0Beta = BesselI0(spec.Beta);
                for (int n = 0; n < length; n++)
                {
                    double r = (n - alpha) / alpha;
                    w[n] = BesselI0(spec.Beta * Math.Sqrt(Math.Max(0, 1 - r * r))) / i0Beta;
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown window kind");
        }
        return w;
    }

    /// <summary>
    /// librosa.util.pad_center: centre <paramref name="window"/> in <paramref name="size"/> samples with
    /// zeros; when the padding is odd the extra zero goes on the right.
    /// </summary>
    public static double[] PadCenter(ReadOnlySpan<double> window, int size)
    {
        if (size < window.Length)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"pad_center: target length {size} is shorter than the window ({window.Length})");
        var padded = new double[size];
        window.CopyTo(padded.AsSpan((size - window.Length) / 2));
        return padded;
    }

    /// <summary>Modified Bessel function of the first kind, order 0 (power series; exact to double precision for β ≲ 50).</summary>
    internal static double BesselI0(double x)
    {
        double half = x / 2, term = 1, sum = 1;
        for (int k = 1; k < 500; k++)
        {
            term *= half / k;
            double t2 = term * term;
            sum += t2;
            if (t2 < sum * 1e-17) break;
        }
        return sum;
    }
}
