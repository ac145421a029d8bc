using EcgExperiments.Pipeline.Transforms;
using EcgExperiments.Signals.Normalisation;

namespace EcgExperiments.Pipeline.Tests;

/// <summary>What each transform does to values, on signals whose right answer is known.</summary>
public sealed class TransformValueTests
{
    private static readonly string[] Classes = ["NORM", "HYP"];

    private static EcgDataView One(EcgSchema schema, Func<int, int, float> value)
    {
        var layoutLeads = schema.ItemShape.Count == 2 ? (int)schema.ItemShape[0] : 1;
        int samples = (int)schema.ItemShape[^1];
        var v = new float[schema.ItemSize];
        for (int l = 0; l < layoutLeads; l++)
            for (int t = 0; t < samples; t++) v[l * samples + t] = value(l, t);
        return new InMemoryDataView(schema, new ExampleIndex(["r1"], ["p1"], [0]), [v]);
    }

    [Fact]
    public void Resample_500_to_100_Hz_keeps_a_band_limited_sine()
    {
        var input = new EcgSchema([12, 5000], 500, Classes);
        var t = new ResampleTransformer(new ResampleOptions { TargetRate = 100 });
        var output = t.Transform(One(input, (l, n) => (float)Math.Sin(2 * Math.PI * (3 + l) * n / 500.0)));
        Assert.Equal([12L, 1000L], output.Ecg.ItemShape);
        Assert.Equal(100, output.Ecg.SamplingRate);
        var v = output.ReadSignal(0);
        for (int l = 0; l < 12; l++)
            for (int n = 50; n < 950; n++)   // away from the edges, where the filter sees zeros
                Assert.True(Math.Abs(v[l * 1000 + n] - Math.Sin(2 * Math.PI * (3 + l) * n / 100.0)) < 0.01, $"lead {l} sample {n}: {v[l * 1000 + n]}");
    }

    [Fact]
    public void Resample_rejects_a_rate_ratio_it_cannot_represent()
    {
        var t = new ResampleTransformer(new ResampleOptions { TargetRate = 100.123456789 });
        var e = Assert.Throws<SchemaException>(() => t.GetOutputSchema(new EcgSchema([1, 1000], 500, Classes)));
        Assert.Equal("resample", e.Stage);
    }

    [Fact]
    public void Interpolate_keeps_lines_straight_and_the_duration()
    {
        var input = new EcgSchema([2, 500], 100, Classes);
        var output = new InterpolateTransformer(new InterpolateOptions { Length = 1000 }).Transform(One(input, (l, n) => l == 0 ? n : 7f));
        Assert.Equal([2L, 1000L], output.Ecg.ItemShape);
        Assert.Equal(200, output.Ecg.SamplingRate);   // 5 s kept: 1000 points over 5 s
        var v = output.ReadSignal(0);
        for (int k = 0; k < 1000; k++)
        {
            Assert.True(Math.Abs(k * 499.0 / 999.0 - v[k]) < 1e-3, $"point {k}: {v[k]}");
            Assert.Equal(7f, v[1000 + k]);
        }
    }

    [Fact]
    public void Fir_bandpass_3_to_45_Hz_keeps_20_Hz_and_removes_wander_and_mains_harmonics()
    {
        const double fs = 360;
        var t = new BandPassTransformer(new BandPassOptions());
        Assert.Equal(109, t.TapsAt(fs));   // biosppy: int(0.3·360) made odd, SPEC §2.4
        var input = new EcgSchema([1, 3600], fs, Classes);
        var output = t.Transform(One(input, (_, n) => (float)(Math.Sin(2 * Math.PI * 20 * n / fs) + Math.Sin(2 * Math.PI * 0.3 * n / fs) + Math.Sin(2 * Math.PI * 120 * n / fs))));
        var v = output.ReadSignal(0);
        double worst = 0;
        for (int n = 400; n < 3200; n++) worst = Math.Max(worst, Math.Abs(v[n] - Math.Sin(2 * Math.PI * 20 * n / fs)));
        Assert.True(worst < 0.05, $"worst deviation from the 20 Hz component {worst}");
    }

    [Fact]
    public void Butterworth_bandpass_is_zero_phase()
    {
        const double fs = 100;
        var t = new BandPassTransformer(new BandPassOptions { Design = BandPassDesign.Butterworth, Order = 2, LowHz = 1, HighHz = 30 });
        var output = t.Transform(One(new EcgSchema([1, 2000], fs, Classes), (_, n) => (float)Math.Sin(2 * Math.PI * 8 * n / fs)));
        var v = output.ReadSignal(0);
        for (int n = 300; n < 1700; n++) Assert.True(Math.Abs(v[n] - Math.Sin(2 * Math.PI * 8 * n / fs)) < 0.02, $"sample {n}: {v[n]}");
    }

    [Fact]
    public void Bandpass_too_short_a_signal_says_how_long_it_must_be()
    {
        var e = Assert.Throws<SchemaException>(() => new BandPassTransformer(new BandPassOptions()).GetOutputSchema(new EcgSchema([1, 300], 360, Classes)));
        Assert.True(e.Message.Contains("≥ 328 samples", StringComparison.Ordinal), e.Message);   // scipy filtfilt pads 3 × 109 = 327 and needs more samples than that
        Assert.Contains("got 300", e.Message);   // filtfilt pads 3 × order = 324 samples of a 109-tap FIR, plus one
    }

