using EcgExperiments.Evaluation;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using Microsoft.ML;
using Microsoft.ML.Data;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training.Gan;

/// <summary>
/// Adversarial training of B2I-GAN (2-D, 1×128×128 spectrogram images) and BeatGAN (1-D, 1×320 beats), SPEC §2.4,
/// under the same template-method base as every trainer: it fills in the model (generator + discriminator), two
/// optimisers and the training step. Per batch: D minimises BCE(D(x), 1) + BCE(D(G(x)), 0); then G minimises
/// MSE(G(x), x) + w·MSE(f(G(x)), f(x)) with f the discriminator's features; D is re-initialised when its loss falls below
/// <see cref="BeatGanOptions.DiscriminatorResetBelow"/>. Trains on the normal class only; returns an
/// <see cref="AnomalyPredictor"/> holding the generator, whose Score is the mean squared reconstruction error.
/// </summary>
/// <example><code>
/// var trainer = new BeatGanTrainer(new TrainingOptions { Epochs = 100, BatchSize = 64, LearningRate = 1e-4, Beta1 = 0.5, SelectBy = "roc_auc" },
///     new BeatGanOptions(), Device.CPU, seed: 1);
/// var run = trainer.Train(train, validation);
/// </code></example>
public sealed class BeatGanTrainer(TrainingOptions options, BeatGanOptions model, Device device, ulong seed, int normalClass = 0)
    : EcgTrainerBase<BeatGan, AnomalyPredictor>(options, device, seed)
{
    private const string ResetsKey = "discriminator_resets";

    public BeatGanOptions Model { get; } = model;

    /// <summary>Label of the normal class; every other label counts as anomalous.</summary>
    public int NormalClass { get; } = normalClass;

    /// <summary>The network input of an item shape: [1 × 320] beats (1-D) or [1 × 128 × 128] images (2-D); [320] and [128 × 128] get their channel.</summary>
    public static long[]? InputShape(EcgSchema schema) => schema.ItemShape switch
    {
        [320] => [1, 320],
        [1, 320] => [1, 320],
        [128, 128] => [1, 128, 128],
        [1, 128, 128] => [1, 128, 128],
        _ => null,
    };

    private static long[] Shape(EcgSchema schema) => InputShape(schema)
        ?? throw new SchemaException("beatgan", $"expects beats [1 × 320] (BeatGAN: window fixed_320) or images [1 × 128 × 128] (B2I-GAN: stft_image recipe b2i_gan), got {schema.ShapeText}");

    protected override BeatGan CreateModel(EcgSchema schema)
    {
        Model.Validate();
        if (Options.BatchSize < 2) throw new ArgumentException($"training.batch_size must be ≥ 2 for the GAN (batch norm), got {Options.BatchSize}");
        if (NormalClass < 0 || NormalClass >= schema.ClassNames.Count)
            throw new SchemaException("beatgan", $"normal class {NormalClass} is not a class of the data [{string.Join(", ", schema.ClassNames)}]");
        return new BeatGan(Shape(schema).Length - 1, Model with { Channels = 1 });
    }

    protected override void BeginFit(FitState<BeatGan> state) => state.Items[ResetsKey] = 0;

    protected override IReadOnlyDictionary<string, string> CheckpointItems(FitState<BeatGan> state) =>
        new Dictionary<string, string> { [ResetsKey] = ((int)state.Items[ResetsKey]).ToString(System.Globalization.CultureInfo.InvariantCulture) };

    protected override void RestoreItems(FitState<BeatGan> state, IReadOnlyDictionary<string, string> items) =>
        state.Items[ResetsKey] = int.Parse(items[ResetsKey], System.Globalization.CultureInfo.InvariantCulture);

    protected override IReadOnlyList<Optimizer> CreateOptimizers(BeatGan model) =>
        [CreateOptimizer(model.Generator.parameters()), CreateOptimizer(model.Discriminator.parameters())];

    /// <summary>Seeded shuffle of the normal rows only.</summary>
    protected override int[] EpochOrder(FitState<BeatGan> state)
    {
        var labels = state.Train.Index.Labels;
        var order = Enumerable.Range(0, labels.Count).Where(i => labels[i] == NormalClass).ToArray();
        if (order.Length < 2) throw new ArgumentException($"the training view has {order.Length} normal examples; at least 2 are needed");
        state.Rng.Shuffle(order);
        return order;
    }

    /// <summary>Whole batches; the remainder joins the last one (a batch of one would break batch norm).</summary>
    protected override IEnumerable<int[]> EpochBatches(int[] order)
    {
        int batches = Math.Max(1, order.Length / Options.BatchSize);
        for (int b = 0; b < batches; b++)
        {
            int start = b * Options.BatchSize;
            yield return order.AsSpan(start, b == batches - 1 ? order.Length - start : Options.BatchSize).ToArray();
        }
    }

    protected override StepResult TrainStep(FitState<BeatGan> state, int[] batch)
    {
        var (lossG, lossD) = AdversarialStep(state.Model, state.Optimizers[0], state.Optimizers[1], Inputs(state.Train, batch), Model.FeatureMatchingWeight,
            Options.Precision);
        if (double.IsFinite(lossD) && lossD < Model.DiscriminatorResetBelow)
        {
            BeatGanDiscriminator.InitialiseWeights(state.Model.Discriminator);
            state.Items[ResetsKey] = (int)state.Items[ResetsKey] + 1;
        }
        return new StepResult(lossG, new Dictionary<string, double> { ["discriminator_loss"] = lossD });
    }

    /// <summary>
    /// One adversarial step on batch <paramref name="x"/>: D minimises BCE(D(x), 1) + BCE(D(G(x)), 0); then G minimises
    /// MSE(G(x), x) + w·MSE(f(G(x)), f(x)). Returns the generator's and the discriminator's losses. Under bf16 the forward
    /// passes and losses run in autocast, backward passes and optimiser steps outside, as PyTorch's GAN recipes do.
    /// </summary>
    public static (double Generator, double Discriminator) AdversarialStep(BeatGan model, Optimizer generator, Optimizer discriminator, Tensor x, double featureMatchingWeight,
        Precision precision = Precision.Fp32)
    {
        var (g, d) = (model.Generator, model.Discriminator);
        long n = x.size(0);
        Tensor fake, pReal, pFake, errG;
        using (PrecisionSupport.Autocast(precision, x.device.Type)) fake = g.forward(x);

        discriminator.zero_grad();
        using (PrecisionSupport.Autocast(precision, x.device.Type))
        {
            (pReal, _) = d.forward(x);
            (pFake, _) = d.forward(fake.detach());
        }
        // BCE outside autocast, on the float32 probabilities D returns: CUDA autocast refuses binary_cross_entropy as unsafe
        // and libtorch 1.13's CPU autocast only upcasts its input, which cannot restore a probability rounded in bf16.
        var errD = F.binary_cross_entropy(pReal, torch.ones([n], device: x.device))
                 + F.binary_cross_entropy(pFake, torch.zeros([n], device: x.device));
        errD.backward();
        discriminator.step();

        generator.zero_grad();
        using (PrecisionSupport.Autocast(precision, x.device.Type))
        {
            var (_, fFake) = d.forward(fake);
            var (_, fReal) = d.forward(x);
            // mse_loss is on autocast's float32 list (CPU and CUDA): bf16 reconstructions and features are compared in float32.
            errG = F.mse_loss(fake, x) + featureMatchingWeight * F.mse_loss(fFake, fReal.detach());
        }
        errG.backward();
        generator.step();
        return (errG.item<double>(), errD.item<double>());
    }

    private Tensor Inputs(EcgDataView data, ReadOnlySpan<int> rows) => Batches.Inputs(data, rows, Device).view([rows.Length, .. Shape(data.Ecg)]);

    /// <summary>The anomaly score of a batch: the generator's mean squared reconstruction error per item.</summary>
    public static Tensor Score(Module generator, Tensor batch)
    {
        var shape = batch.shape.Skip(1).ToArray();
        var x = shape.Length is 1 or 2 && shape[0] != 1 ? batch.unsqueeze(1) : batch;
        long[] dims = x.dim() == 3 ? [1L, 2L] : [1L, 2L, 3L];
        return (((Module<Tensor, Tensor>)generator).forward(x) - x).square().mean(dims);
    }

    protected override IReadOnlyDictionary<string, double> EpochExtras(FitState<BeatGan> state) =>
        new Dictionary<string, double> { [ResetsKey] = (int)state.Items[ResetsKey] };

    protected override ValidationResult Validate(FitState<BeatGan> state, EcgDataView validation)
    {
        // Not disposed: the generator belongs to the fit; this predictor only borrows it.
        var predictor = new AnomalyPredictor(state.Model.Generator, Score, validation.Ecg, Device, InferenceBatch);
        var scores = predictor.Transform(validation).ReadAll()[EcgColumns.Score].Select(v => (double)v).ToArray();
        return AnomalyValidation.Of(scores, validation.Index.Labels, NormalClass);
    }

    private int InferenceBatch => Math.Max(Options.BatchSize, 64);

    public override IReadOnlyList<string> ValidationMetrics(EcgSchema schema) => [MetricNames.RocAuc, MetricNames.AveragePrecision];

    /// <summary>The generator becomes the predictor; the discriminator is only needed for training and is released here.</summary>
    protected override AnomalyPredictor CreatePredictor(FitState<BeatGan> state, EcgSchema schema)
    {
        state.Model.Discriminator.Dispose();
        return new AnomalyPredictor(state.Model.Generator, Score, schema, Device, InferenceBatch);
    }

    protected override TrainingSummary Summarise(FitState<BeatGan> state) => new()
    {
        ["discriminator_parameters"] = state.Model.Discriminator.parameter_count(),
        [ResetsKey] = (int)state.Items[ResetsKey],
    };

    public override SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        SchemaShapes.AddConverted(SchemaShapes.RequireLabel(SchemaShapes.RequireSignal(inputSchema, "beatgan"), "beatgan"), EcgColumns.Score, EcgColumns.Label, DataKind.Single);
}
