using EcgExperiments.Torch;
using EcgExperiments.Training.Imbalance;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training.Tests;

/// <summary>Focal, weighted and cost-sensitive losses against plain BCE/CE and hand-computed values.</summary>
public class LossTests
{
    private static double Value(Tensor t) => t.item<double>();

    [Fact]
    public void Focal_with_gamma_0_and_no_alpha_equals_binary_cross_entropy()
    {
        torch.manual_seed(3);
        using var scope = torch.NewDisposeScope();
        var logits = torch.randn(64, 1) * 3;
        var labels = torch.randint(0, 2, [64]);
        var bce = F.binary_cross_entropy_with_logits(logits, labels.to(ScalarType.Float32).unsqueeze(1));
        Assert.Equal(Value(bce), Value(new FocalLoss(0).Compute(logits, labels)), 5);
        Assert.Equal(Value(bce), Value(new WeightedCrossEntropyLoss().Compute(logits, labels)), 6);
    }

    [Fact]
    public void Focal_with_gamma_0_and_no_alpha_equals_cross_entropy()
    {
        torch.manual_seed(4);
        using var scope = torch.NewDisposeScope();
        var logits = torch.randn(64, 5) * 3;
        var labels = torch.randint(0, 5, [64]);
        Assert.Equal(Value(F.cross_entropy(logits, labels)), Value(new FocalLoss(0).Compute(logits, labels)), 5);
    }

    [Fact]
    public void Binary_focal_matches_hand_computed_values()
    {
        using var scope = torch.NewDisposeScope();
        // z = 0 → p = 0.5 for either label; ℓ = −(1 − 0.5)² ln 0.5 = 0.25 ln 2.
        var logits = torch.tensor(new float[] { 0, 0 }, [2, 1]);
        var labels = torch.tensor(new long[] { 1, 0 });
        double q = 0.25 * Math.Log(2);
        Assert.Equal(q, Value(new FocalLoss(2).Compute(logits, labels)), 5);
        // One α = 0.25 is the positive class's: mean(0.25 q, 0.75 q) = 0.5 q.
        Assert.Equal(0.5 * q, Value(new FocalLoss(2, [0.25]).Compute(logits, labels)), 5);
        // z = ln 3 with label 1 → p = 0.75, ℓ = −0.25² ln 0.75.
        var confident = torch.tensor(new float[] { (float)Math.Log(3) }, [1, 1]);
        Assert.Equal(-0.0625 * Math.Log(0.75), Value(new FocalLoss(2).Compute(confident, torch.tensor(new long[] { 1 }))), 5);
    }

    [Fact]
    public void Multiclass_focal_matches_hand_computed_values()
    {
        using var scope = torch.NewDisposeScope();
        // logits [0, 0, ln 2] → softmax [0.25, 0.25, 0.5].
        float ln2 = (float)Math.Log(2);
        var logits = torch.tensor(new float[] { 0, 0, ln2, 0, 0, ln2 }, [2, 3]);
        var labels = torch.tensor(new long[] { 2, 0 });
        double l2 = 0.25 * Math.Log(2);          // p_t = 0.5
        double l0 = 0.5625 * Math.Log(4);        // p_t = 0.25: (0.75)² ln 4
        Assert.Equal((l2 + l0) / 2, Value(new FocalLoss(2).Compute(logits, labels)), 5);
        Assert.Equal((3 * l2 + 1 * l0) / 2, Value(new FocalLoss(2, [1, 2, 3]).Compute(logits, labels)), 5);
    }

    [Fact]
    public void Focal_loss_down_weights_easy_examples_and_keeps_finite_gradients()
    {
        using var scope = torch.NewDisposeScope();
        var easy = torch.tensor(new float[] { 6 }, [1, 1]);
        var hard = torch.tensor(new float[] { -1 }, [1, 1]);
        var y = torch.tensor(new long[] { 1 });
        double ratioEasy = Value(new FocalLoss(2).Compute(easy, y)) / Value(new FocalLoss(0).Compute(easy, y));
        double ratioHard = Value(new FocalLoss(2).Compute(hard, y)) / Value(new FocalLoss(0).Compute(hard, y));
        Assert.True(ratioEasy < 1e-4 && ratioHard > 0.5, $"easy ratio {ratioEasy}, hard ratio {ratioHard}");

        var z = torch.tensor(new float[] { 40, -40 }, [2, 1]).requires_grad_();
        new FocalLoss(0.5).Compute(z, torch.tensor(new long[] { 1, 0 })).backward();
        Assert.True(z.grad!.isfinite().all().item<bool>());
    }

    [Fact]
    public void Class_weights_3_to_1_weight_each_binary_example_by_its_class()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.tensor(new float[] { 0, 0 }, [2, 1]);
        var labels = torch.tensor(new long[] { 0, 1 });
        // BCE at z = 0 is ln 2 per example; weights 3 (class 0, HYP) and 1 (class 1, NORM): mean = 2 ln 2.
        Assert.Equal(2 * Math.Log(2), Value(new WeightedCrossEntropyLoss([3, 1]).Compute(logits, labels)), 5);
    }

    [Fact]
    public void Inverse_frequency_weights_are_balanced()
    {
        var labels = Enumerable.Repeat(0, 90).Concat(Enumerable.Repeat(1, 10)).ToArray();
        var w = ImbalanceMath.InverseFrequencyWeights(labels, 2);
        Assert.Equal(100.0 / 180, w[0], 10);
        Assert.Equal(5.0, w[1], 10);
        // Balanced: each class's total weight is N / k.
        Assert.Equal(90 * w[0], 10 * w[1], 10);
        // An absent class gets weight 1 rather than infinity.
        Assert.Equal(1.0, ImbalanceMath.InverseFrequencyWeights(labels, 3)[2]);
    }

    [Fact]
    public void Cost_sensitive_weights_follow_the_fn_fp_costs_normalised_to_mean_one()
    {
        var strategy = new CostSensitiveStrategy(new CostSensitiveOptions { FalseNegativeCost = 5, FalsePositiveCost = 1 });
        // Row = true class: a missed positive (true 1, predicted 0) costs 5.
        Assert.Equal(5, strategy.CostMatrix[1][0]);
        Assert.Equal([1.0, 5.0], strategy.RawWeights());
        var labels = Enumerable.Repeat(0, 80).Concat(Enumerable.Repeat(1, 20)).ToArray();
        var loss = (WeightedCrossEntropyLoss)strategy.Prepare(labels, ["NORM", "HYP"]).Loss;
        double mean = (80 * 1 + 20 * 5) / 100.0;
        Assert.Equal(1 / mean, loss.ClassWeights![0], 10);
        Assert.Equal(5 / mean, loss.ClassWeights![1], 10);

        var k3 = new CostSensitiveStrategy(new CostSensitiveOptions { CostMatrix = [[0, 1, 3], [2, 0, 2], [4, 4, 0]] });
        Assert.Equal([2.0, 2.0, 4.0], k3.RawWeights());
        Assert.NotNull(k3.Check(["a", "b"]));
        Assert.Null(k3.Check(["a", "b", "c"]));
    }
}
