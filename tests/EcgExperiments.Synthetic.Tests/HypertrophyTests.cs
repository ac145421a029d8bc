using Xunit.Abstractions;

namespace EcgExperiments.Synthetic.Tests;

public sealed class HypertrophyTests(ITestOutputHelper output)
{
    private static double MeanSokolow(SyntheticEcgOptions options, int records = 20)
        => Enumerable.Range(0, records).Average(s => EcgMeasurements.SokolowLyon(SyntheticEcgGenerator.Generate(options, (ulong)s)));

    [Fact]
    public void Sokolow_Lyon_separates_hypertrophy_from_normal_on_average()
    {
        double normal = MeanSokolow(new SyntheticEcgOptions());
        double hyp = MeanSokolow(new SyntheticEcgOptions { Condition = SyntheticCondition.Hypertrophy });
        output.WriteLine($"mean SV1 + RV5 over 20 records: NORM {normal:F2} mV, HYP {hyp:F2} mV");
        Assert.True(normal < 3.5, $"normal mean Sokolow–Lyon {normal:F2} mV");
        Assert.True(hyp > 3.5, $"hypertrophy mean Sokolow–Lyon {hyp:F2} mV");
        Assert.InRange(normal, 1.5, 3.0);
    }

    [Fact]
    public void Effect_size_follows_the_strength_parameter()
    {
        var hyp = new SyntheticEcgOptions { Condition = SyntheticCondition.Hypertrophy };
        double s0 = MeanSokolow(hyp with { HypertrophyStrength = 0 }, 10);
        double s05 = MeanSokolow(hyp with { HypertrophyStrength = 0.5 }, 10);
        double s1 = MeanSokolow(hyp with { HypertrophyStrength = 1 }, 10);
        double s2 = MeanSokolow(hyp with { HypertrophyStrength = 2 }, 10);
        output.WriteLine($"Sokolow–Lyon at strength 0/0.5/1/2: {s0:F2} {s05:F2} {s1:F2} {s2:F2} mV");
        Assert.True(s0 < s05 && s05 < s1 && s1 < s2);
        // strength 0 is the normal morphology itself: the same seed gives the same samples
        var a = SyntheticEcgGenerator.Generate(new SyntheticEcgOptions(), 4);
        var b = SyntheticEcgGenerator.Generate(hyp with { HypertrophyStrength = 0 }, 4);
        Assert.True(a.Signal.Leads[10].AsSpan().SequenceEqual(b.Signal.Leads[10]));
    }

    [Fact]
    public void Hypertrophy_has_lateral_T_inversion_and_taller_lateral_R()
    {
        // paired records: same seed = same person, normal vs hypertrophy
        int flipped = 0, tallerIV6 = 0;
        double avlGain = 0;
        for (ulong s = 0; s < 10; s++)
        {
            var n = SyntheticEcgGenerator.Generate(new SyntheticEcgOptions { WhiteNoise = 0.005 }, s);
            var h = SyntheticEcgGenerator.Generate(new SyntheticEcgOptions { WhiteNoise = 0.005, Condition = SyntheticCondition.Hypertrophy }, s);
            output.WriteLine($"seed {s}: T(V6) {EcgMeasurements.TDeflection(n, "V6"):F2} → {EcgMeasurements.TDeflection(h, "V6"):F2}; " +
                $"R(I) {EcgMeasurements.RAmplitude(n, "I"):F2} → {EcgMeasurements.RAmplitude(h, "I"):F2}; " +
                $"R(aVL) {EcgMeasurements.RAmplitude(n, "AVL"):F2} → {EcgMeasurements.RAmplitude(h, "AVL"):F2}; " +
                $"R(V6) {EcgMeasurements.RAmplitude(n, "V6"):F2} → {EcgMeasurements.RAmplitude(h, "V6"):F2}");
            if (EcgMeasurements.TDeflection(n, "V6") > 0 && EcgMeasurements.TDeflection(h, "V6") < -0.1) flipped++;
            if (EcgMeasurements.RAmplitude(h, "I") > EcgMeasurements.RAmplitude(n, "I") + 0.2
                && EcgMeasurements.RAmplitude(h, "V6") > EcgMeasurements.RAmplitude(n, "V6") + 0.4) tallerIV6++;
            avlGain += (EcgMeasurements.RAmplitude(h, "AVL") - EcgMeasurements.RAmplitude(n, "AVL")) / 10;
        }
        Assert.Equal(10, flipped);
        Assert.Equal(10, tallerIV6);
        // aVL sits near perpendicular to the normal QRS axis, so its gain depends on each heart's orientation
        Assert.True(avlGain > 0.2, $"mean R(aVL) gain {avlGain:F2} mV");
    }

    [Fact]
    public void Hypertrophy_widens_the_qrs()
    {
        // at 500 Hz, width of the R deflection at half its height in V5
        static double HalfWidthMs(SyntheticEcg e)
        {
            var x = e.Signal.Leads[e.Signal.IndexOfLead("V5")];
            var widths = e.Beats.Where(b => b.Sample > 60 && b.Sample < x.Length - 60).Select(b =>
            {
                double baseline = x[b.Sample - 50], half = baseline + (x[b.Sample] - baseline) / 2;
                int lo = b.Sample, hi = b.Sample;
                while (x[lo] > half) lo--;
                while (x[hi] > half) hi++;
                return (hi - lo) * 2.0;
            }).OrderBy(w => w).ToArray();
            return widths[widths.Length / 2];
        }
        var options = new SyntheticEcgOptions { SamplingRate = 500, WhiteNoise = 0, MorphologyJitter = 0 };
        double normal = HalfWidthMs(SyntheticEcgGenerator.Generate(options, 1));
        double hyp = HalfWidthMs(SyntheticEcgGenerator.Generate(options with { Condition = SyntheticCondition.Hypertrophy }, 1));
        output.WriteLine($"R half-height width in V5: NORM {normal} ms, HYP {hyp} ms");
        Assert.InRange(hyp / normal, 1.1, 1.5);
    }
}
