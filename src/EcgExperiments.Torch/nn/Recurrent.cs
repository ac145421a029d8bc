using System.Globalization;
using EcgExperiments.Torch.Native;
using static EcgExperiments.Torch.torch.nn;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Torch.Modules;

/// <summary>
/// Multi-layer (bi)directional LSTM, PyTorch semantics and parameter names
/// (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, …_reverse), run by libtorch's fused kernel
/// (cuDNN on GPU).
/// </summary>
public sealed unsafe class LSTM : Module<Tensor, (Tensor output, Tensor h, Tensor c)>
{
    private readonly List<Tensor> _flat = [];

    public LSTM(long inputSize, long hiddenSize, long numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0, bool bidirectional = false)
    {
        if (inputSize < 1 || hiddenSize < 1 || numLayers < 1)
            throw new ArgumentException($"LSTM: input {inputSize}, hidden {hiddenSize}, layers {numLayers} must all be ≥ 1");
        InputSize = inputSize; HiddenSize = hiddenSize; NumLayers = numLayers; Bias = bias; BatchFirst = batchFirst;
        Dropout = dropout; Bidirectional = bidirectional;
        var bound = 1.0 / Math.Sqrt(hiddenSize);
        int dirs = bidirectional ? 2 : 1;
        for (long layer = 0; layer < numLayers; layer++)
        {
            for (int d = 0; d < dirs; d++)
            {
                var suffix = string.Create(CultureInfo.InvariantCulture, $"_l{layer}{(d == 1 ? "_reverse" : "")}");
                long layerInput = layer == 0 ? inputSize : hiddenSize * dirs;
                Add($"weight_ih{suffix}", [4 * hiddenSize, layerInput], bound);
                Add($"weight_hh{suffix}", [4 * hiddenSize, hiddenSize], bound);
                if (bias)
                {
                    Add($"bias_ih{suffix}", [4 * hiddenSize], bound);
                    Add($"bias_hh{suffix}", [4 * hiddenSize], bound);
                }
            }
        }
    }

    private void Add(string name, long[] shape, double bound)
    {
        var t = register_parameter(name, torch.empty(shape));
        init.uniform_(t, -bound, bound);
        _flat.Add(t);
    }

    public long InputSize { get; }
    public long HiddenSize { get; }
    public long NumLayers { get; }
    public bool Bias { get; }
    public bool BatchFirst { get; }
    public double Dropout { get; }
    public bool Bidirectional { get; }

    public override (Tensor output, Tensor h, Tensor c) forward(Tensor input) => forward(input, null);

    /// <summary>Runs the sequence; <paramref name="state"/> (h0, c0) defaults to zeros.</summary>
    public (Tensor output, Tensor h, Tensor c) forward(Tensor input, (Tensor h0, Tensor c0)? state)
    {
        if (input.dim() != 3)
            throw new TorchException($"LSTM: expected a 3-d input ({(BatchFirst ? "batch, time, features" : "time, batch, features")}), got {input.Describe()}");
        var features = input.size(2);
        if (features != InputSize)
            throw new TorchException($"LSTM: expected {InputSize} input features, got {input.Describe()}");
        var handles = torch.Handles(_flat);
        fixed (IntPtr* p = handles)
        {
            var rc = NativeMethods.ecg_lstm(input.Handle, state?.h0.Handle ?? IntPtr.Zero, state?.c0.Handle ?? IntPtr.Zero, p, handles.Length,
                Bias ? 1 : 0, NumLayers, Dropout, training ? 1 : 0, Bidirectional ? 1 : 0, BatchFirst ? 1 : 0, out var o, out var h, out var c);
            Tensor.Check(rc, "lstm", input);
            return (new Tensor(o), new Tensor(h), new Tensor(c));
        }
    }
}

/// <summary>
/// Multi-head attention with PyTorch's parameterisation (packed in_proj_weight/bias, out_proj)
/// and initialisation, so parameter counts match <c>torch.nn.MultiheadAttention</c>.
/// </summary>
public sealed class MultiheadAttention : Module<Tensor, Tensor>
{
    private readonly long _heads, _embed;
    private readonly double _dropout;

    public MultiheadAttention(long embedDim, long numHeads, double dropout = 0, bool batchFirst = false)
    {
        if (embedDim % numHeads != 0)
            throw new ArgumentException($"MultiheadAttention: embed_dim {embedDim} must be divisible by num_heads {numHeads}");
        _embed = embedDim; _heads = numHeads; _dropout = dropout; BatchFirst = batchFirst;
        in_proj_weight = register_parameter("in_proj_weight", torch.empty([3 * embedDim, embedDim]));
        in_proj_bias = register_parameter("in_proj_bias", torch.zeros([3 * embedDim]));
        out_proj = register_module("out_proj", new Linear(embedDim, embedDim));
        init.xavier_uniform_(in_proj_weight);
        init.zeros_(out_proj.bias!);
    }

    public bool BatchFirst { get; }
    public Tensor in_proj_weight { get; }
    public Tensor in_proj_bias { get; }
    public Linear out_proj { get; }

    public override Tensor forward(Tensor x) => forward(x, x, x);

