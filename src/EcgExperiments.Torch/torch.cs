using System.Runtime.InteropServices;
using static EcgExperiments.Torch.Native.NativeMethods;

namespace EcgExperiments.Torch;

/// <summary>
/// Entry point of the tensor API, named and shaped like TorchSharp's <c>torch</c> so that PyTorch
/// model code translates line by line.
/// </summary>
/// <example><code>
/// torch.manual_seed(42);
/// using var scope = torch.NewDisposeScope();
/// var x = torch.randn(32, 1, 12, 1000);
/// </code></example>
public static unsafe partial class torch
{
    /// <summary>libtorch version the bridge was compiled against, e.g. "1.13.1".</summary>
    public static string version => Marshal.PtrToStringUTF8(ecg_torch_version()) ?? "unknown";

    /// <summary>libtorch's build configuration (BLAS, OpenMP, oneDNN, CUDA), for run records.</summary>
    public static string build_info => Marshal.PtrToStringUTF8(ecg_build_info()) ?? "";

    /// <summary>Seeds libtorch's CPU and CUDA generators (initialisation, dropout, rand*).</summary>
    public static void manual_seed(ulong seed) => Tensor.Check(ecg_manual_seed(seed), "manual_seed");

    /// <summary>The default CPU generator's state as a uint8 tensor (like <c>torch.get_rng_state()</c>), for resuming a run.</summary>
    public static Tensor get_rng_state() => Tensor.Wrap(ecg_rng_state_get(), "get_rng_state");

    /// <summary>Restores the default CPU generator from <see cref="get_rng_state"/>'s tensor (like <c>torch.set_rng_state</c>).</summary>
    public static void set_rng_state(Tensor state) => Tensor.Check(ecg_rng_state_set(state.Handle), "set_rng_state", state);

