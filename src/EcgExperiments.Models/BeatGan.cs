using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;

namespace EcgExperiments.Models;

/// <summary>
/// Options of the 2-D B2I-GAN and the 1-D BeatGAN anomaly detectors (SPEC §2.4; YAML <c>model: { type: beatgan, … }</c>):
/// the networks' width and latent size, and the two knobs of the adversarial objective.
/// </summary>
public sealed record BeatGanOptions : Core.IValidatable
{
    [Core.SchemaDerived("the data's channels")]
    public int Channels { get; init; } = 1;
    /// <summary>Base width of encoder (ndf) and decoder (ngf).</summary>
    public int Width { get; init; } = 32;
    public int Latent { get; init; } = 50;
    /// <summary>Weight of the feature-matching term in the generator loss.</summary>
    public double FeatureMatchingWeight { get; init; } = 1.0;
    /// <summary>The discriminator is re-initialised when its batch loss falls below this (SPEC §2.4: 5e-6).</summary>
    public double DiscriminatorResetBelow { get; init; } = 5e-6;

    /// <summary>Throws with the offending key.</summary>
    public void Validate()
    {
        if (Width < 1 || Latent < 1) throw new ArgumentException($"model.width and model.latent must be ≥ 1, got {Width} and {Latent}");
        if (!(FeatureMatchingWeight >= 0)) throw new ArgumentException($"model.feature_matching_weight must be ≥ 0, got {FeatureMatchingWeight}");
        if (!(DiscriminatorResetBelow >= 0)) throw new ArgumentException($"model.discriminator_reset_below must be ≥ 0, got {DiscriminatorResetBelow}");
    }
}

/// <summary>
/// Generator and discriminator trained together (one module, so a fit snapshots and restores both). Forward is the
/// generator's reconstruction. Both are initialised by <see cref="BeatGanDiscriminator.InitialiseWeights"/>.
/// </summary>
public sealed class BeatGan : Module<Tensor, Tensor>
{
    public BeatGan(int dims, BeatGanOptions options)
    {
        Generator = register_module("generator", new BeatGanGenerator(dims, options));
        Discriminator = register_module("discriminator", new BeatGanDiscriminator(dims, options));
        BeatGanDiscriminator.InitialiseWeights(Generator);
        BeatGanDiscriminator.InitialiseWeights(Discriminator);
    }

    public BeatGanGenerator Generator { get; }
    public BeatGanDiscriminator Discriminator { get; }

    public override Tensor forward(Tensor x) => Generator.forward(x);
}

/// <summary>
/// DCGAN-style encoder: conv(4,2,1) c→w LReLU(0.2); w→2w→4w→8w (4,2,1) BN LReLU; 8w→16w (k4 s1 p1) BN LReLU;
/// then conv 16w→<c>outputs</c> with the final kernel (7 in 2-D: 128→7×7; 10 in 1-D: 320→10). No conv biases.
/// <see cref="Features"/> is everything before the final conv (the discriminator's feature-matching output).
/// </summary>
public sealed class GanEncoder : Module<Tensor, Tensor>
{
    public GanEncoder(int dims, BeatGanOptions o, int outputs)
    {
        if (dims is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(dims), dims, "GAN encoder is 1-d or 2-d");
        var w = o.Width;
        Features = register_module("features", new Sequential(
            Conv(dims, o.Channels, w, 4, 2, 1), new LeakyReLU(0.2),
            Conv(dims, w, 2 * w, 4, 2, 1), Bn(dims, 2 * w), new LeakyReLU(0.2),
            Conv(dims, 2 * w, 4 * w, 4, 2, 1), Bn(dims, 4 * w), new LeakyReLU(0.2),
            Conv(dims, 4 * w, 8 * w, 4, 2, 1), Bn(dims, 8 * w), new LeakyReLU(0.2),
            Conv(dims, 8 * w, 16 * w, dims == 2 ? 4 : 4, dims == 2 ? 1 : 2, 1), Bn(dims, 16 * w), new LeakyReLU(0.2)));
        Head = register_module("head", Conv(dims, 16 * w, outputs, dims == 2 ? 7 : 10, 1, 0));
    }

    public Sequential Features { get; }
    public Module<Tensor, Tensor> Head { get; }

    public override Tensor forward(Tensor x) => Head.forward(Features.forward(x));

    internal static Module<Tensor, Tensor> Conv(int dims, long i, long o, long k, long s, long p) =>
        dims == 2 ? new Conv2d(i, o, k, s, p, bias: false) : new Conv1d(i, o, k, s, p, bias: false);

