using System.Text.Json.Nodes;

namespace EcgExperiments.Pipeline.Transforms;

/// <summary>
/// Z-score normalisation with statistics fitted on the training split only (per lead, or one pair over all
/// values). Items are [leads, samples] or any shape whose first dimension is the lead.
/// </summary>
public sealed record ZScoreOptions
{
    /// <summary>One mean/std per lead (first item dimension) instead of one for all values.</summary>
    public bool PerLead { get; init; } = true;
    /// <summary>Added to the standard deviation so flat leads do not divide by zero.</summary>
    public double Epsilon { get; init; } = 1e-6;
}

public sealed class ZScoreEstimator(ZScoreOptions options) : IEstimator
{
    public string Name => "zscore";
    public ZScoreOptions Options { get; } = options;

    public DataSchema GetOutputSchema(DataSchema input)
    {
        if (input.ItemShape.Count < 1 || input.ItemSize == 0) throw new SchemaException(Name, $"expects non-empty items, got {input.ShapeText}");
        return input;
    }

    public ITransformer Fit(DataView training)
    {
        GetOutputSchema(training.Schema);
        if (training.Count == 0) throw new SchemaException(Name, "cannot fit on an empty training split");
        int groups = Options.PerLead ? (int)training.Schema.ItemShape[0] : 1;
        long perGroup = training.Schema.ItemSize / groups;
        var sum = new double[groups];
        var sq = new double[groups];
        foreach (var e in training.Examples)
            for (int g = 0; g < groups; g++)
            {
                var span = e.Values.AsSpan((int)(g * perGroup), (int)perGroup);
                double s = 0, q = 0;
                foreach (var v in span) { s += v; q += (double)v * v; }
                sum[g] += s; sq[g] += q;
            }
        double n = (double)training.Count * perGroup;
        var mean = new double[groups];
        var std = new double[groups];
        for (int g = 0; g < groups; g++)
        {
            mean[g] = sum[g] / n;
            std[g] = Math.Sqrt(Math.Max(0, sq[g] / n - mean[g] * mean[g]));
        }
        return new ZScoreTransformer(mean, std, Options.Epsilon);
    }
}

public sealed class ZScoreTransformer(double[] mean, double[] std, double epsilon) : ITransformer
{
    public string Name => "zscore";
    public IReadOnlyList<double> Mean { get; } = mean;
    public IReadOnlyList<double> Std { get; } = std;

    public DataSchema GetOutputSchema(DataSchema input) => input;

    public DataView Transform(DataView input)
    {
        int groups = Mean.Count;
        long perGroup = input.Schema.ItemSize / groups;
        if (groups > 1 && input.Schema.ItemShape[0] != groups)
            throw new SchemaException(Name, $"was fitted on {groups} leads, input has {input.Schema.ItemShape[0]}");
        var output = new Example[input.Count];
        Parallel.For(0, input.Count, i =>
        {
            var e = input.Examples[i];
            var v = new float[e.Values.Length];
            for (int g = 0; g < groups; g++)
            {
                float m = (float)Mean[g], inv = (float)(1.0 / (Std[g] + epsilon));
                int start = (int)(g * perGroup);
                for (int k = start; k < start + perGroup; k++) v[k] = (e.Values[k] - m) * inv;
            }
            output[i] = e with { Values = v };
        });
        return new DataView(input.Schema, output);
    }

    public JsonObject SaveState() => new()
    {
        ["mean"] = new JsonArray(Mean.Select(x => (JsonNode)x).ToArray()),
        ["std"] = new JsonArray(Std.Select(x => (JsonNode)x).ToArray()),
        ["epsilon"] = epsilon,
    };
}
