using EcgExperiments.Models;
using EcgExperiments.Torch;
using EcgExperiments.Training;
using EcgExperiments.Training.Gan;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Bench;

/// <summary>One training step of a seed model on a fixed batch (forward, loss, backward, optimiser step).</summary>
internal interface ITrainingStep : IDisposable
{
    long Parameters { get; }

    /// <summary>Forward passes and losses run under bf16 autocast (backward and optimiser steps stay outside), as the trainers do.</summary>
    bool Bf16 { get; set; }

    void Step();
}

/// <summary>
/// A seed model as the bench trains it: its published input and batch (SPEC §2), loss and optimiser, mirrored
/// case by case in seed_models.py so both sides do the same work per step.
/// </summary>
/// <param name="Name">Case name, shared with the PyTorch peer.</param>
/// <param name="Workload">What the row stands for (SPEC section, configuration).</param>
/// <param name="PublishedBatch">The batch the workload trains with.</param>
/// <param name="BenchBatch">The batch the bench times by default: the published one, except where a single published step
/// takes minutes on a 2-core CPU (the 65 M-parameter CNN2D, the 18.6 M-parameter BiLSTM); both sides then use the same
/// smaller batch and samples per second stay comparable. <c>--published-batch</c> times the published batch.</param>
/// <param name="Family">What the model mostly computes, as the model registry declares it: the thread policy's
/// <c>auto</c> decides per family from these rows (src/EcgExperiments.Training/ThreadPolicy.cs).</param>
/// <param name="Build">Builds the model, optimiser and a fixed random batch of the given size on a device.</param>
internal sealed record SeedModelCase(string Name, string Workload, int PublishedBatch, int BenchBatch, ComputeKind Family, Func<int, Device, ITrainingStep> Build)
{
    public ITrainingStep Create(int batch, Device device, bool bf16)
    {
        var step = Build(batch, device);
        step.Bf16 = bf16;
        return step;
    }
}

internal static class SeedModels
{
    public static readonly IReadOnlyList<SeedModelCase> All =
    [
        new("cnn2d", "§2.1 CNN2D, 65.0 M, 1×151×151", 64, 8, ComputeKind.Convolutional,
            (b, d) => Supervised.Binary(new Cnn2dClassifier(), [b, 1, 151, 151], 2e-3, d)),
        new("se_cnn", "§2.1 CNN2D+SE (quick start), 1×12×1000", 32, 32, ComputeKind.Convolutional,
            (b, d) => Supervised.Binary(new Cnn2dClassifier(new Cnn2dOptions
            {
                Widths = [16, 32, 64], Kernel = 9, KernelHeight = 3, Padding = (1, 0), Pool = (2, 4),
                SqueezeExcitation = true, SeReduction = 4, Dropout = 0.3,
            }), [b, 1, 12, 1000], 2e-3, d)),
        new("stft_cnn", "§2.2 STFT CNN, 3×64×64", 200, 200, ComputeKind.Convolutional, Supervised.StftCnn),
        new("bilstm_attention", "§2.3 BiLSTM+attention, 18.6 M, 1000", 32, 4, ComputeKind.Recurrent, Supervised.BiLstm),
        new("b2i_gan", "§2.4 B2I-GAN G+D step, 1×128×128", 64, 64, ComputeKind.Convolutional, (b, d) => new GanStep(2, torch.rand(b, 1, 128, 128) * 2 - 1, d)),
        new("beatgan", "§2.4 BeatGAN 1-D G+D step, 1×320", 64, 64, ComputeKind.Convolutional, (b, d) => new GanStep(1, torch.rand(b, 1, 320) * 2 - 1, d)),
        new("lstm_ae", "§2.5 LSTM AE E=64, 140", 32, 32, ComputeKind.Recurrent, (b, d) => Supervised.Autoencoder(new LstmAutoencoder(64), b, d)),
        new("transformer_ae", "§2.5 Transformer AE [4,512,2,2], 140", 32, 32, ComputeKind.Small,
            (b, d) => Supervised.Autoencoder(new TransformerAutoencoder(4, 512, 2, 2), b, d)),
        new("resnet1d", "resnet1d (default), 12×1000", 32, 32, ComputeKind.Convolutional, (b, d) => Supervised.Binary(new ResNet1d(), [b, 12, 1000], 3e-3, d)),
        new("lstm", "lstm classifier (default), 12×1000", 32, 32, ComputeKind.Recurrent, (b, d) => Supervised.Binary(new LstmClassifier(), [b, 12, 1000], 3e-3, d)),
    ];

