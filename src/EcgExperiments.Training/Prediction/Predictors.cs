using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using Microsoft.ML;
using Microsoft.ML.Data;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training;

/// <summary>
/// A trained model as an ML.NET transformer: <see cref="Transform(EcgDataView)"/> adds the prediction columns of its task
/// (classifiers: Score, PredictedLabel and, for binary tasks, Probability; anomaly detectors: Score; reconstruction:
/// Reconstruction) and computes them in batches as rows are read. This is the one inference API of every task, used
/// for validation-free evaluation, predictions files, <c>ecg predict</c> and C# callers alike. Owns the network's
/// native memory: dispose it.
/// </summary>
public interface IEcgPredictor : ITransformer, IDisposable
{
    /// <summary>The items the network takes (shape, rate, leads) and the classes it knows.</summary>
    EcgSchema InputSchema { get; }

    /// <summary>The trained network (saved in model files).</summary>
    Module Network { get; }

    /// <summary>The columns this predictor adds.</summary>
    IReadOnlyList<ComputedColumn> PredictionColumns { get; }

    /// <summary>The rows of <paramref name="data"/> with the prediction columns added (computed lazily).</summary>
    PredictionView Transform(EcgDataView data);

    /// <summary>
    /// The rows of <paramref name="data"/> with the prediction columns added, the network's forward passes computed in
    /// <paramref name="precision"/> (bf16: under autocast; the columns stay float32). Throws when the device cannot.
    /// </summary>
    PredictionView Transform(EcgDataView data, Precision precision);
}

/// <summary>Base of the prediction transformers: schema checks, lazy batched computation, ML.NET plumbing.</summary>
public abstract class PredictorBase(Module network, EcgSchema inputSchema, Device device, int batchSize) : IEcgPredictor
{
    public Module Network { get; } = network;
    public EcgSchema InputSchema { get; } = inputSchema;
    public Device Device { get; } = device;

    /// <summary>Rows per forward pass (the same batches evaluation always used, so numbers do not depend on how rows are read).</summary>
    public int BatchSize { get; } = Math.Max(1, batchSize);

    public abstract IReadOnlyList<ComputedColumn> PredictionColumns { get; }

    /// <summary>Runs the network on <paramref name="rows"/> of <paramref name="data"/> (eval mode, no gradients) and fills one buffer per column.</summary>
    protected internal abstract void Compute(EcgDataView data, ReadOnlySpan<int> rows, float[][] outputs);

    public PredictionView Transform(EcgDataView data) => Transform(data, Precision.Fp32);

    public PredictionView Transform(EcgDataView data, Precision precision)
    {
        if (!data.Ecg.ItemShape.SequenceEqual(InputSchema.ItemShape))
            throw new SchemaException("model", $"the model takes items {InputSchema.ShapeText}, the data has {data.Ecg.ShapeText}");
        PrecisionSupport.EnsureSupported(precision, Device, "precision");
        return new PredictionView(this, data, precision);
    }

