using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Models;

/// <summary>
/// Single-lead → 12-lead reconstruction (SPEC §2.3): BiLSTM(1→400, 3 layers) → additive attention over time
/// (score tanh(x_t·w + b), softmax over t, context Σ a_t x_t, 800-d; b starts at 0) → linear 800 → T·12, read as
/// (T, 12) with flat index t·12 + lead and returned as N×12×T. 18,595,201 parameters at the published size.
/// </summary>
/// <remarks>
/// <see cref="ReconstructorHead.PerStep"/> replaces the attention head by a linear map of each time step's BiLSTM
/// state to the leads (2H → 12 per t). The published head has to place every beat from one 800-d context through a
/// 800 → T·12 map, which needs the full 21k-record PTB-XL to learn; the per-step head keeps the time alignment and
/// learns from a few hundred records (the small-scale experiment and the trainer's test use it).
/// </remarks>
public sealed record BiLstmReconstructorOptions : Core.IValidatable
{
    [Core.SchemaDerived("the samples per lead of the input records")]
    public int Length { get; init; } = 1000;
    [Core.SchemaDerived("the leads of the input records")]
    public int Leads { get; init; } = 12;
    public int Hidden { get; init; } = 400;
    public int Layers { get; init; } = 3;
    /// <summary>Lead fed to the model (interpolated to the item length and min-max scaled to [0, 1]).</summary>
    public string InputLead { get; init; } = "I";
    public ReconstructorHead Head { get; init; } = ReconstructorHead.Attention;

    /// <summary>Throws with the offending YAML key.</summary>
    public void Validate()
    {
        if (Hidden < 1 || Layers < 1) throw new ArgumentException($"model.hidden and model.layers must be ≥ 1, got {Hidden} and {Layers}");
        if (string.IsNullOrWhiteSpace(InputLead)) throw new ArgumentException("model.input_lead must name a lead, e.g. I");
    }
}

public sealed class BiLstmAttentionReconstructor : Module<Tensor, Tensor>
{
    public BiLstmAttentionReconstructor(BiLstmReconstructorOptions o) : this(o.Length, o.Leads, o.Hidden, o.Layers, o.Head) { }

    private readonly LSTM _lstm;
    private readonly Tensor? _w, _b;
    private readonly Linear _out;

    public BiLstmAttentionReconstructor(int length = 1000, int leads = 12, int hidden = 400, int layers = 3, ReconstructorHead head = ReconstructorHead.Attention)
    {
        Length = length;
        Leads = leads;
        Head = head;
        _lstm = register_module("lstm", new LSTM(1, hidden, layers, batchFirst: true, bidirectional: true));
        if (head == ReconstructorHead.Attention)
        {
            _w = register_parameter("attention_w", torch.empty([2L * hidden]));
            torch.nn.init.uniform_(_w, -1.0 / Math.Sqrt(2 * hidden), 1.0 / Math.Sqrt(2 * hidden));
            _b = register_parameter("attention_b", torch.zeros([1]));
            _out = register_module("fc", new Linear(2L * hidden, (long)length * leads));
        }
        else
        {
            _out = register_module("fc", new Linear(2L * hidden, leads));
        }
    }

    public int Length { get; }
    public int Leads { get; }
    public ReconstructorHead Head { get; }

    /// <param name="x">N×T (or N×T×1) input lead, min-max scaled to [0, 1].</param>
    public override Tensor forward(Tensor x)
    {
        var seq = x.dim() == 2 ? x.unsqueeze(2) : x;
        if (seq.dim() != 3 || seq.size(2) != 1)
            throw new TorchException($"BiLSTM reconstructor expects N×T or N×T×1 input, got {x.Describe()}");
        var (h, _, _) = _lstm.forward(seq);                       // N×T×800
        if (Head == ReconstructorHead.PerStep) return _out.forward(h).transpose(1, 2);   // N×12×T
        var scores = (h.matmul(_w!) + _b!).tanh();                  // N×T
        var weights = F.softmax(scores, 1).unsqueeze(2);          // N×T×1
        var context = (h * weights).sum(1);                       // N×800
        var flat = _out.forward(context);                         // N×(T·12), index t·12 + lead
        return flat.view(-1, Length, Leads).transpose(1, 2);      // N×12×T
    }
}

/// <summary>Output head of <see cref="BiLstmAttentionReconstructor"/>.</summary>
public enum ReconstructorHead
{
    /// <summary>SPEC §2.3 (published): additive attention → 800-d context → linear 800 → T·leads.</summary>
    Attention,
    /// <summary>Linear 2H → leads at every time step (keeps the time alignment; learns from few records).</summary>
    PerStep,
}
