using static EcgExperiments.Torch.torch.nn;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Torch.Modules;

// Layers initialise exactly as PyTorch's defaults do, so parameter counts, shapes and starting
// losses are comparable with the published PyTorch code.

internal static class DefaultInit
{
    /// <summary>PyTorch's reset_parameters for Linear/Conv: kaiming_uniform(a=√5) on weights, U(±1/√fan_in) on biases.</summary>
    public static void LinearLike(Tensor weight, Tensor? bias, long fanIn)
    {
        init.kaiming_uniform_(weight, Math.Sqrt(5));
        if (bias is not null)
        {
            var bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
            init.uniform_(bias, -bound, bound);
        }
    }

    public static long Product(long[] xs) => xs.Aggregate(1L, (a, b) => a * b);
}

public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(long inFeatures, long outFeatures, bool bias = true)
    {
        weight = register_parameter("weight", torch.empty([outFeatures, inFeatures]));
        if (bias) this.bias = register_parameter("bias", torch.empty([outFeatures]));
        DefaultInit.LinearLike(weight, this.bias, inFeatures);
    }

    public Tensor weight { get; }
    public Tensor? bias { get; }

    public override Tensor forward(Tensor x) => F.linear(x, weight, bias);
}

/// <summary>Conv1d / Conv2d (the dimensionality is the length of the kernel array).</summary>
public class ConvNd : Module<Tensor, Tensor>
{
    private protected readonly long[] _stride, _padding, _dilation;
    private protected readonly long _groups;

    public ConvNd(long inChannels, long outChannels, long[] kernel, long[] stride, long[] padding, long[] dilation, long groups, bool bias)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"conv: channels {inChannels}→{outChannels} are not divisible by groups {groups}");
        _stride = stride; _padding = padding; _dilation = dilation; _groups = groups;
        weight = register_parameter("weight", torch.empty([outChannels, inChannels / groups, .. kernel]));
        if (bias) this.bias = register_parameter("bias", torch.empty([outChannels]));
        DefaultInit.LinearLike(weight, this.bias, inChannels / groups * DefaultInit.Product(kernel));
    }

    public Tensor weight { get; }
    public Tensor? bias { get; }

    public override Tensor forward(Tensor x) => F.conv(x, weight, bias, _stride, _padding, _dilation, _groups);
}

/// <summary>
/// 1-d convolution over N×C×L signals; it also takes a signal laid out as an image of height 1 (N×C×1×L), the layout in
/// which a channels-last tensor reaches libtorch's faster NHWC convolution kernels, and convolves along its width.
/// </summary>
public sealed class Conv1d(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true)
    : ConvNd(inChannels, outChannels, [kernel], [stride], [padding], [dilation], groups, bias)
{
    public override Tensor forward(Tensor x) => x.dim() == 4 && x.size(2) == 1
        ? F.conv(x, weight.unsqueeze(2), bias, [1, _stride[0]], [0, _padding[0]], [1, _dilation[0]], _groups)
        : base.forward(x);
}

public sealed class Conv2d(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true)
    : ConvNd(inChannels, outChannels, [kernel, kernel], [stride, stride], [padding, padding], [dilation, dilation], groups, bias);

/// <summary>ConvTranspose1d / ConvTranspose2d; weight is (in, out/groups, k…) as in PyTorch.</summary>
public class ConvTransposeNd : Module<Tensor, Tensor>
{
    private readonly long[] _stride, _padding, _outputPadding, _dilation;
    private readonly long _groups;

    public ConvTransposeNd(long inChannels, long outChannels, long[] kernel, long[] stride, long[] padding, long[] outputPadding, long groups, bool bias)
    {
        _stride = stride; _padding = padding; _outputPadding = outputPadding; _groups = groups;
        _dilation = kernel.Select(_ => 1L).ToArray();
        weight = register_parameter("weight", torch.empty([inChannels, outChannels / groups, .. kernel]));
        if (bias) this.bias = register_parameter("bias", torch.empty([outChannels]));
        // PyTorch computes fan_in from weight dim 1 for transposed convolutions.
        DefaultInit.LinearLike(weight, this.bias, outChannels / groups * DefaultInit.Product(kernel));
    }

    public Tensor weight { get; }
    public Tensor? bias { get; }

    public override Tensor forward(Tensor x) => F.conv_transpose(x, weight, bias, _stride, _padding, _outputPadding, _dilation, _groups);
}

public sealed class ConvTranspose1d(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, long outputPadding = 0, long groups = 1, bool bias = true)
    : ConvTransposeNd(inChannels, outChannels, [kernel], [stride], [padding], [outputPadding], groups, bias);

