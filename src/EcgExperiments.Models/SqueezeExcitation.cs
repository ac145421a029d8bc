using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Models;

/// <summary>
/// Squeeze-and-excitation (Hu et al. 2018): global average pool → FC(C→C/r) → ReLU → FC(C/r→C) → sigmoid,
/// then channel-wise rescaling. Works on N×C×H×W and N×C×L inputs.
/// </summary>
public sealed class SqueezeExcitation : Module<Tensor, Tensor>
{
    private readonly Linear _reduce, _expand;

    public SqueezeExcitation(long channels, int reduction = 16)
    {
        if (reduction < 1) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "SE reduction ratio must be ≥ 1");
        var hidden = Math.Max(1, channels / reduction);
        _reduce = register_module("fc1", new Linear(channels, hidden));
        _expand = register_module("fc2", new Linear(hidden, channels));
    }

    public override Tensor forward(Tensor x)
    {
        var pooled = x.dim() == 4 ? F.adaptive_avg_pool2d(x, 1, 1).flatten(1) : F.adaptive_avg_pool1d(x, 1).flatten(1);
        var gate = _expand.forward(_reduce.forward(pooled).relu()).sigmoid();
        return x.dim() == 4 ? x * gate.unsqueeze(2).unsqueeze(3) : x * gate.unsqueeze(2);
    }
}
