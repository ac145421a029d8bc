using EcgExperiments.Core;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training.Imbalance;

namespace EcgExperiments.Training.Tests;

/// <summary>Option validation, resolution of the legacy class weights, and the strategy table.</summary>
public class ImbalanceOptionsTests
{
    [Fact]
    public void Every_strategy_name_has_an_implementation()
    {
        foreach (var kind in Enum.GetValues<ImbalanceStrategyKind>())
        {
            var o = new ImbalanceOptions { Strategy = kind, FalseNegativeCost = 2, FalsePositiveCost = 1 };
            var s = ImbalanceStrategies.Create(o);
            Assert.False(string.IsNullOrWhiteSpace(s.Description));
            var plan = s.Prepare([0, 0, 0, 1], 2);
            Assert.NotNull(plan.Loss);
            Assert.NotEmpty(plan.Sampler.Order([0, 0, 0, 1], new SplitMix64(1)));
        }
    }

    [Fact]
    public void Legacy_class_weights_resolve_to_the_explicit_class_weights_strategy()
    {
        var o = new TrainingOptions { ClassWeights = [3, 1] }.ResolvedImbalance();
        Assert.Equal(ImbalanceStrategyKind.ClassWeights, o.Strategy);
        Assert.Equal(ClassWeightMode.Explicit, o.Weighting);
        Assert.Equal([3.0, 1.0], o.ClassWeights!);
        Assert.Equal(ImbalanceStrategyKind.None, new TrainingOptions().ResolvedImbalance().Strategy);
    }

    [Theory]
    [InlineData("class_weights and training.imbalance are both set")]
    public void Class_weights_and_imbalance_together_are_rejected(string expected)
    {
        var o = new TrainingOptions { ClassWeights = [3, 1], Imbalance = new() { Strategy = ImbalanceStrategyKind.Focal } };
        Assert.Contains(expected, Assert.Throws<ArgumentException>(o.Validate).Message);
    }

    public static TheoryData<ImbalanceOptions, string> BadOptions() => new()
    {
        { new() { FocalGamma = -1 }, "focal_gamma" },
        { new() { Strategy = ImbalanceStrategyKind.CostSensitive, FalseNegativeCost = 5 }, "false_positive_cost" },
        { new() { CostMatrix = [[0, 1], [1]] }, "square" },
        { new() { ClassWeights = [1, 0] }, "class_weights" },
        { new() { Weighting = ClassWeightMode.Explicit }, "explicit" },
        { new() { UndersampleRatio = 0.5 }, "undersample_ratio" },
        { new() { SamplesPerEpoch = 0 }, "samples_per_epoch" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Invalid_options_name_the_key(ImbalanceOptions options, string key)
    {
        Assert.Contains(key, Assert.Throws<ArgumentException>(() => ImbalanceStrategies.Create(options)).Message);
    }

    [Fact]
    public void A_class_count_mismatch_fails_when_training_starts()
    {
        var data = SyntheticData.Gaussians(20, 5, seed: 1);
        var options = new TrainingOptions { Epochs = 1, Imbalance = new() { Strategy = ImbalanceStrategyKind.Focal, FocalAlpha = [0.2, 0.3, 0.5] } };
        var trainer = new ClassifierTrainer(options, SyntheticData.Linear, Device.CPU, 1);
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(data, null));
        Assert.Contains("focal_alpha lists 3 values", e.Message);
    }

    [Fact]
    public void Trainer_rejects_weights_given_twice()
    {
        var options = new TrainingOptions { Imbalance = new() { Strategy = ImbalanceStrategyKind.Undersample } };
        Assert.Throws<ArgumentException>(() => new ClassifierTrainer(options, SyntheticData.Linear, Device.CPU, 1, [3, 1]));
    }

    [Fact]
    public void Inverse_frequency_weights_come_from_the_training_labels_only()
    {
        var s = ImbalanceStrategies.Create(new ImbalanceOptions { Strategy = ImbalanceStrategyKind.ClassWeights, Weighting = ClassWeightMode.InverseFrequency });
        var loss = (WeightedCrossEntropyLoss)s.Prepare([0, 0, 0, 1], 2).Loss;
        Assert.Equal([4.0 / 6, 2.0], loss.ClassWeights!);
        _ = new DataSchema([1], null, ["a", "b"]);
    }
}
