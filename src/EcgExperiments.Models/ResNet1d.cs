using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Models;

/// <summary>
/// Options of <see cref="ResNet1d"/>; the defaults are <c>resnet1d_wang</c> of the PTB-XL benchmark
/// (Strodthoff et al. 2021): stem conv k=7 (128 channels, stride 1, no pooling), three basic blocks of 128
/// channels with kernels 5 and 3 (the 2nd and 3rd with stride 2), concat pooling (average ‖ max) and the fastai
/// head BN → dropout 0.25 → linear 256→128 → ReLU → BN → dropout 0.5 → linear.
/// </summary>
/// <example><code>var net = new ResNet1d(new ResNet1dOptions { InputChannels = 12, Outputs = 1 }); // 472,833 parameters</code></example>
public sealed record ResNet1dOptions : Core.IValidatable
{
    /// <summary>Leads (input channels).</summary>
    [Core.SchemaDerived("the leads of the input signals")]
    public int InputChannels { get; init; } = 12;
    /// <summary>Output channels of the stem convolution.</summary>
    public int StemWidth { get; init; } = 128;
    public int StemKernel { get; init; } = 7;
    public int StemStride { get; init; } = 1;
    /// <summary>One basic block per entry; the first keeps the resolution, every later one halves it (stride 2).</summary>
    public IReadOnlyList<int> BlockWidths { get; init; } = [128, 128, 128];
    /// <summary>Kernel of the first convolution of a basic block.</summary>
    public int BlockKernel1 { get; init; } = 5;
    /// <summary>Kernel of the second convolution of a basic block.</summary>
    public int BlockKernel2 { get; init; } = 3;
    /// <summary>Hidden width of the head; null = pooled features straight into the output layer.</summary>
    public int? HeadHidden { get; init; } = 128;
    /// <summary>Dropout before the output layer; the dropout before the hidden layer is half of it (fastai).</summary>
    public double Dropout { get; init; } = 0.5;
    /// <summary>1 for a binary logit, k for k-class logits.</summary>
    [Core.SchemaDerived("the number of classes")]
    public int Outputs { get; init; } = 1;

    /// <summary>Throws with the offending YAML key.</summary>
    public void Validate()
    {
        if (BlockWidths.Count == 0 || BlockWidths.Any(w => w < 1) || StemWidth < 1)
            throw new ArgumentException("model.stem_width and model.block_widths must be positive channel counts (≥ 1 block)");
        if (StemKernel < 1 || BlockKernel1 < 1 || BlockKernel2 < 1 || StemStride < 1)
            throw new ArgumentException("model.stem_kernel, stem_stride, block_kernel1 and block_kernel2 must be ≥ 1");
        if (HeadHidden is < 1) throw new ArgumentException($"model.head_hidden must be ≥ 1 when set, got {HeadHidden}");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"model.dropout must be in [0, 1), got {Dropout}");
    }

    /// <summary>Time length of the last block's output for an input of <paramref name="length"/> samples.</summary>
    public long FeatureLength(long length)
    {
        long t = (length + 2 * (StemKernel / 2) - StemKernel) / StemStride + 1;
        for (int i = 1; i < BlockWidths.Count; i++) t = (t + 2 * (BlockKernel1 / 2) - BlockKernel1) / 2 + 1;
        return t;
    }
}

/// <summary>
/// 1-D ResNet for multi-lead ECG [N × leads × time] (SPEC §2.1 "ResNet"; PTB-XL benchmark <c>resnet1d_wang</c>).
/// Layout: stem conv(k7, no bias) → BN → ReLU; per block: conv(k5, stride s) → BN → ReLU → conv(k3) → BN, plus the
/// identity (or conv 1×1 + BN when the stride or width changes) → ReLU; then average ‖ max pooling over time and the
/// head. Convolutions have no bias (BN follows), "same" padding.
/// </summary>
public sealed class ResNet1d : Module<Tensor, Tensor>
{
    private readonly Conv1d _stem;
    private readonly BatchNorm1d _stemBn;
    private readonly List<BasicBlock1d> _blocks = [];
    private readonly BatchNorm1d _headBn1;
    private readonly Linear? _hidden;
    private readonly BatchNorm1d? _headBn2;
    private readonly Linear _out;

