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
    private static readonly Lazy<double> BaselineRecall = new(() => TrainAndRecall(new NoImbalanceStrategy()));

    private static double TrainAndRecall(IImbalanceStrategy imbalance, int seed = 1)
    {
        var train = SyntheticData.Gaussians(900, 100, seed: 10);
        var test = SyntheticData.Gaussians(500, 500, seed: 20);
        var options = new TrainingOptions { Epochs = 12, BatchSize = 50, LearningRate = 0.05, Imbalance = imbalance };
        var trainer = new ClassifierTrainer(options, SyntheticData.Linear, Device.CPU, (ulong)seed);
        using var model = trainer.Train(train, null).Model;
        return SyntheticData.Recall(SyntheticData.Probabilities(model, test), test, 1);
    }

    [Fact]
    public void Unweighted_baseline_under_predicts_the_minority_class()
    {
        Assert.InRange(BaselineRecall.Value, 0.1, 0.4);
    }

    public static TheoryData<string, IImbalanceStrategy> Strategies() => new()
    {
        { "class weights, inverse frequency", new ClassWeightStrategy(new ClassWeightsOptions()) },
        { "class weights, explicit 1:9", new ClassWeightStrategy(new ClassWeightsOptions { ClassWeights = ClassValues.Of(1, 9) }) },
        { "focal γ 2, α 0.9", new FocalLossStrategy(new FocalOptions { FocalGamma = 2, FocalAlpha = ClassValues.Of(0.9) }) },
        { "weighted sampler", new WeightedSamplerStrategy(new WeightedSamplerOptions()) },
        { "cost sensitive FN 9 FP 1", new CostSensitiveStrategy(new CostSensitiveOptions { FalseNegativeCost = 9, FalsePositiveCost = 1 }) },
        { "undersample", new UndersampleStrategy(new UndersampleOptions()) },
    };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Strategy_raises_minority_recall_over_none(string name, IImbalanceStrategy imbalance)
    {
        double recall = TrainAndRecall(imbalance);
        Assert.True(recall >= 0.6 && recall >= BaselineRecall.Value + 0.25,
            $"{name}: minority recall {recall:F3} vs {BaselineRecall.Value:F3} without a strategy");
    }

    [Fact]
    public void Class_weights_by_name_train_the_same_model_as_by_position()
    {
        var train = SyntheticData.Gaussians(900, 100, seed: 10);
        var test = SyntheticData.Gaussians(500, 500, seed: 20);
        var options = new TrainingOptions { Epochs = 12, BatchSize = 50, LearningRate = 0.05 };
        double[] Probabilities(IImbalanceStrategy s)
        {
            using var m = new ClassifierTrainer(options with { Imbalance = s }, SyntheticData.Linear, Device.CPU, 1).Train(train, null).Model;
            return SyntheticData.Probabilities(m, test).Select(p => p[1]).ToArray();
        }
        var byPosition = Probabilities(new ClassWeightStrategy(new ClassWeightsOptions { ClassWeights = ClassValues.Of(1, 9) }));
        var byName = Probabilities(new ClassWeightStrategy(new ClassWeightsOptions { ClassWeights = ClassValues.Of(new Dictionary<string, double> { ["positive"] = 9, ["negative"] = 1 }) }));
        // Same seed, same weights: the same model up to multi-threaded float reduction order.
        Assert.All(byPosition.Zip(byName), t => Assert.Equal(t.First, t.Second, 5));
    }

    [Fact]
    public void Multiclass_strategies_train_k_logits_and_lift_the_rare_class()
    {
        var train = SyntheticData.ThreeClasses([600, 40, 200], seed: 3, shift: 1.5);
        var test = SyntheticData.ThreeClasses([300, 300, 300], seed: 4, shift: 1.5);
        double Recall(IImbalanceStrategy o)
        {
            var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 15, BatchSize = 40, LearningRate = 0.05, Imbalance = o }, SyntheticData.Linear, Device.CPU, 2);
            using var m = trainer.Train(train, test).Model;
            return SyntheticData.Recall(SyntheticData.Probabilities(m, test), test, 1);
        }
        double none = Recall(new NoImbalanceStrategy());
        double focal = Recall(new FocalLossStrategy(new FocalOptions { FocalGamma = 2, FocalAlpha = ClassValues.Of(1, 10, 3) }));
        double cost = Recall(new CostSensitiveStrategy(new CostSensitiveOptions { CostMatrix = [[0, 1, 1], [10, 0, 10], [3, 3, 0]] }));
        double sampler = Recall(new WeightedSamplerStrategy(new WeightedSamplerOptions()));
        Assert.True(focal > none + 0.2 && cost > none + 0.2 && sampler > none + 0.2,
            $"rare-class recall: none {none:F3}, focal {focal:F3}, cost {cost:F3}, sampler {sampler:F3}");
    }
}
