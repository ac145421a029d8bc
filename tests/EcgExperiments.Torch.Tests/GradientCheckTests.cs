using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Torch.Tests;

/// <summary>Autograd of every layer kind the seed models use, against central finite differences in Float64.</summary>
public class GradientCheckTests
{
    private const double Tolerance = 1e-5;

    private static Tensor Input(params long[] shape)
    {
        var x = torch.randn(shape, ScalarType.Float64);
        x.requires_grad = true;
        return x;
    }

    private static void AssertGradients(Module module, Func<Tensor, Tensor> forward, params long[] inputShape)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        module.to(ScalarType.Float64);
        var x = Input(inputShape);
        var inputs = new List<Tensor> { x };
        inputs.AddRange(module.parameters());
        var r = GradCheck.Run(() => forward(x), inputs);
        Assert.True(r.ElementsChecked > 10, $"only {r.ElementsChecked} elements checked");
        Assert.True(r.MaxRelativeError < Tolerance, $"{module.GetType().Name}: relative error {r.MaxRelativeError:G3} at {r.WorstElement}");
    }

    [Fact] public void Linear() { using var m = new Linear(5, 3); AssertGradients(m, m.forward, 4, 5); }
    [Fact] public void Conv1d() { using var m = new Conv1d(2, 3, 4, stride: 2, padding: 1); AssertGradients(m, m.forward, 2, 2, 11); }
    [Fact] public void Conv2d() { using var m = new Conv2d(2, 3, 3, padding: 1); AssertGradients(m, m.forward, 2, 2, 5, 5); }
    [Fact] public void ConvTranspose1d() { using var m = new ConvTranspose1d(3, 2, 4, stride: 2, padding: 1); AssertGradients(m, m.forward, 2, 3, 5); }
    [Fact] public void ConvTranspose2d() { using var m = new ConvTranspose2d(3, 2, 4, stride: 2, padding: 1); AssertGradients(m, m.forward, 1, 3, 3, 3); }
    [Fact] public void BatchNorm1d_training() { using var m = new BatchNorm1d(3); AssertGradients(m, m.forward, 4, 3, 6); }
    [Fact] public void BatchNorm2d_training() { using var m = new BatchNorm2d(2); AssertGradients(m, m.forward, 3, 2, 3, 3); }
    [Fact] public void LayerNorm() { using var m = new LayerNorm([4]); AssertGradients(m, m.forward, 3, 4); }
    [Fact] public void Bidirectional_two_layer_lstm() { using var m = new LSTM(2, 3, numLayers: 2, batchFirst: true, bidirectional: true); AssertGradients(m, x => m.forward(x).output, 2, 4, 2); }
    [Fact] public void MultiheadAttention() { using var m = new MultiheadAttention(4, 2, batchFirst: true); AssertGradients(m, m.forward, 2, 3, 4); }
    [Fact] public void TransformerEncoderLayer() { using var m = new TransformerEncoderLayer(4, 2, 8, dropout: 0, batchFirst: true); AssertGradients(m, m.forward, 2, 3, 4); }

    [Fact]
    public void TransformerDecoderLayer()
    {
        using var m = new TransformerDecoderLayer(4, 2, 8, dropout: 0, batchFirst: true);
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var memory = torch.randn([2, 5, 4], ScalarType.Float64);
        AssertGradients(m, x => m.forward(x, memory.to(ScalarType.Float64)), 2, 3, 4);
    }

    [Fact]
    public void Pooling_and_activations()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        var x = Input(2, 3, 8, 8);
        var r = GradCheck.Run(() => F.adaptive_avg_pool2d(F.max_pool2d(x.tanh(), 2).leaky_relu(0.2), 1, 1).sigmoid()
                                    + F.softmax(x.mean([2L, 3L]), 1).unsqueeze(2).unsqueeze(3), [x]);
        Assert.True(r.MaxRelativeError < Tolerance, r.WorstElement);
        var y = Input(2, 3, 10);
        var r1 = GradCheck.Run(() => F.max_pool1d(y, 2).relu() + F.adaptive_avg_pool1d(y, 5), [y]);
        Assert.True(r1.MaxRelativeError < Tolerance, r1.WorstElement);
    }

    [Fact]
    public void Losses_with_weights()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        var z = Input(6, 1);
        var y = torch.tensor(new double[] { 1, 0, 1, 1, 0, 0 }, [6, 1]);
        var pos = torch.tensor(new double[] { 3.0 });
        Check(() => F.binary_cross_entropy_with_logits(z, y, posWeight: pos), z);
        Check(() => F.binary_cross_entropy(z.sigmoid(), y, torch.full([6, 1], 2.0, ScalarType.Float64)), z);
        var logits = Input(6, 4);
        var cls = torch.tensor(new long[] { 0, 3, 1, 2, 3, 0 });
        Check(() => F.cross_entropy(logits, cls, torch.tensor(new double[] { 1, 2, 0.5, 4 })), logits);
        var target = torch.randn([6, 4], ScalarType.Float64);
        Check(() => F.mse_loss(logits, target), logits);
        Check(() => F.l1_loss(logits, target, torch.nn.Reduction.Sum), logits);

        static void Check(Func<Tensor> f, Tensor x)
        {
            var r = GradCheck.Run(f, [x]);
            Assert.True(r.MaxRelativeError < Tolerance, r.WorstElement);
        }
    }

    [Fact]
    public void A_wrong_gradient_is_detected()
    {
        // The checker itself must be able to fail: detach() hides a dependency from autograd.
        using var scope = torch.NewDisposeScope();
        var x = Input(5);
        var r = GradCheck.Run(() => x * x.detach(), [x]);
        Assert.True(r.MaxRelativeError > 0.3);
    }
}
