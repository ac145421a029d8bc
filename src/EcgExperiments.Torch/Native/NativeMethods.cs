using System.Runtime.InteropServices;

namespace EcgExperiments.Torch.Native;

/// <summary>P/Invoke declarations of the bridge's C ABI (native/src/ecgtorch.cpp). Handles are owning at::Tensor*.</summary>
internal static unsafe partial class NativeMethods
{
    internal const string Lib = "ecgtorch";

    /// <summary>The bridge ABI this assembly was written against (native/src/ecgtorch.cpp: ecg_abi_version).</summary>
    internal const int ExpectedAbiVersion = 5;

    static NativeMethods()
    {
        NativeLibraryResolver.Install();
        NativeLibraryResolver.CheckAbi(() => ecg_abi_version(), ExpectedAbiVersion);
    }

    [DllImport(Lib)] internal static extern IntPtr ecg_last_error();
    [DllImport(Lib)] internal static extern int ecg_abi_version();
    [DllImport(Lib)] internal static extern IntPtr ecg_torch_version();
    [DllImport(Lib)] internal static extern IntPtr ecg_build_info();
    [DllImport(Lib)] internal static extern int ecg_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern int ecg_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int ecg_get_num_threads();
    [DllImport(Lib)] internal static extern int ecg_set_num_interop_threads(int n);
    [DllImport(Lib)] internal static extern int ecg_cuda_is_available();
    [DllImport(Lib)] internal static extern int ecg_cuda_device_count();
    [DllImport(Lib)] internal static extern int ecg_cudnn_is_available();
    [DllImport(Lib)] internal static extern int ecg_cuda_synchronize(int index);
    [DllImport(Lib)] internal static extern IntPtr ecg_cuda_device_name(int index);
    [DllImport(Lib)] internal static extern long ecg_cuda_total_memory(int index);
    [DllImport(Lib)] internal static extern int ecg_cuda_driver_version();
    [DllImport(Lib)] internal static extern int ecg_cuda_runtime_version();
    [DllImport(Lib)] internal static extern long ecg_cudnn_version();
    [DllImport(Lib)] internal static extern long ecg_cuda_max_memory_allocated(int index);
    [DllImport(Lib)] internal static extern int ecg_set_cudnn_flags(int deterministic, int benchmark);
    [DllImport(Lib)] internal static extern int ecg_set_allow_tf32(int on);
    [DllImport(Lib)] internal static extern int ecg_get_allow_tf32();
    [DllImport(Lib)] internal static extern int ecg_get_cudnn_deterministic();
    [DllImport(Lib)] internal static extern void ecg_set_mkldnn_enabled(int on);
    [DllImport(Lib)] internal static extern int ecg_get_mkldnn_enabled();
    [DllImport(Lib)] internal static extern void ecg_set_native_kernels(int on);
    [DllImport(Lib)] internal static extern int ecg_get_native_kernels();
    [DllImport(Lib)] internal static extern int ecg_grad_enabled();
    [DllImport(Lib)] internal static extern void ecg_set_grad_enabled(int on);
    [DllImport(Lib)] internal static extern int ecg_autocast_enter(int dev, int dtype, int enabled, out int prevEnabled, out int prevDtype);
    [DllImport(Lib)] internal static extern int ecg_autocast_exit(int dev, int prevEnabled, int prevDtype);
    [DllImport(Lib)] internal static extern int ecg_autocast_is_enabled(int dev);
    [DllImport(Lib)] internal static extern int ecg_profiler_start();
    [DllImport(Lib)] internal static extern int ecg_cpu_cache_stats(long* stats);
    [DllImport(Lib)] internal static extern void ecg_cpu_cache_empty();
    [DllImport(Lib)] internal static extern IntPtr ecg_profiler_stop();

