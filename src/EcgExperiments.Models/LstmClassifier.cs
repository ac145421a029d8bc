using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Models;

/// <summary>How <see cref="LstmClassifier"/> summarises the sequence of LSTM outputs.</summary>
public enum SequencePooling
{
    /// <summary>Final hidden state of the top layer (both directions concatenated when bidirectional).</summary>
    Last,
    /// <summary>Mean of the top layer's outputs over time.</summary>
    Mean,
    /// <summary>Mean ‖ max of the top layer's outputs over time (the PTB-XL benchmark's concat pooling).</summary>
    MeanMax,
}

/// <summary>Options of <see cref="LstmClassifier"/>; defaults: 2-layer bidirectional LSTM, hidden 64, last state.</summary>
public sealed record LstmClassifierOptions : Core.IValidatable
{
    [Core.SchemaDerived("the leads of the input signals")]
    public int InputChannels { get; init; } = 12;
    public int Hidden { get; init; } = 64;
    public int Layers { get; init; } = 2;
    public bool Bidirectional { get; init; } = true;
    public SequencePooling Pooling { get; init; } = SequencePooling.Last;
    /// <summary>Dropout between LSTM layers and before the output layer.</summary>
    public double Dropout { get; init; } = 0.2;
    /// <summary>1 for a binary logit, k for k-class logits.</summary>
    [Core.SchemaDerived("the number of classes")]
    public int Outputs { get; init; } = 1;

    /// <summary>Throws with the offending YAML key.</summary>
    public void Validate()
    {
        if (Hidden < 1 || Layers < 1) throw new ArgumentException($"model.hidden and model.layers must be ≥ 1, got {Hidden} and {Layers}");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"model.dropout must be in [0, 1), got {Dropout}");
    }

    /// <summary>Width of the pooled feature vector fed to the output layer.</summary>
    public int FeatureSize => Hidden * (Bidirectional ? 2 : 1) * (Pooling == SequencePooling.MeanMax ? 2 : 1);
}

/// <summary>
/// Recurrent classifier for multi-lead ECG [N × leads × time]: the leads are the features of each time step of a
/// (bi)LSTM (batch first); the pooled state goes through dropout into one linear layer.
/// Default (12 leads, hidden 64, 2 layers, bidirectional, 1 output): 139,393 parameters.
/// </summary>
/// <example><code>var net = new LstmClassifier(new LstmClassifierOptions { InputChannels = 1, Outputs = 3 });</code></example>
public sealed class LstmClassifier : Module<Tensor, Tensor>
{
    private readonly LSTM _lstm;
    private readonly Linear _out;

    public LstmClassifier(LstmClassifierOptions? options = null)
    {
        Options = options ?? new LstmClassifierOptions();
        var o = Options;
        if (o.InputChannels < 1 || o.Hidden < 1 || o.Layers < 1 || o.Outputs < 1)
            throw new ArgumentException("LstmClassifier: input channels, hidden, layers and outputs must all be ≥ 1");
        if (o.Dropout is < 0 or >= 1) throw new ArgumentException($"LstmClassifier: dropout must be in [0, 1), got {o.Dropout}");
        _lstm = register_module("lstm", new LSTM(o.InputChannels, o.Hidden, o.Layers, batchFirst: true, dropout: o.Layers > 1 ? o.Dropout : 0, bidirectional: o.Bidirectional));
        _out = register_module("fc", new Linear(o.FeatureSize, o.Outputs));
    }

    public LstmClassifierOptions Options { get; }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 3 || x.size(1) != Options.InputChannels)
            throw new TorchException($"LstmClassifier expects N×{Options.InputChannels}×T signals, got {x.Describe()}");
        var (output, h, _) = _lstm.forward(x.transpose(1, 2));
        var features = Options.Pooling switch
        {
            SequencePooling.Mean => output.mean(1),
            SequencePooling.MeanMax => torch.cat([output.mean(1), output.max(1)], 1),
            // h is [layers·dirs, N, H]; the top layer's directions are its last 1 or 2 rows.
            _ => Options.Bidirectional ? torch.cat([h[h.size(0) - 2], h[h.size(0) - 1]], 1) : h[h.size(0) - 1],
        };
        return _out.forward(F.dropout(features, Options.Dropout, training));
    }
}
