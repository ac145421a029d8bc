using EcgExperiments.Signals.Spectral;
using MathNet.Numerics;

namespace EcgExperiments.Signals.Tests;

public class StftGoldenTests
{
    public static TheoryData<string> Providers => new() { "auto", "mathnet", "pruned-dft" };

    internal static IFftProvider Provider(string name) => name switch
    {
        "auto" => FftProviders.Auto,
        "mathnet" => FftProviders.MathNet,
        "pruned-dft" => FftProviders.PrunedDft,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static StftOptions OptionsOf(string @case)
    {
        var p = Golden.Params(@case);
        return new StftOptions
        {
            NFft = p.GetProperty("n_fft").GetInt32(),
            WinLength = p.GetProperty("win_length").GetInt32(),
            HopLength = p.GetProperty("hop").GetInt32(),
            Center = p.GetProperty("center").GetBoolean(),
            PadMode = p.GetProperty("pad_mode").GetString() == "constant" ? StftPadMode.Constant : StftPadMode.Reflect,
        };
    }

    // float32 arithmetic against float64 numpy: errors scale with the largest coefficient,
    // so the absolute part of the tolerance is 1e-4 of the spectrum's peak.
    private const double Rtol = 1e-4, PeakFraction = 1e-4;

    [Theory]
    [MemberData(nameof(Providers))]
    public void MitBihPresetMatchesNumpyMagnitudeAndPhase(string provider)
    {
        var x = Golden.Floats("stft_mitbih", "x");
        var o = OptionsOf("stft_mitbih");
        Assert.Equal(SpectrogramRecipes.StftCnnMitBih.Stft, o);
        var d = Spectrogram.Stft(x, o, Provider(provider));
        Assert.Equal((215, 27), d.Shape);
        var mag = Golden.Doubles("stft_mitbih", "magnitude");
        double atol = PeakFraction * Assertions.MaxAbs(mag);
        Assertions.AllClose(mag, Spectrogram.StftMagnitude(x, o, Provider(provider)).Data, Rtol, atol, "|stft|");
        Assertions.AllClose(Golden.Doubles("stft_mitbih", "real"), d.Data.Select(z => (double)z.Real).ToArray(), Rtol, atol, "Re stft");
        Assertions.AllClose(Golden.Doubles("stft_mitbih", "imag"), d.Data.Select(z => (double)z.Imaginary).ToArray(), Rtol, atol, "Im stft");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void B2iGanPresetMatchesNumpyMagnitude(string provider)
    {
        var x = Golden.Floats("stft_b2igan", "x");
        var o = OptionsOf("stft_b2igan");
        Assert.Equal(SpectrogramRecipes.B2iGan.Stft, o);
        var mag = Spectrogram.StftMagnitude(x, o, Provider(provider));
        Assert.Equal((129, 161), mag.Shape);
        var expected = Golden.Doubles("stft_b2igan", "magnitude");
        Assertions.AllClose(expected, mag.Data, Rtol, PeakFraction * Assertions.MaxAbs(expected), "|stft|");
    }

    [Theory]
    [InlineData("stft_small_reflect", "auto")]
    [InlineData("stft_small_reflect", "mathnet")]
    [InlineData("stft_small_reflect", "pruned-dft")]
    [InlineData("stft_small_constant", "mathnet")]
    [InlineData("stft_small_constant", "pruned-dft")]
    [InlineData("stft_small_nocenter", "mathnet")]
    [InlineData("stft_small_nocenter", "pruned-dft")]
    [InlineData("stft_short_reflect", "mathnet")]
    [InlineData("stft_short_reflect", "pruned-dft")]
    public void OddShapesPaddingModesAndCentringMatchNumpy(string @case, string provider)
    {
        var x = Golden.Floats(@case, "x");
        var o = OptionsOf(@case);
        var d = Spectrogram.Stft(x, o, Provider(provider));
        var re = Golden.Array(@case, "real");
        Assert.Equal((re.Shape[0], re.Shape[1]), d.Shape);
        Assert.Equal(d.Shape, o.OutputShape(x.Length));
        double atol = PeakFraction * Math.Max(Assertions.MaxAbs(re.Values), Assertions.MaxAbs(Golden.Doubles(@case, "imag")));
        Assertions.AllClose(re.Values, d.Data.Select(z => (double)z.Real).ToArray(), Rtol, atol, $"{@case} Re");
        Assertions.AllClose(Golden.Doubles(@case, "imag"), d.Data.Select(z => (double)z.Imaginary).ToArray(), Rtol, atol, $"{@case} Im");
    }

    [Fact]
    public void IstftMatchesLibrosaSemanticsWithAndWithoutLength()
    {
        var x = Golden.Floats("istft", "x");
        var o = OptionsOf("istft");
        var d = Spectrogram.Stft(x, o);
        var noLength = Spectrogram.Istft(d, o);
        Assertions.AllClose(Golden.Doubles("istft", "y_nolength"), noLength, 0, 1e-5, "istft default length");
        var withLength = Spectrogram.Istft(d, o, length: 300);
        Assertions.AllClose(Golden.Doubles("istft", "y_length"), withLength, 0, 1e-5, "istft length=300");
        Assert.Equal(o.InverseLength(d.Columns), noLength.Length);
    }

    [Fact]
    public void ReflectIndexIsNumpysPeriodicMirror()
    {
        // np.pad([1, 2, 3], 5, mode='reflect') = [2 1 2 3 2 | 1 2 3 | 2 1 2 3 2]
        int[] expected = [1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1];
        for (int i = -5; i < 8; i++) Assert.Equal(expected[i + 5], StftPlan.Reflect(i, 3));
        Assert.Equal(0, StftPlan.Reflect(-3, 1));
    }
}

public class StftInvariantTests
{
    [Theory]
    [InlineData("mathnet")]
    [InlineData("pruned-dft")]
    public void ParsevalHoldsPerFrame(string provider)
    {
        // Σ|v|² = (|X0|² + 2Σ|Xk|² + |X_N/2|²) / N for each windowed frame v of even length N.
        var rng = new Random(11);
        var x = Enumerable.Range(0, 500).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var o = StftOptions.For(nFft: 128, winLength: 96, hopLength: 20, center: false);
        var d = Spectrogram.Stft(x, o, StftGoldenTests.Provider(provider));
        var w = Windows.PadCenter(Windows.Create(WindowSpec.Hann, 96, periodic: true), 128);
        for (int t = 0; t < d.Columns; t++)
        {
            double timeEnergy = 0;
            for (int n = 0; n < 128; n++) timeEnergy += Math.Pow(x[t * 20 + n] * w[n], 2);
            double freqEnergy = 0;
            for (int k = 0; k < d.Rows; k++)
                freqEnergy += (k == 0 || k == 64 ? 1 : 2) * d[k, t].MagnitudeSquared();
            Assert.Equal(timeEnergy, freqEnergy / 128, timeEnergy * 1e-5);
        }
    }

    [Theory]
    [InlineData(428, 64, 16, StftPadMode.Reflect)]
    [InlineData(256, 64, 2, StftPadMode.Reflect)]
    [InlineData(64, 64, 16, StftPadMode.Constant)]
    [InlineData(100, 80, 20, StftPadMode.Reflect)]
    public void IstftOfStftIsTheSignal(int nFft, int win, int hop, StftPadMode pad)
    {
        // With a periodic Hann and hop ≤ win/4 the squared windows overlap-add to a positive
        // constant, so every original sample is recovered (to float32 rounding).
        var rng = new Random(nFft + win);
        var x = Enumerable.Range(0, 700).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var o = StftOptions.For(nFft, win, hop, padMode: pad);
        var y = Spectrogram.Istft(Spectrogram.Stft(x, o), o, length: x.Length);
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(y[i] - x[i]) < 2e-5, $"sample {i}: {y[i]} vs {x[i]}");
    }

    [Fact]
    public void ProvidersAgreeOnRandomFrames()
    {
        var rng = new Random(5);
        var x = Enumerable.Range(0, 900).Select(_ => (float)rng.NextDouble()).ToArray();
        foreach (var o in new[] { StftOptions.For(428, 64, 16), StftOptions.For(255, 33, 7), StftOptions.For(32, 32, 8, center: false) })
        {
            var a = Spectrogram.Stft(x, o, FftProviders.MathNet).Data;
            var b = Spectrogram.Stft(x, o, FftProviders.PrunedDft).Data;
            double peak = a.Max(z => z.Magnitude);
            for (int i = 0; i < a.Length; i++)
                Assert.True((a[i] - b[i]).Magnitude <= 2e-5 * peak, $"{o}: value {i} {a[i]} vs {b[i]}");
        }
    }

    [Theory]
    [InlineData(428, 64, 16, 428)]   // 27 frames: whole blocks of four plus a tail
    [InlineData(256, 64, 2, 320)]    // 161 frames
    [InlineData(255, 40, 3, 100)]    // odd n_fft: no mirrored bins
    [InlineData(30, 30, 1, 9)]       // n_fft ≡ 2 (mod 4)
    public void PowerPathEqualsSquaredComplexSpectrum(int nFft, int win, int hop, int length)
    {
        // The pruned provider writes |X|² straight into the (bins × frames) layout through its own
        // SIMD transpose; it must agree with the complex path.
        var rng = new Random(length);
        var x = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var o = StftOptions.For(nFft, win, hop);
        foreach (var provider in new[] { FftProviders.PrunedDft, FftProviders.MathNet })
        {
            var d = Spectrogram.Stft(x, o, provider);
            var p = Spectrogram.StftPower(x, o, provider);
            Assert.Equal(d.Shape, p.Shape);
            double peak = d.Data.Max(z => z.MagnitudeSquared());
            for (int i = 0; i < p.Data.Length; i++)
                Assert.True(Math.Abs(p.Data[i] - d.Data[i].MagnitudeSquared()) <= 1e-5 * peak, $"{provider.Name} value {i}: {p.Data[i]} vs {d.Data[i].MagnitudeSquared()}");
        }
    }

    [Fact]
    public void PlanOutputShapesNeedNoData()
    {
        Assert.Equal((215, 27), StftOptions.For(428, 64, 16).OutputShape(428));
        Assert.Equal((129, 161), StftOptions.For(256, 64, 2).OutputShape(320));
        Assert.Equal((8, 1 + (50 + 14 - 15) / 4), StftOptions.For(15, 10, 4).OutputShape(50)); // odd n_fft pads 7 + 7
        Assert.Equal((9, 1 + (50 - 16) / 5), StftOptions.For(16, 16, 5, center: false).OutputShape(50));
        Assert.Equal(16, StftOptions.For(64).EffectiveHopLength); // librosa: hop = win_length / 4
    }

    [Fact]
    public void BadOptionsFailWithTheOptionNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => StftOptions.For(428, 512, 16).Validate());
        Assert.Contains("stft: n_fft 428 needs a window", e.Message);
        Assert.Contains("got 512", e.Message);
        Assert.Equal("win_length", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => StftOptions.For(64, 64, 0).Validate());
        Assert.Equal("hop_length", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => StftOptions.For(64, 64, 16, center: false).OutputShape(40));
        Assert.Contains("needs a signal of ≥ 64 samples, got 40", e.Message);
        e = Assert.Throws<ArgumentException>(() => StftOptions.For(2, 2).Validate());
        Assert.Contains("default hop", e.Message);
    }

    [Fact]
    public void SteadyStateStftAllocatesNothing()
    {
        var plan = StftPlan.Create(StftOptions.For(428, 64, 16));
        var ws = plan.CreateWorkspace();
        var x = new float[428];
        x[200] = 1;
        var power = new float[215 * 27];
        plan.Power(x, power, ws);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) plan.Power(x, power, ws);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
