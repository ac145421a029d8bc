using System.Globalization;

namespace EcgExperiments.Training.Imbalance;

/// <summary>Helpers shared by the strategies.</summary>
public static class ImbalanceMath
{
    internal static string List(IEnumerable<double> values) =>
        "[" + string.Join(", ", values.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture))) + "]";

    /// <summary>
    /// Per label of multi-label targets, the "balanced" weights of that label's yes/no task: w⁺ = N / (2 n⁺),
    /// w⁻ = N / (2 n⁻) (scikit-learn's balanced weights of a binary task; w⁺/w⁻ = n⁻/n⁺, PyTorch's suggested
    /// <c>pos_weight</c>). A label without positives or negatives in training gets 1 and 1.
    /// </summary>
    public static (double[] Positive, double[] Negative) InverseFrequencyPerLabel(IReadOnlyList<bool[]> targets, int labels)
    {
        var positive = new double[labels];
        var negative = new double[labels];
        for (int l = 0; l < labels; l++)
        {
            int n = targets.Count, pos = targets.Count(t => t[l]);
            (positive[l], negative[l]) = pos == 0 || pos == n ? (1.0, 1.0) : ((double)n / (2 * pos), (double)n / (2 * (n - pos)));
        }
        return (positive, negative);
    }

    /// <summary>w_c = N / (k · n_c); a class absent from the training labels gets weight 1.</summary>
    public static double[] InverseFrequencyWeights(IReadOnlyList<int> labels, int classes)
    {
        var counts = new int[classes];
        foreach (var y in labels) counts[y]++;
        return counts.Select(n => n == 0 ? 1.0 : (double)labels.Count / (classes * n)).ToArray();
    }
}

/// <summary>YAML <c>strategy: none</c>: plain BCE / cross-entropy, every example once per epoch. No options.</summary>
public sealed record NoImbalanceOptions;

/// <summary>Plain BCE / cross-entropy and a shuffle of every example.</summary>
public sealed class NoImbalanceStrategy(NoImbalanceOptions? options = null) : IImbalanceStrategy
{
    public string Name => "none";
    public object Options { get; } = options ?? new NoImbalanceOptions();
    public string Description => "none";
    public (string Key, string Message)? Check(IReadOnlyList<string> classNames) => null;
    public ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, IReadOnlyList<string> classNames) => new(new WeightedCrossEntropyLoss(), new ShuffleSampler());
    public (string Key, string Message)? CheckMultiLabel(IReadOnlyList<string> labelNames) => null;
    public ImbalancePlan PrepareMultiLabel(IReadOnlyList<bool[]> trainTargets, IReadOnlyList<string> labelNames) => new(new MultiLabelBceLoss(), new ShuffleSampler());
}

/// <summary>Where class weights come from.</summary>
public enum ClassWeightMode
{
    /// <summary><see cref="ClassWeightsOptions.ClassWeights"/> when given, otherwise inverse frequency.</summary>
    Auto,
    /// <summary>The given <see cref="ClassWeightsOptions.ClassWeights"/>.</summary>
    Explicit,
    /// <summary>w_c = N / (k · n_c) from the training labels (scikit-learn's "balanced").</summary>
    InverseFrequency,
}

/// <summary>
/// YAML <c>strategy: class_weights</c>: the loss weighted by the true class's weight.
/// <code>imbalance: { strategy: class_weights, class_weights: { HYP: 3, NORM: 1 } }   # or [1, 3] in class order; none given: inverse frequency</code>
/// </summary>
public sealed record ClassWeightsOptions : Core.IValidatable
{
    /// <summary>Weight per class, by name or in class order; null = inverse frequency.</summary>
    public ClassValues? ClassWeights { get; init; }
    public ClassWeightMode Weighting { get; init; } = ClassWeightMode.Auto;

    public void Validate()
    {
        if (ClassWeights is { } w && w.Values.Any(x => !(x > 0))) throw new ArgumentException($"class_weights must all be > 0, got {w}");
        if (Weighting == ClassWeightMode.Explicit && ClassWeights is null) throw new ArgumentException("weighting: explicit needs class_weights");
    }
}

/// <summary>Loss weighted by the true class: given weights (e.g. the published HYP:NORM 3:1) or inverse frequency.</summary>
public sealed class ClassWeightStrategy(ClassWeightsOptions options) : IImbalanceStrategy
{
    private bool UsesList => options.Weighting == ClassWeightMode.Explicit || (options.Weighting == ClassWeightMode.Auto && options.ClassWeights is not null);

    public string Name => "class_weights";
    public object Options => options;
    public string Description => UsesList ? $"class_weights {options.ClassWeights}" : "class_weights (inverse frequency)";