    public static void set_num_threads(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "thread count must be ≥ 1");
        Tensor.Check(ecg_set_num_threads(n), "set_num_threads");
    }

    public static int get_num_threads() => ecg_get_num_threads();

    public static DisposeScope NewDisposeScope() => new();

    /// <summary>Disables gradient recording on this thread until disposed (like <c>torch.no_grad()</c>).</summary>
    public static IDisposable no_grad() => new GradModeGuard(false);

    /// <summary>Re-enables gradient recording inside a no_grad block.</summary>
    public static IDisposable enable_grad() => new GradModeGuard(true);

    public static bool is_grad_enabled() => ecg_grad_enabled() == 1;

    private sealed class GradModeGuard : IDisposable
    {
        private readonly bool _previous;
        private bool _done;

        public GradModeGuard(bool enabled)
        {
            _previous = ecg_grad_enabled() == 1;
            ecg_set_grad_enabled(enabled ? 1 : 0);
        }

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            ecg_set_grad_enabled(_previous ? 1 : 0);
        }
    }

    public static class cuda
    {
        public static bool is_available() => ecg_cuda_is_available() == 1;
        public static int device_count() => ecg_cuda_device_count();
        public static void synchronize(int index = 0) => Tensor.Check(ecg_cuda_synchronize(index), "cuda.synchronize");

        /// <summary>GPU model name, e.g. "NVIDIA H100 80GB HBM3"; empty on CPU-only builds.</summary>
        public static string get_device_name(int index = 0) => Marshal.PtrToStringUTF8(ecg_cuda_device_name(index)) ?? "";

        public static long total_memory(int index = 0) => ecg_cuda_total_memory(index);

        /// <summary>Peak bytes held by libtorch's CUDA caching allocator on the device.</summary>
        public static long max_memory_allocated(int index = 0) => ecg_cuda_max_memory_allocated(index);

        /// <summary>CUDA driver and runtime versions as CUDA encodes them (e.g. 12020 = 12.2); 0 when absent.</summary>
        public static (int driver, int runtime) versions() => (ecg_cuda_driver_version(), ecg_cuda_runtime_version());

        public static long cudnn_version() => ecg_cudnn_version();
    }

    public static class backends
    {
        /// <summary>TF32 tensor-core math for matmuls and convolutions on Ampere+ GPUs (fast, ~1e-3 relative error).</summary>
        public static bool allow_tf32
        {
            get => ecg_get_allow_tf32() == 1;
            set => Tensor.Check(ecg_set_allow_tf32(value ? 1 : 0), "allow_tf32");
        }

        /// <summary>oneDNN for CPU convolutions (on by default); off, libtorch uses its own im2col + BLAS kernels.</summary>
        public static class mkldnn
        {
            public static bool enabled
            {
                get => ecg_get_mkldnn_enabled() == 1;
                set => ecg_set_mkldnn_enabled(value ? 1 : 0);
            }
        }

        /// <summary>
        /// The bridge's own CPU kernels where libtorch's are slow for the shapes ECG models use (today: max pooling with
        /// non-overlapping windows, 4-6x faster). They give the same values, indices and gradients bit for bit, so this
        /// switch (on by default) exists to compare the two, not to change results.
        /// </summary>
        public static class native_kernels
        {
            public static bool enabled
            {
                get => ecg_get_native_kernels() == 1;
                set => ecg_set_native_kernels(value ? 1 : 0);
            }
        }

        public static class cudnn
        {
            public static bool is_available() => ecg_cudnn_is_available() == 1;

            /// <summary>Deterministic cuDNN algorithms (slower; bit-stable GPU runs). Recorded in run records.</summary>
            public static bool deterministic
            {
                get => ecg_get_cudnn_deterministic() == 1;
                set => Tensor.Check(ecg_set_cudnn_flags(value ? 1 : 0, value ? 0 : 1), "cudnn.deterministic");
            }
        }
    }

    // ----- creation -------------------------------------------------------------------------------

    /// <summary>Copies <paramref name="data"/> into a new tensor of the given shape (default: 1-d).</summary>
    public static Tensor tensor<T>(ReadOnlySpan<T> data, long[]? shape = null, Device? device = null, bool requiresGrad = false) where T : unmanaged
    {
        shape ??= [data.Length];
        long n = 1;
        foreach (var s in shape) n *= s;
        if (n != data.Length)
            throw new ArgumentException($"tensor: {data.Length} values do not fill shape [{string.Join(", ", shape)}] ({n} elements)");
        var d = device ?? Device.CPU;
        Tensor t;
        fixed (T* p = data)
        fixed (long* sp = shape)
            t = Tensor.Wrap(ecg_from_blob(p, sp, shape.Length, (int)ScalarTypeInfo.Of<T>(), (int)d.Type, d.Index), "tensor");
        if (requiresGrad) t.requires_grad = true;
        return t;
    }

    public static Tensor tensor<T>(T[] data, long[]? shape = null, Device? device = null, bool requiresGrad = false) where T : unmanaged =>
        tensor((ReadOnlySpan<T>)data, shape, device, requiresGrad);

    public static Tensor tensor<T>(T[,] data, Device? device = null) where T : unmanaged
    {
        var flat = MemoryMarshal.CreateReadOnlySpan(ref data[0, 0], data.Length);
        return tensor(flat, [data.GetLength(0), data.GetLength(1)], device);
    }

    public static Tensor scalar_tensor(double value, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        full([], value, dtype, device);

    private static Tensor Make(delegate*<long*, int, int, int, int, int, IntPtr> f, long[] shape, ScalarType dtype, Device? device, bool rg, string op)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.Wrap(f(p, shape.Length, (int)dtype, (int)d.Type, d.Index, rg ? 1 : 0), op);
    }

    public static Tensor empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requiresGrad = false) =>
        Make(&ecg_empty, shape, dtype, device, requiresGrad, "empty");

    public static Tensor full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requiresGrad = false)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.Wrap(ecg_full(p, shape.Length, value, (int)dtype, (int)d.Type, d.Index, requiresGrad ? 1 : 0), "full");
    }

    public static Tensor zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requiresGrad = false) =>
        full(shape, 0, dtype, device, requiresGrad);

    public static Tensor zeros(params long[] shape) => zeros(shape, ScalarType.Float32);

    public static Tensor ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requiresGrad = false) =>
        full(shape, 1, dtype, device, requiresGrad);

    public static Tensor ones(params long[] shape) => ones(shape, ScalarType.Float32);

    public static Tensor rand(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Make(&ecg_rand, shape, dtype, device, false, "rand");

    public static Tensor rand(params long[] shape) => rand(shape, ScalarType.Float32);

    public static Tensor randn(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Make(&ecg_randn, shape, dtype, device, false, "randn");

    public static Tensor randn(params long[] shape) => randn(shape, ScalarType.Float32);

    public static Tensor randint(long low, long high, long[] shape, Device? device = null)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.Wrap(ecg_randint(low, high, p, shape.Length, (int)d.Type, d.Index), "randint");
    }

    public static Tensor randperm(long n, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(ecg_randperm(n, (int)d.Type, d.Index), "randperm");
    }

    public static Tensor arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(ecg_arange(start, end, step, (int)dtype, (int)d.Type, d.Index), "arange");
    }

    public static Tensor linspace(double start, double end, long steps, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(ecg_linspace(start, end, steps, (int)dtype, (int)d.Type, d.Index), "linspace");
    }

    // ----- combining --------------------------------------------------------------------------------

    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Combine(tensors, dim, &ecg_cat, "cat");
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Combine(tensors, dim, &ecg_stack, "stack");

    private static Tensor Combine(IReadOnlyList<Tensor> tensors, long dim, delegate*<IntPtr*, int, long, IntPtr> f, string op)
    {
        if (tensors.Count == 0) throw new ArgumentException($"{op}: needs at least one tensor");
        var handles = new IntPtr[tensors.Count];
        for (int i = 0; i < handles.Length; i++) handles[i] = tensors[i].Handle;
        fixed (IntPtr* p = handles)
        {
            var r = f(p, handles.Length, dim);
            if (r != IntPtr.Zero) return new Tensor(r);
        }
        var shapes = string.Join(", ", tensors.Take(6).Select(t => $"[{string.Join(", ", t.shape)}]"));
        throw new TorchException($"{op}(dim={dim}) of {tensors.Count} tensors {shapes}{(tensors.Count > 6 ? ", …" : "")}: {LastError()}");
    }

    public static Tensor where(Tensor condition, Tensor a, Tensor b) =>
        Tensor.Wrap(ecg_where(condition.Handle, a.Handle, b.Handle), "where", condition, a, b);

    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);

    internal static IntPtr[] Handles(IReadOnlyList<Tensor> tensors)
    {
        var h = new IntPtr[tensors.Count];
        for (int i = 0; i < h.Length; i++) h[i] = tensors[i].Handle;
        return h;
    }
}