    [Fact]
    public void Minmax_scales_each_lead_and_maps_flat_leads_to_low()
    {
        var output = new MinMaxTransformer(new MinMaxOptions()).Transform(One(new EcgSchema([2, 50], 100, Classes), (l, n) => l == 0 ? 3 * n - 20 : 5));
        var v = output.ReadSignal(0);
        Assert.Equal(0f, v[..50].Min());
        Assert.Equal(1f, v[..50].Max());
        Assert.All(v[50..], x => Assert.Equal(0f, x));
    }

    [Fact]
    public void Select_leads_reorders_by_name_and_lists_available_leads_on_a_miss()
    {
        var input = new EcgSchema([3, 4], 100, Classes, ["I", "II", "V5"]);
        var t = new SelectLeadsTransformer(new SelectLeadsOptions { Leads = ["v5", "I"] });
        var output = t.Transform(One(input, (l, n) => 10 * l + n));
        Assert.Equal(["V5", "I"], output.Ecg.LeadNames!);
        Assert.Equal([20f, 21, 22, 23, 0, 1, 2, 3], output.ReadSignal(0));
        var e = Assert.Throws<SchemaException>(() => new SelectLeadsTransformer(new SelectLeadsOptions { Leads = ["V1"] }).GetOutputSchema(input));
        Assert.Contains("available leads: I, II, V5", e.Message);
    }

    private static float Beat(int n, int length) =>
        (float)(1.2 * Math.Exp(-Math.Pow((n - length / 2.0) / 6, 2)) + 0.3 * Math.Exp(-Math.Pow((n - length / 2.0 - 90) / 25, 2)));

    [Fact]
    public void Stft_image_of_a_beat_is_64x64_in_minus_80_to_0_dB()
    {
        var input = new EcgSchema([1, 428], 360, ["N", "S", "V", "F", "Q"], ["MLII"]);
        var output = new StftImageTransformer(new StftImageOptions()).Transform(One(input, (_, n) => Beat(n, 428)));
        Assert.Equal([1L, 64L, 64L], output.Ecg.ItemShape);
        Assert.Null(output.Ecg.SamplingRate);
        var v = output.ReadSignal(0);
        Assert.InRange(v.Max(), -1f, 0f);   // 0 dB at the spectrogram's peak; area averaging lowers it slightly
        Assert.True(v.Min() >= -80f - 1e-4f, $"min {v.Min()}");
        Assert.True(v.Min() < -40f, "a smooth beat leaves little energy at high frequencies");
    }

    [Fact]
    public void Stft_image_b2i_gan_rgb_replicates_a_minus_one_to_one_image()
    {
        var input = new EcgSchema([1, 320], 360, ["normal", "anomaly"]);
        var output = new StftImageTransformer(new StftImageOptions { Recipe = SpectrogramRecipeName.B2iGan, Channels = 3 }).Transform(One(input, (_, n) => Beat(n, 320)));
        Assert.Equal([3L, 128L, 128L], output.Ecg.ItemShape);
        var v = output.ReadSignal(0);
        const int plane = 128 * 128;
        Assert.Equal(-1f, v[..plane].Min(), 5);
        Assert.Equal(1f, v[..plane].Max(), 5);
        Assert.Equal(v[..plane], v[plane..(2 * plane)]);
        Assert.Equal(v[..plane], v[(2 * plane)..]);
    }

    [Fact]
    public void Stft_image_explicit_parameters_and_lead_choice()
    {
        var input = new EcgSchema([3, 400], 360, Classes, ["I", "II", "V5"]);
        var t = new StftImageTransformer(new StftImageOptions { Lead = "V5", NFft = 128, Window = 32, Hop = 8, Size = (32, 48), Scaling = ImageScaling.ZeroOne });
        var output = t.Transform(One(input, (l, n) => l == 2 ? Beat(n, 400) : 0));
        Assert.Equal([1L, 32L, 48L], output.Ecg.ItemShape);
        Assert.Equal(1f, output.ReadSignal(0).Max(), 5);
        var e = Assert.Throws<SchemaException>(() => new StftImageTransformer(new StftImageOptions()).GetOutputSchema(input));
        Assert.Contains("set lead: to one of I, II, V5", e.Message);
    }

    [Fact]
    public void Stft_image_too_short_a_beat_fails_in_the_dry_run()
    {
        var e = Assert.Throws<SchemaException>(() => new StftImageTransformer(new StftImageOptions { Recipe = SpectrogramRecipeName.B2iGan }).GetOutputSchema(new EcgSchema([1, 100], 360, Classes)));
        Assert.Equal("stft_image", e.Stage);
    }

    [Fact]
    public void A_chain_traces_shapes_without_data()
    {
        IEcgEstimator[] stages =
        [
            new SelectLeadsEstimator(new SelectLeadsOptions { Leads = ["II"] }),
            new ResampleEstimator(new ResampleOptions { TargetRate = 360 }),
            new BandPassEstimator(new BandPassOptions()),
            new MinMaxEstimator(new MinMaxOptions()),
        ];
        var trace = EcgPipeline.Trace(stages, new EcgSchema([12, 1000], 100, Classes, ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"]));
        Assert.Equal(["input", "select_leads", "resample", "bandpass", "minmax"], trace.Select(t => t.Stage));
        Assert.Equal("[1 × 3600] @ 360 Hz, classes [NORM, HYP]", trace[^1].Schema.ToString());
    }
}
