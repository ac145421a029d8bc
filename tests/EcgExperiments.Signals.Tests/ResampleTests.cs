using EcgExperiments.Core;
using EcgExperiments.Signals.Resampling;

namespace EcgExperiments.Signals.Tests;

public class ResampleGoldenTests
{
    [Theory]
    [InlineData("resample_5to2")]
    [InlineData("resample_360to250")]
    [InlineData("resample_100to500")]
    [InlineData("resample_3to7")]
    public void ResamplePolyMatchesScipy(string @case)
    {
        var p = Golden.Params(@case);
        int up = p.GetProperty("up").GetInt32(), down = p.GetProperty("down").GetInt32();
        var x = Golden.Floats(@case, "x");
        var expected = Golden.Doubles(@case, "y");
        var y = Resample.Poly(x, up, down);
        Assert.Equal(expected.Length, y.Length);
        // double accumulation of float inputs; expected stored as float32
        Assertions.AllClose(expected, y, 1e-5, 1e-5 * Assertions.MaxAbs(expected), $"resample_poly {up}/{down}");
    }

    [Theory]
    [InlineData("interp_350_to_1000")]
    [InlineData("interp_2500_to_1000")]
    public void LinearInterpolationMatchesNumpyInterp(string @case)
    {
        var x = Golden.Floats(@case, "x");
        var y = Interpolate.LinearToLength(x, 1000);
        Assertions.AllClose(Golden.Doubles(@case, "y"), y, 1e-6, 1e-6, "np.interp to 1000 points");
        Assert.Equal(x[0], y[0]);
        Assert.Equal(x[^1], y[^1]);
    }
}

public class ResampleInvariantTests
{
    [Theory]
    [InlineData(360, 250)]
    [InlineData(500, 100)]
    [InlineData(100, 500)]
    [InlineData(128.5, 257)]
    public void RatiosAreReducedAndTheRateTravelsWithTheSignal(double from, double to)
    {
        var (up, down) = Resample.RatioForRates(from, to);
        Assert.Equal(to / from, (double)up / down, 12);
        Assert.Equal(1, PolyphaseResampler.Gcd(up, down));
        var s = new EcgSignal(from, ["I", "II"], [new float[1000], new float[1000]], "r1");
        var r = Resample.ToRate(s, to);
        Assert.Equal(to, r.SamplingRate);
        Assert.Equal(PolyphaseResampler.Create(up, down).OutputLength(1000), r.Length);
        Assert.Equal(r.Length, Resample.OutputLength(1000, from, to));   // shape without data
        Assert.Equal("r1", r.RecordId);
    }

    [Fact]
    public void RatesWithoutASmallRatioAreRejectedNamingTheRecord()
    {
        var s = new EcgSignal(Math.PI, ["I"], [new float[10]], "rec42");
        var e = Assert.Throws<EcgDataException>(() => Resample.ToRate(s, 100));
        Assert.Contains("rec42", e.Message);
        Assert.Contains("not a ratio of whole numbers", e.Message);
    }

    [Theory]
    [InlineData(25, 36)]
    [InlineData(2, 5)]
    [InlineData(5, 1)]
    public void UpThenDownIsIdentityOnBandLimitedSignals(int up, int down)
    {
        // Tones well below both Nyquist rates survive the round trip; the ends feel the zero padding.
        const double fs = 360;
        var x = Enumerable.Range(0, 3000).Select(n => (float)(Math.Sin(2 * Math.PI * 3 * n / fs) + 0.5 * Math.Cos(2 * Math.PI * 11 * n / fs + 1))).ToArray();
        var there = Resample.Poly(x, up, down);
        var back = Resample.Poly(there, down, up);
        Assert.True(back.Length >= x.Length);
        double worst = 0;
        for (int i = 300; i < x.Length - 300; i++) worst = Math.Max(worst, Math.Abs(back[i] - x[i]));
        Assert.True(worst < 2e-3, $"round trip error {worst}");
    }

    [Fact]
    public void IdentityRatioCopies()
    {
        var x = new float[] { 1, 2, 3 };
        Assert.Equal(x, Resample.Poly(x, 7, 7));
    }

    [Fact]
    public void InterpolationKeepsTheTimeSpanAndReportsTheNewRate()
    {
        var s = new EcgSignal(100, ["I"], [Enumerable.Range(0, 501).Select(i => (float)i).ToArray()]);
        var r = Interpolate.LinearToLength(s, 1001);
        Assert.Equal(200, r.SamplingRate, 9);        // 5 s span, 1001 points
        Assert.Equal(250f, r.Leads[0][500], 4);       // a ramp stays a ramp
        Assert.Equal(s.Duration - 1 / s.SamplingRate, r.Duration - 1 / r.SamplingRate, 9);
    }
}
