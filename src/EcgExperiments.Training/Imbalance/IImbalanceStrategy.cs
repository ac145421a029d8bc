using EcgExperiments.Core;
using EcgExperiments.Torch;

namespace EcgExperiments.Training.Imbalance;

/// <summary>
/// A class-imbalance strategy (SPEC §2.1's sweep axis): built from its own options record (YAML
/// <c>training.imbalance: { strategy: focal, focal_gamma: 2 }</c>), it knows nothing of the data until
/// <see cref="Prepare"/> sees the training labels (STYLE §1), then returns the loss and the per-epoch sampler the
/// trainer uses. The trainer never switches over strategy names.
/// </summary>
public interface IImbalanceStrategy
{
    /// <summary>Registered name, e.g. "focal" (the YAML <c>strategy:</c>).</summary>
    string Name { get; }

    /// <summary>The strategy's options record (written to the run record and the trial key).</summary>
    object Options { get; }

    /// <summary>Short description for logs and run records, e.g. "focal (γ 2, α [0.25])".</summary>
    string Description { get; }

    /// <summary>
    /// The class-count rules, in one place: null when the strategy fits a task with these classes, else the
    /// offending option key (e.g. "focal_alpha") and what is wrong. Checked before any data is read.
    /// </summary>
    (string Key, string Message)? Check(IReadOnlyList<string> classNames);

    /// <summary>Binds the strategy to the training labels (class indices 0..classes−1).</summary>
    ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, IReadOnlyList<string> classNames);
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
