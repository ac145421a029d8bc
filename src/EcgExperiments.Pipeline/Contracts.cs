using System.Text.Json;
using System.Text.Json.Nodes;

namespace EcgExperiments.Pipeline;

/// <summary>A fitted, immutable transformation of a <see cref="DataView"/> (ML.NET's ITransformer).</summary>
public interface ITransformer
{
    /// <summary>Registered name, e.g. "zscore".</summary>
    string Name { get; }

    DataSchema GetOutputSchema(DataSchema input);

    DataView Transform(DataView input);

    /// <summary>Everything the transformer learned, as JSON (versioned by <see cref="PipelineFile"/>).</summary>
    JsonObject SaveState();
}

/// <summary>Holds options only; learns in <see cref="Fit"/> and returns a transformer (ML.NET's IEstimator).</summary>
public interface IEstimator
{
    string Name { get; }

    /// <summary>The output schema for an input schema, without data. Throws <see cref="SchemaException"/> when the input cannot be accepted.</summary>
    DataSchema GetOutputSchema(DataSchema input);

    ITransformer Fit(DataView training);
}

/// <summary>A stateless transform is its own estimator: Fit returns itself.</summary>
public abstract class StatelessTransform : IEstimator, ITransformer
{
    public abstract string Name { get; }
    public abstract DataSchema GetOutputSchema(DataSchema input);
    public abstract Example Apply(Example example, DataSchema input, DataSchema output);

    public ITransformer Fit(DataView training) => this;

    public DataView Transform(DataView input)
    {
        var output = GetOutputSchema(input.Schema);
        var results = new Example[input.Count];
        Parallel.For(0, input.Count, i => results[i] = Apply(input.Examples[i], input.Schema, output));
        return new DataView(output, results);
    }

    public virtual JsonObject SaveState() => [];
}

/// <summary>Estimators in order; fitting fits each on the output of the previous fitted ones.</summary>
public sealed class EstimatorChain(IReadOnlyList<IEstimator> stages) : IEstimator
{
    public string Name => "chain";
    public IReadOnlyList<IEstimator> Stages { get; } = stages;

    public DataSchema GetOutputSchema(DataSchema input) => Stages.Aggregate(input, (s, e) => e.GetOutputSchema(s));

    /// <summary>Every stage's output schema, for dry-run listings.</summary>
    public IReadOnlyList<(string stage, DataSchema schema)> Trace(DataSchema input)
    {
        var list = new List<(string, DataSchema)> { ("input", input) };
        var s = input;
        foreach (var e in Stages) { s = e.GetOutputSchema(s); list.Add((e.Name, s)); }
        return list;
    }

    public TransformerChain Fit(DataView training)
    {
        var fitted = new List<ITransformer>();
        var current = training;
        foreach (var e in Stages)
        {
            var t = e.Fit(current);
            fitted.Add(t);
            current = t.Transform(current);
        }
        return new TransformerChain(fitted);
    }

    ITransformer IEstimator.Fit(DataView training) => Fit(training);
}

public sealed class TransformerChain(IReadOnlyList<ITransformer> stages) : ITransformer
{
    public string Name => "chain";
    public IReadOnlyList<ITransformer> Stages { get; } = stages;

    public DataSchema GetOutputSchema(DataSchema input) => Stages.Aggregate(input, (s, t) => t.GetOutputSchema(s));

    public DataView Transform(DataView input) => Stages.Aggregate(input, (v, t) => t.Transform(v));

    public JsonObject SaveState()
    {
        var arr = new JsonArray();
        foreach (var s in Stages) arr.Add(new JsonObject { ["name"] = s.Name, ["state"] = s.SaveState() });
        return new JsonObject { ["stages"] = arr };
    }
}

/// <summary>Versioned JSON persistence of fitted pipelines (format 1).</summary>
public static class PipelineFile
{
    public const int FormatVersion = 1;

    public static string Serialize(TransformerChain chain) =>
        new JsonObject { ["format"] = "ecg-pipeline", ["version"] = FormatVersion, ["pipeline"] = chain.SaveState() }
            .ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
