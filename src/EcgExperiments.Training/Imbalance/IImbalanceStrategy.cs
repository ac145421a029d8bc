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

    /// <summary>
    /// The multi-label rules (one sigmoid per label, any number of labels per example): null when the strategy works
    /// per label, else the offending option key and why it cannot. Checked before any data is read. Strategies that
    /// balance classes against each other (resampling by class, a k×k cost matrix) have no meaning when an example
    /// carries several labels, and say so.
    /// </summary>
    (string Key, string Message)? CheckMultiLabel(IReadOnlyList<string> labelNames) =>
        ("strategy", $"'{Name}' does not apply to multi-label tasks (one sigmoid per label); use none, class_weights, focal or cost_sensitive with false_negative_cost/false_positive_cost");

    /// <summary>
    /// Binds the strategy to multi-label training targets (one flag per label for each example); the plan's loss then
    /// takes logits [N, k] and 0/1 float targets [N, k].
    /// </summary>
    ImbalancePlan PrepareMultiLabel(IReadOnlyList<bool[]> trainTargets, IReadOnlyList<string> labelNames) =>
        throw new NotSupportedException(CheckMultiLabel(labelNames)?.Message ?? $"'{Name}' has no multi-label form");
}

/// <summary>What a strategy contributes once bound to the training data.</summary>
public sealed record ImbalancePlan(IClassificationLoss Loss, IEpochSampler Sampler);

/// <summary>
/// Scalar loss of a batch of logits ([N, 1] binary or [N, k]) against integer labels [N]; multi-label losses take
/// logits [N, k] against 0/1 float targets [N, k].
/// </summary>
public interface IClassificationLoss
{
    Tensor Compute(Tensor logits, Tensor labels);
}

/// <summary>The training example indices visited in one epoch, in order (may repeat or omit examples).</summary>
public interface IEpochSampler
{
    int[] Order(IReadOnlyList<int> labels, SplitMix64 rng);
}
