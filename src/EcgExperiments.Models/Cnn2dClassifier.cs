using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Models;

/// <summary>Options of <see cref="Cnn2dClassifier"/>; defaults are the published HYP-vs-NORM CNN2D (SPEC §2.1).</summary>
public sealed record Cnn2dOptions : Core.IValidatable
{
    /// <summary>Output channels of each conv block (published: 100, 250, 500, 1000; best variant adds a 5th block of 1024).</summary>
    public IReadOnlyList<int> Widths { get; init; } = [100, 250, 500, 1000];
    /// <summary>Square kernel size (published 10); see <see cref="KernelHeight"/> for lead × time images.</summary>
    public int Kernel { get; init; } = 10;
    /// <summary>Kernel height when it differs from <see cref="Kernel"/> (e.g. 3 leads × 9 samples on a 12 × 1000 image).</summary>
    public int? KernelHeight { get; init; }
    /// <summary>Zero padding (height, width); published: none.</summary>
    public (int Height, int Width) Padding { get; init; } = (0, 0);
    /// <summary>Max-pool window (height, width); published: 2 × 2.</summary>
    public (int Height, int Width) Pool { get; init; } = (2, 2);
    [Core.SchemaDerived("the channels of the input images")]
    public int InputChannels { get; init; } = 1;
    public double Dropout { get; init; } = 0.5;
    /// <summary>Add a squeeze-and-excitation block after each conv (the published winner).</summary>
    public bool SqueezeExcitation { get; init; }
    /// <summary>SE reduction ratio (not published; 16 as in the SE paper).</summary>
    public int SeReduction { get; init; } = 16;
    /// <summary>Outputs: 1 for a binary logit (sigmoid applied by the loss/predictor), k for k-class logits.</summary>
    [Core.SchemaDerived("the number of classes")]
    public int Outputs { get; init; } = 1;

    /// <summary>Throws with the offending YAML key.</summary>
    public void Validate()
    {
        if (Widths.Count == 0 || Widths.Any(w => w < 1)) throw new ArgumentException("model.widths must list ≥ 1 positive channel counts");
        if (Kernel < 1 || KernelHeight is < 1) throw new ArgumentException("model.kernel and model.kernel_height must be ≥ 1");
        if (Pool.Height < 1 || Pool.Width < 1 || Padding.Height < 0 || Padding.Width < 0) throw new ArgumentException("model.pool must be ≥ 1 and model.padding ≥ 0");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"model.dropout must be in [0, 1), got {Dropout}");
        if (SeReduction < 1) throw new ArgumentException($"model.se_reduction must be ≥ 1, got {SeReduction}");
    }

    /// <summary>Smallest square input the blocks accept with the published settings (each block: conv k (valid) then max-pool 2).</summary>
    public int MinimumInputSize() => Math.Max(MinimumInput(KernelHeight ?? Kernel, Padding.Height, Pool.Height), MinimumInput(Kernel, Padding.Width, Pool.Width));

    /// <summary>Smallest (height, width) the blocks accept.</summary>
    public (int Height, int Width) MinimumInput() =>
        (MinimumInput(KernelHeight ?? Kernel, Padding.Height, Pool.Height), MinimumInput(Kernel, Padding.Width, Pool.Width));

    private int MinimumInput(int kernel, int padding, int pool)
    {
        int size = 1;
        for (int i = Widths.Count - 1; i >= 0; i--) size = Math.Max(1, size * pool + kernel - 1 - 2 * padding);
        return size;
    }

    /// <summary>Output (height, width) of the last block for an input image, or null when a block would shrink it below 1.</summary>
    public (long Height, long Width)? FeatureSize(long height, long width)
    {
        long h = height, w = width;
        for (int i = 0; i < Widths.Count; i++)
        {
            h = (h + 2 * Padding.Height - (KernelHeight ?? Kernel) + 1) / Pool.Height;
            w = (w + 2 * Padding.Width - Kernel + 1) / Pool.Width;
            if (h < 1 || w < 1) return null;
        }
        return (h, w);
    }

    /// <summary>The published best variant: 5 blocks ending at 1024 channels with SE after every conv.</summary>
    public static Cnn2dOptions PublishedSeVariant => new() { Widths = [100, 250, 500, 1000, 1024], SqueezeExcitation = true };
}

/// <summary>
/// 2-D CNN on spectrogram images (SPEC §2.1): blocks conv(k, valid) → [SE] → BN → ReLU → max-pool 2 → dropout
/// (no dropout after the last block), global average pool → dropout → linear. With the default options it has
/// exactly the published 65,016,551 parameters.
/// </summary>
public sealed class Cnn2dClassifier : Module<Tensor, Tensor>
{
    private readonly List<(ConvNd conv, SqueezeExcitation? se, BatchNorm2d bn)> _blocks = [];
    private readonly long[] _pool;
    private readonly Linear _head;
    private readonly Cnn2dOptions _options;

    public Cnn2dClassifier(Cnn2dOptions? options = null)
    {
        _options = options ?? new Cnn2dOptions();
        if (_options.Widths.Count == 0) throw new ArgumentException("CNN2D needs at least one block width");
        long inCh = _options.InputChannels;
        for (int i = 0; i < _options.Widths.Count; i++)
        {
            long w = _options.Widths[i];
            var conv = register_module($"conv{i + 1}", new ConvNd(inCh, w, [_options.KernelHeight ?? _options.Kernel, _options.Kernel], [1, 1],
                [_options.Padding.Height, _options.Padding.Width], [1, 1], 1, bias: true));
            var se = _options.SqueezeExcitation ? register_module($"se{i + 1}", new SqueezeExcitation(w, _options.SeReduction)) : null;
            var bn = register_module($"bn{i + 1}", new BatchNorm2d(w));
            _blocks.Add((conv, se, bn));
            inCh = w;
        }
        _head = register_module("fc", new Linear(inCh, _options.Outputs));
        _pool = [_options.Pool.Height, _options.Pool.Width];
    }

    public Cnn2dOptions Options => _options;

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4) throw new TorchException($"CNN2D expects N×{_options.InputChannels}×H×W images, got {x.Describe()}");
        if (_options.FeatureSize(x.size(2), x.size(3)) is null)
        {
            var (mh, mw) = _options.MinimumInput();
            throw new TorchException($"CNN2D with {_options.Widths.Count} blocks of kernel {_options.KernelHeight ?? _options.Kernel}×{_options.Kernel} needs images of at least {mh}×{mw}, got {x.Describe()}");
        }
        var h = x;
        for (int i = 0; i < _blocks.Count; i++)
        {
            var (conv, se, bn) = _blocks[i];
            h = conv.forward(h);
            if (se is not null) h = se.forward(h);
            h = F.max_pool(bn.forward(h).relu(), _pool, _pool, [0, 0], [1, 1]);
            if (i < _blocks.Count - 1) h = F.dropout(h, _options.Dropout, training);
        }
        h = F.adaptive_avg_pool2d(h, 1, 1).flatten(1);
        return _head.forward(F.dropout(h, _options.Dropout, training));
    }
}
