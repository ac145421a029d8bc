using EcgExperiments.Torch;
using EcgExperiments.Training.Imbalance;

namespace EcgExperiments.Training.Tests;

/// <summary>
/// Each strategy trains logistic regression on a 9:1 overlapping two-Gaussian task; where the point of the strategy
/// is the minority class, its recall on a balanced test set must clearly beat the unweighted baseline's
/// (theory: ≈ 0.24 without, ≈ 0.77 balanced).
/// </summary>
public class StrategyTrainingTests
{
    private static readonly Lazy<double> BaselineRecall = new(() => TrainAndRecall(new ImbalanceOptions()));

    private static double TrainAndRecall(ImbalanceOptions imbalance, int seed = 1)
    {
        var train = SyntheticData.Gaussians(900, 100, seed: 10);
        var test = SyntheticData.Gaussians(500, 500, seed: 20);
        var options = new TrainingOptions { Epochs = 12, BatchSize = 50, LearningRate = 0.05, Imbalance = imbalance };
        var trainer = new ClassifierTrainer(options, SyntheticData.Linear, Device.CPU, (ulong)seed);
        var result = trainer.Fit(train, null);
        using var model = result.Model;
        return SyntheticData.Recall(trainer.Predict(model, test), test, 1);
    }

    [Fact]
    public void Unweighted_baseline_under_predicts_the_minority_class()
    {
        Assert.InRange(BaselineRecall.Value, 0.1, 0.4);
    }

    public static TheoryData<string, ImbalanceOptions> Strategies() => new()
    {
        { "class weights, inverse frequency", new() { Strategy = ImbalanceStrategyKind.ClassWeights } },
        { "class weights, explicit 1:9", new() { Strategy = ImbalanceStrategyKind.ClassWeights, ClassWeights = [1, 9] } },
        { "focal γ 2, α 0.9", new() { Strategy = ImbalanceStrategyKind.Focal, FocalGamma = 2, FocalAlpha = [0.9] } },
        { "weighted sampler", new() { Strategy = ImbalanceStrategyKind.WeightedSampler } },
        { "cost sensitive FN 9 FP 1", new() { Strategy = ImbalanceStrategyKind.CostSensitive, FalseNegativeCost = 9, FalsePositiveCost = 1 } },
        { "undersample", new() { Strategy = ImbalanceStrategyKind.Undersample } },
    };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Strategy_raises_minority_recall_over_none(string name, ImbalanceOptions imbalance)
    {
        double recall = TrainAndRecall(imbalance);
        Assert.True(recall >= 0.6 && recall >= BaselineRecall.Value + 0.25,
            $"{name}: minority recall {recall:F3} vs {BaselineRecall.Value:F3} without a strategy");
    }

    [Fact]
    public void Legacy_class_weights_option_is_the_class_weights_strategy()
    {
        var train = SyntheticData.Gaussians(900, 100, seed: 10);
        var test = SyntheticData.Gaussians(500, 500, seed: 20);
        var legacy = new TrainingOptions { Epochs = 12, BatchSize = 50, LearningRate = 0.05, ClassWeights = [1, 9] };
        var viaStrategy = legacy with { ClassWeights = null, Imbalance = new() { Strategy = ImbalanceStrategyKind.ClassWeights, ClassWeights = [1, 9] } };
        double[] Probabilities(ClassifierTrainer t)
        {
            using var m = t.Fit(train, null).Model;
            return t.Predict(m, test).Select(p => p[1]).ToArray();
        }
        var a = new ClassifierTrainer(legacy, SyntheticData.Linear, Device.CPU, 1);
        Assert.Equal([1.0, 9.0], a.ClassWeights!);
        Assert.StartsWith("class_weights", a.Imbalance.Description);
        var pa = Probabilities(a);
        var pb = Probabilities(new ClassifierTrainer(viaStrategy, SyntheticData.Linear, Device.CPU, 1));
        var pc = Probabilities(new ClassifierTrainer(legacy with { ClassWeights = null }, SyntheticData.Linear, Device.CPU, 1, [1, 9]));
        // Same seed, same weights: the same model up to multi-threaded float reduction order.
        Assert.All(pa.Zip(pb, pc), t => { Assert.Equal(t.First, t.Second, 5); Assert.Equal(t.First, t.Third, 5); });
    }

    [Fact]
    public void Multiclass_strategies_train_k_logits_and_lift_the_rare_class()
    {
        var train = SyntheticData.ThreeClasses([600, 40, 200], seed: 3, shift: 1.5);
        var test = SyntheticData.ThreeClasses([300, 300, 300], seed: 4, shift: 1.5);
        double Recall(ImbalanceOptions o)
        {
            var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 15, BatchSize = 40, LearningRate = 0.05, Imbalance = o }, SyntheticData.Linear, Device.CPU, 2);
            using var m = trainer.Fit(train, test).Model;
            return SyntheticData.Recall(trainer.Predict(m, test), test, 1);
        }
        double none = Recall(new());
        double focal = Recall(new() { Strategy = ImbalanceStrategyKind.Focal, FocalGamma = 2, FocalAlpha = [1, 10, 3] });
        double cost = Recall(new() { Strategy = ImbalanceStrategyKind.CostSensitive, CostMatrix = [[0, 1, 1], [10, 0, 10], [3, 3, 0]] });
        double sampler = Recall(new() { Strategy = ImbalanceStrategyKind.WeightedSampler });
        Assert.True(focal > none + 0.2 && cost > none + 0.2 && sampler > none + 0.2,
            $"rare-class recall: none {none:F3}, focal {focal:F3}, cost {cost:F3}, sampler {sampler:F3}");
    }
}
