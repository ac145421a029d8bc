using EcgExperiments.Core;
using EcgExperiments.Torch;

namespace EcgExperiments.Training.Imbalance;

/// <summary>
/// A class-imbalance strategy: knows nothing until <see cref="Prepare"/> sees the training labels (STYLE §1), then
/// returns the loss and the per-epoch sampler the trainer uses. The trainer never switches over strategy names.
/// </summary>
public interface IImbalanceStrategy
{
    /// <summary>Short description for logs and run records, e.g. "focal (γ 2, α [0.25])".</summary>
    string Description { get; }

    /// <summary>Null when the strategy fits a task with <paramref name="classes"/> classes, else what is wrong.</summary>
    string? Check(int classes);

    /// <summary>Binds the strategy to the training labels (class indices 0..classes−1).</summary>
    ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, int classes);
}

/// <summary>What a strategy contributes once bound to the training data.</summary>
public sealed record ImbalancePlan(IClassificationLoss Loss, IEpochSampler Sampler);

/// <summary>Scalar loss of a batch of logits ([N, 1] binary or [N, k]) against integer labels [N].</summary>
public interface IClassificationLoss
{
    Tensor Compute(Tensor logits, Tensor labels);
}

/// <summary>The training example indices visited in one epoch, in order (may repeat or omit examples).</summary>
public interface IEpochSampler
{
    int[] Order(IReadOnlyList<int> labels, SplitMix64 rng);
}
