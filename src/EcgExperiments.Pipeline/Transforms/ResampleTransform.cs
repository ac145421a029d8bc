using System.Text.Json.Nodes;
using EcgExperiments.Signals.Resampling;

namespace EcgExperiments.Pipeline.Transforms;

/// <summary>YAML <c>type: resample</c>: polyphase resampling (scipy.signal.resample_poly) of every lead to a target rate.</summary>
public sealed record ResampleOptions
{
    /// <summary>Output sampling rate in Hz; the input rate comes from the schema (never guessed).</summary>
    public double TargetRate { get; init; } = 100;
    /// <summary>β of the Kaiser window of the anti-aliasing filter (scipy default 5).</summary>
    public double KaiserBeta { get; init; } = 5.0;
    /// <summary>Filter half-length per max(up, down) (scipy uses 10).</summary>
    public int HalfLengthPerRate { get; init; } = 10;
}

/// <summary>
/// Resamples [samples] or [leads × samples] items from the schema's rate to <see cref="ResampleOptions.TargetRate"/>;
/// the output schema carries the new rate and length (e.g. 500 → 100 Hz: 5000 → 1000 samples).
/// </summary>
/// <example><code>
/// var down = mlContext.Transforms.Ecg().Resample(targetRate: 100);
/// down.GetOutputSchema(new EcgSchema([12, 5000], 500, ["NORM", "HYP"])); // [12 × 1000] @ 100 Hz
/// </code></example>
public sealed class ResampleTransformer(ResampleOptions options) : EcgTransformerBase
{
    public override string Name => "resample";
    public ResampleOptions Options { get; } = options;

    public override EcgSchema GetOutputSchema(EcgSchema input)
    {
        var layout = SignalLayout.Of(input, Name);
        var fs = SignalLayout.RequireRate(input, Name);
        if (!(Options.TargetRate > 0)) throw new SchemaException(Name, $"target_rate must be > 0 Hz, got {Options.TargetRate}");
        var (up, down) = Ratio(fs);
        int length = Resample.OutputLength(layout.Samples, up, down);
        if (length < 1)
            throw new SchemaException(Name, $"{layout.Samples} samples at {SignalLayout.Hz(fs)} Hz leave no sample at {SignalLayout.Hz(Options.TargetRate)} Hz");
        return input with { ItemShape = SignalLayout.WithSamples(input, length), SamplingRate = Options.TargetRate };
    }

    protected override SignalMapper CreateMapper(EcgSchema input, EcgSchema output)
    {
        var layout = SignalLayout.Of(input, Name);
        var (up, down) = Ratio(input.SamplingRate!.Value);
        var resampler = PolyphaseResampler.Create(up, down, new ResamplePolyOptions { KaiserBeta = Options.KaiserBeta, HalfLengthPerRate = Options.HalfLengthPerRate });
        int outSamples = (int)output.ItemShape[^1];
        return new RowMapper(input, output, (x, y) => SignalLayout.MapLeads(x, y, layout.Leads, layout.Samples, outSamples, lead => resampler.Apply(lead)));
    }

    private (int Up, int Down) Ratio(double fs)
    {
        try
        {
            return Resample.RatioForRates(fs, Options.TargetRate);
        }
        catch (ArgumentException e)
        {
            throw new SchemaException(Name, e.Message);
        }
    }

    public override JsonObject SaveState() => TransformStateJson.Save(Options);

    /// <summary>Rebuilds the transformer from <see cref="SaveState"/>.</summary>
    public static ResampleTransformer LoadState(JsonObject state) => new(TransformStateJson.Load<ResampleOptions>(state, "resample"));
}

/// <summary>Estimator of <see cref="ResampleTransformer"/> (nothing to learn).</summary>
public sealed class ResampleEstimator(ResampleOptions options) : TrivialEcgEstimator<ResampleTransformer>(new ResampleTransformer(options));
