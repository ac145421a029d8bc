using EcgExperiments.Core;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training.Imbalance;

namespace EcgExperiments.Training.Tests;

/// <summary>Per-strategy options: validation names the key, class-count rules live in the strategy, class values by name.</summary>
public class ImbalanceOptionsTests
{
    private static readonly string[] Binary = ["NORM", "HYP"];

    public static TheoryData<string, IImbalanceStrategy> All() => new()
    {
        { "none", new NoImbalanceStrategy() },
        { "class_weights", new ClassWeightStrategy(new ClassWeightsOptions()) },
        { "focal", new FocalLossStrategy(new FocalOptions()) },
        { "weighted_sampler", new WeightedSamplerStrategy(new WeightedSamplerOptions()) },
        { "cost_sensitive", new CostSensitiveStrategy(new CostSensitiveOptions { FalseNegativeCost = 2, FalsePositiveCost = 1 }) },
        { "undersample", new UndersampleStrategy(new UndersampleOptions()) },
    };

    [Theory]
    [MemberData(nameof(All))]
    public void Every_strategy_prepares_a_loss_and_an_order(string name, IImbalanceStrategy s)
    {
        Assert.Equal(name, s.Name);
        Assert.False(string.IsNullOrWhiteSpace(s.Description));
        Assert.Null(s.Check(Binary));
        var plan = s.Prepare([0, 0, 0, 1], Binary);
        Assert.NotNull(plan.Loss);
        Assert.NotEmpty(plan.Sampler.Order([0, 0, 0, 1], new SplitMix64(1)));
    }

    public static TheoryData<IValidatable, string> BadOptions() => new()
    {
        { new FocalOptions { FocalGamma = -1 }, "focal_gamma" },
        { new CostSensitiveOptions { FalseNegativeCost = 5 }, "false_positive_cost" },
        { new CostSensitiveOptions { CostMatrix = [[0, 1], [1]] }, "square" },
        { new ClassWeightsOptions { ClassWeights = ClassValues.Of(1, 0) }, "class_weights" },
        { new ClassWeightsOptions { Weighting = ClassWeightMode.Explicit }, "explicit" },
        { new UndersampleOptions { UndersampleRatio = 0.5 }, "undersample_ratio" },
        { new WeightedSamplerOptions { SamplesPerEpoch = 0 }, "samples_per_epoch" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Invalid_options_name_the_key(IValidatable options, string key)
    {
        Assert.Contains(key, Assert.Throws<ArgumentException>(options.Validate).Message);
    }

    [Fact]
    public void Class_count_rules_name_the_key_and_the_classes()
    {
        var focal = new FocalLossStrategy(new FocalOptions { FocalAlpha = ClassValues.Of(0.2, 0.3, 0.5) });
        Assert.Equal("focal_alpha", focal.Check(Binary)!.Value.Key);
        Assert.Contains("lists 3 value(s) but the data has 2 classes [NORM, HYP]", focal.Check(Binary)!.Value.Message);
        Assert.Null(new FocalLossStrategy(new FocalOptions { FocalAlpha = ClassValues.Of(0.75) }).Check(Binary));   // positive-class α
        var costs = new CostSensitiveStrategy(new CostSensitiveOptions { FalseNegativeCost = 5, FalsePositiveCost = 1 });
        Assert.Equal("false_negative_cost", costs.Check(["a", "b", "c"])!.Value.Key);
        var weights = new ClassWeightStrategy(new ClassWeightsOptions { ClassWeights = ClassValues.Of(new Dictionary<string, double> { ["HYP"] = 3, ["MI"] = 1 }) });
        Assert.Contains("'MI', not a class of the data [NORM, HYP]", weights.Check(Binary)!.Value.Message);
    }

    [Fact]
    public void Class_weights_by_name_follow_the_class_order()
    {
        var byName = new ClassWeightStrategy(new ClassWeightsOptions { ClassWeights = ClassValues.Of(new Dictionary<string, double> { ["HYP"] = 3, ["NORM"] = 1 }) });
        var loss = (WeightedCrossEntropyLoss)byName.Prepare([0, 1], Binary).Loss;
        Assert.Equal([1.0, 3.0], loss.ClassWeights!);
        var reversed = (WeightedCrossEntropyLoss)byName.Prepare([0, 1], ["HYP", "NORM"]).Loss;
        Assert.Equal([3.0, 1.0], reversed.ClassWeights!);
    }

    [Fact]
    public void A_class_count_mismatch_fails_when_training_starts()
    {
        var data = SyntheticData.Gaussians(20, 5, seed: 1);
        var options = new TrainingOptions { Epochs = 1, Imbalance = new FocalLossStrategy(new FocalOptions { FocalAlpha = ClassValues.Of(0.2, 0.3, 0.5) }) };
        var trainer = new ClassifierTrainer(options, SyntheticData.Linear, Device.CPU, 1);
        var e = Assert.Throws<ArgumentException>(() => trainer.Train(data, null));
        Assert.Contains("training.imbalance.focal_alpha", e.Message);
        Assert.Contains("lists 3 value(s)", e.Message);
    }

    [Fact]
    public void Inverse_frequency_weights_come_from_the_training_labels_only()
    {
        var s = new ClassWeightStrategy(new ClassWeightsOptions { Weighting = ClassWeightMode.InverseFrequency });
        var loss = (WeightedCrossEntropyLoss)s.Prepare([0, 0, 0, 1], ["a", "b"]).Loss;
        Assert.Equal([4.0 / 6, 2.0], loss.ClassWeights!);
        _ = new EcgSchema([1], null, ["a", "b"]);
    }
}