    public (string Key, string Message)? Check(IReadOnlyList<string> classNames) =>
        UsesList && options.ClassWeights!.Problem(classNames, "class_weights") is { } p ? ("class_weights", p) : null;

    public ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, IReadOnlyList<string> classNames) =>
        new(new WeightedCrossEntropyLoss(UsesList ? options.ClassWeights!.Resolve(classNames, "class_weights") : ImbalanceMath.InverseFrequencyWeights(trainLabels, classNames.Count)),
            new ShuffleSampler());

    /// <summary>Multi-label: given weights are each label's positive weight (absent terms weigh 1); none given: balanced weights per label.</summary>
    public (string Key, string Message)? CheckMultiLabel(IReadOnlyList<string> labelNames) =>
        UsesList && options.ClassWeights!.Problem(labelNames, "class_weights") is { } p ? ("class_weights", p + " (multi-label: one positive weight per label)") : null;

    public ImbalancePlan PrepareMultiLabel(IReadOnlyList<bool[]> trainTargets, IReadOnlyList<string> labelNames)
    {
        if (UsesList) return new(new MultiLabelBceLoss(options.ClassWeights!.Resolve(labelNames, "class_weights")), new ShuffleSampler());
        var (positive, negative) = ImbalanceMath.InverseFrequencyPerLabel(trainTargets, labelNames.Count);
        return new(new MultiLabelBceLoss(positive, negative), new ShuffleSampler());
    }
}

/// <summary>
/// YAML <c>strategy: focal</c>: focal loss (Lin et al. 2017).
/// <code>imbalance: { strategy: focal, focal_gamma: 2, focal_alpha: [0.75] }   # one α: the positive class of a binary task</code>
/// </summary>
public sealed record FocalOptions : Core.IValidatable
{
    /// <summary>Focusing parameter γ ≥ 0 (0 = cross-entropy).</summary>
    public double FocalGamma { get; init; } = 2;
    /// <summary>α per class (by name or in order), or one α for the positive class of a binary task (the negative gets 1 − α); null = none.</summary>
    public ClassValues? FocalAlpha { get; init; }

    public void Validate()
    {
        if (!(FocalGamma >= 0)) throw new ArgumentException($"focal_gamma must be ≥ 0, got {FocalGamma}");
        if (FocalAlpha is { } a && a.Values.Any(x => !(x > 0))) throw new ArgumentException($"focal_alpha values must be > 0, got {a}");
    }
}

/// <summary>Focal loss with γ and optional α; see <see cref="FocalLoss"/>.</summary>
public sealed class FocalLossStrategy(FocalOptions options) : IImbalanceStrategy
{
    public string Name => "focal";
    public object Options => options;
    public string Description => $"focal (γ {options.FocalGamma.ToString(CultureInfo.InvariantCulture)}, α {options.FocalAlpha?.ToString() ?? "none"})";

    private static bool PositiveOnly(ClassValues alpha, int classes) => classes == 2 && alpha.ByPosition is { Count: 1 };

    public (string Key, string Message)? Check(IReadOnlyList<string> classNames)
    {
        if (options.FocalAlpha is not { } alpha || PositiveOnly(alpha, classNames.Count)) return null;
        return alpha.Problem(classNames, "focal_alpha") is { } p
            ? ("focal_alpha", p + (classNames.Count == 2 ? " (or one α for the positive class)" : "")) : null;
    }

    public ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, IReadOnlyList<string> classNames)
    {
        IReadOnlyList<double>? alpha = options.FocalAlpha is not { } a ? null
            : PositiveOnly(a, classNames.Count) ? a.ByPosition : a.Resolve(classNames, "focal_alpha");
        return new(new FocalLoss(options.FocalGamma, alpha), new ShuffleSampler());
    }

    /// <summary>Multi-label: focal per label; α is one value for every label or one per label (by name or position), for the label's presence.</summary>
    public (string Key, string Message)? CheckMultiLabel(IReadOnlyList<string> labelNames)
    {
        if (options.FocalAlpha is not { } alpha || alpha.ByPosition is { Count: 1 }) return null;
        if (alpha.Values.Any(v => v >= 1)) return ("focal_alpha", $"multi-label α weighs a label's presence (absence gets 1 − α), so each must lie in (0, 1), got {alpha}");
        return alpha.Problem(labelNames, "focal_alpha") is { } p ? ("focal_alpha", p + " (or one α for every label)") : null;
    }

    public ImbalancePlan PrepareMultiLabel(IReadOnlyList<bool[]> trainTargets, IReadOnlyList<string> labelNames)
    {
        IReadOnlyList<double>? alpha = options.FocalAlpha is not { } a ? null
            : a.ByPosition is { Count: 1 } one ? Enumerable.Repeat(one[0], labelNames.Count).ToArray() : a.Resolve(labelNames, "focal_alpha");
        if (alpha?.Any(v => !(v > 0 && v < 1)) == true)
            throw new ArgumentException($"training.imbalance.focal_alpha: multi-label α must lie in (0, 1), got {ImbalanceMath.List(alpha)}");
        return new(new MultiLabelFocalLoss(options.FocalGamma, alpha), new ShuffleSampler());
    }
}

