using System.Diagnostics;
using Xunit.Abstractions;

namespace EcgExperiments.Synthetic.Tests;

public sealed class GeneratorTests(ITestOutputHelper output)
{
    private static readonly SyntheticEcgOptions Default = new();

    [Fact]
    public void Output_is_ptbxl_shaped_twelve_leads_in_order_in_mv()
    {
        var e = SyntheticEcgGenerator.Generate(Default, 42, "syn-000042");
        Assert.Equal(100, e.Signal.SamplingRate);
        Assert.Equal(["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"], e.Signal.LeadNames.ToArray());
        Assert.Equal(12, e.Signal.LeadCount);
        Assert.Equal(1000, e.Signal.Length);
        Assert.Equal("syn-000042", e.Signal.RecordId);
        Assert.Equal(SyntheticCondition.Normal, e.Condition);
        Assert.InRange(e.Signal.Leads.Max(l => l.Max(Math.Abs)), 0.3f, 4f);
    }

    [Fact]
    public void Same_seed_and_options_give_bit_identical_records()
    {
        var options = Default with { PrematureBeatProbability = 0.2, PowerlineAmplitude = 0.02 };
        var a = SyntheticEcgGenerator.Generate(options, 123);
        var b = SyntheticEcgGenerator.Generate(options, 123);
        for (int l = 0; l < 12; l++)
            Assert.True(a.Signal.Leads[l].AsSpan().SequenceEqual(b.Signal.Leads[l]), $"lead {a.Signal.LeadNames[l]} differs");
        Assert.Equal(a.Beats, b.Beats);
        Assert.Equal(a.HeartRate, b.HeartRate);
    }

    [Fact]
    public void Different_seeds_differ_in_rate_morphology_and_noise()
    {
        var options = Default with { HeartRateSpread = 8 };
        var a = SyntheticEcgGenerator.Generate(options, 1);
        var b = SyntheticEcgGenerator.Generate(options, 2);
        Assert.NotEqual(a.HeartRate, b.HeartRate);
        Assert.True(Math.Abs(a.HeartRate - b.HeartRate) > 0.5, $"rates {a.HeartRate} and {b.HeartRate}");
        Assert.NotEqual(EcgMeasurements.RAmplitude(a, "V5"), EcgMeasurements.RAmplitude(b, "V5"));
        Assert.False(a.Signal.Leads[1].AsSpan().SequenceEqual(b.Signal.Leads[1]));
    }

    [Fact]
    public void Noise_has_its_own_stream_so_only_noise_changes_with_the_noise_level()
    {
        var clean = SyntheticEcgGenerator.Generate(Default with { WhiteNoise = 0 }, 9);
        var noisy = SyntheticEcgGenerator.Generate(Default with { WhiteNoise = 0.05 }, 9);
        Assert.Equal(clean.Beats, noisy.Beats);
        var diff = clean.Signal.Leads[6].Zip(noisy.Signal.Leads[6], (x, y) => (double)y - x).ToArray();
        double sd = Math.Sqrt(diff.Select(d => d * d).Average());
        Assert.InRange(sd, 0.045, 0.055); // V1 is an electrode lead: exactly the added white noise
    }

    [Theory]
    [InlineData(50, 100)]
    [InlineData(70, 100)]
    [InlineData(100, 100)]
    [InlineData(120, 100)]
    [InlineData(70, 360)]
    [InlineData(90, 500)]
    public void Detected_heart_rate_is_within_5_percent_of_the_request(double bpm, double fs)
    {
        for (ulong seed = 0; seed < 5; seed++)
        {
            var e = SyntheticEcgGenerator.Generate(Default with { HeartRateMean = bpm, SamplingRate = fs }, seed);
            var peaks = EcgMeasurements.DetectRPeaks(e.Signal);
            double rate = EcgMeasurements.HeartRate(e.Signal, peaks);
            Assert.InRange(rate, 0.95 * bpm, 1.05 * bpm);
            // every annotated beat is detected and every detection is an annotated beat, within 50 ms
            // (the detector marks the steepest slope, not the apex); a QRS cut by the record edge may go either way
            int tolerance = (int)Math.Ceiling(0.05 * fs), edge = (int)(0.15 * fs);
            var annotated = e.Beats.Select(b => b.Sample).ToArray();
            bool Inner(int p) => p >= edge && p < e.Signal.Length - edge;
            Assert.All(annotated.Where(Inner), a => Assert.Contains(peaks, p => Math.Abs(p - a) <= tolerance));
            Assert.All(peaks.Where(Inner), p => Assert.Contains(annotated, a => Math.Abs(p - a) <= tolerance));
        }
    }

    [Fact]
    public void Einthoven_and_Goldberger_identities_hold_exactly()
    {
        var e = SyntheticEcgGenerator.Generate(Default with { WhiteNoise = 0.05, PowerlineAmplitude = 0.1, PowerlineFrequency = 60 }, 77);
        var L = e.Signal.Leads;
        for (int j = 0; j < e.Signal.Length; j++)
        {
            float i = L[0][j], ii = L[1][j];
            Assert.Equal(ii - i, L[2][j]);
            Assert.Equal(-(i + ii) / 2, L[3][j]);
            Assert.Equal(i - ii / 2, L[4][j]);
            Assert.Equal(ii - i / 2, L[5][j]);
        }
        // and the classic forms to float rounding: aVR + aVL + aVF = 0, I + III = II
        Assert.All(Enumerable.Range(0, e.Signal.Length), j =>
        {
            Assert.InRange(L[3][j] + L[4][j] + L[5][j], -1e-5f, 1e-5f);
            Assert.InRange(L[0][j] + L[2][j] - L[1][j], -1e-5f, 1e-5f);
        });
    }

