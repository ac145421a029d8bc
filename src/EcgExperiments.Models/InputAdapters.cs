using EcgExperiments.Torch;

namespace EcgExperiments.Models;

/// <summary>Feeds [H × W] items to an image model as 1 × H × W; [C × H × W] items pass unchanged.</summary>
public sealed class ImageInput : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _net;

    public ImageInput(Module<Tensor, Tensor> net) => _net = register_module("net", net);

    public override Tensor forward(Tensor x) => _net.forward(x.dim() == 3 ? x.unsqueeze(1) : x);
}

/// <summary>Feeds [T] items (one lead) to a multi-lead signal model as 1 × T; [C × T] items pass unchanged.</summary>
public sealed class SignalInput : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _net;

    public SignalInput(Module<Tensor, Tensor> net) => _net = register_module("net", net);

    public override Tensor forward(Tensor x) => _net.forward(x.dim() == 2 ? x.unsqueeze(1) : x);
}
