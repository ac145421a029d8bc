using System.Text.Json.Nodes;
using EcgExperiments.Signals.Filtering;
using EcgExperiments.Signals.Spectral;

namespace EcgExperiments.Pipeline.Transforms;

/// <summary>Filter family of <see cref="BandPassOptions"/>.</summary>
public enum BandPassDesign
{
    /// <summary>Windowed-sinc FIR (scipy.signal.firwin) run forward and backward (filtfilt): SPEC §2.4, BeatGAN/biosppy.</summary>
    Fir,
    /// <summary>Butterworth in second-order sections run forward and backward (sosfiltfilt).</summary>
    Butterworth,
}

/// <summary>YAML <c>type: bandpass</c>: zero-phase band-pass of every lead.</summary>
public sealed record BandPassOptions
{
    public double LowHz { get; init; } = 3;
    public double HighHz { get; init; } = 45;
    public BandPassDesign Design { get; init; } = BandPassDesign.Fir;
    /// <summary>FIR taps; null = biosppy's rule int(0.3·fs) made odd (109 at 360 Hz, SPEC §2.4).</summary>
    public int? Taps { get; init; }
    /// <summary>FIR window (scipy name): hamming, hann, rectangular.</summary>
    public WindowKind Window { get; init; } = WindowKind.Hamming;
    /// <summary>Butterworth order (the band-pass has twice as many poles).</summary>
    public int Order { get; init; } = 4;
}

/// <summary>
/// Zero-phase band-pass of [samples] or [leads × samples] items at the schema's rate. The filter is designed for
/// that rate; shape and rate are unchanged. Signals shorter than filtfilt's padding are rejected before any data.
/// </summary>
/// <example><code>
/// var bp = mlContext.Transforms.Ecg().BandPass(lowHz: 3, highHz: 45);   // FIR 109 taps at 360 Hz
/// var iir = mlContext.Transforms.Ecg().BandPass(new BandPassOptions { Design = BandPassDesign.Butterworth, Order = 2, LowHz = 0.5, HighHz = 40 });
/// </code></example>
public sealed class BandPassTransformer(BandPassOptions options) : EcgTransformerBase
{
    public override string Name => "bandpass";
    public BandPassOptions Options { get; } = options;

    /// <summary>FIR taps used at <paramref name="samplingRate"/>.</summary>
    public int TapsAt(double samplingRate) => Options.Taps ?? FilterPresets.BiosppyTaps(samplingRate);

    public override EcgSchema GetOutputSchema(EcgSchema input)
    {
        var layout = SignalLayout.Of(input, Name);
        var fs = SignalLayout.RequireRate(input, Name);
        if (!(Options.LowHz > 0 && Options.HighHz > Options.LowHz && Options.HighHz < fs / 2))
            throw new SchemaException(Name, $"needs 0 < low_hz < high_hz < Nyquist ({SignalLayout.Hz(fs / 2)} Hz at {SignalLayout.Hz(fs)} Hz), got {SignalLayout.Hz(Options.LowHz)}–{SignalLayout.Hz(Options.HighHz)} Hz");
        if (Options.Design == BandPassDesign.Fir && TapsAt(fs) < 3)
            throw new SchemaException(Name, $"taps must be ≥ 3, got {TapsAt(fs)}");
        if (Options.Design == BandPassDesign.Butterworth && Options.Order is < 1 or > 20)
            throw new SchemaException(Name, $"order must be in 1..20, got {Options.Order}");
        int minimum = MinimumLength(fs);
        if (layout.Samples < minimum)
            throw new SchemaException(Name, $"filtfilt of this {Options.Design.ToString().ToLowerInvariant()} filter needs signals of ≥ {minimum} samples, got {layout.Samples} ({input.ShapeText})");
        return input;
    }

    private int MinimumLength(double fs) => Options.Design == BandPassDesign.Fir
        ? Filter.MinimumFiltFiltLength(TransferFunction.Fir(new double[TapsAt(fs)]))
        : 3 * (4 * Options.Order + 1) + 1;   // sosfiltfilt: taps = 2·sections + 1, 2·order sections for a band-pass

    private object Design(double rate) => Options.Design == BandPassDesign.Fir
        ? TransferFunction.Fir(FirDesign.Firwin(new FirwinOptions
        {
            Taps = TapsAt(rate), CutoffsHz = [Options.LowHz, Options.HighHz], PassZero = false, SamplingRate = rate, Window = new WindowSpec(Options.Window),
        }))
        : IirDesign.ButterSos(new ButterworthOptions
        {
            Order = Options.Order, CutoffsHz = [Options.LowHz, Options.HighHz], Band = FilterBand.BandPass, SamplingRate = rate,
        });

    protected override SignalMapper CreateMapper(EcgSchema input, EcgSchema output)
    {
        var layout = SignalLayout.Of(input, Name);
        LeadMap run = Design(input.SamplingRate!.Value) switch
        {
            TransferFunction fir => x => Filter.FiltFilt(fir, x),
            SecondOrderSections sos => x => Filter.SosFiltFilt(sos, x),
            _ => throw new InvalidOperationException("unknown filter design"),
        };
        return new RowMapper(input, output, (x, y) => SignalLayout.MapLeads(x, y, layout.Leads, layout.Samples, layout.Samples, run));
    }

    public override JsonObject SaveState() => TransformStateJson.Save(Options);

    /// <summary>Rebuilds the transformer from <see cref="SaveState"/>.</summary>
    public static BandPassTransformer LoadState(JsonObject state) => new(TransformStateJson.Load<BandPassOptions>(state, "bandpass"));
}

/// <summary>Estimator of <see cref="BandPassTransformer"/> (the filter is designed for the schema's rate; nothing learned from data).</summary>
public sealed class BandPassEstimator(BandPassOptions options) : TrivialEcgEstimator<BandPassTransformer>(new BandPassTransformer(options));