    [DllImport(Lib)] internal static extern void ecg_free(IntPtr t);
    [DllImport(Lib)] internal static extern int ecg_dim(IntPtr t);
    [DllImport(Lib)] internal static extern int ecg_shape(IntPtr t, long* shape, int capacity);
    [DllImport(Lib)] internal static extern long ecg_numel(IntPtr t);
    [DllImport(Lib)] internal static extern int ecg_dtype(IntPtr t);
    [DllImport(Lib)] internal static extern int ecg_device_type(IntPtr t);
    [DllImport(Lib)] internal static extern int ecg_device_index(IntPtr t);
    [DllImport(Lib)] internal static extern int ecg_requires_grad(IntPtr t);
    [DllImport(Lib)] internal static extern int ecg_set_requires_grad(IntPtr t, int on);
    [DllImport(Lib)] internal static extern int ecg_is_leaf(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr ecg_from_blob(void* data, long* shape, int ndim, int dtype, int devType, int devIndex);
    [DllImport(Lib)] internal static extern int ecg_copy_to_host(IntPtr t, void* dst, long nbytes);
    [DllImport(Lib)] internal static extern double ecg_item(IntPtr t, out int ok);
    [DllImport(Lib)] internal static extern IntPtr ecg_empty(long* shape, int ndim, int dtype, int dt, int di, int rg);
    [DllImport(Lib)] internal static extern IntPtr ecg_full(long* shape, int ndim, double value, int dtype, int dt, int di, int rg);
    [DllImport(Lib)] internal static extern IntPtr ecg_rand(long* shape, int ndim, int dtype, int dt, int di, int rg);
    [DllImport(Lib)] internal static extern IntPtr ecg_randn(long* shape, int ndim, int dtype, int dt, int di, int rg);
    [DllImport(Lib)] internal static extern IntPtr ecg_randint(long low, long high, long* shape, int ndim, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr ecg_randperm(long n, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr ecg_arange(double start, double end, double step, int dtype, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr ecg_linspace(double start, double end, long steps, int dtype, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr ecg_to(IntPtr t, int dtype, int dt, int di, int copy);
    [DllImport(Lib)] internal static extern IntPtr ecg_contiguous(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr ecg_clone(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr ecg_detach(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr ecg_alias(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr ecg_contiguous_as(IntPtr t, int format);
    [DllImport(Lib)] internal static extern int ecg_is_contiguous_as(IntPtr t, int format);
    [DllImport(Lib)] internal static extern void* ecg_data_ptr(IntPtr t);

    [DllImport(Lib)] internal static extern IntPtr ecg_unary(IntPtr a, int op, double p);
    [DllImport(Lib)] internal static extern IntPtr ecg_binary(IntPtr a, IntPtr b, int op);
    [DllImport(Lib)] internal static extern IntPtr ecg_binary_scalar(IntPtr a, double s, int op);
    [DllImport(Lib)] internal static extern IntPtr ecg_clamp(IntPtr a, double lo, double hi);
    [DllImport(Lib)] internal static extern IntPtr ecg_where(IntPtr c, IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr ecg_masked_fill(IntPtr a, IntPtr mask, double v);
    [DllImport(Lib)] internal static extern int ecg_inplace(IntPtr a, IntPtr b, double s, int op);
    [DllImport(Lib)] internal static extern int ecg_uniform_(IntPtr a, double lo, double hi);
    [DllImport(Lib)] internal static extern int ecg_normal_(IntPtr a, double mean, double std);
    [DllImport(Lib)] internal static extern IntPtr ecg_reduce(IntPtr a, int op, long* dims, int ndims, int keepdim);

    [DllImport(Lib)] internal static extern IntPtr ecg_reshape(IntPtr a, long* s, int n);
    [DllImport(Lib)] internal static extern IntPtr ecg_view(IntPtr a, long* s, int n);
    [DllImport(Lib)] internal static extern IntPtr ecg_permute(IntPtr a, long* s, int n);
    [DllImport(Lib)] internal static extern IntPtr ecg_expand(IntPtr a, long* s, int n);
    [DllImport(Lib)] internal static extern IntPtr ecg_repeat(IntPtr a, long* s, int n);
    [DllImport(Lib)] internal static extern IntPtr ecg_flip(IntPtr a, long* s, int n);
    [DllImport(Lib)] internal static extern IntPtr ecg_transpose(IntPtr a, long d0, long d1);
    [DllImport(Lib)] internal static extern IntPtr ecg_squeeze(IntPtr a, long d, int all);
    [DllImport(Lib)] internal static extern IntPtr ecg_unsqueeze(IntPtr a, long d);
    [DllImport(Lib)] internal static extern IntPtr ecg_flatten(IntPtr a, long s, long e);
    [DllImport(Lib)] internal static extern IntPtr ecg_narrow(IntPtr a, long d, long start, long len);
    [DllImport(Lib)] internal static extern IntPtr ecg_slice(IntPtr a, long d, long start, long end, long step);
    [DllImport(Lib)] internal static extern IntPtr ecg_select(IntPtr a, long d, long i);
    [DllImport(Lib)] internal static extern IntPtr ecg_index_select(IntPtr a, long d, IntPtr idx);
    [DllImport(Lib)] internal static extern IntPtr ecg_gather(IntPtr a, long d, IntPtr idx);
    [DllImport(Lib)] internal static extern IntPtr ecg_masked_select(IntPtr a, IntPtr m);
    [DllImport(Lib)] internal static extern IntPtr ecg_cat(IntPtr* items, int n, long d);
    [DllImport(Lib)] internal static extern IntPtr ecg_stack(IntPtr* items, int n, long d);
    [DllImport(Lib)] internal static extern IntPtr ecg_one_hot(IntPtr a, long classes);

    [DllImport(Lib)] internal static extern IntPtr ecg_matmul(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr ecg_bmm(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr ecg_linear(IntPtr x, IntPtr w, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr ecg_conv(IntPtr x, IntPtr w, IntPtr b, int nd, long* stride, long* padding, long* dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr ecg_conv_transpose(IntPtr x, IntPtr w, IntPtr b, int nd, long* stride, long* padding, long* outputPadding, long* dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr ecg_batch_norm(IntPtr x, IntPtr w, IntPtr b, IntPtr rm, IntPtr rv, int training, double momentum, double eps);
    [DllImport(Lib)] internal static extern IntPtr ecg_layer_norm(IntPtr x, long* shape, int n, IntPtr w, IntPtr b, double eps);
    [DllImport(Lib)] internal static extern IntPtr ecg_max_pool(IntPtr x, int nd, long* k, long* s, long* p, long* d, int ceil);
    [DllImport(Lib)] internal static extern IntPtr ecg_avg_pool(IntPtr x, int nd, long* k, long* s, long* p);
    [DllImport(Lib)] internal static extern IntPtr ecg_adaptive_avg_pool(IntPtr x, int nd, long* output);
    [DllImport(Lib)] internal static extern IntPtr ecg_dropout(IntPtr x, double p, int training);
    [DllImport(Lib)] internal static extern IntPtr ecg_softmax(IntPtr x, long d);
    [DllImport(Lib)] internal static extern IntPtr ecg_log_softmax(IntPtr x, long d);
    [DllImport(Lib)] internal static extern IntPtr ecg_interpolate(IntPtr x, long* size, int n, int mode);
    [DllImport(Lib)] internal static extern int ecg_lstm(IntPtr x, IntPtr h0, IntPtr c0, IntPtr* parameters, int nparams, int hasBiases, long layers,
        double dropout, int train, int bidirectional, int batchFirst, out IntPtr output, out IntPtr hn, out IntPtr cn);

    [DllImport(Lib)] internal static extern IntPtr ecg_bce(IntPtr p, IntPtr y, IntPtr w, int reduction);
    [DllImport(Lib)] internal static extern IntPtr ecg_bce_logits(IntPtr z, IntPtr y, IntPtr w, IntPtr posWeight, int reduction);
    [DllImport(Lib)] internal static extern IntPtr ecg_cross_entropy(IntPtr z, IntPtr y, IntPtr w, int reduction, double labelSmoothing);
    [DllImport(Lib)] internal static extern IntPtr ecg_nll(IntPtr z, IntPtr y, IntPtr w, int reduction);
    [DllImport(Lib)] internal static extern IntPtr ecg_mse(IntPtr a, IntPtr b, int reduction);
    [DllImport(Lib)] internal static extern IntPtr ecg_l1(IntPtr a, IntPtr b, int reduction);

    [DllImport(Lib)] internal static extern int ecg_backward(IntPtr t, IntPtr grad, int retainGraph);
    [DllImport(Lib)] internal static extern IntPtr ecg_grad(IntPtr t);
    [DllImport(Lib)] internal static extern int ecg_zero_grad(IntPtr* ps, int n);
    [DllImport(Lib)] internal static extern double ecg_clip_grad_norm(IntPtr* ps, int n, double maxNorm, out int ok);
    [DllImport(Lib)] internal static extern int ecg_autograd_grad(IntPtr output, IntPtr* inputs, int n, IntPtr* gradsOut);
    [DllImport(Lib)] internal static extern int ecg_init(IntPtr t, int kind, double a);

    [DllImport(Lib)] internal static extern IntPtr ecg_adam(IntPtr* ps, int n, double lr, double b1, double b2, double eps, double wd, int amsgrad, int decoupled);
    [DllImport(Lib)] internal static extern IntPtr ecg_sgd(IntPtr* ps, int n, double lr, double momentum, double dampening, double wd, int nesterov);
    [DllImport(Lib)] internal static extern int ecg_opt_step(IntPtr o);
    [DllImport(Lib)] internal static extern int ecg_opt_zero_grad(IntPtr o);
    [DllImport(Lib)] internal static extern int ecg_opt_set_lr(IntPtr o, double lr);
    [DllImport(Lib)] internal static extern double ecg_opt_get_lr(IntPtr o);
    [DllImport(Lib)] internal static extern void ecg_opt_free(IntPtr o);
    [DllImport(Lib)] internal static extern IntPtr ecg_opt_state_save(IntPtr o);
    [DllImport(Lib)] internal static extern int ecg_opt_state_load(IntPtr o, IntPtr bytes);
    [DllImport(Lib)] internal static extern IntPtr ecg_rng_state_get();
    [DllImport(Lib)] internal static extern int ecg_rng_state_set(IntPtr state);

    internal static string LastError() => Marshal.PtrToStringUTF8(ecg_last_error()) ?? "unknown native error";
}
