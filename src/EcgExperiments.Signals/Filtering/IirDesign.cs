using System.Numerics;

namespace EcgExperiments.Signals.Filtering;

/// <summary>Options of scipy.signal.butter for a digital filter; cut-offs in the units of <see cref="SamplingRate"/>.</summary>
/// <example><code>
/// var o = new ButterworthOptions { Order = 4, CutoffsHz = [0.5, 40], Band = FilterBand.BandPass, SamplingRate = 360 };
/// </code></example>
public sealed record ButterworthOptions
{
    /// <summary>Order N of the analogue prototype (band filters have 2N poles).</summary>
    public required int Order { get; init; }

    /// <summary>One cut-off for low/high-pass, two (low, high) for band-pass/stop; each in (0, fs/2).</summary>
    public required double[] CutoffsHz { get; init; }

    public FilterBand Band { get; init; } = FilterBand.LowPass;
    public double SamplingRate { get; init; } = 2.0;

    public void Validate()
    {
        if (Order < 1) throw new ArgumentException($"butter: order must be ≥ 1, got {Order}", "order");
        if (!(SamplingRate > 0) || !double.IsFinite(SamplingRate)) throw new ArgumentException($"butter: fs must be a positive number, got {SamplingRate}", "fs");
        int expected = Band is FilterBand.BandPass or FilterBand.BandStop ? 2 : 1;
        if (CutoffsHz is null || CutoffsHz.Length != expected)
            throw new ArgumentException($"butter: a {Band} filter needs {expected} cutoff frequenc{(expected == 1 ? "y" : "ies")}, got {CutoffsHz?.Length ?? 0}", "wn");
        double nyquist = SamplingRate / 2;
        foreach (double c in CutoffsHz)
            if (!(c > 0 && c < nyquist))
                throw new ArgumentException($"butter: digital filter critical frequencies must satisfy 0 < Wn < fs/2 = {nyquist}, got {c}", "wn");
        if (expected == 2 && !(CutoffsHz[1] > CutoffsHz[0]))
            throw new ArgumentException($"butter: band edges must increase, got {CutoffsHz[0]}, {CutoffsHz[1]}", "wn");
    }
}

