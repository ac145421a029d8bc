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
/// var unit = new MinMaxTransform(new MinMaxOptions());   // [0, 1] per lead
/// </code></example>
public sealed class MinMaxTransform(MinMaxOptions options) : StatelessTransform
{
    public override string Name => "minmax";
    public MinMaxOptions Options { get; } = options;

    public override DataSchema GetOutputSchema(DataSchema input)
    {
        if (input.ItemShape.Count < 1 || input.ItemSize == 0) throw new SchemaException(Name, $"expects non-empty items, got {input.ShapeText}");
        if (!(Options.High > Options.Low)) throw new SchemaException(Name, $"needs low < high, got [{Options.Low}, {Options.High}]");
        return input;
    }

    public override Example Apply(Example example, DataSchema input, DataSchema output)
    {
        int groups = Options.PerLead && input.ItemShape.Count > 1 ? (int)input.ItemShape[0] : 1;
        int per = example.Values.Length / groups;
        var v = new float[example.Values.Length];
        for (int g = 0; g < groups; g++)
            Scaling.MinMax(example.Values.AsSpan(g * per, per), v.AsSpan(g * per, per), (float)Options.Low, (float)Options.High);
        return example with { Values = v };
    }

    public override JsonObject SaveState() => TransformStateJson.Save(Options);

    /// <summary>Rebuilds the transform from <see cref="SaveState"/>.</summary>
    public static MinMaxTransform LoadState(JsonObject state) => new(TransformStateJson.Load<MinMaxOptions>(state, "minmax"));
}