    public ResNet1d(ResNet1dOptions? options = null)
    {
        Options = options ?? new ResNet1dOptions();
        var o = Options;
        if (o.BlockWidths.Count == 0 || o.BlockWidths.Any(w => w < 1) || o.StemWidth < 1 || o.InputChannels < 1 || o.Outputs < 1)
            throw new ArgumentException("ResNet1d: input channels, stem width, outputs and every block width must be ≥ 1, with at least one block");
        if (o.Dropout is < 0 or >= 1) throw new ArgumentException($"ResNet1d: dropout must be in [0, 1), got {o.Dropout}");
        _stem = register_module("stem", new Conv1d(o.InputChannels, o.StemWidth, o.StemKernel, o.StemStride, o.StemKernel / 2, bias: false));
        _stemBn = register_module("stem_bn", new BatchNorm1d(o.StemWidth));
        long inCh = o.StemWidth;
        for (int i = 0; i < o.BlockWidths.Count; i++)
        {
            _blocks.Add(register_module($"block{i + 1}", new BasicBlock1d(inCh, o.BlockWidths[i], i == 0 ? 1 : 2, o.BlockKernel1, o.BlockKernel2)));
            inCh = o.BlockWidths[i];
        }
        long pooled = 2 * inCh;
        _headBn1 = register_module("head_bn1", new BatchNorm1d(pooled));
        if (o.HeadHidden is { } hidden)
        {
            _hidden = register_module("head_fc1", new Linear(pooled, hidden));
            _headBn2 = register_module("head_bn2", new BatchNorm1d(hidden));
            pooled = hidden;
        }
        _out = register_module("head_out", new Linear(pooled, o.Outputs));
    }

    public ResNet1dOptions Options { get; }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 3 || x.size(1) != Options.InputChannels)
            throw new TorchException($"ResNet1d expects N×{Options.InputChannels}×T signals, got {x.Describe()}");
        // On the CPU the trunk runs on the signal laid out as a channels-last image of height 1 (N×C×1×T): libtorch's
        // NHWC convolution and batch-norm kernels make a training step about 15 % faster than on N×C×T (same operations;
        // sums in another order, hence the model's revision 2).
        var image = x.device.Type == DeviceType.CPU;
        var h = image ? x.unsqueeze(2).contiguous(MemoryFormat.ChannelsLast) : x;
        h = _stemBn.forward(_stem.forward(h)).relu();
        foreach (var b in _blocks) h = b.forward(h);
        if (image) h = h.squeeze(2);
        h = torch.cat([h.mean(2), h.max(2)], 1);
        h = F.dropout(_headBn1.forward(h), _hidden is null ? Options.Dropout : Options.Dropout / 2, training);
        if (_hidden is not null)
        {
            h = _headBn2!.forward(_hidden.forward(h).relu());
            h = F.dropout(h, Options.Dropout, training);
        }
        return _out.forward(h);
    }
}

/// <summary>Basic residual block: conv k1 (stride) → BN → ReLU → conv k2 → BN, + shortcut, → ReLU.</summary>
public sealed class BasicBlock1d : Module<Tensor, Tensor>
{
    private readonly Conv1d _c1, _c2;
    private readonly BatchNorm1d _b1, _b2;
    private readonly Conv1d? _down;
    private readonly BatchNorm1d? _downBn;

    public BasicBlock1d(long inChannels, long outChannels, long stride, int kernel1, int kernel2)
    {
        _c1 = register_module("conv1", new Conv1d(inChannels, outChannels, kernel1, stride, kernel1 / 2, bias: false));
        _b1 = register_module("bn1", new BatchNorm1d(outChannels));
        _c2 = register_module("conv2", new Conv1d(outChannels, outChannels, kernel2, 1, kernel2 / 2, bias: false));
        _b2 = register_module("bn2", new BatchNorm1d(outChannels));
        if (stride != 1 || inChannels != outChannels)
        {
            _down = register_module("downsample", new Conv1d(inChannels, outChannels, 1, stride, bias: false));
            _downBn = register_module("downsample_bn", new BatchNorm1d(outChannels));
        }
    }

    public override Tensor forward(Tensor x)
    {
        var h = _b1.forward(_c1.forward(x)).relu();
        h = _b2.forward(_c2.forward(h));
        var shortcut = _down is null ? x : _downBn!.forward(_down.forward(x));
        return (h + shortcut).relu();
    }
}
