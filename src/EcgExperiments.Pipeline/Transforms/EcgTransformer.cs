using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace EcgExperiments.Pipeline;

/// <summary>
/// An ML.NET estimator of the framework: holds options only and learns nothing until <see cref="IEstimator{TTransformer}.Fit"/>.
/// Besides ML.NET's coarse <see cref="SchemaShape"/> it propagates the full ECG shape (dimensions, sampling rate,
/// lead names) without data, which is what <c>ecg run --dry-run</c> prints and what rejects a misconfigured stage in
/// milliseconds.
/// </summary>
public interface IEcgEstimator
{
    /// <summary>Registered name, e.g. "zscore" (the YAML <c>type:</c>).</summary>
    string Name { get; }

    /// <summary>The output for an input, without data. Throws <see cref="SchemaException"/> naming this stage when the input cannot be accepted.</summary>
    EcgSchema GetOutputSchema(EcgSchema input);

    /// <summary>This estimator as an ML.NET <see cref="IEstimator{TTransformer}"/> (to append to a chain).</summary>
    IEstimator<ITransformer> AsEstimator();
}

/// <summary>
/// Base of the framework's fitted transformers: immutable, applied lazily (<see cref="Transform(EcgDataView)"/> returns a
/// view that computes rows as they are read), persisted as JSON state by <see cref="SaveState"/>.
/// </summary>
/// <remarks>
/// ML.NET's <c>mlContext.Model.Save</c> cannot hold third-party components (<see cref="ModelSaveContext"/> exposes no
/// public writer), so <see cref="ICanSaveModel.Save"/> refuses with that reason and trained pipelines are saved in the
/// framework's own versioned model file instead.
/// </remarks>
public abstract class EcgTransformerBase : ITransformer
{
    /// <summary>Why ML.NET's model zip cannot hold this component, and what to use instead.</summary>
    public const string PersistenceNote =
        "ML.NET's Model.Save cannot persist third-party transformers (ModelSaveContext has no public writer); " +
        "save trained pipelines with EcgModelFile (ecg run writes model.ecgmodel)";

    /// <summary>Registered name, e.g. "zscore".</summary>
    public abstract string Name { get; }

    /// <summary>The output for an input, without data; throws <see cref="SchemaException"/> naming this stage.</summary>
    public abstract EcgSchema GetOutputSchema(EcgSchema input);

    /// <summary>What this transformer does to one item of the given input.</summary>
    protected abstract SignalMapper CreateMapper(EcgSchema input, EcgSchema output);

    /// <summary>Everything the transformer holds (options and learned state) as JSON, read back by <see cref="Transforms.TransformStates"/>.</summary>
    public abstract JsonObject SaveState();

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => GetOutputSchema(EcgSchema.From(inputSchema, Name)).ToDataViewSchema();

    public IDataView Transform(IDataView input) => Transform(EcgDataView.From(input, Name));

    /// <summary>The transformed view; rows are computed when read.</summary>
    public EcgDataView Transform(EcgDataView input)
    {
        var output = GetOutputSchema(input.Ecg);
        return new MappedDataView(input, CreateMapper(input.Ecg, output));
    }

    public bool IsRowToRowMapper => false;

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException($"stage `{Name}` transforms whole views (Transform), not single rows");

    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(PersistenceNote);
}

/// <summary>Base of the framework's estimators: options only; checks ML.NET's SchemaShape as far as it goes.</summary>
public abstract class EcgEstimatorBase<TTransformer> : IEcgEstimator, IEstimator<TTransformer> where TTransformer : EcgTransformerBase
{
    public abstract string Name { get; }

    public abstract EcgSchema GetOutputSchema(EcgSchema input);

    /// <summary>Learns from <paramref name="training"/> (only) and returns the fitted transformer.</summary>
    public abstract TTransformer Fit(EcgDataView training);

    public TTransformer Fit(IDataView input) => Fit(EcgDataView.From(input, Name));

    public IEstimator<ITransformer> AsEstimator() => this;

    /// <summary>The coarse shape check ML.NET's chains run: a known-size Single vector Signal column, replaced in place.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => SchemaShapes.RequireSignal(inputSchema, Name);
}

/// <summary>An estimator with nothing to learn: <see cref="Fit(EcgDataView)"/> returns its transformer (ML.NET's TrivialEstimator).</summary>
public abstract class TrivialEcgEstimator<TTransformer>(TTransformer transformer) : EcgEstimatorBase<TTransformer> where TTransformer : EcgTransformerBase
{
    public TTransformer Transformer { get; } = transformer;

    public override string Name => Transformer.Name;

    public override EcgSchema GetOutputSchema(EcgSchema input) => Transformer.GetOutputSchema(input);

    public override TTransformer Fit(EcgDataView training)
    {
        GetOutputSchema(training.Ecg);
        return Transformer;
    }
}

/// <summary>A mapper from a per-row function (most transforms).</summary>
internal sealed class RowMapper(EcgSchema input, EcgSchema output, RowMapper.Map map) : SignalMapper(input, output)
{
    public delegate void Map(ReadOnlySpan<float> input, Span<float> output);

    public override void MapRow(ReadOnlySpan<float> input, Span<float> output) => map(input, output);
}

/// <summary>Shape propagation through a list of estimators, for dry runs and early errors.</summary>
public static class EcgPipeline
{
    /// <summary>Every stage's output schema, starting with the input ("input", then each stage by name).</summary>
    public static IReadOnlyList<(string Stage, EcgSchema Schema)> Trace(IEnumerable<IEcgEstimator> stages, EcgSchema input)
    {
        var list = new List<(string, EcgSchema)> { ("input", input) };
        var s = input;
        foreach (var e in stages)
        {
            s = e.GetOutputSchema(s);
            list.Add((e.Name, s));
        }
        return list;
    }

    /// <summary>An ML.NET chain of the stages (fit with <c>Fit</c>, which fits each on the output of the previous fitted ones).</summary>
    public static EstimatorChain<ITransformer> Chain(IEnumerable<IEcgEstimator> stages) =>
        stages.Aggregate(new EstimatorChain<ITransformer>(), (chain, e) => chain.Append(e.AsEstimator()));
}
