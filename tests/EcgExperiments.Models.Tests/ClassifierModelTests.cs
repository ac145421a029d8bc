using EcgExperiments.Models;
using EcgExperiments.Torch;

namespace EcgExperiments.Models.Tests;

/// <summary>Layouts, parameter counts and output shapes of the 1-D ResNet and the LSTM classifier.</summary>
public class ClassifierModelTests
{
    /// <summary>
    /// resnet1d_wang on 12 leads (no conv biases):
    /// stem conv 12→128 k7 (10,752) + BN (256);
    /// block 1, 128→128 stride 1: conv k5 (81,920) + BN + conv k3 (49,152) + BN = 131,584;
    /// blocks 2 and 3, stride 2: 131,584 + shortcut conv 1×1 (16,384) + BN (256) = 148,224 each;
    /// head: BN(256) 512 + linear 256→128 (32,896) + BN(128) 256 + linear 128→k (129 k + … = 128k + k).
    /// Total 472,704 + 129·k: 472,833 for one logit, 473,349 for PTB-XL's 5 superclasses.
    /// </summary>
    [Theory]
    [InlineData(1, 472_833)]
    [InlineData(5, 473_349)]
    public void Resnet1d_wang_layout_has_the_documented_parameter_count(int outputs, long expected)
    {
        using var m = new ResNet1d(new ResNet1dOptions { Outputs = outputs });
        long stem = 12 * 128 * 7 + 2 * 128;
        long block1 = 128 * 128 * 5 + 128 * 128 * 3 + 2 * 2 * 128;
        long strided = block1 + 128 * 128 + 2 * 128;
        long head = 2 * 256 + (256 * 128 + 128) + 2 * 128 + (128 * outputs + outputs);
        Assert.Equal(stem + block1 + 2 * strided + head, expected);
        Assert.Equal(expected, m.parameter_count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Resnet1d_maps_12_by_1000_signals_to_one_logit_or_k(int outputs)
    {
        using var scope = torch.NewDisposeScope();
        using var m = new ResNet1d(new ResNet1dOptions { StemWidth = 8, BlockWidths = [8, 16, 16], HeadHidden = 16, Outputs = outputs });
        m.eval();
        var y = m.forward(torch.randn(3, 12, 1000));
        Assert.Equal([3L, outputs], y.shape);
        Assert.Equal(250, m.Options.FeatureLength(1000)); // 1000 → 500 → 250 after two stride-2 blocks
        Assert.Equal(125, (m.Options with { StemStride = 2 }).FeatureLength(1000));
    }

    [Fact]
    public void Resnet1d_rejects_wrong_lead_counts_with_the_expected_shape()
    {
        using var m = new ResNet1d();
        var e = Assert.Throws<TorchException>(() => m.forward(torch.randn(2, 3, 100)));
        Assert.Contains("N×12×T", e.Message);
    }

    /// <summary>
    /// 2-layer biLSTM, hidden 64, 12 inputs: layer 0 per direction 4·64·(12 + 64) + 2·4·64 = 19,968; layer 1 per
    /// direction 4·64·(128 + 64) + 512 = 49,664; ×2 directions = 139,264; linear 128→1 = 129. Total 139,393.
    /// </summary>
    [Fact]
    public void Default_lstm_classifier_has_139_393_parameters()
    {
        using var m = new LstmClassifier();
        Assert.Equal(2 * (4 * 64 * (12 + 64) + 512) + 2 * (4 * 64 * (128 + 64) + 512) + 129, m.parameter_count());
        Assert.Equal(139_393, m.parameter_count());
    }

    [Theory]
    [InlineData(SequencePooling.Last, true, 3)]
    [InlineData(SequencePooling.Mean, false, 1)]
    [InlineData(SequencePooling.MeanMax, true, 5)]
    public void Lstm_classifier_pools_over_time_into_the_logits(SequencePooling pooling, bool bidirectional, int outputs)
    {
        using var scope = torch.NewDisposeScope();
        using var m = new LstmClassifier(new LstmClassifierOptions { InputChannels = 2, Hidden = 8, Pooling = pooling, Bidirectional = bidirectional, Outputs = outputs });
        m.eval();
        Assert.Equal(8 * (bidirectional ? 2 : 1) * (pooling == SequencePooling.MeanMax ? 2 : 1), m.Options.FeatureSize);
        Assert.Equal([4L, outputs], m.forward(torch.randn(4, 2, 30)).shape);
        Assert.Throws<TorchException>(() => m.forward(torch.randn(4, 3, 30)));
    }
}
