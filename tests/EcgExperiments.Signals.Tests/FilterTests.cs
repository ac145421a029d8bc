using EcgExperiments.Signals.Filtering;
using EcgExperiments.Signals.Spectral;

namespace EcgExperiments.Signals.Tests;

public class FilterDesignGoldenTests
{
    private const string Case = "filters";

    [Theory]
    [InlineData("firwin_bp109", 109, new[] { 3.0, 45.0 }, false, 360.0, "hamming")]
    [InlineData("firwin_bp108", 108, new[] { 3.0, 45.0 }, false, 360.0, "hamming")]
    [InlineData("firwin_lp31", 31, new[] { 40.0 }, true, 360.0, "hamming")]
    [InlineData("firwin_hp51_hann", 51, new[] { 0.5 }, false, 360.0, "hann")]
    [InlineData("firwin_lp21_kaiser", 21, new[] { 0.25 }, true, 2.0, "kaiser")]
    [InlineData("firwin_bs41", 41, new[] { 55.0, 65.0 }, true, 360.0, "hamming")]
    public void FirwinMatchesScipy(string name, int taps, double[] cutoffs, bool passZero, double fs, string window)
    {
        var spec = window switch { "hann" => WindowSpec.Hann, "kaiser" => WindowSpec.Kaiser(5.0), _ => WindowSpec.Hamming };
        var h = FirDesign.Firwin(taps, cutoffs, passZero, fs, spec);
        Assertions.AllClose(Golden.Doubles(Case, name), h, 1e-9, 1e-12, name);
    }

    [Fact]
    public void BeatGanPresetIsBiosppys109TapFilter()
    {
        var preset = FilterPresets.BeatGanBandPass(360);
        Assert.Equal(109, preset.B.Length);
        Assert.Equal([1.0], preset.A);
        Assertions.AllClose(Golden.Doubles(Case, "firwin_bp109"), preset.B, 1e-9, 1e-12, "preset taps");
        Assert.Equal(109, FilterPresets.BiosppyTaps(360));   // int(0.3·360) = 108, made odd
        Assert.Equal(151, FilterPresets.BiosppyTaps(500));   // 150 → 151
        Assert.Equal(75, FilterPresets.BiosppyTaps(250));    // 75 stays
    }

    [Fact]
    public void FirwinRejectsWhatScipyRejects()
    {
        var e = Assert.Throws<ArgumentException>(() => FirDesign.Firwin(50, [0.5], passZero: false, samplingRate: 360));
        Assert.Contains("odd number of taps", e.Message);
        e = Assert.Throws<ArgumentException>(() => FirDesign.Firwin(51, [3, 190], passZero: false, samplingRate: 360));
        Assert.Contains("(0, fs/2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => FirDesign.Firwin(51, [45, 3], passZero: false, samplingRate: 360));
        Assert.Contains("increase strictly", e.Message);
    }

    [Fact]
    public void WindowsMatchScipyGetWindow()
    {
        Assertions.AllClose(Golden.Doubles(Case, "window_hann64_periodic"), Windows.Create(WindowSpec.Hann, 64, periodic: true), 0, 1e-14, "hann 64 periodic");
        Assertions.AllClose(Golden.Doubles(Case, "window_hamming109_symmetric"), Windows.Create(WindowSpec.Hamming, 109, periodic: false), 0, 1e-14, "hamming 109");
        Assertions.AllClose(Golden.Doubles(Case, "window_kaiser5_101_symmetric"), Windows.Create(WindowSpec.Kaiser(5), 101, periodic: false), 1e-13, 1e-14, "kaiser(5) 101");
    }

    public static TheoryData<string, int, double[], FilterBand> Designs => new()
    {
        { "butter_lp4", 4, [40.0], FilterBand.LowPass },
        { "butter_hp3", 3, [0.5], FilterBand.HighPass },
        { "butter_bp2", 2, [0.5, 45.0], FilterBand.BandPass },
        { "butter_bp3", 3, [3.0, 45.0], FilterBand.BandPass },
        { "butter_lp5", 5, [25.0], FilterBand.LowPass },
    };

    internal static ButterworthOptions Options(int order, double[] wn, FilterBand band)
        => new() { Order = order, CutoffsHz = wn, Band = band, SamplingRate = 360 };

    [Theory]
    [MemberData(nameof(Designs))]
    public void ButterBaAndSosMatchScipy(string name, int order, double[] wn, FilterBand band)
    {
        var o = Options(order, wn, band);
        var ba = IirDesign.Butter(o);
        // b of a narrow high-pass is ~1e-3 with alternating signs: compare relative to the largest coefficient
        var b = Golden.Doubles(Case, name + "_b");
        var a = Golden.Doubles(Case, name + "_a");
        Assertions.AllClose(b, ba.B, 1e-9, 1e-12 * Assertions.MaxAbs(b), name + " b");
        Assertions.AllClose(a, ba.A, 1e-9, 1e-12 * Assertions.MaxAbs(a), name + " a");
        var sos = IirDesign.ButterSos(o);
        var expected = Golden.Doubles(Case, name + "_sos");
        Assert.Equal(expected.Length, sos.Coefficients.Length);
        Assertions.AllClose(expected, sos.Coefficients, 1e-9, 1e-12, name + " sos (pairing and order of sections)");
    }

    [Fact]
    public void ButterRejectsFrequenciesOutsideNyquist()
    {
        var e = Assert.Throws<ArgumentException>(() => IirDesign.Butter(Options(4, [190.0], FilterBand.LowPass)));
        Assert.Contains("0 < Wn < fs/2 = 180", e.Message);
        e = Assert.Throws<ArgumentException>(() => IirDesign.Butter(Options(4, [40.0], FilterBand.BandPass)));
        Assert.Contains("needs 2 cutoff frequencies", e.Message);
    }
}

public class FilteringGoldenTests
{
    private const string Case = "filters";
    private static readonly float[] X = Golden.Floats(Case, "x");

