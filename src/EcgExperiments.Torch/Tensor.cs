using System.Runtime.CompilerServices;
using EcgExperiments.Torch.Native;
using static EcgExperiments.Torch.Native.NativeMethods;

namespace EcgExperiments.Torch;

/// <summary>
/// A libtorch tensor. Reads like TorchSharp/PyTorch: <c>(a * 2 + b).relu().sum()</c>.
/// Native memory is released by <see cref="Dispose"/>, by the enclosing <see cref="DisposeScope"/>,
/// or (as a last resort) by the finaliser.
/// </summary>
/// <example><code>
/// using var x = torch.tensor(new float[] { 1, 2, 3 });
/// float s = (x * x).sum().item&lt;float&gt;();   // 14
/// </code></example>
public sealed unsafe partial class Tensor : IDisposable
{
    private IntPtr _handle;
    private DisposeScope? _scope;
    private static long _live;

    internal Tensor(IntPtr handle)
    {
        _handle = handle;
        Interlocked.Increment(ref _live);
        _scope = DisposeScope.Current;
        _scope?.Add(this);
    }

    ~Tensor() => Free();

    /// <summary>Tensors whose native handle is still alive (for leak tests and diagnostics).</summary>
    public static long LiveCount => Interlocked.Read(ref _live);

    internal IntPtr Handle
    {
        get
        {
            if (_handle == IntPtr.Zero) throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed (by Dispose or by its DisposeScope)");
            return _handle;
        }
    }

    public bool IsDisposed => _handle == IntPtr.Zero;

    public void Dispose()
    {
        _scope?.Remove(this);
        _scope = null;
        Free();
        GC.SuppressFinalize(this);
    }

