using System.Text.Json.Serialization;
using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Models;

/// <summary>
/// Beat classifier on 64×64 STFT images (SPEC §2.2): conv 8@4×4 → pool → conv 13@2×2 → pool → conv 13@2×2 → pool →
/// flatten (468) → dropout 0.5 → dense 512 ReLU → dense 5 (logits; softmax at prediction).
/// The published network takes 3-channel (rendered RGB) images: 244,203 parameters; with 1 channel it has 243,947.
/// A 3-channel network also takes 1-channel images and reads the gray image on each channel.
/// The convolutions run channels-last (N×H×W×C in memory; weights too): on 2 CPU cores the §2.2 training step
/// takes about a quarter less CPU time that way, because oneDNN skips reordering the 3-, 8- and 13-channel
/// activations into its blocked layout and back. Shapes, values and saved states are the same either way.
/// </summary>
public sealed record StftCnnOptions : Core.IValidatable
{
    /// <summary>
    /// Input channels of the network; unset = the images' channels. 3 on 1-channel images gives the published
    /// 3-channel network the gray image on every channel, replicated per batch instead of stored three times.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? InputChannels { get; init; }
    [Core.SchemaDerived("the number of classes")]
    public int Classes { get; init; } = 5;
    [Core.SchemaDerived("the size of the input images")]
    public int ImageSize { get; init; } = 64;
    public double Dropout { get; init; } = 0.5;

    /// <summary>Throws with the offending YAML key.</summary>
    public void Validate()
    {
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"model.dropout must be in [0, 1), got {Dropout}");
        if (InputChannels is < 1) throw new ArgumentException($"model.input_channels must be ≥ 1, got {InputChannels}");
    }
}

public sealed class StftCnn : Module<Tensor, Tensor>
{
    /// <summary>The network of <paramref name="options"/>; unset input channels are the published 3.</summary>
    public StftCnn(StftCnnOptions options) : this(options.InputChannels ?? 3, options.Classes, options.ImageSize, options.Dropout) { }

    private readonly Conv2d _c1, _c2, _c3;
    private readonly Linear _fc1, _fc2;
    private readonly double _dropout;

    public StftCnn(int inputChannels = 3, int classes = 5, int imageSize = 64, double dropout = 0.5)
    {
        _dropout = dropout;
        _c1 = register_module("conv1", new Conv2d(inputChannels, 8, 4));
        _c2 = register_module("conv2", new Conv2d(8, 13, 2));
        _c3 = register_module("conv3", new Conv2d(13, 13, 2));
        long s = imageSize;
        s = (s - 3) / 2; s = (s - 1) / 2; s = (s - 1) / 2;
        if (s < 1) throw new ArgumentException($"STFT CNN: images of {imageSize}×{imageSize} are too small (need ≥ 11)");
        FlattenedSize = 13 * s * s;
        _fc1 = register_module("fc1", new Linear(FlattenedSize, 512));
        _fc2 = register_module("fc2", new Linear(512, classes));
        InputChannels = inputChannels;
        ImageSize = imageSize;
        foreach (var conv in new[] { _c1, _c2, _c3 }) conv.to(MemoryFormat.ChannelsLast);
    }

    public int InputChannels { get; }
    public int ImageSize { get; }
    public long FlattenedSize { get; }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || (x.size(1) != InputChannels && x.size(1) != 1) || x.size(2) != ImageSize || x.size(3) != ImageSize)
            throw new TorchException($"STFT CNN expects N×{InputChannels}×{ImageSize}×{ImageSize} images (or N×1×… to replicate), got {x.Describe()}");
        // A gray image on every input channel (the published network reads rendered RGB): a view, copied once below.
        if (x.size(1) != InputChannels) x = x.expand(-1, InputChannels, -1, -1);
        var h = F.max_pool2d(_c1.forward(x.contiguous(MemoryFormat.ChannelsLast)).relu(), 2);
        h = F.max_pool2d(_c2.forward(h).relu(), 2);
        h = F.max_pool2d(_c3.forward(h).relu(), 2);
        h = F.dropout(h.flatten(1), _dropout, training);
        return _fc2.forward(_fc1.forward(h).relu());
    }
}