    public static SeedModelCase Find(string name) =>
        All.FirstOrDefault(c => c.Name == name)
        ?? throw new ArgumentException($"unknown model '{name}'; the bench knows: {string.Join(", ", All.Select(c => c.Name))}");
}

internal static class Precision
{
    /// <summary>A bf16 autocast scope on the batch's device, or none.</summary>
    public static IDisposable? Scope(bool bf16, Tensor x) => bf16 ? torch.autocast(x.device.Type, ScalarType.BFloat16) : null;
}

/// <summary>One optimiser over one model; a step is zero_grad, forward, loss, backward, step.</summary>
internal sealed class Supervised(Module<Tensor, Tensor> model, Tensor x, Tensor target, Func<Tensor, Tensor, Tensor> loss, Optimizer optimizer)
    : ITrainingStep
{
    public long Parameters => model.parameter_count();

    public bool Bf16 { get; set; }

    public void Step()
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        Tensor l;
        using (Precision.Scope(Bf16, x)) l = loss(model.forward(x), target);
        l.backward();
        optimizer.step();
    }

    public void Dispose()
    {
        optimizer.Dispose();
        model.Dispose();
        x.Dispose();
        target.Dispose();
    }

    public static Supervised Binary(Module<Tensor, Tensor> model, long[] shape, double lr, Device device)
    {
        model.to(device).train();
        var x = torch.randn(shape).to(device).DetachFromDisposeScope();
        var y = torch.randint(0, 2, [shape[0], 1]).to(ScalarType.Float32, device).DetachFromDisposeScope();
        return new(model, x, y, (z, t) => F.binary_cross_entropy_with_logits(z, t), torch.optim.Adam(model.parameters(), lr));
    }

    public static Supervised Autoencoder(Module<Tensor, Tensor> model, int batch, Device device)
    {
        model.to(device).train();
        var x = torch.randn(batch, 140, 1).to(device).DetachFromDisposeScope();
        return new(model, x, x.alias().DetachFromDisposeScope(), (y, t) => F.l1_loss(y, t, torch.nn.Reduction.Sum) / t.size(0),
            torch.optim.Adam(model.parameters(), 1e-3));
    }

    public static Supervised StftCnn(int batch, Device device)
    {
        var model = new StftCnn(3);
        model.to(device).train();
        var x = torch.rand(batch, 3, 64, 64).to(device).DetachFromDisposeScope();
        var y = torch.randint(0, 5, [batch]).to(device).DetachFromDisposeScope();
        return new(model, x, y, (z, t) => F.cross_entropy(z, t), torch.optim.Adam(model.parameters(), 1e-3));
    }

    public static Supervised BiLstm(int batch, Device device)
    {
        var model = new BiLstmAttentionReconstructor();
        model.to(device).train();
        var x = torch.rand(batch, 1000).to(device).DetachFromDisposeScope();
        var y = torch.randn(batch, 12, 1000).to(device).DetachFromDisposeScope();
        return new(model, x, y, (p, t) => F.mse_loss(p, t), torch.optim.AdamW(model.parameters(), 1e-3, weightDecay: 1e-2));
    }
}

/// <summary>
/// SPEC §2.4 GAN step: <c>BeatGanTrainer</c>'s own adversarial step (D on real vs detached fake, then G on MSE + feature
/// matching; under bf16 the forward passes in autocast, the BCE in float32 outside it).
/// </summary>
internal sealed class GanStep : ITrainingStep
{
    private readonly BeatGan _gan;
    private readonly Optimizer _og, _od;
    private readonly Tensor _x;

    public GanStep(int dims, Tensor x, Device device)
    {
        _gan = new BeatGan(dims, new BeatGanOptions());
        _gan.to(device).train();
        _og = torch.optim.Adam(_gan.Generator.parameters(), 1e-4, 0.5, 0.999);
        _od = torch.optim.Adam(_gan.Discriminator.parameters(), 1e-4, 0.5, 0.999);
        _x = x.to(device).DetachFromDisposeScope();
        x.Dispose();
    }

    public long Parameters => _gan.parameter_count();

    public bool Bf16 { get; set; }

    public void Step()
    {
        using var scope = torch.NewDisposeScope();
        BeatGanTrainer.AdversarialStep(_gan, _og, _od, _x, featureMatchingWeight: 1,
            Bf16 ? EcgExperiments.Training.Precision.Bf16 : EcgExperiments.Training.Precision.Fp32);
    }

    public void Dispose()
    {
        _og.Dispose();
        _od.Dispose();
        _gan.Dispose();
        _x.Dispose();
    }
}
