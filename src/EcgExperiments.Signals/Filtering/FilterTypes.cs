using System.Numerics;

namespace EcgExperiments.Signals.Filtering;

/// <summary>Which frequencies a filter passes.</summary>
public enum FilterBand
{
    LowPass,
    HighPass,
    BandPass,
    BandStop,
}

/// <summary>A digital filter as numerator <see cref="B"/> and denominator <see cref="A"/> polynomials in z⁻¹ (scipy's (b, a)).</summary>
/// <example><code>
/// var fir = new TransferFunction(FirDesign.Firwin(31, [40], passZero: true, samplingRate: 360), [1.0]);
/// float[] y = Filter.LFilter(fir, x);
/// </code></example>
public sealed record TransferFunction(double[] B, double[] A)
{
    /// <summary>A finite impulse response filter: A = [1].</summary>
    public static TransferFunction Fir(double[] taps) => new(taps, [1.0]);

    /// <summary>max(len(a), len(b)): the "ntaps" scipy's filtfilt pads with.</summary>
    public int Order => Math.Max(A.Length, B.Length);

    public bool IsFir
    {
        get
        {
            for (int i = 1; i < A.Length; i++) if (A[i] != 0) return false;
            return true;
        }
    }

    internal void Validate(string operation)
    {
        if (B is null || A is null || B.Length == 0 || A.Length == 0)
            throw new ArgumentException($"{operation}: b and a need at least one coefficient each");
        if (A[0] == 0) throw new ArgumentException($"{operation}: a[0] must not be 0");
        foreach (var v in B) if (!double.IsFinite(v)) throw new ArgumentException($"{operation}: b has a non-finite coefficient");
        foreach (var v in A) if (!double.IsFinite(v)) throw new ArgumentException($"{operation}: a has a non-finite coefficient");
    }
}

/// <summary>
/// Cascaded second-order sections, scipy's sos array: row s is [b0, b1, b2, a0, a1, a2] with a0 = 1.
/// More robust than (b, a) for high orders and narrow bands.
/// </summary>
/// <example><code>
/// var sos = IirDesign.ButterSos(new ButterworthOptions { Order = 4, CutoffsHz = [0.5, 40], Band = FilterBand.BandPass, SamplingRate = 360 });
/// float[] y = Filter.SosFiltFilt(sos, x);
/// </code></example>
public sealed record SecondOrderSections(double[] Coefficients)
{
    public int Count => Coefficients.Length / 6;

    /// <summary>Row <paramref name="section"/>: b0 b1 b2 a0 a1 a2.</summary>
    public ReadOnlySpan<double> Section(int section) => Coefficients.AsSpan(section * 6, 6);

    internal void Validate(string operation)
    {
        if (Coefficients is null || Coefficients.Length == 0 || Coefficients.Length % 6 != 0)
            throw new ArgumentException($"{operation}: sos needs n × 6 coefficients, got {Coefficients?.Length ?? 0}");
        for (int s = 0; s < Count; s++)
            if (Coefficients[s * 6 + 3] != 1.0)
                throw new ArgumentException($"{operation}: sos[{s}, 3] (a0) must be 1, got {Coefficients[s * 6 + 3]}");
    }
}

/// <summary>Zeros, poles and gain of a digital filter (scipy's zpk form).</summary>
/// <example><code>
/// ZeroPoleGain zpk = IirDesign.ButterZpk(options);
/// bool stable = zpk.Poles.All(p =&gt; p.Magnitude &lt; 1);
/// </code></example>
public sealed record ZeroPoleGain(Complex[] Zeros, Complex[] Poles, double Gain);
