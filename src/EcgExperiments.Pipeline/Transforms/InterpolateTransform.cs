using System.Text.Json.Nodes;
using EcgExperiments.Signals.Resampling;

namespace EcgExperiments.Pipeline.Transforms;

/// <summary>YAML <c>type: interpolate</c>: linear interpolation of every lead to a fixed number of points (SPEC §2.3).</summary>
public sealed record InterpolateOptions
{
    /// <summary>Points per lead after interpolation (np.interp onto an even grid over the same span).</summary>
    public int Length { get; init; } = 1000;
}

/// <summary>
/// Linear interpolation to <see cref="InterpolateOptions.Length"/> points per lead. The signal keeps its duration,
/// so a known rate becomes rate × length / samples.
/// </summary>
/// <example><code>
/// var to1000 = mlContext.Transforms.Ecg().Interpolate(length: 1000);
/// to1000.GetOutputSchema(new EcgSchema([1, 500], 50, ["x"])); // [1 × 1000] @ 100 Hz
/// </code></example>
public sealed class InterpolateTransformer(InterpolateOptions options) : EcgTransformerBase
{
    public override string Name => "interpolate";
    public InterpolateOptions Options { get; } = options;

    public override EcgSchema GetOutputSchema(EcgSchema input)
    {
        var layout = SignalLayout.Of(input, Name, minimumSamples: 2);
        if (Options.Length < 2) throw new SchemaException(Name, $"length must be ≥ 2 points, got {Options.Length}");
        return input with
        {
            ItemShape = SignalLayout.WithSamples(input, Options.Length),
            SamplingRate = input.SamplingRate is { } fs ? fs * Options.Length / layout.Samples : null,
        };
    }

    protected override SignalMapper CreateMapper(EcgSchema input, EcgSchema output)
    {
        var layout = SignalLayout.Of(input, Name, minimumSamples: 2);
        int length = Options.Length;
        return new RowMapper(input, output, (x, y) => SignalLayout.MapLeads(x, y, layout.Leads, layout.Samples, length, lead => Interpolate.LinearToLength(lead, length)));
    }

    public override JsonObject SaveState() => TransformStateJson.Save(Options);

    /// <summary>Rebuilds the transformer from <see cref="SaveState"/>.</summary>
    public static InterpolateTransformer LoadState(JsonObject state) => new(TransformStateJson.Load<InterpolateOptions>(state, "interpolate"));
}

/// <summary>Estimator of <see cref="InterpolateTransformer"/> (nothing to learn).</summary>
public sealed class InterpolateEstimator(InterpolateOptions options) : TrivialEcgEstimator<InterpolateTransformer>(new InterpolateTransformer(options));