public sealed class ConvTranspose2d(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, long outputPadding = 0, long groups = 1, bool bias = true)
    : ConvTransposeNd(inChannels, outChannels, [kernel, kernel], [stride, stride], [padding, padding], [outputPadding, outputPadding], groups, bias);

/// <summary>BatchNorm1d / BatchNorm2d: affine weight and bias, running statistics as buffers.</summary>
public class BatchNorm : Module<Tensor, Tensor>
{
    private readonly double _eps, _momentum;
    private readonly int _expectedRank;

    public BatchNorm(long features, double eps, double momentum, bool affine, int expectedRank)
    {
        _eps = eps; _momentum = momentum; _expectedRank = expectedRank;
        if (affine)
        {
            weight = register_parameter("weight", torch.ones([features]));
            bias = register_parameter("bias", torch.zeros([features]));
        }
        running_mean = register_buffer("running_mean", torch.zeros([features]));
        running_var = register_buffer("running_var", torch.ones([features]));
    }

    public Tensor? weight { get; }
    public Tensor? bias { get; }
    public Tensor running_mean { get; }
    public Tensor running_var { get; }

    public override Tensor forward(Tensor x)
    {
        var rank = x.dim();
        // BatchNorm1d: N×C, N×C×L, or a signal laid out as an image of height 1, N×C×1×L (see Conv1d).
        if (rank != _expectedRank && !(_expectedRank == 3 && (rank == 2 || rank == 4 && x.size(2) == 1)))
            throw new TorchException($"{GetType().Name}: expected a {_expectedRank}-d input, got {x.Describe()}");
        return F.batch_norm(x, running_mean, running_var, weight, bias, training, _momentum, _eps);
    }
}

public sealed class BatchNorm1d(long features, double eps = 1e-5, double momentum = 0.1, bool affine = true) : BatchNorm(features, eps, momentum, affine, 3);

public sealed class BatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1, bool affine = true) : BatchNorm(features, eps, momentum, affine, 4);

public sealed class LayerNorm : Module<Tensor, Tensor>
{
    private readonly long[] _shape;
    private readonly double _eps;

    public LayerNorm(long[] normalizedShape, double eps = 1e-5)
    {
        _shape = normalizedShape; _eps = eps;
        weight = register_parameter("weight", torch.ones(normalizedShape));
        bias = register_parameter("bias", torch.zeros(normalizedShape));
    }

    public Tensor weight { get; }
    public Tensor bias { get; }

    public override Tensor forward(Tensor x) => F.layer_norm(x, _shape, weight, bias, _eps);
}

public sealed class Dropout(double p = 0.5) : Module<Tensor, Tensor>
{
    public double p { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");

    public override Tensor forward(Tensor x) => F.dropout(x, p, training);
}

public sealed class MaxPool1d(long kernel, long? stride = null) : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor x) => F.max_pool1d(x, kernel, stride);
}

public sealed class MaxPool2d(long kernel, long? stride = null) : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor x) => F.max_pool2d(x, kernel, stride);
}

public sealed class AdaptiveAvgPool1d(long output) : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor x) => F.adaptive_avg_pool1d(x, output);
}

public sealed class AdaptiveAvgPool2d(long height, long width) : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor x) => F.adaptive_avg_pool2d(x, height, width);
}

public sealed class ReLU : Module<Tensor, Tensor> { public override Tensor forward(Tensor x) => x.relu(); }
public sealed class Tanh : Module<Tensor, Tensor> { public override Tensor forward(Tensor x) => x.tanh(); }
public sealed class Sigmoid : Module<Tensor, Tensor> { public override Tensor forward(Tensor x) => x.sigmoid(); }

public sealed class LeakyReLU(double negativeSlope = 0.01) : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor x) => x.leaky_relu(negativeSlope);
}

public sealed class Softmax(long dim) : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor x) => F.softmax(x, dim);
}

public sealed class Flatten(long startDim = 1, long endDim = -1) : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor x) => x.flatten(startDim, endDim);
}

/// <summary>Runs child modules in order; children are named "0", "1", … unless names are given.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = [];

    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        for (int i = 0; i < layers.Length; i++) Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), layers[i]);
    }

    public Sequential(params (string name, Module<Tensor, Tensor> layer)[] layers)
    {
        foreach (var (n, l) in layers) Add(n, l);
    }

    public int Count => _layers.Count;

    public Sequential Add(string name, Module<Tensor, Tensor> layer)
    {
        _layers.Add(register_module(name, layer));
        return this;
    }

    public override Tensor forward(Tensor x)
    {
        var h = x;
        foreach (var l in _layers) h = l.forward(h);
        return h;
    }
}
