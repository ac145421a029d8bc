using EcgExperiments.Evaluation;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using Microsoft.ML;
using Microsoft.ML.Data;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training.Autoencoders;

/// <summary>
/// Reconstruction autoencoders for anomaly detection (SPEC §2.5: <see cref="Models.LstmAutoencoder"/>,
/// <see cref="Models.TransformerAutoencoder"/>). Items are series of T samples ([T] or [1 × T]); the model sees N×T×1.
/// Loss: L1 summed over each sample's time steps, averaged over the batch. Only rows of <see cref="NormalClass"/> are
/// trained on (the others in the training view are skipped), so a whole training fold can be passed in. Returns an
/// <see cref="AnomalyPredictor"/> whose Score is the per-sample L1 sum; validation reports the normal rows' mean score
/// as the loss and, when both kinds are present, "roc_auc" and "average_precision" (anomalous = positive).
/// </summary>
/// <example><code>
/// var trainer = new AutoencoderTrainer(AutoencoderTrainer.DefaultOptions with { Epochs = 150 }, _ => new LstmAutoencoder(new() { Embedding = 64 }), Device.CPU, seed: 1);
/// var run = trainer.Train(trainFold, validation);
/// var scores = run.Model.Transform(heldOut).ReadAll()[EcgColumns.Score];
/// </code></example>
public sealed class AutoencoderTrainer(
    TrainingOptions options, Func<EcgSchema, Module<Tensor, Tensor>> createModel, Device device, ulong seed, int normalClass = 0)
    : EcgTrainerBase<Module<Tensor, Tensor>, AnomalyPredictor>(options, device, seed)
{
    /// <summary>SPEC §2.5: Adam lr 1e-3, batch 32 (150 epochs at full scale).</summary>
    public static TrainingOptions DefaultOptions { get; } = new() { Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, BatchSize = 32, Epochs = 150 };

    /// <summary>Label of the normal class; every other label counts as anomalous.</summary>
    public int NormalClass { get; } = normalClass;

    protected override Module<Tensor, Tensor> CreateModel(EcgSchema schema)
    {
        SeriesLength(schema);
        if (NormalClass < 0 || NormalClass >= schema.ClassNames.Count)
            throw new SchemaException("autoencoder", $"normal class {NormalClass} is not a class of the data [{string.Join(", ", schema.ClassNames)}]");
        return createModel(schema);
    }

    /// <summary>Samples per series of a [T], [1 × T] or [T × 1] item.</summary>
    public static int SeriesLength(EcgSchema schema) => schema.ItemShape switch
    {
        [var t] => (int)t,
        [1, var t] => (int)t,
        [var t, 1] => (int)t,
        _ => throw new SchemaException("autoencoder", $"expects single-lead series shaped [T] or [1 × T], got {schema.ShapeText}"),
    };

    /// <summary>Seeded shuffle of the normal rows only.</summary>
    protected override int[] EpochOrder(FitState<Module<Tensor, Tensor>> state)
    {
        var labels = state.Train.Index.Labels;
        var order = Enumerable.Range(0, labels.Count).Where(i => labels[i] == NormalClass).ToArray();
        if (order.Length == 0) throw new ArgumentException($"the training view has no examples of the normal class '{state.Train.Ecg.ClassNames[NormalClass]}'");
        state.Rng.Shuffle(order);
        return order;
    }

    protected override Tensor BatchLoss(FitState<Module<Tensor, Tensor>> state, int[] batch)
    {
        var x = Series(Batches.Inputs(state.Train, batch, Device));
        return F.l1_loss(state.Model.forward(x).@float(), x, torch.nn.Reduction.Sum) / batch.Length;
    }

    /// <summary>A batch [N, …] as the N × T × 1 series the autoencoders read.</summary>
    private static Tensor Series(Tensor batch) => batch.view(batch.size(0), -1, 1);

    /// <summary>The anomaly score of a batch: L1 reconstruction error summed over each series.</summary>
    public static Tensor Score(Module network, Tensor batch)
    {
        var x = Series(batch);
        return (((Module<Tensor, Tensor>)network).forward(x).@float() - x).abs().sum([1L, 2L]);
    }

    protected override ValidationResult Validate(FitState<Module<Tensor, Tensor>> state, EcgDataView validation)
    {
        // Not disposed: the model belongs to the fit, the predictor only borrows it to score the validation rows.
        var predictor = new AnomalyPredictor(state.Model, Score, validation.Ecg, Device, InferenceBatch);
        var scores = predictor.Transform(validation).ReadAll()[EcgColumns.Score].Select(v => (double)v).ToArray();
        return AnomalyValidation.Of(scores, validation.Index.Labels, NormalClass);
    }

    private int InferenceBatch => Math.Max(Options.BatchSize, 64);

    public override IReadOnlyList<string> ValidationMetrics(EcgSchema schema) => [MetricNames.RocAuc, MetricNames.AveragePrecision];

    protected override AnomalyPredictor CreatePredictor(FitState<Module<Tensor, Tensor>> state, EcgSchema schema) =>
        new(state.Model, Score, schema, Device, InferenceBatch);

    public override SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        SchemaShapes.AddConverted(SchemaShapes.RequireLabel(SchemaShapes.RequireSignal(inputSchema, "autoencoder"), "autoencoder"), EcgColumns.Score, EcgColumns.Label, DataKind.Single);
}
