using EcgExperiments.Core;
using EcgExperiments.Signals.Beats;

namespace EcgExperiments.Signals.Tests;

public class BeatWindowTests
{
    private static float[] Ramp(int n) => Enumerable.Range(0, n).Select(i => (float)(i + 1)).ToArray(); // value = index + 1, never 0

    [Fact]
    public void MidpointWindowsFollowThePublishedCode()
    {
        var x = Ramp(5000);
        int[] r = [1000, 1301, 2300, 2600];
        var set = BeatWindows.Midpoint(x, r);
        Assert.Equal(4, set.Count);
        Assert.All(Enumerable.Range(0, set.Count), i => Assert.Equal(428, set.Window(i).Length));

        // beat 1: [1301 − 150, 1301 + 499) = 649 samples > 428 → crop [1301 − 214, 1301 + 214)
        var w1 = set.Window(1);
        Assert.Equal(1301 - 214 + 1, w1[0]);
        Assert.Equal(1301 + 1, w1[214]);
        Assert.Equal(1301 + 213 + 1, w1[427]);

        // beat 3 (last, mirrored): [2600 − 150, 2600 + 150) = 300 samples; deficit 128 → 64 + 64 zeros
        var w3 = set.Window(3);
        Assert.Equal(0, w3[63]);
        Assert.Equal(2450 + 1, w3[64]);
        Assert.Equal(2600 + 1, w3[64 + 150]);
        Assert.Equal(2749 + 1, w3[363]);
        Assert.Equal(0, w3[364]);

        // beat 0 (first, mirrored): [1000 − 150, 1000 + 150) — the next half-interval is ⌊301/2⌋ = 150
        Assert.Equal(1000 + 1, set.Window(0)[64 + 150]);
    }

    [Fact]
    public void OddDeficitPutsTheExtraZeroFirst()
    {
        var x = Ramp(3000);
        int[] r = [1000, 1201, 1400];   // beat 1: [1201 − 100, 1201 + 99) = 199 samples, deficit 229
        var w = BeatWindows.Midpoint(x, r).Window(1);
        Assert.Equal(0, w[114]);
        Assert.Equal(1101 + 1, w[115]);   // ⌈229/2⌉ = 115 zeros before, 114 after
        Assert.Equal(1299 + 1, w[313]);
        Assert.Equal(0, w[314]);
    }

    [Fact]
    public void SkipPolicyDropsEdgeBeatsAndSaysWhich()
    {
        var set = BeatWindows.Midpoint(Ramp(3000), [500, 900, 1300], new MidpointBeatWindowOptions { Edges = BeatEdgePolicy.Skip });
        Assert.Equal([1], set.BeatIndices);
        Assert.Equal([0, 2], set.SkippedBeatIndices);
    }

    [Fact]
    public void CropNearTheRecordStartFillsWithZeros()
    {
        var set = BeatWindows.Midpoint(Ramp(2000), [100, 900]);   // beat 0 mirrored: 800 > 428 → crop R ± 214
        var w = set.Window(0);
        Assert.Equal(0, w[113]);            // sample −1
        Assert.Equal(1, w[114]);            // sample 0
        Assert.Equal(101, w[214]);          // R at the centre
    }

    [Fact]
    public void FixedWindowsAre320SamplesAndEdgeBeatsAreCounted()
    {
        var x = Ramp(1000);
        int[] r = [100, 140, 500, 819, 820];
        var set = BeatWindows.Fixed(x, r);
        Assert.Equal(320, set.WindowLength);
        Assert.Equal([1, 2, 3], set.BeatIndices);     // 140 − 140 = 0 is in; 819 + 180 = 999 < 1000 is in
        Assert.Equal([0, 4], set.SkippedBeatIndices); // 100 < 140; 820 + 180 = 1000 is not < 1000 (BeatGAN's test)
        Assert.Equal(1, set.Window(0)[0]);            // starts at sample 0
        Assert.Equal(500 + 1, set.Window(1)[140]);    // R at index 140
        Assert.All(Enumerable.Range(0, set.Count), i => Assert.Equal(320, set.Window(i).Length));
    }

    [Fact]
    public void EveryMidpointWindowIs428ForRandomBeatSpacings()
    {
        var rng = new Random(8);
        var x = Ramp(200_000);
        var peaks = new List<int>();
        for (int p = rng.Next(0, 50); p < x.Length; p += rng.Next(1, 900)) peaks.Add(p);
        foreach (var policy in new[] { BeatEdgePolicy.Mirror, BeatEdgePolicy.Skip })
        {
            var set = BeatWindows.Midpoint(x, peaks.ToArray(), new MidpointBeatWindowOptions { Edges = policy });
            Assert.Equal(set.Count * 428, set.Samples.Length);
            Assert.Equal(peaks.Count, set.Count + set.Skipped);
            for (int i = 0; i < set.Count; i++)
            {
                // the R sample is always inside its window, at index 214 when cropped
                int rr = peaks[set.BeatIndices[i]];
                Assert.Contains(rr + 1f, set.Window(i).ToArray());
            }
        }
    }

    [Fact]
    public void BadPeaksNameTheRecord()
    {
        var s = new EcgSignal(360, ["MLII"], [Ramp(100)], "208");
        var e = Assert.Throws<EcgDataException>(() => BeatWindows.Fixed(s, 0, [50, 40]));
        Assert.Contains("record 208", e.Message);
        Assert.Contains("must increase", e.Message);
        e = Assert.Throws<EcgDataException>(() => BeatWindows.Midpoint(s, 0, [150]));
        Assert.Contains("outside the signal", e.Message);
    }
}
