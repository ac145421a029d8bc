namespace EcgExperiments.Torch;

/// <summary>
/// Collects every tensor created on this thread while it is open and frees them when disposed,
/// so a training step leaks no native memory. Results that must outlive the scope are moved out
/// with <see cref="Tensor.MoveToOuterDisposeScope"/> or <see cref="Tensor.DetachFromDisposeScope"/>.
/// </summary>
/// <example><code>
/// using (torch.NewDisposeScope()) { var loss = model.forward(x).sum(); loss.backward(); opt.step(); }
/// </code></example>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;

    private readonly HashSet<Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private readonly DisposeScope? _outer;
    private bool _disposed;

    internal DisposeScope()
    {
        _outer = _current;
        _current = this;
    }

    internal static DisposeScope? Current => _current;
    internal DisposeScope? Outer => _outer;

    /// <summary>Number of tensors the scope will free.</summary>
    public int Count => _tensors.Count;

    internal void Add(Tensor t) => _tensors.Add(t);
    internal void Remove(Tensor t) => _tensors.Remove(t);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _tensors) t.DisposeFromScope();
        _tensors.Clear();
        if (ReferenceEquals(_current, this)) _current = _outer;
    }
}
