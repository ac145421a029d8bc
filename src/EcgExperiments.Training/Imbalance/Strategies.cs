using System.Globalization;

namespace EcgExperiments.Training.Imbalance;

/// <summary>
/// Builds the strategy named by <see cref="ImbalanceOptions.Strategy"/> from a table of factories: adding a strategy
/// is one class plus one entry here, the trainer is untouched.
/// </summary>
/// <example><code>IImbalanceStrategy s = ImbalanceStrategies.Create(new ImbalanceOptions { Strategy = ImbalanceStrategyKind.Focal });</code></example>
public static class ImbalanceStrategies
{
    private static readonly Dictionary<ImbalanceStrategyKind, Func<ImbalanceOptions, IImbalanceStrategy>> Factories = new()
    {
        [ImbalanceStrategyKind.None] = _ => new NoImbalanceStrategy(),
        [ImbalanceStrategyKind.ClassWeights] = o => new ClassWeightStrategy(o.Weighting, o.ClassWeights),
        [ImbalanceStrategyKind.Focal] = o => new FocalLossStrategy(o.FocalGamma, o.FocalAlpha),
        [ImbalanceStrategyKind.WeightedSampler] = o => new WeightedSamplerStrategy(o.SamplesPerEpoch),
        [ImbalanceStrategyKind.CostSensitive] = o => new CostSensitiveStrategy(CostSensitiveStrategy.MatrixOf(o)),
        [ImbalanceStrategyKind.Undersample] = o => new UndersampleStrategy(o.UndersampleRatio),
    };

    public static IImbalanceStrategy Create(ImbalanceOptions options)
    {
        options.Validate();
        return Factories.TryGetValue(options.Strategy, out var f)
            ? f(options)
            : throw new ArgumentException($"training.imbalance.strategy '{options.Strategy}' has no implementation");
    }

    internal static string List(IEnumerable<double> values) =>
        "[" + string.Join(", ", values.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture))) + "]";

    /// <summary>w_c = N / (k · n_c); a class absent from the training labels gets weight 1.</summary>
    public static double[] InverseFrequencyWeights(IReadOnlyList<int> labels, int classes)
    {
        var counts = new int[classes];
        foreach (var y in labels) counts[y]++;
        return counts.Select(n => n == 0 ? 1.0 : (double)labels.Count / (classes * n)).ToArray();
    }
}

/// <summary>Plain BCE / cross-entropy and a shuffle of every example.</summary>
public sealed class NoImbalanceStrategy : IImbalanceStrategy
{
    public string Description => "none";
    public string? Check(int classes) => null;
    public ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, int classes) => new(new WeightedCrossEntropyLoss(), new ShuffleSampler());
}

/// <summary>Loss weighted by the true class: an explicit list (e.g. the published HYP:NORM 3:1) or inverse frequency.</summary>
public sealed class ClassWeightStrategy(ClassWeightMode mode, IReadOnlyList<double>? weights) : IImbalanceStrategy
{
    private bool UsesList => mode == ClassWeightMode.Explicit || (mode == ClassWeightMode.Auto && weights is not null);

    public string Description => UsesList ? $"class_weights {ImbalanceStrategies.List(weights!)}" : "class_weights (inverse frequency)";

    public string? Check(int classes) => UsesList && weights!.Count != classes
        ? $"class weights list {weights.Count} values but the data has {classes} classes" : null;

    public ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, int classes) =>
        new(new WeightedCrossEntropyLoss(UsesList ? weights : ImbalanceStrategies.InverseFrequencyWeights(trainLabels, classes)), new ShuffleSampler());
}

/// <summary>Focal loss with γ and optional α; see <see cref="FocalLoss"/>.</summary>
public sealed class FocalLossStrategy(double gamma, IReadOnlyList<double>? alpha) : IImbalanceStrategy
{
    public string Description => $"focal (γ {gamma.ToString(CultureInfo.InvariantCulture)}, α {(alpha is null ? "none" : ImbalanceStrategies.List(alpha))})";

