namespace EcgExperiments.Torch;

/// <summary>
/// Base of every layer and model: owns parameters, buffers and child modules in registration
/// order, switches train/eval, moves to a device and saves/loads its state (see <see cref="StateFile"/>).
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = [];
    private readonly List<KeyValuePair<string, Tensor>> _buffers = [];
    private readonly List<KeyValuePair<string, Module>> _modules = [];

    /// <summary>True in training mode (dropout active, batch-norm uses batch statistics).</summary>
    public bool training { get; private set; } = true;

    /// <summary>Registers a trainable tensor; it leaves any dispose scope and requires grad.</summary>
    protected Tensor register_parameter(string name, Tensor t)
    {
        EnsureNew(name);
        t.DetachFromDisposeScope();
        t.requires_grad = true;
        _parameters.Add(new(name, t));
        return t;
    }

    /// <summary>Registers state that is saved and moved but not trained (e.g. batch-norm running statistics).</summary>
    protected Tensor register_buffer(string name, Tensor t)
    {
        EnsureNew(name);
        t.DetachFromDisposeScope();
        _buffers.Add(new(name, t));
        return t;
    }

    protected T register_module<T>(string name, T module) where T : Module
    {
        EnsureNew(name);
        _modules.Add(new(name, module));
        return module;
    }

    private void EnsureNew(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: invalid member name '{name}'");
        if (_parameters.Any(p => p.Key == name) || _buffers.Any(p => p.Key == name) || _modules.Any(p => p.Key == name))
            throw new ArgumentException($"{GetType().Name}: '{name}' is registered twice");
    }

    public IEnumerable<(string name, Module module)> named_children() => _modules.Select(m => (m.Key, m.Value));

    public IEnumerable<(string name, Tensor parameter)> named_parameters(bool recurse = true)
    {
        foreach (var p in _parameters) yield return (p.Key, p.Value);
        if (!recurse) yield break;
        foreach (var m in _modules)
            foreach (var (n, p) in m.Value.named_parameters()) yield return ($"{m.Key}.{n}", p);
    }

    public IEnumerable<Tensor> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

    public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
    {
        foreach (var b in _buffers) yield return (b.Key, b.Value);
        if (!recurse) yield break;
        foreach (var m in _modules)
            foreach (var (n, b) in m.Value.named_buffers()) yield return ($"{m.Key}.{n}", b);
    }

    /// <summary>Number of trainable scalars (what papers report as "parameters").</summary>
    public long parameter_count() => parameters().Sum(p => p.numel());

    public Module train(bool on = true)
    {
        training = on;
        foreach (var m in _modules) m.Value.train(on);
        return this;
    }

    public Module eval() => train(false);

    /// <summary>Moves (or converts) parameters and buffers in place; existing references stay valid.</summary>
    public Module to(Device device) => Apply(t => t.to(device));

    /// <summary>Converts floating-point parameters and buffers (e.g. to Float64 for gradient checks).</summary>
    public Module to(ScalarType type) => Apply(t => IsFloating(t.dtype) ? t.to(type) : t.alias());

    /// <summary>Lays out 4-d parameters and buffers (convolution weights) in <paramref name="format"/>; others are untouched.</summary>
    public Module to(MemoryFormat format) => Apply(t => t.dim() == 4 ? t.contiguous(format) : t.alias());

    private static bool IsFloating(ScalarType t) => t is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;

    private Module Apply(Func<Tensor, Tensor> convert)
    {
        using (torch.no_grad())
        {
            foreach (var (_, p) in named_parameters())
            {
                var moved = convert(p).detach();
                moved.requires_grad = true;
                p.ReplaceHandle(moved);
            }
            foreach (var (_, b) in named_buffers())
                b.ReplaceHandle(convert(b).detach());
        }
        return this;
    }

    /// <summary>Parameters and buffers by dotted name ("block1.conv.weight"), in registration order.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> state_dict() =>
        named_parameters().Concat(named_buffers()).Select(p => new KeyValuePair<string, Tensor>(p.Item1, p.Item2)).ToList();

    /// <summary>Copies values in by name. Strict: names and shapes must match exactly, and the message lists what differs.</summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = state_dict().ToDictionary(p => p.Key, p => p.Value);
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new TorchException($"{GetType().Name}.load_state_dict: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        using var _ = torch.no_grad();
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source)) continue;
            if (!source.shape.SequenceEqual(target.shape))
                throw new TorchException($"{GetType().Name}.load_state_dict: '{name}' has shape [{string.Join(", ", source.shape)}] in the file, [{string.Join(", ", target.shape)}] in the model");
            using var converted = source.to(target.dtype, target.device);
            target.copy_(converted);
        }
    }

    /// <summary>Writes the state to a versioned file (see <see cref="StateFile"/>); <paramref name="metadata"/> travels with it.</summary>
    public void save(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>()) { ["module"] = GetType().FullName ?? GetType().Name };
        StateFile.Save(path, state_dict(), meta);
    }

    /// <summary>Loads a file written by <see cref="save"/> into this module; returns the file's metadata.</summary>
    public IReadOnlyDictionary<string, string> load(string path, bool strict = true)
    {
        var (tensors, meta) = StateFile.Load(path);
        try
        {
            load_state_dict(tensors, strict);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        return meta;
    }

    public virtual void Dispose()
    {
        foreach (var p in _parameters) p.Value.Dispose();
        foreach (var b in _buffers) b.Value.Dispose();
        foreach (var m in _modules) m.Value.Dispose();
        GC.SuppressFinalize(this);
    }

    public override string ToString() => $"{GetType().Name}({parameter_count():N0} parameters)";
}

/// <summary>A module with a typed forward pass.</summary>
public abstract class Module<TIn, TOut> : Module
{
    public abstract TOut forward(TIn input);

    public TOut call(TIn input) => forward(input);
}
