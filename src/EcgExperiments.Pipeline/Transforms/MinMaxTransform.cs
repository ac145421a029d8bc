using System.Text.Json.Nodes;
using EcgExperiments.Signals.Normalisation;

namespace EcgExperiments.Pipeline.Transforms;

/// <summary>YAML <c>type: minmax</c>: per-signal min-max scaling (SPEC §2.3), nothing learned from data.</summary>
public sealed record MinMaxOptions
{
    public double Low { get; init; }
    public double High { get; init; } = 1;
    /// <summary>Scale each lead on its own (first item dimension) instead of the whole item at once.</summary>
    public bool PerLead { get; init; } = true;
}

/// <summary>
/// Scales each item (or each lead of it) to [low, high]. A flat signal (max == min) maps to <c>low</c> instead of
/// NaN (the guard SPEC §2.3 asks for). Any item shape is accepted; the schema is unchanged.
/// </summary>
/// <example><code>
/// var unit = mlContext.Transforms.Ecg().MinMax();   // [0, 1] per lead
/// </code></example>
public sealed class MinMaxTransformer(MinMaxOptions options) : EcgTransformerBase
{
    public override string Name => "minmax";
    public MinMaxOptions Options { get; } = options;

    public override EcgSchema GetOutputSchema(EcgSchema input)
    {
        if (input.ItemShape.Count < 1 || input.ItemSize == 0) throw new SchemaException(Name, $"expects non-empty items, got {input.ShapeText}");
        if (!(Options.High > Options.Low)) throw new SchemaException(Name, $"needs low < high, got [{Options.Low}, {Options.High}]");
        return input;
    }

    protected override SignalMapper CreateMapper(EcgSchema input, EcgSchema output)
    {
        int groups = Options.PerLead && input.ItemShape.Count > 1 ? (int)input.ItemShape[0] : 1;
        int per = (int)(input.ItemSize / groups);
        float low = (float)Options.Low, high = (float)Options.High;
        return new RowMapper(input, output, (x, y) =>
        {
            for (int g = 0; g < groups; g++) Scaling.MinMax(x.Slice(g * per, per), y.Slice(g * per, per), low, high);
        });
    }

    public override JsonObject SaveState() => TransformStateJson.Save(Options);

    /// <summary>Rebuilds the transformer from <see cref="SaveState"/>.</summary>
    public static MinMaxTransformer LoadState(JsonObject state) => new(TransformStateJson.Load<MinMaxOptions>(state, "minmax"));
}

/// <summary>Estimator of <see cref="MinMaxTransformer"/> (per-signal scaling: nothing learned from data).</summary>
public sealed class MinMaxEstimator(MinMaxOptions options) : TrivialEcgEstimator<MinMaxTransformer>(new MinMaxTransformer(options));