    public string? Check(int classes)
    {
        if (alpha is null || alpha.Count == classes || (classes == 2 && alpha.Count == 1)) return null;
        return $"focal_alpha lists {alpha.Count} values; give one per class ({classes}){(classes == 2 ? " or one positive-class α" : "")}";
    }

    public ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, int classes) => new(new FocalLoss(gamma, alpha), new ShuffleSampler());
}

/// <summary>Plain loss; minibatches drawn with replacement so every class is equally likely.</summary>
public sealed class WeightedSamplerStrategy(int? samplesPerEpoch) : IImbalanceStrategy
{
    public string Description => "weighted_sampler";
    public string? Check(int classes) => null;
    public ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, int classes) => new(new WeightedCrossEntropyLoss(), new ClassBalancedSampler(samplesPerEpoch));
}

/// <summary>Plain loss; each epoch the larger classes are randomly cut down to the smallest (times a ratio).</summary>
public sealed class UndersampleStrategy(double ratio) : IImbalanceStrategy
{
    public string Description => $"undersample (ratio {ratio.ToString(CultureInfo.InvariantCulture)})";
    public string? Check(int classes) => null;
    public ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, int classes) => new(new WeightedCrossEntropyLoss(), new RandomUndersampler(ratio));
}

/// <summary>
/// Cost-sensitive learning by cost-proportionate example weighting (Elkan 2001; Zadrozny, Langford and Abe 2003).
/// With a cost matrix C (row = true class, column = predicted), an example of class c is weighted by the expected
/// cost of misclassifying it, w_c = Σ_{j≠c} C[c][j] / (k − 1) (binary: w_1 = FN cost, w_0 = FP cost); the weights are
/// rescaled so that their mean over the training examples is 1, keeping the loss scale (and learning rate) comparable
/// with the unweighted loss. Minimising the weighted log-loss moves the Bayes decision at p = 0.5 to the
/// cost-optimal one: predict positive when p(1|x) · C_FN &gt; p(0|x) · C_FP.
/// </summary>
public sealed class CostSensitiveStrategy(IReadOnlyList<IReadOnlyList<double>> costMatrix) : IImbalanceStrategy
{
    public IReadOnlyList<IReadOnlyList<double>> CostMatrix { get; } = costMatrix;

    public string Description => $"cost_sensitive (costs {string.Join("; ", CostMatrix.Select(r => ImbalanceStrategies.List(r)))})";

    public string? Check(int classes) => CostMatrix.Count != classes
        ? $"cost matrix is {CostMatrix.Count}×{CostMatrix.Count} but the data has {classes} classes" : null;

    /// <summary>Per-class weights before normalisation: mean off-diagonal cost of each row.</summary>
    public double[] RawWeights()
    {
        int k = CostMatrix.Count;
        return Enumerable.Range(0, k).Select(c => Enumerable.Range(0, k).Where(j => j != c).Sum(j => CostMatrix[c][j]) / Math.Max(1, k - 1)).ToArray();
    }

    public ImbalancePlan Prepare(IReadOnlyList<int> trainLabels, int classes)
    {
        var raw = RawWeights();
        if (raw.Any(w => !(w > 0))) throw new ArgumentException("training.imbalance.cost_matrix: every class needs a positive misclassification cost");
        double mean = trainLabels.Count == 0 ? 1 : trainLabels.Average(y => raw[y]);
        return new(new WeightedCrossEntropyLoss(raw.Select(w => w / mean).ToArray()), new ShuffleSampler());
    }

    /// <summary>The cost matrix from <see cref="ImbalanceOptions"/>: the explicit matrix or the binary FN/FP costs.</summary>
    public static IReadOnlyList<IReadOnlyList<double>> MatrixOf(ImbalanceOptions o) =>
        o.CostMatrix ?? [[0, o.FalsePositiveCost!.Value], [o.FalseNegativeCost!.Value, 0]];
}
