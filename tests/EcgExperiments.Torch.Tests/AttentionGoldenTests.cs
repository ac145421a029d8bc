using System.Text.Json;
using EcgExperiments.Torch.Modules;

namespace EcgExperiments.Torch.Tests;

/// <summary>
/// Our attention modules compute what PyTorch's do: nn.MultiheadAttention and nn.TransformerEncoderLayer (batch first,
/// dropout 0) on the same weights and inputs give the same outputs and input gradients (goldens written by PyTorch:
/// tools/golden/make_attention_goldens.py).
/// </summary>
public class AttentionGoldenTests
{
    public static TheoryData<string> Cases() => ["multihead_attention_e4_h2", "transformer_encoder_layer_d4_h2_ff16"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch_outputs_and_input_gradients(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "attention_goldens.json")));
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        using var scope = torch.NewDisposeScope();
        torch.set_num_threads(1);
        Module<Tensor, Tensor> module = name.StartsWith("multihead", StringComparison.Ordinal)
            ? new MultiheadAttention(4, 2, dropout: 0, batchFirst: true)
            : new TransformerEncoderLayer(4, 2, 16, dropout: 0, batchFirst: true);
        using var _ = module;
        var state = c.GetProperty("state").EnumerateObject().ToDictionary(p => p.Name, p => Tensor(p.Value.GetProperty("values"), p.Value.GetProperty("shape")));
        module.load_state_dict(state);
        module.train();
        var x = Tensor(c.GetProperty("input"), c.GetProperty("input_shape")).requires_grad_();
        var output = module.forward(x);
        output.sum().backward();
        AssertClose(Floats(c.GetProperty("output")), output.data<float>(), "output");
        AssertClose(Floats(c.GetProperty("input_grad")), x.grad!.data<float>(), "input gradient");
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f + 1e-5f * Math.Abs(expected[i]), $"{what}[{i}]: PyTorch {expected[i]:R}, ours {actual[i]:R}");
    }

    private static float[] Floats(JsonElement values) => values.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static Tensor Tensor(JsonElement values, JsonElement shape) =>
        torch.tensor(Floats(values), shape.EnumerateArray().Select(d => d.GetInt64()).ToArray());
}