/// <summary>YAML <c>strategy: weighted_sampler</c>: minibatches drawn with replacement, every class equally likely.</summary>
public sealed record WeightedSamplerOptions : Core.IValidatable
{
    /// <summary>Examples drawn per epoch; null = the training set size.</summary>
    public int? SamplesPerEpoch { get; init; }

    public void Validate()
    {
        if (SamplesPerEpoch is < 1) throw new ArgumentException($"samples_per_epoch must be ≥ 1 when set, got {SamplesPerEpoch}");
    }
}

/// <summary>Plain loss; minibatches drawn with replacement so every class is equally likely.</summary>
public sealed class WeightedSamplerStrategy(WeightedSamplerOptions options) : IImbalanceStrategy
{
    public string Name => "weighted_sampler";
    public object Options => options;
    public string Description => "weighted_sampler";
    public (string Key, string Message)? Check(IReadOnlyList<string> classNames) => null;
    public ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, IReadOnlyList<string> classNames) =>
        new(new WeightedCrossEntropyLoss(), new ClassBalancedSampler(options.SamplesPerEpoch));

    public (string Key, string Message)? CheckMultiLabel(IReadOnlyList<string> labelNames) =>
        ("strategy", "weighted_sampler makes every class equally likely per draw, but a multi-label example carries several labels (or none), " +
                     "so there is no class to draw by; use class_weights (a positive weight per label) or focal");
}

/// <summary>YAML <c>strategy: undersample</c>: each epoch keeps every minority example and a fresh random subset of each larger class.</summary>
public sealed record UndersampleOptions : Core.IValidatable
{
    /// <summary>Examples kept per larger class, as a multiple of the smallest class's count (1 = balanced).</summary>
    public double UndersampleRatio { get; init; } = 1;

    public void Validate()
    {
        if (!(UndersampleRatio >= 1)) throw new ArgumentException($"undersample_ratio must be ≥ 1, got {UndersampleRatio}");
    }
}

/// <summary>Plain loss; each epoch the larger classes are randomly cut down to the smallest (times a ratio).</summary>
public sealed class UndersampleStrategy(UndersampleOptions options) : IImbalanceStrategy
{
    public string Name => "undersample";
    public object Options => options;
    public string Description => $"undersample (ratio {options.UndersampleRatio.ToString(CultureInfo.InvariantCulture)})";
    public (string Key, string Message)? Check(IReadOnlyList<string> classNames) => null;
    public ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, IReadOnlyList<string> classNames) =>
        new(new WeightedCrossEntropyLoss(), new RandomUndersampler(options.UndersampleRatio));

    public (string Key, string Message)? CheckMultiLabel(IReadOnlyList<string> labelNames) =>
        ("strategy", "undersample cuts every class down to the smallest, but a multi-label example belongs to several labels at once (or none), " +
                     "so cutting one label cuts others; use class_weights (a positive weight per label) or focal");
}

/// <summary>
/// YAML <c>strategy: cost_sensitive</c>: an explicit cost matrix (row = true class, column = predicted), or for a binary
/// task the two costs.
/// <code>imbalance: { strategy: cost_sensitive, false_negative_cost: 5, false_positive_cost: 1 }</code>
/// </summary>
public sealed record CostSensitiveOptions : Core.IValidatable
{
    /// <summary>Binary: cost of missing a positive (class 1) example.</summary>
    public double? FalseNegativeCost { get; init; }
    /// <summary>Binary: cost of a false alarm on a negative (class 0) example.</summary>
    public double? FalsePositiveCost { get; init; }
    /// <summary>k×k matrix, row = true class, column = predicted class (diagonal usually 0).</summary>
    public IReadOnlyList<IReadOnlyList<double>>? CostMatrix { get; init; }

    public void Validate()
    {
        if (FalseNegativeCost is <= 0 || FalsePositiveCost is <= 0) throw new ArgumentException("false_negative_cost and false_positive_cost must be > 0");
        if (CostMatrix is { } m)
        {
            if (m.Any(r => r.Count != m.Count)) throw new ArgumentException("cost_matrix must be square (k rows of k costs)");
            if (m.SelectMany(r => r).Any(c => !(c >= 0))) throw new ArgumentException("cost_matrix costs must be ≥ 0");
            if (FalseNegativeCost is not null || FalsePositiveCost is not null) throw new ArgumentException("give either cost_matrix or false_negative_cost/false_positive_cost, not both");
        }
        else if (FalseNegativeCost is null || FalsePositiveCost is null)
            throw new ArgumentException("cost_sensitive needs cost_matrix, or false_negative_cost and false_positive_cost");
    }

