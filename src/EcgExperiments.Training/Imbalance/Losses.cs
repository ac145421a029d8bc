using EcgExperiments.Torch;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training.Imbalance;

/// <summary>
/// BCE on one logit (class 1 positive) or cross-entropy on k logits, each example optionally weighted by its
/// true class. Reductions follow PyTorch: binary = mean of w·ℓ over the batch; multiclass = Σ w·ℓ / Σ w.
/// </summary>
public sealed class WeightedCrossEntropyLoss(IReadOnlyList<double>? classWeights = null) : IClassificationLoss
{
    public IReadOnlyList<double>? ClassWeights { get; } = classWeights;

    public Tensor Compute(Tensor logits, Tensor labels)
    {
        var device = logits.device;
        if (logits.size(1) == 1)
        {
            var target = labels.to(ScalarType.Float32).unsqueeze(1);
            Tensor? weight = null;
            if (ClassWeights is { } w)
                weight = torch.where(labels.eq(1), torch.scalar_tensor(w[1], device: device), torch.scalar_tensor(w[0], device: device)).unsqueeze(1);
            return F.binary_cross_entropy_with_logits(logits, target, weight);
        }
        var cw = ClassWeights is { } cws ? torch.tensor(cws.Select(v => (float)v).ToArray(), device: device) : null;
        return F.cross_entropy(logits, labels, cw);
    }
}

/// <summary>
/// Focal loss (Lin et al. 2017): ℓ = −α_t (1 − p_t)^γ log p_t, averaged over the batch, where p_t is the predicted
/// probability of the true class (sigmoid for one logit, softmax for k). α_t is the true class's α (binary with one
/// α: α for class 1, 1 − α for class 0); no α means α_t = 1. γ = 0 without α is exactly BCE / cross-entropy.
/// </summary>
public sealed class FocalLoss(double gamma, IReadOnlyList<double>? alpha = null) : IClassificationLoss
{
    public double Gamma { get; } = gamma;
    public IReadOnlyList<double>? Alpha { get; } = alpha;

    public Tensor Compute(Tensor logits, Tensor labels)
    {
        Tensor logPt;
        if (logits.size(1) == 1)
        {
            var z = logits.squeeze(1);
            logPt = torch.where(labels.eq(1), z.log_sigmoid(), (-z).log_sigmoid());
        }
        else
        {
            logPt = F.log_softmax(logits, 1).gather(1, labels.unsqueeze(1)).squeeze(1);
        }
        var loss = -logPt;
        if (Gamma > 0)
        {
            // Clamped so that the gradient of x^γ stays finite at p_t = 1 for γ < 1.
            var modulator = (1 - logPt.exp()).clamp_min(1e-12).pow(Gamma);
            loss = loss * modulator;
        }
        if (AlphaPerClass(logits.size(1) == 1 ? 2 : (int)logits.size(1)) is { } a)
            loss = loss * torch.tensor(a, device: logits.device).index_select(0, labels);
        return loss.mean();
    }

    private float[]? AlphaPerClass(int classes)
    {
        if (Alpha is null) return null;
        if (classes == 2 && Alpha.Count == 1) return [(float)(1 - Alpha[0]), (float)Alpha[0]];
        return Alpha.Select(v => (float)v).ToArray();
    }
}