    public IDataView Transform(IDataView input) => Transform(EcgDataView.From(input, "model"));

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var ecg = EcgSchema.From(inputSchema, "model");
        if (!ecg.ItemShape.SequenceEqual(InputSchema.ItemShape))
            throw new SchemaException("model", $"the model takes items {InputSchema.ShapeText}, the data has {ecg.ShapeText}");
        var b = new DataViewSchema.Builder();
        ecg.AddColumns(b);
        foreach (var c in PredictionColumns) b.AddColumn(c.Name, c.Type, c.Annotations);
        return b.ToSchema();
    }

    public bool IsRowToRowMapper => false;

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("the model predicts whole views in batches (Transform), not single rows");

    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(EcgTransformerBase.PersistenceNote);

    public long ParameterCount => Network.parameter_count();

    public void Dispose()
    {
        Network.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A view with a predictor's columns; <see cref="ReadAll"/> computes them for every row in one batched pass.</summary>
public sealed class PredictionView : EcgDataView
{
    private readonly PredictorBase _predictor;

    internal PredictionView(PredictorBase predictor, EcgDataView input, Precision precision) : base(input.Ecg, input.Index)
    {
        _predictor = predictor;
        Input = input;
        Precision = precision;
    }

    public EcgDataView Input { get; }

    /// <summary>The precision of the network's forward passes (the columns are float32 either way).</summary>
    public Precision Precision { get; }

    protected override IReadOnlyList<ComputedColumn> ExtraColumns => _predictor.PredictionColumns;
    protected override int ExtraBlock => _predictor.BatchSize;

    public override void ReadSignals(ReadOnlySpan<int> rows, Span<float> destination) => Input.ReadSignals(rows, destination);

    protected override void ComputeExtra(ReadOnlySpan<int> rows, float[][] outputs)
    {
        // The scope on the thread that computes the block: autocast is per thread, and a view may be read from any.
        using (PrecisionSupport.Autocast(Precision, _predictor.Device.Type)) _predictor.Compute(Input, rows, outputs);
    }

    /// <summary>One prediction column for every row, flat [rows × width].</summary>
    public float[] Column(string name) => ReadAll()[name];

    /// <summary>Every prediction column for every row, as flat [rows × width] arrays keyed by column name.</summary>
    public IReadOnlyDictionary<string, float[]> ReadAll()
    {
        var columns = ExtraColumns;
        var result = columns.ToDictionary(c => c.Name, c => new float[(long)Count * c.Width]);
        foreach (var rows in Batches.Sequential(Count, ExtraBlock))
        {
            var block = columns.Select(c => new float[rows.Length * c.Width]).ToArray();
            ComputeExtra(rows, block);
            for (int k = 0; k < columns.Count; k++) block[k].CopyTo(result[columns[k].Name], (long)rows[0] * columns[k].Width);
        }
        return result;
    }
}

/// <summary>
/// A classifier's predictions, in ML.NET's conventions. Binary tasks (one logit; class 1 is the positive class): Score =
/// the raw logit, Probability = p(class 1), PredictedLabel = Probability ≥ <see cref="Threshold"/> (0.5, or the value
/// chosen on validation). Multi-class: Score =
/// the class probabilities (softmax), PredictedLabel = the most probable class (a key over the class names).
/// Multi-label (<see cref="EcgSchema.MultiLabel"/>): Score = one sigmoid probability per label, PredictedLabel = one
/// decision per label (probability ≥ that label's threshold in <see cref="Thresholds"/>, 0.5 until chosen on validation).
/// </summary>
public sealed class ClassificationPredictor(Module<Tensor, Tensor> network, EcgSchema inputSchema, Device device, int batchSize, double threshold = 0.5,
    IReadOnlyList<double>? thresholds = null)
    : PredictorBase(network, inputSchema, device, batchSize)
{
    public bool IsMultiLabel => InputSchema.MultiLabel;

    public bool IsBinary => !IsMultiLabel && InputSchema.ClassNames.Count == 2;

    /// <summary>Binary tasks: the decision threshold on p(class 1).</summary>
    public double Threshold { get; } = threshold;

    /// <summary>Multi-label tasks: the decision threshold of each label (0.5 each until chosen on validation).</summary>
    public IReadOnlyList<double> Thresholds { get; } = Checked(thresholds, inputSchema);

    private static IReadOnlyList<double> Checked(IReadOnlyList<double>? thresholds, EcgSchema schema)
    {
        if (!schema.MultiLabel) return [];
        if (thresholds is null) return Enumerable.Repeat(0.5, schema.ClassNames.Count).ToArray();
        return thresholds.Count == schema.ClassNames.Count ? thresholds.ToArray()
            : throw new ArgumentException($"{thresholds.Count} thresholds for {schema.ClassNames.Count} labels [{string.Join(", ", schema.ClassNames)}]", nameof(thresholds));
    }

    /// <summary>The same network with another decision threshold (chosen on validation).</summary>
    public ClassificationPredictor WithThreshold(double threshold) => new((Module<Tensor, Tensor>)Network, InputSchema, Device, BatchSize, threshold, Thresholds);

    /// <summary>Multi-label: the same network with one threshold per label (chosen on validation).</summary>
    public ClassificationPredictor WithThresholds(IReadOnlyList<double> thresholds) => new((Module<Tensor, Tensor>)Network, InputSchema, Device, BatchSize, Threshold, thresholds);

    public override IReadOnlyList<ComputedColumn> PredictionColumns =>
        IsMultiLabel ? [ComputedColumn.Named(EcgColumns.Score, InputSchema.ClassNames), ComputedColumn.Booleans(EcgColumns.PredictedLabel, InputSchema.ClassNames)]
        : IsBinary ? [ComputedColumn.Single(EcgColumns.Score), ComputedColumn.Single(EcgColumns.Probability), ComputedColumn.Boolean(EcgColumns.PredictedLabel)]
        : [ComputedColumn.Vector(EcgColumns.Score, InputSchema.ClassNames.Count), ComputedColumn.Key(EcgColumns.PredictedLabel, InputSchema.ClassNames)];

    /// <summary>Class probabilities [batch × k] of logits ([batch, 1]: sigmoid pair; [batch, k]: softmax).</summary>
    public static Tensor Probabilities(Tensor logits) =>
        logits.size(1) == 1 ? torch.cat([1 - logits.sigmoid(), logits.sigmoid()], 1) : F.softmax(logits, 1);

    protected internal override void Compute(EcgDataView data, ReadOnlySpan<int> rows, float[][] outputs)
    {
        var net = (Module<Tensor, Tensor>)Network;
        net.eval();
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var logits = net.forward(Batches.Inputs(data, rows, Device)).@float();
        int k = InputSchema.ClassNames.Count;
        if (IsMultiLabel)
        {
            var sig = logits.sigmoid().cpu().data<float>();
            for (int i = 0; i < rows.Length; i++)
                for (int l = 0; l < k; l++)
                {
                    float p = sig[i * k + l];
                    outputs[0][i * k + l] = p;
                    outputs[1][i * k + l] = p >= Thresholds[l] ? 1 : 0;
                }
            return;
        }
        var probs = Probabilities(logits).cpu().data<float>();
        var raw = IsBinary ? logits.cpu().data<float>() : [];
        for (int i = 0; i < rows.Length; i++)
        {
            var p = probs.AsSpan(i * k, k);
            if (IsBinary)
            {
                outputs[0][i] = raw[i];
                outputs[1][i] = p[1];
                outputs[2][i] = p[1] >= Threshold ? 1 : 0;
            }
            else
            {
                p.CopyTo(outputs[0].AsSpan(i * k, k));
                int best = 0;
                for (int c = 1; c < k; c++) if (p[c] > p[best]) best = c;
                outputs[1][i] = best + 1;
            }
        }
    }
}

/// <summary>
/// An anomaly detector's predictions: Score = the anomaly score (higher = more anomalous, in the detector's raw units),
/// PredictedLabel = Score ≥ <see cref="Threshold"/> when a threshold was chosen on validation.
/// </summary>
public sealed class AnomalyPredictor(Module network, Func<Module, Tensor, Tensor> score, EcgSchema inputSchema, Device device, int batchSize, double? threshold = null)
    : PredictorBase(network, inputSchema, device, batchSize)
{
    /// <summary>Raw-score threshold (anomalous at or above), or null when none was chosen.</summary>
    public double? Threshold { get; } = threshold;

    public AnomalyPredictor WithThreshold(double? threshold) => new(Network, score, InputSchema, Device, BatchSize, threshold);

    public override IReadOnlyList<ComputedColumn> PredictionColumns =>
        Threshold is null ? [ComputedColumn.Single(EcgColumns.Score)] : [ComputedColumn.Single(EcgColumns.Score), ComputedColumn.Boolean(EcgColumns.PredictedLabel)];

    protected internal override void Compute(EcgDataView data, ReadOnlySpan<int> rows, float[][] outputs)
    {
        Network.eval();
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var s = score(Network, Batches.Inputs(data, rows, Device)).@float().cpu().data<float>();
        for (int i = 0; i < rows.Length; i++)
        {
            outputs[0][i] = s[i];
            if (Threshold is { } t) outputs[1][i] = s[i] >= t ? 1 : 0;
        }
    }
}

/// <summary>A reconstruction model's predictions: Reconstruction = every lead, shaped like the input item.</summary>
public sealed class ReconstructionPredictor(Module<Tensor, Tensor> network, EcgSchema inputSchema, Device device, int batchSize, int inputLead)
    : PredictorBase(network, inputSchema, device, batchSize)
{
    /// <summary>Index of the lead the model reads.</summary>
    public int InputLead { get; } = inputLead;

    public override IReadOnlyList<ComputedColumn> PredictionColumns =>
        [ComputedColumn.Vector(EcgColumns.Reconstruction, (int)InputSchema.ItemSize, InputSchema.ItemShape)];

    protected internal override void Compute(EcgDataView data, ReadOnlySpan<int> rows, float[][] outputs)
    {
        var net = (Module<Tensor, Tensor>)Network;
        net.eval();
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var flat = net.forward(ReconstructionInputs.Of(data, rows, InputLead, Device)).to(ScalarType.Float32).cpu().data<float>();
        int size = (int)InputSchema.ItemSize;
        if (flat.Length != rows.Length * size)
            throw new InvalidOperationException($"the model returned {flat.Length / Math.Max(1, rows.Length)} values per record; the data needs {InputSchema.ShapeText}");
        flat.AsSpan(0, rows.Length * size).CopyTo(outputs[0]);
    }
}

/// <summary>The reconstruction input of a batch: the input lead of each record, interpolated and min-max scaled (SPEC §2.3).</summary>
public static class ReconstructionInputs
{
    public static Tensor Of(EcgDataView data, ReadOnlySpan<int> rows, int inputLead, Device device)
    {
        int t = (int)data.Ecg.ItemShape[1];
        var signals = new float[rows.Length * data.Ecg.ItemSize];
        data.ReadSignals(rows, signals);
        var inputs = new float[rows.Length * t];
        for (int i = 0; i < rows.Length; i++)
            Reconstruction.ReconstructionPreprocessing.Prepare(signals.AsSpan((int)(i * data.Ecg.ItemSize) + inputLead * t, t), inputs.AsSpan(i * t, t));
        return torch.tensor(inputs, [rows.Length, t], device);
    }
}