    /// <summary>The cost matrix: the explicit one or the binary FN/FP costs.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Matrix() => CostMatrix ?? [[0, FalsePositiveCost!.Value], [FalseNegativeCost!.Value, 0]];
}

/// <summary>
/// Cost-sensitive learning by cost-proportionate example weighting (Elkan 2001; Zadrozny, Langford and Abe 2003).
/// With a cost matrix C (row = true class, column = predicted), an example of class c is weighted by the expected
/// cost of misclassifying it, w_c = Σ_{j≠c} C[c][j] / (k − 1) (binary: w_1 = FN cost, w_0 = FP cost); the weights are
/// rescaled so that their mean over the training examples is 1, keeping the loss scale (and learning rate) comparable
/// with the unweighted loss. Minimising the weighted log-loss moves the Bayes decision at p = 0.5 to the
/// cost-optimal one: predict positive when p(1|x) · C_FN &gt; p(0|x) · C_FP.
/// </summary>
public sealed class CostSensitiveStrategy(CostSensitiveOptions options) : IImbalanceStrategy
{
    public string Name => "cost_sensitive";
    public object Options => options;
    public IReadOnlyList<IReadOnlyList<double>> CostMatrix { get; } = options.Matrix();

    public string Description => $"cost_sensitive (costs {string.Join("; ", CostMatrix.Select(r => ImbalanceMath.List(r)))})";

    public (string Key, string Message)? Check(IReadOnlyList<string> classNames)
    {
        if (options.CostMatrix is null && classNames.Count != 2)
            return ("false_negative_cost", $"FN/FP costs need a binary task; with {classNames.Count} classes [{string.Join(", ", classNames)}] give a cost_matrix");
        if (CostMatrix.Count != classNames.Count)
            return ("cost_matrix", $"must be {classNames.Count} × {classNames.Count} (rows: true class, columns: predicted) for [{string.Join(", ", classNames)}], got {CostMatrix.Count} row(s)");
        if (RawWeights().Any(w => !(w > 0))) return ("cost_matrix", "every class needs a positive misclassification cost");
        return null;
    }

    /// <summary>Per-class weights before normalisation: mean off-diagonal cost of each row.</summary>
    public double[] RawWeights()
    {
        int k = CostMatrix.Count;
        return Enumerable.Range(0, k).Select(c => Enumerable.Range(0, k).Where(j => j != c).Sum(j => CostMatrix[c][j]) / Math.Max(1, k - 1)).ToArray();
    }

    public ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, IReadOnlyList<string> classNames)
    {
        var raw = RawWeights();
        double mean = trainLabels.Count == 0 ? 1 : trainLabels.Average(y => raw[y]);
        return new(new WeightedCrossEntropyLoss(raw.Select(w => w / mean).ToArray()), new ShuffleSampler());
    }

    /// <summary>
    /// Multi-label: each label is its own yes/no task with the FN/FP costs — a present label's term weighs the FN cost, an
    /// absent one's the FP cost — rescaled so the mean weight over the training (example, label) terms is 1. A k×k cost
    /// matrix prices mistaking one class for another, which independent labels cannot do: refused.
    /// </summary>
    public (string Key, string Message)? CheckMultiLabel(IReadOnlyList<string> labelNames) => options.CostMatrix is null ? null
        : ("cost_matrix", "a cost matrix prices mistaking one class for another, but multi-label labels are independent yes/no decisions; " +
                          "give false_negative_cost and false_positive_cost instead (applied to every label)");

    public ImbalancePlan PrepareMultiLabel(IReadOnlyList<bool[]> trainTargets, IReadOnlyList<string> labelNames)
    {
        if (CheckMultiLabel(labelNames) is { } problem) throw new ArgumentException($"training.imbalance.{problem.Key}: {problem.Message}");
        double fn = options.FalseNegativeCost!.Value, fp = options.FalsePositiveCost!.Value;
        int k = labelNames.Count;
        long terms = (long)trainTargets.Count * k, present = trainTargets.Sum(t => t.Count(x => x));
        double mean = terms == 0 ? 1 : (present * fn + (terms - present) * fp) / terms;
        return new(new MultiLabelBceLoss(Enumerable.Repeat(fn / mean, k).ToArray(), Enumerable.Repeat(fp / mean, k).ToArray()), new ShuffleSampler());
    }
}
