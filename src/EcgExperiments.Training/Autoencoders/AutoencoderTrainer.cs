using EcgExperiments.Core;
using EcgExperiments.Evaluation;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training.Autoencoders;

/// <summary>
/// Reconstruction autoencoders for anomaly detection (SPEC §2.5: <see cref="Models.LstmAutoencoder"/>,
/// <see cref="Models.TransformerAutoencoder"/>). Items are series of T samples (shape [T] or [T, 1]); the model sees
/// N×T×1. Loss: L1 summed over each sample's time steps, averaged over the batch. Only examples of
/// <see cref="NormalClass"/> are trained on (the others in the training view are skipped), so a whole training
/// fold can be passed in. Anomaly score = per-sample L1 sum; validation reports the normal examples' mean score
/// as the loss and, when both kinds are present, "roc_auc" and "average_precision" (anomalous = positive).
/// </summary>
/// <example><code>
/// var trainer = new AutoencoderTrainer(AutoencoderTrainer.DefaultOptions with { Epochs = 150 }, _ => new LstmAutoencoder(64), Device.CPU, seed: 1);
/// var fit = trainer.Fit(trainFold, validation);
/// double[] scores = trainer.Scores(fit.Model, heldOut);
/// </code></example>
public sealed class AutoencoderTrainer(
    TrainingOptions options, Func<DataSchema, Module<Tensor, Tensor>> createModel, Device device, ulong seed, int normalClass = 0)
    : TrainerBase<Module<Tensor, Tensor>>(options, device, seed)
{
    /// <summary>SPEC §2.5: Adam lr 1e-3, batch 32 (150 epochs at full scale).</summary>
    public static TrainingOptions DefaultOptions { get; } = new() { Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, BatchSize = 32, Epochs = 150 };

    /// <summary>Label of the normal class; every other label counts as anomalous.</summary>
    public int NormalClass { get; } = normalClass;

    protected override Module<Tensor, Tensor> CreateModel(DataSchema schema)
    {
        SeriesLength(schema);
        if (NormalClass < 0 || NormalClass >= schema.ClassNames.Count)
            throw new SchemaException("autoencoder", $"normal class {NormalClass} is not a class of the data [{string.Join(", ", schema.ClassNames)}]");
        return createModel(schema);
    }

    private static int SeriesLength(DataSchema schema) => schema.ItemShape switch
    {
        [var t] => (int)t,
        [var t, 1] => (int)t,
        _ => throw new SchemaException("autoencoder", $"expects series shaped [T] or [T, 1], got {schema.ShapeText}"),
    };

    /// <summary>Seeded shuffle of the normal examples only.</summary>
    protected override int[] EpochOrder(DataView train, SplitMix64 rng)
    {
        var order = Enumerable.Range(0, train.Count).Where(i => train.Examples[i].Label == NormalClass).ToArray();
        if (order.Length == 0) throw new ArgumentException($"the training view has no examples of the normal class '{train.Schema.ClassNames[NormalClass]}'");
        rng.Shuffle(order);
        return order;
    }

    protected override Tensor BatchLoss(Module<Tensor, Tensor> model, DataView data, int[] batch)
    {
        var x = Input(data, batch);
        return F.l1_loss(model.forward(x), x, torch.nn.Reduction.Sum) / batch.Length;
    }

    private Tensor Input(DataView data, int[] batch) =>
        Batches.Inputs(data, batch, Device).view(batch.Length, SeriesLength(data.Schema), 1);

    protected override ValidationResult Validate(Module<Tensor, Tensor> model, DataView validation)
    {
        var scores = Scores(model, validation);
        var normal = validation.Examples.Select(e => e.Label == NormalClass).ToArray();
        var normalScores = scores.Where((_, i) => normal[i]).ToArray();
        var metrics = new Dictionary<string, double>();
        var isAnomaly = normal.Select(n => !n).ToArray();
        if (normalScores.Length > 0 && normalScores.Length < scores.Length)
        {
            metrics[MetricNames.RocAuc] = RankingMetrics.RocAuc(isAnomaly, scores) ?? double.NaN;
            metrics[MetricNames.AveragePrecision] = RankingMetrics.AveragePrecision(isAnomaly, scores) ?? double.NaN;
        }
        return new ValidationResult(normalScores.Length > 0 ? normalScores.Average() : scores.Average(), metrics);
    }

    /// <summary>Anomaly score of every example: the L1 reconstruction error summed over its samples.</summary>
    public double[] Scores(Module<Tensor, Tensor> model, DataView data)
    {
        model.eval();
        using var _ = torch.no_grad();
        var result = new double[data.Count];
        foreach (var idx in Batches.Sequential(data.Count, Math.Max(Options.BatchSize, 64)))
        {
            using var scope = torch.NewDisposeScope();
            var x = Input(data, idx);
            var s = (model.forward(x) - x).abs().sum([1L, 2L]).to(ScalarType.Float64).cpu().data<double>();
            for (int i = 0; i < idx.Length; i++) result[idx[i]] = s[i];
        }
        return result;
    }

    /// <summary>ROC-AUC of the scores on <paramref name="data"/> (anomalous = not the normal class); null when one kind is missing.</summary>
    public double? RocAuc(Module<Tensor, Tensor> model, DataView data) =>
        RankingMetrics.RocAuc(data.Examples.Select(e => e.Label != NormalClass).ToArray(), Scores(model, data));
}
