using EcgExperiments.Torch.Native;

namespace EcgExperiments.Torch;

public static partial class torch
{
    /// <summary>Optimisers backed by libtorch's own implementations (update rules identical to PyTorch's).</summary>
    public static class optim
    {
        public static Optimizer Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weightDecay = 0, bool amsgrad = false) =>
            Optimizer.Create(parameters, "Adam", lr, p => NativeAdam(p, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled: false));

        /// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter); PyTorch's default decay is 1e-2.</summary>
        public static Optimizer AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false) =>
            Optimizer.Create(parameters, "AdamW", lr, p => NativeAdam(p, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled: true));

        public static Optimizer SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
            double weightDecay = 0, bool nesterov = false) =>
            Optimizer.Create(parameters, "SGD", lr, p => NativeSgd(p, lr, momentum, dampening, weightDecay, nesterov));

        private static unsafe IntPtr NativeAdam(IntPtr[] ps, double lr, double b1, double b2, double eps, double wd, bool ams, bool decoupled)
        {
            fixed (IntPtr* p = ps) return NativeMethods.ecg_adam(p, ps.Length, lr, b1, b2, eps, wd, ams ? 1 : 0, decoupled ? 1 : 0);
        }

        private static unsafe IntPtr NativeSgd(IntPtr[] ps, double lr, double momentum, double dampening, double wd, bool nesterov)
        {
            fixed (IntPtr* p = ps) return NativeMethods.ecg_sgd(p, ps.Length, lr, momentum, dampening, wd, nesterov ? 1 : 0);
        }
    }
}

/// <summary>
/// A libtorch optimiser over a fixed parameter list. Dispose it to free its state (moments).
/// Create it after moving the model to its device: it keeps the tensors it was given.
/// </summary>
public sealed class Optimizer : IDisposable
{
    private IntPtr _handle;
    private readonly List<Tensor> _parameters;

    private Optimizer(IntPtr handle, List<Tensor> parameters, string name)
    {
        _handle = handle;
        _parameters = parameters;
        Name = name;
    }

    internal static Optimizer Create(IEnumerable<Tensor> parameters, string name, double lr, Func<IntPtr[], IntPtr> make)
    {
        if (!(lr > 0)) throw new ArgumentOutOfRangeException(nameof(lr), lr, $"{name}: learning rate must be > 0");
        var list = parameters.ToList();
        if (list.Count == 0) throw new ArgumentException($"{name}: no parameters to optimise");
        var h = make(torch.Handles(list));
        if (h == IntPtr.Zero) throw new TorchException($"{name}: {NativeMethods.LastError()}");
        return new Optimizer(h, list, name);
    }

    public string Name { get; }
    public IReadOnlyList<Tensor> Parameters => _parameters;

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(Name);

    public void step() => Tensor.Check(NativeMethods.ecg_opt_step(Handle), $"{Name}.step");

    /// <summary>Clears gradients (sets them to None, as PyTorch ≥ 2 does by default).</summary>
    public unsafe void zero_grad()
    {
        _ = Handle;
        var handles = torch.Handles(_parameters);
        fixed (IntPtr* p = handles) Tensor.Check(NativeMethods.ecg_zero_grad(p, handles.Length), $"{Name}.zero_grad");
    }

    public double LearningRate
    {
        get => NativeMethods.ecg_opt_get_lr(Handle);
        set
        {
            if (!(value > 0)) throw new ArgumentOutOfRangeException(nameof(value), value, "learning rate must be > 0");
            Tensor.Check(NativeMethods.ecg_opt_set_lr(Handle, value), $"{Name}.set_lr");
        }
    }

    /// <summary>
    /// The optimiser's state (moments, step counts, group options) as opaque bytes in a uint8 tensor, for a training
    /// checkpoint. Only <see cref="LoadState"/> of an optimiser of the same kind over the same parameters reads it back.
    /// </summary>
    public Tensor SaveState() => Tensor.Wrap(NativeMethods.ecg_opt_state_save(Handle), $"{Name}.save_state");

    /// <summary>Restores the state written by <see cref="SaveState"/>, so training continues as if never stopped.</summary>
    public void LoadState(Tensor state) => Tensor.Check(NativeMethods.ecg_opt_state_load(Handle, state.Handle), $"{Name}.load_state", state);

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) NativeMethods.ecg_opt_free(h);
    }
}
