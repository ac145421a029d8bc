using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments;

/// <summary>
/// YAML options of the 1-D ResNet (<c>type: resnet1d</c>); defaults are the PTB-XL benchmark's resnet1d_wang.
/// <code>model: { type: resnet1d, stem_width: 32, block_widths: [32, 64, 64] }</code>
/// </summary>
public sealed record ResNet1dSpec
{
    // Defaults come from the model's own options record, so YAML and the C# API cannot drift apart; only the
    // values derived from the data schema (input channels, outputs) are left out of the YAML surface.
    private static readonly ResNet1dOptions Defaults = new();

    public int StemWidth { get; init; } = Defaults.StemWidth;
    public int StemKernel { get; init; } = Defaults.StemKernel;
    public int StemStride { get; init; } = Defaults.StemStride;
    public IReadOnlyList<int> BlockWidths { get; init; } = Defaults.BlockWidths;
    public int BlockKernel1 { get; init; } = Defaults.BlockKernel1;
    public int BlockKernel2 { get; init; } = Defaults.BlockKernel2;
    public int? HeadHidden { get; init; } = Defaults.HeadHidden;
    public double Dropout { get; init; } = Defaults.Dropout;

    public static ClassifierBuild Build(ResNet1dSpec s)
    {
        if (s.BlockWidths.Count == 0 || s.BlockWidths.Any(w => w < 1) || s.StemWidth < 1)
            throw new ArgumentException("model.stem_width and model.block_widths must be positive channel counts (≥ 1 block)");
        if (s.StemKernel < 1 || s.BlockKernel1 < 1 || s.BlockKernel2 < 1 || s.StemStride < 1)
            throw new ArgumentException("model.stem_kernel, stem_stride, block_kernel1 and block_kernel2 must be ≥ 1");
        if (s.Dropout is < 0 or >= 1) throw new ArgumentException($"model.dropout must be in [0, 1), got {s.Dropout}");
        ResNet1dOptions Options(DataSchema schema) => new()
        {
            InputChannels = SignalInput.Channels(schema), StemWidth = s.StemWidth, StemKernel = s.StemKernel, StemStride = s.StemStride,
            BlockWidths = s.BlockWidths, BlockKernel1 = s.BlockKernel1, BlockKernel2 = s.BlockKernel2, HeadHidden = s.HeadHidden,
            Dropout = s.Dropout, Outputs = SignalInput.Outputs(schema),
        };
        return new ClassifierBuild(
            $"ResNet1d stem {s.StemWidth} k{s.StemKernel}, blocks [{string.Join(", ", s.BlockWidths)}] k{s.BlockKernel1}/{s.BlockKernel2}",
            ComputeKind.Convolutional,
            schema => new SignalInput(new ResNet1d(Options(schema))),
            schema => SignalInput.Check(schema) ?? (Options(schema).FeatureLength(schema.ItemShape[^1]) < 1
                ? $"signals of {schema.ItemShape[^1]} samples are too short for stride {s.StemStride} and {s.BlockWidths.Count} blocks" : null));
    }
}

/// <summary>
/// YAML options of the (bi)LSTM classifier (<c>type: lstm</c>).
/// <code>model: { type: lstm, hidden: 64, layers: 2, bidirectional: true, pooling: mean_max }</code>
/// </summary>
public sealed record LstmSpec
{
    private static readonly LstmClassifierOptions Defaults = new();

    public int Hidden { get; init; } = Defaults.Hidden;
    public int Layers { get; init; } = Defaults.Layers;
    public bool Bidirectional { get; init; } = Defaults.Bidirectional;
    public SequencePooling Pooling { get; init; } = Defaults.Pooling;
    public double Dropout { get; init; } = Defaults.Dropout;

    public static ClassifierBuild Build(LstmSpec s)
    {
        if (s.Hidden < 1 || s.Layers < 1) throw new ArgumentException($"model.hidden and model.layers must be ≥ 1, got {s.Hidden} and {s.Layers}");
        if (s.Dropout is < 0 or >= 1) throw new ArgumentException($"model.dropout must be in [0, 1), got {s.Dropout}");
        return new ClassifierBuild(
            $"{(s.Bidirectional ? "Bi" : "")}LSTM {s.Layers}×{s.Hidden}, {s.Pooling.ToString().ToLowerInvariant()} pooling",
            ComputeKind.Recurrent,
            schema => new SignalInput(new LstmClassifier(new LstmClassifierOptions
            {
                InputChannels = SignalInput.Channels(schema), Hidden = s.Hidden, Layers = s.Layers, Bidirectional = s.Bidirectional,
                Pooling = s.Pooling, Dropout = s.Dropout, Outputs = SignalInput.Outputs(schema),
            })),
            SignalInput.Check);
    }
}

/// <summary>
/// YAML options of the MIT-BIH STFT beat CNN (<c>type: stft_cnn</c>, SPEC §2.2); items [C × S × S] or [S × S]
/// (published: 64 × 64, 3 channels).
/// </summary>
public sealed record StftCnnSpec
{
    public double Dropout { get; init; } = 0.5;

    public static ClassifierBuild Build(StftCnnSpec s)
    {
        if (s.Dropout is < 0 or >= 1) throw new ArgumentException($"model.dropout must be in [0, 1), got {s.Dropout}");
        return new ClassifierBuild(
            "STFT beat CNN (conv 8@4×4, 13@2×2, 13@2×2, dense 512)",
            ComputeKind.Convolutional,
            schema => new ImageInput(new StftCnn(
                schema.ItemShape.Count == 3 ? (int)schema.ItemShape[0] : 1, SignalInput.Outputs(schema), (int)schema.ItemShape[^1], s.Dropout)),
            schema =>
            {
                if (schema.ItemShape.Count is not (2 or 3)) return $"expects square images [S × S] or [C × S × S], got {schema.ShapeText}";
                if (schema.ItemShape[^1] != schema.ItemShape[^2]) return $"expects square images, got {schema.ShapeText} (resize to 64 × 64 as published)";
                if (schema.ItemShape[^1] < 11) return $"images of {schema.ItemShape[^1]}×{schema.ItemShape[^1]} are too small (need ≥ 11)";
                return null;
            });
    }
}

/// <summary>Feeds [T] items (one lead) to a multi-lead signal model as 1 × T; [C × T] items pass unchanged.</summary>
public sealed class SignalInput : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _net;

    public SignalInput(Module<Tensor, Tensor> net) => _net = register_module("net", net);

    public override Tensor forward(Tensor x) => _net.forward(x.dim() == 2 ? x.unsqueeze(1) : x);

    /// <summary>Leads of a [C × T] or [T] item.</summary>
    public static int Channels(DataSchema schema) => schema.ItemShape.Count == 2 ? (int)schema.ItemShape[0] : 1;

    /// <summary>1 logit for two classes, k otherwise.</summary>
    public static int Outputs(DataSchema schema) => schema.ClassNames.Count == 2 ? 1 : schema.ClassNames.Count;

    public static string? Check(DataSchema schema) =>
        schema.ItemShape.Count is 1 or 2 && schema.ItemShape[^1] >= 2 ? null : $"expects signals [leads × samples] or [samples], got {schema.ShapeText}";
}