    /// <summary>Attends <paramref name="query"/> over <paramref name="key"/>/<paramref name="value"/>; returns the attended output.</summary>
    public Tensor forward(Tensor query, Tensor key, Tensor value)
    {
        // Work in (batch, length, embed).
        var q = BatchFirst ? query : query.transpose(0, 1);
        var k = BatchFirst ? key : key.transpose(0, 1);
        var v = BatchFirst ? value : value.transpose(0, 1);
        if (q.size(-1) != _embed)
            throw new TorchException($"MultiheadAttention: expected embedding size {_embed}, got query {query.Describe()}");
        long b = q.size(0), l = q.size(1), s = k.size(1), hd = _embed / _heads;
        Tensor pq, pk, pv;
        if (ReferenceEquals(query, key) && ReferenceEquals(key, value))
        {
            // Self-attention: one product with the packed projection, as PyTorch does.
            var packed = F.linear(q, in_proj_weight, in_proj_bias);
            (pq, pk, pv) = (packed.narrow(-1, 0, _embed), packed.narrow(-1, _embed, _embed), packed.narrow(-1, 2 * _embed, _embed));
        }
        else
        {
            pq = F.linear(q, in_proj_weight.narrow(0, 0, _embed), in_proj_bias.narrow(0, 0, _embed));
            pk = F.linear(k, in_proj_weight.narrow(0, _embed, _embed), in_proj_bias.narrow(0, _embed, _embed));
            pv = F.linear(v, in_proj_weight.narrow(0, 2 * _embed, _embed), in_proj_bias.narrow(0, 2 * _embed, _embed));
        }
        // Heads folded into the batch: (b·heads, length, head_dim), contiguous, so the score and value products are plain bmm calls.
        Tensor Heads(Tensor t, long n) => t.reshape(b, n, _heads, hd).transpose(1, 2).reshape(b * _heads, n, hd);
        var (attended, _) = F.scaled_dot_product_attention(Heads(pq, l), Heads(pk, s), Heads(pv, s), _dropout, training);
        var merged = attended.view(b, _heads, l, hd).transpose(1, 2).reshape(b, l, _embed);
        var o = out_proj.forward(merged);
        return BatchFirst ? o : o.transpose(0, 1);
    }
}

/// <summary>PyTorch's default TransformerEncoderLayer: post-norm, ReLU, dropout 0.1.</summary>
public sealed class TransformerEncoderLayer : Module<Tensor, Tensor>
{
    private readonly MultiheadAttention _attn;
    private readonly Linear _linear1, _linear2;
    private readonly LayerNorm _norm1, _norm2;
    private readonly Modules.Dropout _dropout, _dropout1, _dropout2;

    public TransformerEncoderLayer(long dModel, long nHead, long dimFeedforward = 2048, double dropout = 0.1, bool batchFirst = false)
    {
        _attn = register_module("self_attn", new MultiheadAttention(dModel, nHead, dropout, batchFirst));
        _linear1 = register_module("linear1", new Linear(dModel, dimFeedforward));
        _dropout = register_module("dropout", new Modules.Dropout(dropout));
        _linear2 = register_module("linear2", new Linear(dimFeedforward, dModel));
        _norm1 = register_module("norm1", new LayerNorm([dModel]));
        _norm2 = register_module("norm2", new LayerNorm([dModel]));
        _dropout1 = register_module("dropout1", new Modules.Dropout(dropout));
        _dropout2 = register_module("dropout2", new Modules.Dropout(dropout));
    }

    public override Tensor forward(Tensor src)
    {
        var x = _norm1.forward(src + _dropout1.forward(_attn.forward(src, src, src)));
        var ff = _linear2.forward(_dropout.forward(_linear1.forward(x).relu()));
        return _norm2.forward(x + _dropout2.forward(ff));
    }
}

/// <summary>PyTorch's default TransformerDecoderLayer: self-attention, cross-attention, feed-forward; post-norm.</summary>
public sealed class TransformerDecoderLayer : Module<(Tensor tgt, Tensor memory), Tensor>
{
    private readonly MultiheadAttention _selfAttn, _crossAttn;
    private readonly Linear _linear1, _linear2;
    private readonly LayerNorm _norm1, _norm2, _norm3;
    private readonly Modules.Dropout _dropout, _dropout1, _dropout2, _dropout3;

    public TransformerDecoderLayer(long dModel, long nHead, long dimFeedforward = 2048, double dropout = 0.1, bool batchFirst = false)
    {
        _selfAttn = register_module("self_attn", new MultiheadAttention(dModel, nHead, dropout, batchFirst));
        _crossAttn = register_module("multihead_attn", new MultiheadAttention(dModel, nHead, dropout, batchFirst));
        _linear1 = register_module("linear1", new Linear(dModel, dimFeedforward));
        _dropout = register_module("dropout", new Modules.Dropout(dropout));
        _linear2 = register_module("linear2", new Linear(dimFeedforward, dModel));
        _norm1 = register_module("norm1", new LayerNorm([dModel]));
        _norm2 = register_module("norm2", new LayerNorm([dModel]));
        _norm3 = register_module("norm3", new LayerNorm([dModel]));
        _dropout1 = register_module("dropout1", new Modules.Dropout(dropout));
        _dropout2 = register_module("dropout2", new Modules.Dropout(dropout));
        _dropout3 = register_module("dropout3", new Modules.Dropout(dropout));
    }

    public override Tensor forward((Tensor tgt, Tensor memory) input) => forward(input.tgt, input.memory);

    public Tensor forward(Tensor tgt, Tensor memory)
    {
        var x = _norm1.forward(tgt + _dropout1.forward(_selfAttn.forward(tgt, tgt, tgt)));
        x = _norm2.forward(x + _dropout2.forward(_crossAttn.forward(x, memory, memory)));
        var ff = _linear2.forward(_dropout.forward(_linear1.forward(x).relu()));
        return _norm3.forward(x + _dropout3.forward(ff));
    }
}
