namespace EcgExperiments.Training.Imbalance;

/// <summary>The class-imbalance strategies (SPEC §2.1's sweep axis); YAML names are the snake_case forms.</summary>
public enum ImbalanceStrategyKind
{
    /// <summary>Plain BCE / cross-entropy, every example once per epoch.</summary>
    None,
    /// <summary>Loss weighted by the true class's weight (explicit list or inverse frequency).</summary>
    ClassWeights,
    /// <summary>Focal loss −α_t (1 − p_t)^γ log p_t (Lin et al. 2017), binary and multiclass.</summary>
    Focal,
    /// <summary>Minibatches drawn with replacement, each class equally likely.</summary>
    WeightedSampler,
    /// <summary>Loss weighted by the cost of misclassifying each class, from an explicit cost matrix.</summary>
    CostSensitive,
    /// <summary>Each epoch keeps every minority example and a fresh random subset of each larger class.</summary>
    Undersample,
}

/// <summary>Where class weights come from.</summary>
public enum ClassWeightMode
{
    /// <summary><see cref="ImbalanceOptions.ClassWeights"/> when given, otherwise inverse frequency.</summary>
    Auto,
    /// <summary>The listed <see cref="ImbalanceOptions.ClassWeights"/>.</summary>
    Explicit,
    /// <summary>w_c = N / (k · n_c) from the training labels (scikit-learn's "balanced").</summary>
    InverseFrequency,
}

/// <summary>
/// YAML <c>training.imbalance:</c>. Example (the published 3:1 weighting, then focal loss):
/// <code>
/// imbalance: { strategy: class_weights, class_weights: [3, 1] }
/// imbalance: { strategy: focal, focal_gamma: 2, focal_alpha: [0.25] }
/// imbalance: { strategy: cost_sensitive, false_negative_cost: 5, false_positive_cost: 1 }
/// imbalance: { strategy: undersample, undersample_ratio: 1 }
/// </code>
/// </summary>
public sealed record ImbalanceOptions
{
    public ImbalanceStrategyKind Strategy { get; init; } = ImbalanceStrategyKind.None;

    /// <summary>class_weights: weight per class, in class order (e.g. [3, 1]).</summary>
    public IReadOnlyList<double>? ClassWeights { get; init; }
    /// <summary>class_weights: explicit list or inverse frequency (auto: the list when given).</summary>
    public ClassWeightMode Weighting { get; init; } = ClassWeightMode.Auto;

    /// <summary>focal: focusing parameter γ ≥ 0 (0 = cross-entropy).</summary>
    public double FocalGamma { get; init; } = 2;
    /// <summary>
    /// focal: α. One value for a binary task is the positive class's α (the negative class gets 1 − α, as in
    /// Lin et al.); otherwise one value per class. Null = no α weighting.
    /// </summary>
    public IReadOnlyList<double>? FocalAlpha { get; init; }

    /// <summary>cost_sensitive, binary: cost of missing a positive (class 1) example.</summary>
    public double? FalseNegativeCost { get; init; }
    /// <summary>cost_sensitive, binary: cost of a false alarm on a negative (class 0) example.</summary>
    public double? FalsePositiveCost { get; init; }
    /// <summary>cost_sensitive: k×k matrix, row = true class, column = predicted class (diagonal usually 0).</summary>
    public IReadOnlyList<IReadOnlyList<double>>? CostMatrix { get; init; }

    /// <summary>weighted_sampler: examples drawn per epoch; null = the training set size.</summary>
    public int? SamplesPerEpoch { get; init; }

    /// <summary>undersample: examples kept per larger class, as a multiple of the smallest class's count (1 = balanced).</summary>
    public double UndersampleRatio { get; init; } = 1;

    /// <summary>Throws with the offending key and its valid range (class counts are checked against the data later).</summary>
    public void Validate()
    {
        const string p = "training.imbalance";
        if (ClassWeights is { } w && w.Any(x => !(x > 0))) throw new ArgumentException($"{p}.class_weights must all be > 0, got [{string.Join(", ", w)}]");
        if (Weighting == ClassWeightMode.Explicit && ClassWeights is null) throw new ArgumentException($"{p}.weighting: explicit needs {p}.class_weights");
        if (!(FocalGamma >= 0)) throw new ArgumentException($"{p}.focal_gamma must be ≥ 0, got {FocalGamma}");
        if (FocalAlpha is { } a && a.Any(x => !(x > 0))) throw new ArgumentException($"{p}.focal_alpha values must be > 0, got [{string.Join(", ", a)}]");
        if (FalseNegativeCost is <= 0 || FalsePositiveCost is <= 0) throw new ArgumentException($"{p}: false_negative_cost and false_positive_cost must be > 0");
        if (CostMatrix is { } m)
        {
            if (m.Any(r => r.Count != m.Count)) throw new ArgumentException($"{p}.cost_matrix must be square (k rows of k costs)");
            if (m.SelectMany(r => r).Any(c => !(c >= 0))) throw new ArgumentException($"{p}.cost_matrix costs must be ≥ 0");
            if (FalseNegativeCost is not null || FalsePositiveCost is not null) throw new ArgumentException($"{p}: give either cost_matrix or false_negative_cost/false_positive_cost, not both");
        }
        if (Strategy == ImbalanceStrategyKind.CostSensitive && CostMatrix is null && (FalseNegativeCost is null || FalsePositiveCost is null))
            throw new ArgumentException($"{p}: strategy cost_sensitive needs cost_matrix, or false_negative_cost and false_positive_cost");
        if (SamplesPerEpoch is < 1) throw new ArgumentException($"{p}.samples_per_epoch must be ≥ 1 when set, got {SamplesPerEpoch}");
        if (!(UndersampleRatio >= 1)) throw new ArgumentException($"{p}.undersample_ratio must be ≥ 1, got {UndersampleRatio}");
    }
}
