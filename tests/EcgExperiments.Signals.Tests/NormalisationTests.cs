using EcgExperiments.Core;
using EcgExperiments.Signals.Normalisation;

namespace EcgExperiments.Signals.Tests;

public class NormalisationTests
{
    [Fact]
    public void ZScoreIsFittedOnTrainingDataPerLeadAndAppliedByLeadName()
    {
        var a = new EcgSignal(100, ["I", "II"], [[1, 2, 3], [10, 10, 10]], "a");
        var b = new EcgSignal(100, ["I", "II"], [[4, 5], [10, 10]], "b");
        var stats = ZScore.Fit([a, b]);
        Assert.Equal(3.0, stats.Mean[0], 12);                          // mean of 1..5
        Assert.Equal(Math.Sqrt(2.0), stats.StandardDeviation[0], 12);  // population std of 1..5
        Assert.Equal(1.0, stats.StandardDeviation[1]);                 // flat lead: centred only
        var test = new EcgSignal(100, ["II", "I"], [[11, 9], [3 + (float)Math.Sqrt(2), 3]], "t");
        var z = stats.Apply(test);
        Assert.Equal([1f, -1f], z.Leads[0]);
        Assert.Equal(1f, z.Leads[1][0], 5);
        Assert.Equal(0f, z.Leads[1][1], 6);
        var e = Assert.Throws<EcgDataException>(() => stats.Apply(new EcgSignal(100, ["V1"], [[1f]], "x9")));
        Assert.Contains("x9", e.Message);
        Assert.Contains("'V1' was not in the training data", e.Message);
    }

    [Fact]
    public void ZScoreMergingMatchesOnePassOverAllSamples()
    {
        var rng = new Random(2);
        var parts = Enumerable.Range(0, 7).Select(i => Enumerable.Range(0, 50 + 13 * i).Select(_ => (float)(rng.NextDouble() * 4 + 1000)).ToArray()).ToArray();
        var stats = ZScore.Fit(parts.Select(p => new EcgSignal(1, ["I"], [p])));
        var all = parts.SelectMany(p => p).Select(v => (double)v).ToArray();
        double mean = all.Average();
        double std = Math.Sqrt(all.Sum(v => (v - mean) * (v - mean)) / all.Length);
        Assert.Equal(mean, stats.Mean[0], 9);
        Assert.Equal(std, stats.StandardDeviation[0], 9);
        Assert.Equal(all.Length, stats.SampleCount[0]);
    }

    [Fact]
    public void MinMaxMapsToTheRangeAndAFlatSignalToItsLowEnd()
    {
        float[] x = [2, 4, 3, 6];
        var y = new float[4];
        Scaling.MinMax(x, y);
        Assert.Equal([0f, 0.5f, 0.25f, 1f], y);
        Scaling.Apply(x, y, ImageScaling.MinusOneOne);
        Assert.Equal([-1f, 0f, -0.5f, 1f], y);
        float[] flat = [7, 7, 7];
        var f = new float[3];
        Scaling.MinMax(flat, f);
        Assert.Equal([0f, 0f, 0f], f);       // guarded: no NaN from 0/0
        Scaling.Apply(flat, f, ImageScaling.MinusOneOne);
        Assert.Equal([-1f, -1f, -1f], f);    // = 2·0 − 1
        var s = Scaling.MinMaxPerLead(new EcgSignal(100, ["I", "II"], [[1, 3], [5, 5]]));
        Assert.Equal([0f, 1f], s.Leads[0]);
        Assert.Equal([0f, 0f], s.Leads[1]);
    }

    [Fact]
    public void MinMaxOfLongArraysUsesEveryElement()
    {
        var x = Enumerable.Range(0, 1003).Select(i => (float)Math.Sin(i * 0.37) * 5).ToArray();
        x[1001] = 9;   // extreme values in the scalar tail
        x[1002] = -9;
        var y = new float[x.Length];
        Scaling.MinMax(x, y, -1, 1);
        Assert.Equal(1f, y[1001]);
        Assert.Equal(-1f, y[1002]);
        Assert.All(y, v => Assert.InRange(v, -1f, 1f));
    }
}