    internal static Module<Tensor, Tensor> ConvT(int dims, long i, long o, long k, long s, long p) =>
        dims == 2 ? new ConvTranspose2d(i, o, k, s, p, bias: false) : new ConvTranspose1d(i, o, k, s, p, bias: false);

    internal static Module<Tensor, Tensor> Bn(int dims, long c) => dims == 2 ? new BatchNorm2d(c) : new BatchNorm1d(c);
}

/// <summary>Mirror of <see cref="GanEncoder"/> with transposed convolutions, BN + ReLU, Tanh output.</summary>
public sealed class GanDecoder : Module<Tensor, Tensor>
{
    private readonly Sequential _net;

    public GanDecoder(int dims, BeatGanOptions o)
    {
        var w = o.Width;
        _net = register_module("main", new Sequential(
            GanEncoder.ConvT(dims, o.Latent, 16 * w, dims == 2 ? 7 : 10, 1, 0), GanEncoder.Bn(dims, 16 * w), new ReLU(),
            GanEncoder.ConvT(dims, 16 * w, 8 * w, 4, dims == 2 ? 1 : 2, 1), GanEncoder.Bn(dims, 8 * w), new ReLU(),
            GanEncoder.ConvT(dims, 8 * w, 4 * w, 4, 2, 1), GanEncoder.Bn(dims, 4 * w), new ReLU(),
            GanEncoder.ConvT(dims, 4 * w, 2 * w, 4, 2, 1), GanEncoder.Bn(dims, 2 * w), new ReLU(),
            GanEncoder.ConvT(dims, 2 * w, w, 4, 2, 1), GanEncoder.Bn(dims, w), new ReLU(),
            GanEncoder.ConvT(dims, w, o.Channels, 4, 2, 1), new Tanh()));
    }

    public override Tensor forward(Tensor z) => _net.forward(z);
}

/// <summary>
/// Generator = encoder to the latent + decoder (SPEC §2.4). 2-D (B2I-GAN, 1×128×128 images): 8,084,288 parameters;
/// 1-D (BeatGAN, 1×320 beats): 1,908,800.
/// </summary>
public sealed class BeatGanGenerator : Module<Tensor, Tensor>
{
    public BeatGanGenerator(int dims, BeatGanOptions? options = null)
    {
        var o = options ?? new BeatGanOptions();
        Dims = dims;
        Encoder = register_module("encoder", new GanEncoder(dims, o, o.Latent));
        Decoder = register_module("decoder", new GanDecoder(dims, o));
    }

    public int Dims { get; }
    public GanEncoder Encoder { get; }
    public GanDecoder Decoder { get; }

    public override Tensor forward(Tensor x)
    {
        var expectedRank = Dims + 2;
        if (x.dim() != expectedRank)
            throw new TorchException($"{(Dims == 2 ? "B2I-GAN" : "BeatGAN")} generator expects a {expectedRank}-d batch, got {x.Describe()}");
        return Decoder.forward(Encoder.forward(x));
    }
}

/// <summary>
/// Discriminator = the generator's encoder with one output and a sigmoid; its 16w-channel features feed the
/// generator's feature-matching loss. 2-D: 2,812,800 parameters; 1-D: 703,488.
/// </summary>
public sealed class BeatGanDiscriminator : Module<Tensor, (Tensor probability, Tensor features)>
{
    public BeatGanDiscriminator(int dims, BeatGanOptions? options = null)
    {
        var o = options ?? new BeatGanOptions();
        Encoder = register_module("encoder", new GanEncoder(dims, o, 1));
    }

    public GanEncoder Encoder { get; }

    public override (Tensor probability, Tensor features) forward(Tensor x)
    {
        var f = Encoder.Features.forward(x);
        // The sigmoid in float32 (a no-op cast in fp32): under bf16 autocast the head's logit is bf16, whose 8-bit mantissa
        // rounds σ(z) to exactly 1 for z ≳ 5.5, so BCE(D(G(x)), 0) would take log(0) and saturate at libtorch's clamp (100).
        return (Encoder.Head.forward(f).flatten().@float().sigmoid(), f);
    }

    /// <summary>SPEC §2.4 initialisation: conv weights xavier-normal, BN weight N(1, 0.02) and bias 0.</summary>
    public static void InitialiseWeights(Module module)
    {
        foreach (var (name, p) in module.named_parameters())
        {
            if (p.dim() >= 3) torch.nn.init.xavier_normal_(p);
            else if (name.EndsWith(".weight", StringComparison.Ordinal)) torch.nn.init.normal_(p, 1.0, 0.02);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) torch.nn.init.zeros_(p);
        }
    }
}
