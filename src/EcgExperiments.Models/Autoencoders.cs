using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;

namespace EcgExperiments.Models;

/// <summary>
/// LSTM autoencoder for ECG5000 (SPEC §2.5), E = embedding, H = 2E: LSTM(1→H) → LSTM(H→E), last hidden state
/// repeated over time → LSTM(E→E) → LSTM(E→H) → linear(H→1). Parameters: E=32 → 63,297; 64 → 249,473; 128 → 990,465.
/// </summary>
public sealed record LstmAutoencoderOptions : Core.IValidatable
{
    /// <summary>Embedding size E (hidden 2E).</summary>
    public int Embedding { get; init; } = 64;

    /// <summary>Throws with the offending YAML key.</summary>
    public void Validate()
    {
        if (Embedding < 1) throw new ArgumentException($"model.embedding must be ≥ 1, got {Embedding}");
    }
}

public sealed class LstmAutoencoder : Module<Tensor, Tensor>
{
    public LstmAutoencoder(LstmAutoencoderOptions options) : this(options.Embedding) { }

    private readonly LSTM _enc1, _enc2, _dec1, _dec2;
    private readonly Linear _out;

    public LstmAutoencoder(int embedding = 64)
    {
        Embedding = embedding;
        var h = 2 * embedding;
        _enc1 = register_module("enc1", new LSTM(1, h, batchFirst: true));
        _enc2 = register_module("enc2", new LSTM(h, embedding, batchFirst: true));
        _dec1 = register_module("dec1", new LSTM(embedding, embedding, batchFirst: true));
        _dec2 = register_module("dec2", new LSTM(embedding, h, batchFirst: true));
        _out = register_module("out", new Linear(h, 1));
    }

    public int Embedding { get; }

    /// <param name="x">N×T×1 (or N×T) series.</param>
    public override Tensor forward(Tensor x)
    {
        var seq = x.dim() == 2 ? x.unsqueeze(2) : x;
        long t = seq.size(1);
        var (h1, _, _) = _enc1.forward(seq);
        var (_, hn, _) = _enc2.forward(h1);
        var code = hn.select(0, 0).unsqueeze(1).expand(-1, t, Embedding); // N×T×E
        var (d1, _, _) = _dec1.forward(code);
        var (d2, _, _) = _dec2.forward(d1);
        var y = _out.forward(d2);
        return x.dim() == 2 ? y.squeeze(2) : y;
    }
}

/// <summary>
/// Transformer autoencoder for ECG5000 (SPEC §2.5): each scalar sample repeated d times, PyTorch-default encoder and
/// decoder layers (post-norm, ReLU, dropout 0.1, no positional encoding, no masks, no final norms), linear(d→1).
/// [2,256,2,2] → 5,315 parameters; [4,256,·,2] → 9,797; [2,512,2,2] → 10,435; [4,512,·,2] → 19,013.
/// </summary>
public sealed record TransformerAutoencoderOptions : Core.IValidatable
{
    public int DModel { get; init; } = 4;
    public int FeedForward { get; init; } = 512;
    public int Heads { get; init; } = 2;
    public int Layers { get; init; } = 2;
    public double Dropout { get; init; } = 0.1;

    /// <summary>Throws with the offending YAML key.</summary>
    public void Validate()
    {
        if (DModel < 1 || FeedForward < 1 || Heads < 1 || Layers < 1)
            throw new ArgumentException("model.d_model, feed_forward, heads and layers must be ≥ 1");
        if (DModel % Heads != 0) throw new ArgumentException($"model.d_model ({DModel}) must be divisible by model.heads ({Heads})");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"model.dropout must be in [0, 1), got {Dropout}");
    }
}

public sealed class TransformerAutoencoder : Module<Tensor, Tensor>
{
    public TransformerAutoencoder(TransformerAutoencoderOptions o) : this(o.DModel, o.FeedForward, o.Heads, o.Layers, o.Dropout) { }

    private readonly List<TransformerEncoderLayer> _encoder = [];
    private readonly List<TransformerDecoderLayer> _decoder = [];
    private readonly Linear _out;

    public TransformerAutoencoder(int dModel = 4, int feedForward = 512, int heads = 2, int layers = 2, double dropout = 0.1)
    {
        DModel = dModel;
        for (int i = 0; i < layers; i++) _encoder.Add(register_module($"encoder{i}", new TransformerEncoderLayer(dModel, heads, feedForward, dropout, batchFirst: true)));
        for (int i = 0; i < layers; i++) _decoder.Add(register_module($"decoder{i}", new TransformerDecoderLayer(dModel, heads, feedForward, dropout, batchFirst: true)));
        _out = register_module("out", new Linear(dModel, 1));
    }

    public int DModel { get; }

    public override Tensor forward(Tensor x)
    {
        var seq = x.dim() == 2 ? x.unsqueeze(2) : x;
        var src = seq.expand(-1, -1, DModel);
        var memory = src;
        foreach (var l in _encoder) memory = l.forward(memory);
        var y = src;
        foreach (var l in _decoder) y = l.forward(y, memory);
        var outp = _out.forward(y);
        return x.dim() == 2 ? outp.squeeze(2) : outp;
    }
}