    // Outputs are stored as float32 and computed here in double from float inputs: 1e-5 relative to
    // the signal's scale covers the float32 storage of both input and expected output.
    private static double Atol(double[] expected) => 1e-5 * Math.Max(1, Assertions.MaxAbs(expected));

    [Fact]
    public void FirLFilterAndFiltFiltMatchScipy()
    {
        var fir = TransferFunction.Fir(Golden.Doubles(Case, "firwin_bp109"));
        var expected = Golden.Doubles(Case, "lfilter_fir");
        Assertions.AllClose(expected, Filter.LFilter(fir, X), 1e-5, Atol(expected), "lfilter FIR");
        expected = Golden.Doubles(Case, "filtfilt_fir");
        Assertions.AllClose(expected, Filter.FiltFilt(fir, X), 1e-5, Atol(expected), "filtfilt FIR (odd padding, 327 samples)");
    }

    [Theory]
    [MemberData(nameof(FilterDesignGoldenTests.Designs), MemberType = typeof(FilterDesignGoldenTests))]
    public void IirFilteringMatchesScipy(string name, int order, double[] wn, FilterBand band)
    {
        var o = FilterDesignGoldenTests.Options(order, wn, band);
        var ba = new TransferFunction(Golden.Doubles(Case, name + "_b"), Golden.Doubles(Case, name + "_a"));
        var sos = new SecondOrderSections(Golden.Doubles(Case, name + "_sos"));
        Assertions.AllClose(Golden.Doubles(Case, name + "_lfilter_zi"), Filter.LFilterZi(ba), 1e-7, 1e-9, name + " lfilter_zi");
        Assertions.AllClose(Golden.Doubles(Case, name + "_sosfilt_zi"), Filter.SosFiltZi(sos), 1e-9, 1e-12, name + " sosfilt_zi");
        foreach (var (what, actual) in new (string, float[])[]
                 {
                     ("_lfilter", Filter.LFilter(ba, X)),
                     ("_filtfilt", Filter.FiltFilt(ba, X)),
                     ("_sosfilt", Filter.SosFilt(IirDesign.ButterSos(o), X)),
                     ("_sosfiltfilt", Filter.SosFiltFilt(IirDesign.ButterSos(o), X)),
                 })
        {
            var expected = Golden.Doubles(Case, name + what);
            Assertions.AllClose(expected, actual, 1e-4, Atol(expected), name + what);
        }
    }

    [Fact]
    public void LFilterWithInitialStateReturnsScipysFinalState()
    {
        var ba = IirDesign.Butter(FilterDesignGoldenTests.Options(2, [0.5, 45.0], FilterBand.BandPass));
        var state = Filter.LFilterZi(ba).Select(v => v * X[0]).ToArray();
        var y = new float[X.Length];
        Filter.LFilter(ba, X, y, state);
        Assertions.AllClose(Golden.Doubles(Case, "lfilter_zi_y"), y, 1e-4, 1e-5, "lfilter(zi) y");
        Assertions.AllClose(Golden.Doubles(Case, "lfilter_zi_zf"), state, 1e-4, 1e-6, "lfilter(zi) zf");
    }

