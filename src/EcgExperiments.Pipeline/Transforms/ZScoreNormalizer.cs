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

/// <summary>Fits per-lead (or global) mean and standard deviation on the training split only.</summary>
/// <example><code>
/// var zscore = mlContext.Transforms.Ecg().ZScore(perLead: true);
/// ZScoreTransformer fitted = zscore.Fit(train);          // statistics of the training rows only
/// var normalised = fitted.Transform(test);
/// </code></example>
public sealed class ZScoreEstimator(ZScoreOptions options) : EcgEstimatorBase<ZScoreTransformer>
{
    public override string Name => "zscore";
    public ZScoreOptions Options { get; } = options;

    public override EcgSchema GetOutputSchema(EcgSchema input)
    {
        if (input.ItemShape.Count < 1 || input.ItemSize == 0) throw new SchemaException(Name, $"expects non-empty items, got {input.ShapeText}");
        return input;
    }

    public override ZScoreTransformer Fit(EcgDataView training)
    {
        GetOutputSchema(training.Ecg);
        if (training.Count == 0) throw new SchemaException(Name, "cannot fit on an empty training split");
        int groups = Options.PerLead ? (int)training.Ecg.ItemShape[0] : 1;
        long size = training.Ecg.ItemSize, perGroup = size / groups;
        var sum = new double[groups];
        var sq = new double[groups];
        // Rows are read in blocks (a lazy view computes them once here), summed in row order as before.
        int block = (int)Math.Clamp((8L << 20) / Math.Max(1, size * sizeof(float)), 1, 1024);
        var values = new float[block * size];
        var rows = new int[block];
        for (int start = 0; start < training.Count; start += block)
        {
            int n = Math.Min(block, training.Count - start);
            for (int i = 0; i < n; i++) rows[i] = start + i;
            training.ReadSignals(rows.AsSpan(0, n), values.AsSpan(0, (int)(n * size)));
            for (int i = 0; i < n; i++)
                for (int g = 0; g < groups; g++)
                {
                    var span = values.AsSpan((int)(i * size + g * perGroup), (int)perGroup);
                    double s = 0, q = 0;
                    foreach (var v in span) { s += v; q += (double)v * v; }
                    sum[g] += s; sq[g] += q;
                }
        }
        double count = (double)training.Count * perGroup;
        var mean = new double[groups];
        var std = new double[groups];
        for (int g = 0; g < groups; g++)
        {
            mean[g] = sum[g] / count;
            std[g] = Math.Sqrt(Math.Max(0, sq[g] / count - mean[g] * mean[g]));
        }
        return new ZScoreTransformer(mean, std, Options.Epsilon);
    }
}

/// <summary>Applies fitted z-score statistics: (x − mean) / (std + ε) per lead.</summary>
public sealed class ZScoreTransformer(double[] mean, double[] std, double epsilon) : EcgTransformerBase
{
    public override string Name => "zscore";
    public IReadOnlyList<double> Mean { get; } = mean;
    public IReadOnlyList<double> Std { get; } = std;
    public double Epsilon { get; } = epsilon;

    public override EcgSchema GetOutputSchema(EcgSchema input)
    {
        if (Mean.Count > 1 && (input.ItemShape.Count < 1 || input.ItemShape[0] != Mean.Count))
            throw new SchemaException(Name, $"was fitted on {Mean.Count} leads, input has {(input.ItemShape.Count < 1 ? 0 : input.ItemShape[0])} ({input.ShapeText})");
        return input;
    }

    protected override SignalMapper CreateMapper(EcgSchema input, EcgSchema output)
    {
        int groups = Mean.Count;
        int perGroup = (int)(input.ItemSize / groups);
        var m = Mean.Select(x => (float)x).ToArray();
        var inv = Std.Select(x => (float)(1.0 / (x + Epsilon))).ToArray();
        return new RowMapper(input, output, (x, y) =>
        {
            for (int g = 0; g < groups; g++)
            {
                float mg = m[g], ig = inv[g];
                int start = g * perGroup;
                for (int k = start; k < start + perGroup; k++) y[k] = (x[k] - mg) * ig;
            }
        });
    }

    public override JsonObject SaveState() => new()
    {
        ["mean"] = new JsonArray(Mean.Select(x => (JsonNode)x).ToArray()),
        ["std"] = new JsonArray(Std.Select(x => (JsonNode)x).ToArray()),
        ["epsilon"] = Epsilon,
    };

    /// <summary>Rebuilds the transformer from <see cref="SaveState"/>.</summary>
    public static ZScoreTransformer LoadState(JsonObject s) => new(
        s["mean"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray(),
        s["std"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray(),
        s["epsilon"]!.GetValue<double>());
}
