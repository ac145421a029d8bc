using System.Text.Json.Nodes;

namespace EcgExperiments.Pipeline.Transforms;

/// <summary>YAML <c>type: select_leads</c>: keep some leads of [leads × samples] items, by name.</summary>
public sealed record SelectLeadsOptions
{
    /// <summary>Lead names in the order wanted (matched without regard to case, e.g. "II", "V5").</summary>
    public IReadOnlyList<string> Leads { get; init; } = [];
}

/// <summary>
/// Keeps the named leads in the order given. Needs the schema's lead names; an unknown name fails before any
/// data is read, listing the leads that exist.
/// </summary>
/// <example><code>
/// var lead2 = mlContext.Transforms.Ecg().SelectLeads("II");   // [12 × 1000] → [1 × 1000]
/// </code></example>
public sealed class SelectLeadsTransformer(SelectLeadsOptions options) : EcgTransformerBase
{
    public override string Name => "select_leads";
    public SelectLeadsOptions Options { get; } = options;

    /// <summary>Index of each selected lead in the input (data-free).</summary>
    public int[] Indices(EcgSchema input)
    {
        if (Options.Leads.Count == 0) throw new SchemaException(Name, "leads: lists no lead names; give at least one, e.g. leads: [II]");
        if (input.ItemShape.Count != 2)
            throw new SchemaException(Name, $"expects [leads × samples] items, got {input.ShapeText}");
        if (input.LeadNames is not { } names || names.Count != input.ItemShape[0])
            throw new SchemaException(Name, $"the input {input.ShapeText} has no lead names to select from");
        return Options.Leads.Select(wanted =>
        {
            for (int i = 0; i < names.Count; i++)
                if (string.Equals(names[i], wanted, StringComparison.OrdinalIgnoreCase)) return i;
            throw new SchemaException(Name, $"no lead '{wanted}'; available leads: {string.Join(", ", names)}");
        }).ToArray();
    }

    public override EcgSchema GetOutputSchema(EcgSchema input)
    {
        var idx = Indices(input);
        return input with { ItemShape = [idx.Length, input.ItemShape[1]], LeadNames = idx.Select(i => input.LeadNames![i]).ToArray() };
    }

    protected override SignalMapper CreateMapper(EcgSchema input, EcgSchema output)
    {
        var idx = Indices(input);
        int samples = (int)input.ItemShape[1];
        return new RowMapper(input, output, (x, y) =>
        {
            for (int k = 0; k < idx.Length; k++) x.Slice(idx[k] * samples, samples).CopyTo(y.Slice(k * samples, samples));
        });
    }

    public override JsonObject SaveState() => TransformStateJson.Save(Options);

    /// <summary>Rebuilds the transformer from <see cref="SaveState"/>.</summary>
    public static SelectLeadsTransformer LoadState(JsonObject state) => new(TransformStateJson.Load<SelectLeadsOptions>(state, "select_leads"));
}

/// <summary>Estimator of <see cref="SelectLeadsTransformer"/> (nothing to learn).</summary>
public sealed class SelectLeadsEstimator(SelectLeadsOptions options) : TrivialEcgEstimator<SelectLeadsTransformer>(new SelectLeadsTransformer(options));
