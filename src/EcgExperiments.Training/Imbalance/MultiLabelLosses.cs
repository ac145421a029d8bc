using EcgExperiments.Torch;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training.Imbalance;

/// <summary>
/// Binary cross-entropy with logits, one sigmoid per label (PyTorch <c>BCEWithLogitsLoss</c>, mean over every
/// example × label), each term optionally weighted by its label and target: −[w⁺ₗ y log σ(z) + w⁻ₗ (1 − y) log(1 − σ(z))].
/// No weights is the PTB-XL benchmark's loss.
/// </summary>
/// <param name="positiveWeights">w⁺ per label (terms of examples carrying the label); null = 1.</param>
/// <param name="negativeWeights">w⁻ per label (terms of examples without it); null = 1.</param>
public sealed class MultiLabelBceLoss(IReadOnlyList<double>? positiveWeights = null, IReadOnlyList<double>? negativeWeights = null) : IClassificationLoss
{
    public IReadOnlyList<double>? PositiveWeights { get; } = positiveWeights;
    public IReadOnlyList<double>? NegativeWeights { get; } = negativeWeights;

    public Tensor Compute(Tensor logits, Tensor targets)
    {
        if (PositiveWeights is null && NegativeWeights is null) return F.binary_cross_entropy_with_logits(logits, targets);
        var device = logits.device;
        int k = (int)logits.size(1);
        var positive = torch.tensor((PositiveWeights ?? Enumerable.Repeat(1.0, k).ToArray()).Select(v => (float)v).ToArray(), device: device);
        var negative = torch.tensor((NegativeWeights ?? Enumerable.Repeat(1.0, k).ToArray()).Select(v => (float)v).ToArray(), device: device);
        // for a 0/1 target the weight picks the one term that is present
        var weight = targets * positive + (1 - targets) * negative;
        return F.binary_cross_entropy_with_logits(logits, targets, weight);
    }
}

/// <summary>
/// Focal loss per label (Lin et al. 2017 applied to each sigmoid): −α_t (1 − p_t)^γ log p_t for every example × label,
/// averaged, where p_t is the probability given to the label's true state and α_t = αₗ for a present label, 1 − αₗ for
/// an absent one (no α: α_t = 1). γ = 0 without α is exactly <see cref="MultiLabelBceLoss"/>.
/// </summary>
public sealed class MultiLabelFocalLoss(double gamma, IReadOnlyList<double>? alpha = null) : IClassificationLoss
{
    public double Gamma { get; } = gamma;

    /// <summary>αₗ per label, or null.</summary>
    public IReadOnlyList<double>? Alpha { get; } = alpha;

    public Tensor Compute(Tensor logits, Tensor targets)
    {
        var present = targets.eq(1);
        var logPt = torch.where(present, logits.log_sigmoid(), (-logits).log_sigmoid());
        var loss = -logPt;
        if (Gamma > 0) loss = loss * (1 - logPt.exp()).clamp_min(1e-12).pow(Gamma);
        if (Alpha is { } a)
        {
            var alpha = torch.tensor(a.Select(v => (float)v).ToArray(), device: logits.device);
            loss = loss * (targets * alpha + (1 - targets) * (1 - alpha));
        }
        return loss.mean();
    }
}