    internal void DisposeFromScope()
    {
        _scope = null;
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h == IntPtr.Zero) return;
        ecg_free(h);
        Interlocked.Decrement(ref _live);
    }

    /// <summary>Keeps this tensor alive past the current scope; it joins the enclosing scope, if any.</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        var outer = _scope?.Outer;
        _scope?.Remove(this);
        _scope = outer;
        _scope?.Add(this);
        return this;
    }

    /// <summary>Takes this tensor out of every scope: the caller now owns it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        _scope?.Remove(this);
        _scope = null;
        return this;
    }

    /// <summary>Replaces the native tensor behind this object (used by Module.to to move parameters in place).</summary>
    internal void ReplaceHandle(Tensor other)
    {
        var h = other._handle;
        other.DetachFromDisposeScope();
        other._handle = IntPtr.Zero;
        GC.SuppressFinalize(other);
        Interlocked.Decrement(ref _live);
        var old = Interlocked.Exchange(ref _handle, h);
        if (old != IntPtr.Zero) ecg_free(old);
    }

    // ----- wrapping native results -----------------------------------------------------------

    internal static Tensor Wrap(IntPtr p, string op, Tensor? a = null, Tensor? b = null, Tensor? c = null)
    {
        if (p == IntPtr.Zero) throw Error(op, a, b, c);
        return new Tensor(p);
    }

    internal static void Check(int rc, string op, Tensor? a = null, Tensor? b = null, Tensor? c = null)
    {
        if (rc < 0) throw Error(op, a, b, c);
    }

    internal static TorchException Error(string op, Tensor? a = null, Tensor? b = null, Tensor? c = null)
    {
        var message = LastError();
        var shapes = new List<string>();
        foreach (var t in new[] { a, b, c })
            if (t is not null && !t.IsDisposed) shapes.Add(t.Describe());
        var inputs = shapes.Count == 0 ? "" : $" (inputs: {string.Join(", ", shapes)})";
        return new TorchException($"{op}{inputs}: {message}");
    }

    // ----- metadata ---------------------------------------------------------------------------

    public int dim() => ecg_dim(Handle);

    public long[] shape
    {
        get
        {
            Span<long> buf = stackalloc long[16];
            int d;
            fixed (long* p = buf) d = ecg_shape(Handle, p, buf.Length);
            if (d < 0) throw Error("shape", null);
            return buf[..d].ToArray();
        }
    }

    public long size(int dim)
    {
        var s = shape;
        return s[dim < 0 ? s.Length + dim : dim];
    }

    public long numel() => ecg_numel(Handle);
    public ScalarType dtype => (ScalarType)ecg_dtype(Handle);
    public Device device => new((DeviceType)ecg_device_type(Handle), ecg_device_index(Handle));
    public bool is_leaf => ecg_is_leaf(Handle) == 1;

    public bool requires_grad
    {
        get => ecg_requires_grad(Handle) == 1;
        set => Check(ecg_set_requires_grad(Handle, value ? 1 : 0), "requires_grad", this);
    }

    public Tensor requires_grad_(bool on = true)
    {
        requires_grad = on;
        return this;
    }

    /// <summary>The accumulated gradient, or null before the first backward.</summary>
    public Tensor? grad
    {
        get
        {
            var p = ecg_grad(Handle);
            if (p != IntPtr.Zero) return new Tensor(p);
            var err = LastError();
            if (err.Length > 0) throw new TorchException($"grad: {err}");
            return null;
        }
    }

    /// <summary>"[32, 1, 12, 1000] float32 cpu"</summary>
    public string Describe() => $"[{string.Join(", ", shape)}] {dtype.ToString().ToLowerInvariant()} {device}";

    public override string ToString() => $"Tensor{Describe()}";

    // ----- data transfer ----------------------------------------------------------------------

    /// <summary>Copies the values (from any device, any layout) into a new .NET array in row-major order.</summary>
    public T[] data<T>() where T : unmanaged
    {
        EnsureType<T>("data");
        var result = new T[numel()];
        fixed (T* p = result) Check(ecg_copy_to_host(Handle, p, (long)result.Length * sizeof(T)), "data", this);
        return result;
    }

    /// <summary>Copies the values into <paramref name="destination"/>, which must hold exactly numel() elements.</summary>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        EnsureType<T>("CopyTo");
        fixed (T* p = destination) Check(ecg_copy_to_host(Handle, p, (long)destination.Length * sizeof(T)), "CopyTo", this);
    }

    public T item<T>() where T : unmanaged
    {
        var v = ecg_item(Handle, out var ok);
        if (ok == 0) throw Error("item", this);
        return typeof(T) == typeof(float) ? (T)(object)(float)v :
               typeof(T) == typeof(double) ? (T)(object)v :
               typeof(T) == typeof(long) ? (T)(object)(long)v :
               typeof(T) == typeof(int) ? (T)(object)(int)v :
               typeof(T) == typeof(bool) ? (T)(object)(v != 0) :
               throw new NotSupportedException($"item<{typeof(T).Name}>");
    }

    private void EnsureType<T>(string op) where T : unmanaged
    {
        var want = ScalarTypeInfo.Of<T>();
        var have = dtype;
        if (want != have) throw new TorchException($"{op}<{typeof(T).Name}>: the tensor holds {have}; convert first with .to(ScalarType.{want})");
    }

    // ----- conversion -------------------------------------------------------------------------

    public Tensor to(ScalarType type) => Wrap(ecg_to(Handle, (int)type, (int)device.Type, device.Index, 0), "to", this);
    public Tensor to(Device d) => Wrap(ecg_to(Handle, (int)dtype, (int)d.Type, d.Index, 0), $"to({d})", this);
    public Tensor to(ScalarType type, Device d) => Wrap(ecg_to(Handle, (int)type, (int)d.Type, d.Index, 0), $"to({d})", this);
    public Tensor cpu() => to(Device.CPU);
    public Tensor @float() => to(ScalarType.Float32);
    public Tensor @double() => to(ScalarType.Float64);
    public Tensor @long() => to(ScalarType.Int64);
    public Tensor @bool() => to(ScalarType.Bool);
    public Tensor contiguous() => Wrap(ecg_contiguous(Handle), "contiguous", this);

    /// <summary>A copy laid out in <paramref name="format"/> (this tensor itself when it already is); same shape and values.</summary>
    public Tensor contiguous(MemoryFormat format) => Wrap(ecg_contiguous_as(Handle, (int)format), "contiguous", this);

    /// <summary>Whether the elements lie densely in <paramref name="format"/>'s order.</summary>
    public bool is_contiguous(MemoryFormat format = MemoryFormat.Contiguous)
    {
        var r = ecg_is_contiguous_as(Handle, (int)format);
        Check(r, "is_contiguous", this);
        return r == 1;
    }

    /// <summary>
    /// The elements of a contiguous CPU tensor as a writable span over its own memory (no copy, like PyTorch's
    /// <c>numpy()</c>): for filling a freshly made tensor in place, e.g. staging a batch without an intermediate
    /// buffer. Valid only while the tensor lives; writes bypass autograd.
    /// </summary>
    /// <example><code>
    /// using var batch = torch.empty([n, 12, 1000]);
    /// var rows = batch.AsSpan&lt;float&gt;();
    /// for (int i = 0; i &lt; n; i++) records[i].CopyTo(rows.Slice(i * 12000, 12000));
    /// </code></example>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        EnsureType<T>("AsSpan");
        var p = ecg_data_ptr(Handle);
        if (p == null) throw Error("AsSpan", this);
        return new Span<T>(p, checked((int)numel()));
    }
    public Tensor clone() => Wrap(ecg_clone(Handle), "clone", this);
    public Tensor detach() => Wrap(ecg_detach(Handle), "detach", this);

    /// <summary>A second handle to the same tensor (shares storage and autograd identity).</summary>
    public Tensor alias() => Wrap(ecg_alias(Handle), "alias", this);

    // ----- element-wise -------------------------------------------------------------------

    private Tensor Unary(UnaryOp op, double p = 0) => Wrap(ecg_unary(Handle, (int)op, p), OpName(op), this);
    private static string OpName<TEnum>(TEnum op) where TEnum : Enum => op.ToString().ToLowerInvariant();

    public Tensor neg() => Unary(UnaryOp.Neg);
    public Tensor abs() => Unary(UnaryOp.Abs);
    public Tensor exp() => Unary(UnaryOp.Exp);
    public Tensor log() => Unary(UnaryOp.Log);
    public Tensor log1p() => Unary(UnaryOp.Log1p);
    public Tensor sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor square() => Unary(UnaryOp.Square);
    public Tensor relu() => Unary(UnaryOp.Relu);
    public Tensor sigmoid() => Unary(UnaryOp.Sigmoid);
    public Tensor log_sigmoid() => Unary(UnaryOp.LogSigmoid);
    public Tensor tanh() => Unary(UnaryOp.Tanh);
    public Tensor sign() => Unary(UnaryOp.Sign);
    public Tensor floor() => Unary(UnaryOp.Floor);
    public Tensor ceil() => Unary(UnaryOp.Ceil);
    public Tensor round() => Unary(UnaryOp.Round);
    public Tensor reciprocal() => Unary(UnaryOp.Reciprocal);
    public Tensor logical_not() => Unary(UnaryOp.LogicalNot);
    public Tensor isnan() => Unary(UnaryOp.IsNan);
    public Tensor isfinite() => Unary(UnaryOp.IsFinite);
    public Tensor sin() => Unary(UnaryOp.Sin);
    public Tensor cos() => Unary(UnaryOp.Cos);
    public Tensor gelu() => Unary(UnaryOp.Gelu);
    public Tensor leaky_relu(double negativeSlope = 0.01) => Unary(UnaryOp.LeakyRelu, negativeSlope);

    private Tensor Binary(Tensor other, BinaryOp op) => Wrap(ecg_binary(Handle, other.Handle, (int)op), OpName(op), this, other);
    private Tensor Scalar(double s, ScalarOp op) => Wrap(ecg_binary_scalar(Handle, s, (int)op), OpName(op), this);

    public Tensor add(Tensor o) => Binary(o, BinaryOp.Add);
    public Tensor sub(Tensor o) => Binary(o, BinaryOp.Sub);
    public Tensor mul(Tensor o) => Binary(o, BinaryOp.Mul);
    public Tensor div(Tensor o) => Binary(o, BinaryOp.Div);
    public Tensor pow(Tensor o) => Binary(o, BinaryOp.Pow);
    public Tensor pow(double e) => Scalar(e, ScalarOp.Pow);
    public Tensor maximum(Tensor o) => Binary(o, BinaryOp.Maximum);
    public Tensor minimum(Tensor o) => Binary(o, BinaryOp.Minimum);
    public Tensor eq(Tensor o) => Binary(o, BinaryOp.Eq);
    public Tensor ne(Tensor o) => Binary(o, BinaryOp.Ne);
    public Tensor lt(Tensor o) => Binary(o, BinaryOp.Lt);
    public Tensor le(Tensor o) => Binary(o, BinaryOp.Le);
    public Tensor gt(Tensor o) => Binary(o, BinaryOp.Gt);
    public Tensor ge(Tensor o) => Binary(o, BinaryOp.Ge);
    public Tensor eq(double s) => Scalar(s, ScalarOp.Eq);
    public Tensor ne(double s) => Scalar(s, ScalarOp.Ne);
    public Tensor lt(double s) => Scalar(s, ScalarOp.Lt);
    public Tensor le(double s) => Scalar(s, ScalarOp.Le);
    public Tensor gt(double s) => Scalar(s, ScalarOp.Gt);
    public Tensor ge(double s) => Scalar(s, ScalarOp.Ge);
    public Tensor logical_and(Tensor o) => Binary(o, BinaryOp.LogicalAnd);
    public Tensor logical_or(Tensor o) => Binary(o, BinaryOp.LogicalOr);
    public Tensor remainder(double divisor) => Scalar(divisor, ScalarOp.Remainder);
    public Tensor clamp_min(double lo) => Scalar(lo, ScalarOp.ClampMin);
    public Tensor clamp_max(double hi) => Scalar(hi, ScalarOp.ClampMax);
    public Tensor clamp(double lo, double hi) => Wrap(ecg_clamp(Handle, lo, hi), "clamp", this);
    public Tensor masked_fill(Tensor mask, double value) => Wrap(ecg_masked_fill(Handle, mask.Handle, value), "masked_fill", this, mask);

    public static Tensor operator +(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Add);
    public static Tensor operator -(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Sub);
    public static Tensor operator *(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Mul);
    public static Tensor operator /(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Div);
    public static Tensor operator +(Tensor a, double s) => a.Scalar(s, ScalarOp.Add);
    public static Tensor operator -(Tensor a, double s) => a.Scalar(s, ScalarOp.Sub);
    public static Tensor operator *(Tensor a, double s) => a.Scalar(s, ScalarOp.Mul);
    public static Tensor operator /(Tensor a, double s) => a.Scalar(s, ScalarOp.Div);
    public static Tensor operator +(double s, Tensor a) => a.Scalar(s, ScalarOp.Add);
    public static Tensor operator -(double s, Tensor a) => a.Scalar(s, ScalarOp.RSub);
    public static Tensor operator *(double s, Tensor a) => a.Scalar(s, ScalarOp.Mul);
    public static Tensor operator /(double s, Tensor a) => a.Scalar(s, ScalarOp.RDiv);
    public static Tensor operator -(Tensor a) => a.neg();

    // ----- reductions -------------------------------------------------------------------------

    private Tensor Reduce(ReduceOp op, ReadOnlySpan<long> dims, bool keepdim)
    {
        fixed (long* p = dims) return Wrap(ecg_reduce(Handle, (int)op, p, dims.Length, keepdim ? 1 : 0), OpName(op), this);
    }

    public Tensor sum() => Reduce(ReduceOp.Sum, default, false);
    public Tensor sum(long dim, bool keepdim = false) => Reduce(ReduceOp.Sum, [dim], keepdim);
    public Tensor sum(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Sum, dims, keepdim);
    public Tensor mean() => Reduce(ReduceOp.Mean, default, false);
    public Tensor mean(long dim, bool keepdim = false) => Reduce(ReduceOp.Mean, [dim], keepdim);
    public Tensor mean(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Mean, dims, keepdim);
    public Tensor max() => Reduce(ReduceOp.Max, default, false);
    public Tensor max(long dim, bool keepdim = false) => Reduce(ReduceOp.Max, [dim], keepdim);
    public Tensor min() => Reduce(ReduceOp.Min, default, false);
    public Tensor min(long dim, bool keepdim = false) => Reduce(ReduceOp.Min, [dim], keepdim);
    public Tensor argmax() => Reduce(ReduceOp.Argmax, default, false);
    public Tensor argmax(long dim, bool keepdim = false) => Reduce(ReduceOp.Argmax, [dim], keepdim);
    public Tensor argmin(long dim, bool keepdim = false) => Reduce(ReduceOp.Argmin, [dim], keepdim);
    public Tensor var(bool unbiased = true) => Reduce(unbiased ? ReduceOp.Var : ReduceOp.VarBiased, default, false);
    public Tensor var(long dim, bool unbiased = true, bool keepdim = false) => Reduce(unbiased ? ReduceOp.Var : ReduceOp.VarBiased, [dim], keepdim);
    public Tensor std(bool unbiased = true) => Reduce(unbiased ? ReduceOp.Std : ReduceOp.StdBiased, default, false);
    public Tensor std(long dim, bool unbiased = true, bool keepdim = false) => Reduce(unbiased ? ReduceOp.Std : ReduceOp.StdBiased, [dim], keepdim);
    public Tensor any() => Reduce(ReduceOp.Any, default, false);
    public Tensor all() => Reduce(ReduceOp.All, default, false);
    public Tensor logsumexp(long dim, bool keepdim = false) => Reduce(ReduceOp.LogSumExp, [dim], keepdim);

    // ----- shapes and indexing ------------------------------------------------------------------

    private Tensor ShapeOp(delegate*<IntPtr, long*, int, IntPtr> f, ReadOnlySpan<long> s, string op)
    {
        fixed (long* p = s) return Wrap(f(Handle, p, s.Length), $"{op}([{string.Join(", ", s.ToArray())}])", this);
    }

    public Tensor reshape(params long[] shape) => ShapeOp(&ecg_reshape, shape, "reshape");
    public Tensor view(params long[] shape) => ShapeOp(&ecg_view, shape, "view");
    public Tensor permute(params long[] dims) => ShapeOp(&ecg_permute, dims, "permute");
    public Tensor expand(params long[] shape) => ShapeOp(&ecg_expand, shape, "expand");
    public Tensor repeat(params long[] times) => ShapeOp(&ecg_repeat, times, "repeat");
    public Tensor flip(params long[] dims) => ShapeOp(&ecg_flip, dims, "flip");
    public Tensor transpose(long d0, long d1) => Wrap(ecg_transpose(Handle, d0, d1), "transpose", this);
    public Tensor t() => transpose(0, 1);
    public Tensor squeeze() => Wrap(ecg_squeeze(Handle, 0, 1), "squeeze", this);
    public Tensor squeeze(long dim) => Wrap(ecg_squeeze(Handle, dim, 0), "squeeze", this);
    public Tensor unsqueeze(long dim) => Wrap(ecg_unsqueeze(Handle, dim), "unsqueeze", this);
    public Tensor flatten(long startDim = 0, long endDim = -1) => Wrap(ecg_flatten(Handle, startDim, endDim), "flatten", this);
    public Tensor narrow(long dim, long start, long length) => Wrap(ecg_narrow(Handle, dim, start, length), "narrow", this);
    public Tensor slice(long dim, long start, long end, long step = 1) => Wrap(ecg_slice(Handle, dim, start, end, step), "slice", this);
    public Tensor select(long dim, long index) => Wrap(ecg_select(Handle, dim, index), "select", this);
    public Tensor index_select(long dim, Tensor index) => Wrap(ecg_index_select(Handle, dim, index.Handle), "index_select", this, index);
    public Tensor gather(long dim, Tensor index) => Wrap(ecg_gather(Handle, dim, index.Handle), "gather", this, index);
    public Tensor masked_select(Tensor mask) => Wrap(ecg_masked_select(Handle, mask.Handle), "masked_select", this, mask);

    /// <summary>Row <paramref name="i"/> along the first dimension.</summary>
    public Tensor this[long i] => select(0, i);

    public Tensor matmul(Tensor o) => Wrap(ecg_matmul(Handle, o.Handle), "matmul", this, o);
    public Tensor bmm(Tensor o) => Wrap(ecg_bmm(Handle, o.Handle), "bmm", this, o);

    // ----- autograd ---------------------------------------------------------------------------

    public void backward(Tensor? gradient = null, bool retainGraph = false) =>
        Check(ecg_backward(Handle, gradient is null ? IntPtr.Zero : gradient.Handle, retainGraph ? 1 : 0), "backward", this);

    // ----- in-place (initialisers, manual updates) ---------------------------------------------

    private Tensor InPlace(InPlaceOp op, Tensor? other, double s)
    {
        Check(ecg_inplace(Handle, other is null ? IntPtr.Zero : other.Handle, s, (int)op), OpName(op) + "_", this, other);
        return this;
    }

    public Tensor add_(Tensor other, double alpha = 1) => InPlace(InPlaceOp.Add, other, alpha);
    public Tensor copy_(Tensor source) => InPlace(InPlaceOp.Copy, source, 0);
    public Tensor mul_(double s) => InPlace(InPlaceOp.MulScalar, null, s);
    public Tensor mul_(Tensor other) => InPlace(InPlaceOp.Mul, other, 0);
    public Tensor fill_(double value) => InPlace(InPlaceOp.Fill, null, value);
    public Tensor zero_() => InPlace(InPlaceOp.Zero, null, 0);

    public Tensor uniform_(double low = 0, double high = 1)
    {
        Check(ecg_uniform_(Handle, low, high), "uniform_", this);
        return this;
    }

    public Tensor normal_(double mean = 0, double std = 1)
    {
        Check(ecg_normal_(Handle, mean, std), "normal_", this);
        return this;
    }
}

internal enum UnaryOp
{
    Neg, Abs, Exp, Log, Sqrt, Relu, Sigmoid, Tanh, Sign, Square, LeakyRelu, Log1p, Rsqrt, Reciprocal, Floor, Round,
    LogicalNot, IsNan, Gelu, Sin, Cos, LogSigmoid, Ceil, IsFinite,
}

internal enum BinaryOp { Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, Atan2, Remainder }

internal enum ScalarOp { Add, Sub, Mul, Div, Pow, ClampMin, ClampMax, Eq, Ne, Lt, Le, Gt, Ge, Remainder = 16, RSub = 17, RDiv = 18 }

internal enum ReduceOp { Sum, Mean, Max, Min, Argmax, Argmin, Var, Std, Prod, Any, All, LogSumExp, VarBiased, StdBiased }

internal enum InPlaceOp { Add, Copy, MulScalar, Fill, Zero, Uniform, Mul, ClampSym }