    [Fact]
    public void Normal_R_in_lead_II_is_physiologic()
    {
        var amplitudes = Enumerable.Range(0, 20).Select(s => EcgMeasurements.RAmplitude(SyntheticEcgGenerator.Generate(Default, (ulong)s), "II")).ToArray();
        output.WriteLine($"R(II) mV: {string.Join(", ", amplitudes.Select(a => a.ToString("F2")))}");
        Assert.InRange(amplitudes.Average(), 0.5, 2.5);
        // heart-axis and voltage variation put a few records outside; most must be inside
        Assert.True(amplitudes.Count(a => a is >= 0.5 and <= 2.5) >= 18, "fewer than 18 of 20 records have R(II) in [0.5, 2.5] mV");
        Assert.All(amplitudes, a => Assert.InRange(a, 0.2, 3.0));
    }

    [Fact]
    public void Power_is_mostly_below_40_Hz()
    {
        var e = SyntheticEcgGenerator.Generate(Default, 5);
        foreach (var lead in new[] { "II", "V1", "V5" })
        {
            double fraction = EcgMeasurements.PowerFractionBelow(e.Signal.Leads[e.Signal.IndexOfLead(lead)], 100, 40);
            output.WriteLine($"{lead}: {fraction:P2} of power below 40 Hz");
            Assert.True(fraction > 0.98, $"{lead}: only {fraction:P1} of power below 40 Hz");
        }
    }

    [Fact]
    public void Premature_beats_are_early_wide_and_followed_by_a_compensatory_pause()
    {
        var e = SyntheticEcgGenerator.Generate(Default with { PrematureBeatProbability = 0.25, DurationSeconds = 60 }, 11);
        var beats = e.Beats;
        int premature = beats.Count(b => b.Kind == SyntheticBeatKind.PrematureVentricular);
        Assert.InRange(premature, 5, 25);
        var rr = beats.Zip(beats.Skip(1), (a, b) => (double)(b.Sample - a.Sample)).ToArray();
        double normalRr = rr.Where((_, k) => beats[k].Kind == 0 && beats[k + 1].Kind == 0).OrderBy(x => x).ElementAt(rr.Length / 4);
        for (int k = 1; k + 1 < beats.Count; k++)
        {
            if (beats[k].Kind != SyntheticBeatKind.PrematureVentricular) continue;
            Assert.Equal(SyntheticBeatKind.Normal, beats[k + 1].Kind); // never two in a row
            double coupling = rr[k - 1], pause = rr[k];
            Assert.InRange(coupling / normalRr, 0.5, 0.8);
            Assert.InRange((coupling + pause) / (2 * normalRr), 0.9, 1.1);
        }
    }

    [Fact]
    public void Bad_options_name_the_setting()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticEcgGenerator.Generate(Default with { InternalSamplingRate = 450 }, 1));
        Assert.Equal("InternalSamplingRate", e.ParamName);
        Assert.Contains("integer multiple", e.Message);
        Assert.Equal("HeartRateMean", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticEcgGenerator.Generate(Default with { HeartRateMean = 5 }, 1)).ParamName);
    }

    [Fact]
    public void Finer_internal_integration_changes_the_measured_waves_only_slightly()
    {
        // RK4 at 500 Hz against 2 kHz. R peaks are rounded to the internal grid, so the rhythm differs by
        // under a step; the wave amplitudes must agree far better than the morphology jitter between records.
        var options = new SyntheticEcgOptions { SamplingRate = 500, WhiteNoise = 0 };
        var coarse = SyntheticEcgGenerator.Generate(options, 3);
        var fine = SyntheticEcgGenerator.Generate(options with { InternalSamplingRate = 2000 }, 3);
        foreach (var lead in new[] { "II", "V1", "V5" })
        {
            double a = EcgMeasurements.RAmplitude(coarse, lead), b = EcgMeasurements.RAmplitude(fine, lead);
            output.WriteLine($"R({lead}) at 500 Hz {a:F4} mV, at 2 kHz {b:F4} mV");
            Assert.True(Math.Abs(a - b) < 0.01, $"R({lead}) {a:F4} vs {b:F4} mV");
        }
        Assert.Equal(coarse.HeartRate, fine.HeartRate, 1);
    }

    [Fact]
    public void Generation_speed_is_reported()
    {
        SyntheticEcgGenerator.Generate(Default, 0); // JIT
        var sw = Stopwatch.StartNew();
        int samples = 0;
        for (int i = 0; i < 200; i++) samples += SyntheticEcgGenerator.Generate(Default, (ulong)i).Signal.Length;
        sw.Stop();
        output.WriteLine($"200 records of 12×1000 at 100 Hz: {sw.Elapsed.TotalMilliseconds:F0} ms ({sw.Elapsed.TotalMilliseconds / 200:F2} ms/record)");
        Assert.Equal(200 * 1000, samples);
    }
}
