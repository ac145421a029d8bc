using EcgExperiments.Models;
using EcgExperiments.Torch;

namespace EcgExperiments.Models.Tests;

/// <summary>Every seed model maps its published input shape to its published output shape.</summary>
public class ForwardShapeTests
{
    [Fact]
    public void Cnn2d_with_se_maps_images_to_one_logit_and_rejects_too_small_images()
    {
        using var scope = torch.NewDisposeScope();
        using var m = new Cnn2dClassifier(new Cnn2dOptions { Widths = [8, 16], Kernel = 5, SqueezeExcitation = true, SeReduction = 4 });
        m.eval();
        Assert.Equal([3L, 1], m.forward(torch.randn(3, 1, 40, 40)).shape);
        var e = Assert.Throws<TorchException>(() => m.forward(torch.randn(3, 1, 10, 10)));
        Assert.Contains("at least 16×16", e.Message);
    }

    [Fact]
    public void Stft_cnn_maps_64x64_images_to_five_class_logits()
    {
        using var scope = torch.NewDisposeScope();
        using var m = new StftCnn(inputChannels: 1);
        m.eval();
        Assert.Equal([4L, 5], m.forward(torch.randn(4, 1, 64, 64)).shape);
        Assert.Contains("N×1×64×64", Assert.Throws<TorchException>(() => m.forward(torch.randn(4, 3, 64, 64))).Message);
    }

    [Fact]
    public void Stft_cnn_with_three_channels_reads_a_gray_image_exactly_as_the_image_stored_three_times()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var m = new StftCnn(inputChannels: 3);
        m.eval();
        var gray = torch.randn(4, 1, 64, 64);
        var stored = torch.cat([gray, gray, gray], 1);
        Assert.Equal(m.forward(stored).data<float>(), m.forward(gray).data<float>());
        Assert.Contains("N×3×64×64", Assert.Throws<TorchException>(() => m.forward(torch.randn(4, 2, 64, 64))).Message);
    }

    [Fact]
    public void Reconstructor_maps_one_lead_to_twelve_leads_in_t_times_12_order()
    {
        using var scope = torch.NewDisposeScope();
        using var m = new BiLstmAttentionReconstructor(length: 50, hidden: 8, layers: 2);
        m.eval();
        var y = m.forward(torch.rand(2, 50));
        Assert.Equal([2L, 12, 50], y.shape);
        // Flat output index t·12 + lead: lead l at time t is fc output row t*12+l.
        var fc = m.named_parameters().First(p => p.name == "fc.bias").parameter;
        using (torch.no_grad()) fc.copy_(torch.arange(0, 600, dtype: ScalarType.Float32));
        var weight = m.named_parameters().First(p => p.name == "fc.weight").parameter;
        using (torch.no_grad()) weight.zero_();
        var z = m.forward(torch.rand(1, 50)).data<float>(); // [lead][t]
        Assert.Equal(3 * 12 + 5, z[5 * 50 + 3]);             // lead 5, t 3
    }

    [Fact]
    public void Gans_reconstruct_inputs_at_their_own_size_and_expose_discriminator_features()
    {
        using var scope = torch.NewDisposeScope();
        using var g2 = new BeatGanGenerator(2, new BeatGanOptions { Width = 4, Latent = 5 });
        using var d2 = new BeatGanDiscriminator(2, new BeatGanOptions { Width = 4 });
        var img = torch.rand(2, 1, 128, 128);
        Assert.Equal([2L, 1, 128, 128], g2.forward(img).shape);
        var (p, f) = d2.forward(img);
        Assert.Equal([2L], p.shape);
        Assert.Equal([2L, 64, 7, 7], f.shape);

        using var g1 = new BeatGanGenerator(1, new BeatGanOptions { Width = 4, Latent = 5 });
        using var d1 = new BeatGanDiscriminator(1, new BeatGanOptions { Width = 4 });
        var beat = torch.rand(2, 1, 320);
        Assert.Equal([2L, 1, 320], g1.forward(beat).shape);
        Assert.Equal([2L, 64, 10], d1.forward(beat).features.shape);
        var gen = g1.forward(beat).data<float>();
        Assert.All(gen, v => Assert.InRange(v, -1f, 1f)); // Tanh output
    }

    [Fact]
    public void Autoencoders_return_series_of_the_input_shape()
    {
        using var scope = torch.NewDisposeScope();
        using var lstm = new LstmAutoencoder(8);
        using var tr = new TransformerAutoencoder(2, 16, 2, 1);
        var x = torch.randn(3, 140, 1);
        Assert.Equal([3L, 140, 1], lstm.forward(x).shape);
        Assert.Equal([3L, 140, 1], tr.forward(x).shape);
        Assert.Equal([3L, 140], lstm.forward(torch.randn(3, 140)).shape);
    }
}