    [Fact]
    public void FirFastPathKeepsScipysStateSemantics()
    {
        // The SIMD FIR path must give the same outputs and final state as the DF-II-T recursion.
        var fir = TransferFunction.Fir(Golden.Doubles(Case, "firwin_lp31"));
        var viaIir = new TransferFunction(fir.B, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1e-300]); // not FIR: slow path
        var zi = Enumerable.Range(0, 30).Select(i => Math.Sin(i)).ToArray();
        var x = X.AsSpan(0, 20).ToArray(); // shorter than the filter: state must carry over
        var (s1, s2) = (zi.ToArray(), zi.ToArray());
        var (y1, y2) = (new float[20], new float[20]);
        Filter.LFilter(fir, x, y1, s1);
        Filter.LFilter(viaIir, x, y2, s2);
        Assertions.AllClose(y2.Select(v => (double)v).ToArray(), y1, 1e-6, 1e-6, "FIR outputs");
        Assertions.AllClose(s2, s1, 1e-9, 1e-9, "FIR final state");
    }

    [Fact]
    public void FiltFiltPadTypesAndUnnormalisedCoefficientsMatchScipy()
    {
        var ba = IirDesign.Butter(FilterDesignGoldenTests.Options(2, [0.5, 45.0], FilterBand.BandPass));
        foreach (var (name, options) in new (string, FiltFiltOptions)[]
                 {
                     ("filtfilt_even", new() { PadType = FiltFiltPadType.Even }),
                     ("filtfilt_constant", new() { PadType = FiltFiltPadType.Constant }),
                     ("filtfilt_none", new() { PadType = FiltFiltPadType.None }),
                     ("filtfilt_padlen50", new() { PadLength = 50 }),
                 })
        {
            var expected = Golden.Doubles(Case, name);
            Assertions.AllClose(expected, Filter.FiltFilt(ba, X, options), 1e-4, Atol(expected), name);
        }
        var doubled = new TransferFunction(ba.B.Select(v => 2 * v).ToArray(), ba.A.Select(v => 2 * v).ToArray());
        var lf = Golden.Doubles(Case, "lfilter_unnormalised");
        Assertions.AllClose(lf, Filter.LFilter(doubled, X), 1e-4, Atol(lf), "a[0] = 2 is divided out");
    }

    [Fact]
    public void FiltFiltNeedsASignalLongerThanItsPadding()
    {
        var e = Assert.Throws<ArgumentException>(() => Filter.FiltFilt(FilterPresets.BeatGanBandPass(), new float[320]));
        Assert.Contains("320 samples but must be longer than padlen = 327", e.Message);
        int minimum = Filter.MinimumFiltFiltLength(FilterPresets.BeatGanBandPass());
        Assert.Equal(328, minimum);
        Assert.Equal(minimum, Filter.FiltFilt(FilterPresets.BeatGanBandPass(), new float[minimum]).Length);
        Assert.Throws<ArgumentException>(() => Filter.FiltFilt(FilterPresets.BeatGanBandPass(), new float[minimum - 1]));
    }
}

public class FilterInvariantTests
{
    [Fact]
    public void FiltFiltKeepsThePhaseOfAnInBandSinusoid()
    {
        // 10 Hz is inside the 3–45 Hz pass band: forward-backward filtering must neither shift
        // nor (much) attenuate it. Compare away from the ends, where the padding is still felt.
        const double fs = 360;
        var x = Enumerable.Range(0, 3600).Select(n => (float)Math.Sin(2 * Math.PI * 10 * n / fs + 0.3)).ToArray();
        var y = Filter.FiltFilt(FilterPresets.BeatGanBandPass(fs), x);
        double cross = 0, quad = 0, energy = 0;
        for (int n = 400; n < 3200; n++)
        {
            double t = 2 * Math.PI * 10 * n / fs + 0.3;
            cross += y[n] * Math.Sin(t);
            quad += y[n] * Math.Cos(t);
            energy += Math.Sin(t) * Math.Sin(t);
        }
        double phase = Math.Atan2(quad, cross);
        Assert.True(Math.Abs(phase) < 1e-3, $"phase shift {phase} rad");
        Assert.InRange(cross / energy, 0.98, 1.02);
        // the one-way filter delays by (109 − 1)/2 = 54 samples
        var once = Filter.LFilter(FilterPresets.BeatGanBandPass(fs), x);
        for (int n = 400; n < 3200; n += 97) Assert.Equal(x[n - 54], once[n], 2e-2);
    }

    [Fact]
    public void SosAndTransferFunctionFormsAgree()
    {
        var o = new ButterworthOptions { Order = 4, CutoffsHz = [0.5, 40], Band = FilterBand.BandPass, SamplingRate = 360 };
        var rng = new Random(3);
        var x = Enumerable.Range(0, 5000).Select(_ => (float)rng.NextDouble()).ToArray();
        var a = Filter.FiltFilt(IirDesign.Butter(o), x);
        var b = Filter.SosFiltFilt(IirDesign.ButterSos(o), x, new FiltFiltOptions { PadLength = 3 * 9 });
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) < 1e-4, $"sample {i}: {a[i]} vs {b[i]}");
    }
}
