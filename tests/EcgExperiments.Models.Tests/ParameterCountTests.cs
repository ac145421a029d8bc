using EcgExperiments.Models;
using EcgExperiments.Torch;

namespace EcgExperiments.Models.Tests;

/// <summary>Parameter counts equal the published (or, where marked, computed-from-the-original-code) values exactly.</summary>
public class ParameterCountTests
{
    [Fact]
    public void Published_hypertrophy_cnn2d_has_65_016_551_parameters()
    {
        using var m = new Cnn2dClassifier();
        Assert.Equal(65_016_551, m.parameter_count());
        Assert.Equal(151, m.Options.MinimumInputSize()); // SPEC: H, W ≥ 151
    }

    [Fact]
    public void Stft_beat_cnn_has_244_203_parameters_on_rgb_images()
    {
        using var rgb = new StftCnn(inputChannels: 3);
        Assert.Equal(244_203, rgb.parameter_count());
        Assert.Equal(468, rgb.FlattenedSize);
        using var gray = new StftCnn(inputChannels: 1);
        Assert.Equal(244_203 - 2 * 8 * 16, gray.parameter_count());
    }

    [Fact]
    public void Bilstm_attention_reconstructor_has_18_595_201_parameters()
    {
        using var m = new BiLstmAttentionReconstructor();
        Assert.Equal(18_595_201, m.parameter_count());
    }

    [Theory]
    [InlineData(32, 63_297)]
    [InlineData(64, 249_473)]
    [InlineData(128, 990_465)]
    [InlineData(256, 3_947_009)]
    public void Lstm_autoencoder_parameter_counts(int embedding, long expected)
    {
        using var m = new LstmAutoencoder(embedding);
        Assert.Equal(expected, m.parameter_count());
    }

    [Theory]
    [InlineData(2, 256, 2, 2, 5_315)]
    [InlineData(4, 256, 2, 2, 9_797)]
    [InlineData(4, 256, 4, 2, 9_797)]
    [InlineData(2, 512, 2, 2, 10_435)]
    [InlineData(4, 512, 2, 2, 19_013)]
    [InlineData(4, 512, 4, 2, 19_013)]
    public void Transformer_autoencoder_parameter_counts(int d, int ff, int heads, int layers, long expected)
    {
        using var m = new TransformerAutoencoder(d, ff, heads, layers);
        Assert.Equal(expected, m.parameter_count());
    }

    [Fact]
    public void B2i_gan_generator_and_discriminator()
    {
        using var g = new BeatGanGenerator(2);
        Assert.Equal(8_084_288, g.parameter_count());
        // As in the original code: the generator's encoder up to 512×7×7 (2,787,712) plus a 512→1 7×7 head (25,088).
        using var d = new BeatGanDiscriminator(2);
        Assert.Equal(2_812_800, d.parameter_count());
    }

    [Fact]
    public void One_dimensional_beatgan_generator_and_discriminator()
    {
        using var g = new BeatGanGenerator(1);
        Assert.Equal(1_908_800, g.parameter_count());
        using var d = new BeatGanDiscriminator(1);
        Assert.Equal(703_488, d.parameter_count());
    }
}