/// <summary>
/// IIR design matching scipy.signal.butter: analogue Butterworth prototype, frequency pre-warping,
/// low/high/band transformation, bilinear transform; output as zeros-poles-gain, (b, a) or
/// second-order sections paired like scipy.signal.zpk2sos (pairing 'nearest').
/// </summary>
/// <example><code>
/// var o = new ButterworthOptions { Order = 3, CutoffsHz = [0.5], Band = FilterBand.HighPass, SamplingRate = 360 };
/// TransferFunction ba = IirDesign.Butter(o);
/// SecondOrderSections sos = IirDesign.ButterSos(o);
/// </code></example>
public static class IirDesign
{
    public static ZeroPoleGain ButterZpk(ButterworthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = options.Order;
        // buttap: poles −exp(iπm/2N), m = −N+1, −N+3, …, N−1; no zeros; gain 1
        var poles = new Complex[n];
        for (int i = 0; i < n; i++)
        {
            int m = -n + 1 + 2 * i;
            poles[i] = -Complex.FromPolarCoordinates(1, Math.PI * m / (2.0 * n));
        }
        Complex[] zeros = [];
        double gain = 1;
        // Pre-warp for the bilinear transform at the normalised rate fs = 2.
        const double fs = 2.0;
        double[] wn = options.CutoffsHz.Select(c => 2 * c / options.SamplingRate).ToArray();
        double[] warped = wn.Select(w => 2 * fs * Math.Tan(Math.PI * w / fs)).ToArray();
        switch (options.Band)
        {
            case FilterBand.LowPass:
                (zeros, poles, gain) = LowPassToLowPass(zeros, poles, gain, warped[0]);
                break;
            case FilterBand.HighPass:
                (zeros, poles, gain) = LowPassToHighPass(zeros, poles, gain, warped[0]);
                break;
            case FilterBand.BandPass:
            case FilterBand.BandStop:
                double bw = warped[1] - warped[0], wo = Math.Sqrt(warped[0] * warped[1]);
                (zeros, poles, gain) = options.Band == FilterBand.BandPass
                    ? LowPassToBandPass(zeros, poles, gain, wo, bw)
                    : LowPassToBandStop(zeros, poles, gain, wo, bw);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Band, "unknown band");
        }
        return Bilinear(zeros, poles, gain, fs);
    }

    public static TransferFunction Butter(ButterworthOptions options) => ZpkToTf(ButterZpk(options));

    public static SecondOrderSections ButterSos(ButterworthOptions options) => ZpkToSos(ButterZpk(options));

    // ---- analogue transformations (scipy lp2lp_zpk, lp2hp_zpk, lp2bp_zpk, lp2bs_zpk) ----

    private static (Complex[], Complex[], double) LowPassToLowPass(Complex[] z, Complex[] p, double k, double wo)
    {
        int degree = p.Length - z.Length;
        return (z.Select(v => v * wo).ToArray(), p.Select(v => v * wo).ToArray(), k * Math.Pow(wo, degree));
    }

    private static (Complex[], Complex[], double) LowPassToHighPass(Complex[] z, Complex[] p, double k, double wo)
    {
        int degree = p.Length - z.Length;
        var zh = z.Select(v => wo / v).Concat(Enumerable.Repeat(Complex.Zero, degree)).ToArray();
        var ph = p.Select(v => wo / v).ToArray();
        double gain = k * (Product(z.Select(v => -v)) / Product(p.Select(v => -v))).Real;
        return (zh, ph, gain);
    }

    private static (Complex[], Complex[], double) LowPassToBandPass(Complex[] z, Complex[] p, double k, double wo, double bw)
    {
        int degree = p.Length - z.Length;
        Complex[] Split(Complex[] roots)
        {
            var scaled = roots.Select(v => v * (bw / 2)).ToArray();
            var root = scaled.Select(v => Complex.Sqrt(v * v - wo * wo)).ToArray();
            return scaled.Select((v, i) => v + root[i]).Concat(scaled.Select((v, i) => v - root[i])).ToArray();
        }
        var zb = Split(z).Concat(Enumerable.Repeat(Complex.Zero, degree)).ToArray();
        return (zb, Split(p), k * Math.Pow(bw, degree));
    }

    private static (Complex[], Complex[], double) LowPassToBandStop(Complex[] z, Complex[] p, double k, double wo, double bw)
    {
        int degree = p.Length - z.Length;
        Complex[] Split(Complex[] roots)
        {
            var scaled = roots.Select(v => (bw / 2) / v).ToArray();
            var root = scaled.Select(v => Complex.Sqrt(v * v - wo * wo)).ToArray();
            return scaled.Select((v, i) => v + root[i]).Concat(scaled.Select((v, i) => v - root[i])).ToArray();
        }
        var extra = Enumerable.Repeat(new Complex(0, wo), degree).Concat(Enumerable.Repeat(new Complex(0, -wo), degree));
        var zb = Split(z).Concat(extra).ToArray();
        double gain = k * (Product(z.Select(v => -v)) / Product(p.Select(v => -v))).Real;
        return (zb, Split(p), gain);
    }

    /// <summary>scipy.signal.bilinear_zpk: s = 2fs(z − 1)/(z + 1); zeros at infinity move to z = −1.</summary>
    private static ZeroPoleGain Bilinear(Complex[] z, Complex[] p, double k, double fs)
    {
        int degree = p.Length - z.Length;
        double fs2 = 2 * fs;
        var zz = z.Select(v => (fs2 + v) / (fs2 - v)).Concat(Enumerable.Repeat(new Complex(-1, 0), degree)).ToArray();
        var pz = p.Select(v => (fs2 + v) / (fs2 - v)).ToArray();
        double gain = k * (Product(z.Select(v => fs2 - v)) / Product(p.Select(v => fs2 - v))).Real;
        return new ZeroPoleGain(zz, pz, gain);
    }

    private static Complex Product(IEnumerable<Complex> values)
    {
        Complex result = Complex.One;
        foreach (var v in values) result *= v;
        return result;
    }

    // ---- conversions ----

    /// <summary>scipy.signal.zpk2tf: b = k·poly(zeros), a = poly(poles), real parts (roots come in conjugate pairs).</summary>
    public static TransferFunction ZpkToTf(ZeroPoleGain zpk)
    {
        ArgumentNullException.ThrowIfNull(zpk);
        var b = Poly(zpk.Zeros);
        var a = Poly(zpk.Poles);
        return new TransferFunction(b.Select(v => zpk.Gain * v.Real).ToArray(), a.Select(v => v.Real).ToArray());
    }

    /// <summary>numpy.poly: coefficients of Π(x − rᵢ), highest power first, by successive convolution.</summary>
    private static Complex[] Poly(IReadOnlyList<Complex> roots)
    {
        var c = new Complex[roots.Count + 1];
        c[0] = Complex.One;
        for (int i = 0; i < roots.Count; i++)
        {
            for (int j = i + 1; j >= 1; j--) c[j] -= c[j - 1] * roots[i];
        }
        return c;
    }

    /// <summary>
    /// scipy.signal.zpk2sos with pairing 'nearest' for digital filters: poles closest to the unit
    /// circle go to the last sections, each paired with its nearest zeros; the gain goes into the
    /// first section.
    /// </summary>
    public static SecondOrderSections ZpkToSos(ZeroPoleGain zpk)
    {
        ArgumentNullException.ThrowIfNull(zpk);
        var z = zpk.Zeros.ToList();
        var p = zpk.Poles.ToList();
        if (z.Count == 0 && p.Count == 0) return new SecondOrderSections([zpk.Gain, 0, 0, 1, 0, 0]);
        // Same number of poles and zeros; an odd count gets one more of each at the origin.
        while (p.Count < z.Count) p.Add(Complex.Zero);
        while (z.Count < p.Count) z.Add(Complex.Zero);
        int sections = (p.Count + 1) / 2;
        if (p.Count % 2 == 1)
        {
            p.Add(Complex.Zero);
            z.Add(Complex.Zero);
        }
        z = ConjugatePairsFirst(z);
        p = ConjugatePairsFirst(p);

        var sos = new double[sections * 6];
        for (int si = sections - 1; si >= 0; si--)
        {
            int p1Index = WorstPole(p, Enumerable.Range(0, p.Count));
            Complex p1 = p[p1Index];
            p.RemoveAt(p1Index);
            double[] section;
            if (IsReal(p1) && p.Count(IsReal) == 0)
            {
                // last real pole: a first-order section padded with a pole and zero at the origin
                Complex z1 = Take(z, Nearest(z, p1, Kind.Real));
                section = Section([z1, Complex.Zero], [p1, Complex.Zero]);
            }
            else if (p.Count + 1 == z.Count && !IsReal(p1) && p.Count(IsReal) == 1 && z.Count(IsReal) == 1)
            {
                // one real pole and one real zero must stay together: pair p1 with a complex zero
                Complex z1 = Take(z, Nearest(z, p1, Kind.Complex));
                section = Section([z1, Complex.Conjugate(z1)], [p1, Complex.Conjugate(p1)]);
            }
            else
            {
                Complex p2;
                if (IsReal(p1))
                {
                    var reals = Enumerable.Range(0, p.Count).Where(i => IsReal(p[i]));
                    p2 = Take(p, WorstPole(p, reals));
                }
                else p2 = Complex.Conjugate(p1);
                if (z.Count > 0)
                {
                    Complex z1 = Take(z, Nearest(z, p1, Kind.Any));
                    if (!IsReal(z1)) section = Section([z1, Complex.Conjugate(z1)], [p1, p2]);
                    else if (z.Count > 0) section = Section([z1, Take(z, Nearest(z, p1, Kind.Real))], [p1, p2]);
                    else section = Section([z1], [p1, p2]);
                }
                else section = Section([], [p1, p2]);
            }
            section.CopyTo(sos, si * 6);
        }
        for (int i = 0; i < 3; i++) sos[i] *= zpk.Gain;
        return new SecondOrderSections(sos);
    }

    private enum Kind { Any, Real, Complex }

    private static bool IsReal(Complex c) => c.Imaginary == 0;

    private static Complex Take(List<Complex> list, int index)
    {
        var v = list[index];
        list.RemoveAt(index);
        return v;
    }

    // the pole closest to the unit circle (first on ties, like numpy.argmin)
    private static int WorstPole(List<Complex> p, IEnumerable<int> candidates)
    {
        int best = -1;
        double bestDistance = double.PositiveInfinity;
        foreach (int i in candidates)
        {
            double d = Math.Abs(1 - p[i].Magnitude);
            if (d < bestDistance) { bestDistance = d; best = i; }
        }
        return best;
    }

    // nearest element of the requested kind (stable order on ties)
    private static int Nearest(List<Complex> from, Complex to, Kind kind)
    {
        int best = -1;
        double bestDistance = double.PositiveInfinity;
        for (int i = 0; i < from.Count; i++)
        {
            bool real = IsReal(from[i]);
            if (kind == Kind.Real && !real || kind == Kind.Complex && real) continue;
            double d = (from[i] - to).Magnitude;
            if (d < bestDistance) { bestDistance = d; best = i; }
        }
        if (best < 0) throw new InvalidOperationException($"zpk2sos: no {kind.ToString().ToLowerInvariant()} root left to pair with {to}");
        return best;
    }

    // One section from up to two zeros and poles, right-aligned like scipy's _single_zpksos.
    private static double[] Section(Complex[] zeros, Complex[] poles)
    {
        var row = new double[6];
        var b = Poly(zeros);
        var a = Poly(poles);
        for (int i = 0; i < b.Length; i++) row[3 - b.Length + i] = b[i].Real;
        for (int i = 0; i < a.Length; i++) row[6 - a.Length + i] = a[i].Real;
        return row;
    }

    /// <summary>
    /// scipy's _cplxreal followed by concatenation: one member (positive imaginary part, averaged
    /// with its conjugate) of every complex pair, sorted by real part, then the real roots.
    /// </summary>
    private static List<Complex> ConjugatePairsFirst(List<Complex> roots)
    {
        const double tol = 100 * 2.220446049250313e-16;
        var sorted = roots.OrderBy(r => r.Real).ThenBy(r => Math.Abs(r.Imaginary)).ToList();
        var reals = sorted.Where(r => Math.Abs(r.Imaginary) <= tol * r.Magnitude).Select(r => new Complex(r.Real, 0)).ToList();
        var complex = sorted.Where(r => Math.Abs(r.Imaginary) > tol * r.Magnitude).ToList();
        var positive = complex.Where(r => r.Imaginary > 0).ToList();
        var negative = complex.Where(r => r.Imaginary < 0).ToList();
        if (positive.Count != negative.Count)
            throw new ArgumentException("zpk2sos: a complex root has no conjugate");
        // within runs of (nearly) equal real part, order by |imag| (OrderBy above already does for exact ties)
        var pairs = new List<Complex>();
        for (int i = 0; i < positive.Count; i++)
        {
            var zp = positive[i];
            var zn = negative[i];
            if ((zp - Complex.Conjugate(zn)).Magnitude > tol * zn.Magnitude)
                throw new ArgumentException("zpk2sos: a complex root has no conjugate");
            pairs.Add((zp + Complex.Conjugate(zn)) / 2);
        }
        return pairs.Concat(reals).ToList();
    }
}
