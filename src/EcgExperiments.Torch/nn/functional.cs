using static EcgExperiments.Torch.Native.NativeMethods;

namespace EcgExperiments.Torch;

public static unsafe partial class torch
{
    public static partial class nn
    {
        /// <summary>Loss reductions (values are libtorch's at::Reduction).</summary>
        public enum Reduction { None = 0, Mean = 1, Sum = 2 }

        /// <summary>Stateless neural-network operations (PyTorch's <c>torch.nn.functional</c>).</summary>
        public static class functional
        {
            private static IntPtr H(Tensor? t) => t is null ? IntPtr.Zero : t.Handle;

            private static string Kind(int nd) => nd == 1 ? "1d" : "2d";

            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) =>
                Tensor.Wrap(ecg_linear(input.Handle, weight.Handle, H(bias)), "linear", input, weight, bias);

            public static Tensor conv(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups = 1)
            {
                int nd = stride.Length;
                fixed (long* s = stride) fixed (long* p = padding) fixed (long* d = dilation)
                    return Tensor.Wrap(ecg_conv(input.Handle, weight.Handle, H(bias), nd, s, p, d, groups), $"conv{Kind(nd)}", input, weight);
            }

            public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
                conv(input, weight, bias, [stride], [padding], [dilation], groups);

            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
                conv(input, weight, bias, [stride, stride], [padding, padding], [dilation, dilation], groups);

            public static Tensor conv_transpose(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] outputPadding, long[] dilation, long groups = 1)
            {
                int nd = stride.Length;
                fixed (long* s = stride) fixed (long* p = padding) fixed (long* op = outputPadding) fixed (long* d = dilation)
                    return Tensor.Wrap(ecg_conv_transpose(input.Handle, weight.Handle, H(bias), nd, s, p, op, d, groups), $"conv_transpose{Kind(nd)}", input, weight);
            }

            public static Tensor batch_norm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias, bool training, double momentum = 0.1, double eps = 1e-5) =>
                Tensor.Wrap(ecg_batch_norm(input.Handle, H(weight), H(bias), H(runningMean), H(runningVar), training ? 1 : 0, momentum, eps), "batch_norm", input, weight);

            public static Tensor layer_norm(Tensor input, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                fixed (long* s = normalizedShape)
                    return Tensor.Wrap(ecg_layer_norm(input.Handle, s, normalizedShape.Length, H(weight), H(bias), eps), "layer_norm", input, weight);
            }

            public static Tensor max_pool(Tensor input, long[] kernel, long[] stride, long[] padding, long[] dilation, bool ceilMode = false)
            {
                int nd = kernel.Length;
                fixed (long* k = kernel) fixed (long* s = stride) fixed (long* p = padding) fixed (long* d = dilation)
                    return Tensor.Wrap(ecg_max_pool(input.Handle, nd, k, s, p, d, ceilMode ? 1 : 0), $"max_pool{Kind(nd)}", input);
            }

            public static Tensor max_pool1d(Tensor input, long kernel, long? stride = null, long padding = 0) =>
                max_pool(input, [kernel], [stride ?? kernel], [padding], [1]);

            public static Tensor max_pool2d(Tensor input, long kernel, long? stride = null, long padding = 0) =>
                max_pool(input, [kernel, kernel], [stride ?? kernel, stride ?? kernel], [padding, padding], [1, 1]);

            public static Tensor avg_pool(Tensor input, long[] kernel, long[] stride, long[] padding)
            {
                int nd = kernel.Length;
                fixed (long* k = kernel) fixed (long* s = stride) fixed (long* p = padding)
                    return Tensor.Wrap(ecg_avg_pool(input.Handle, nd, k, s, p), $"avg_pool{Kind(nd)}", input);
            }

            public static Tensor adaptive_avg_pool(Tensor input, long[] outputSize)
            {
                fixed (long* o = outputSize)
                    return Tensor.Wrap(ecg_adaptive_avg_pool(input.Handle, outputSize.Length, o), $"adaptive_avg_pool{Kind(outputSize.Length)}", input);
            }

            public static Tensor adaptive_avg_pool1d(Tensor input, long outputSize) => adaptive_avg_pool(input, [outputSize]);
            public static Tensor adaptive_avg_pool2d(Tensor input, long h, long w) => adaptive_avg_pool(input, [h, w]);

            /// <summary>Resizes N×C×H×W images: "bilinear" (align_corners=false), "nearest" or "area".</summary>
            public static Tensor interpolate(Tensor input, long height, long width, string mode = "bilinear")
            {
                int m = mode switch
                {
                    "bilinear" => 0,
                    "nearest" => 1,
                    "area" => 2,
                    _ => throw new ArgumentException($"interpolate: unknown mode '{mode}' (bilinear, nearest, area)"),
                };
                long* size = stackalloc long[] { height, width };
                return Tensor.Wrap(ecg_interpolate(input.Handle, size, 2, m), $"interpolate({mode})", input);
            }

            public static Tensor dropout(Tensor input, double p, bool training)
            {
                if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
                return Tensor.Wrap(ecg_dropout(input.Handle, p, training ? 1 : 0), "dropout", input);
            }

            public static Tensor relu(Tensor x) => x.relu();
            public static Tensor leaky_relu(Tensor x, double negativeSlope = 0.01) => x.leaky_relu(negativeSlope);
            public static Tensor sigmoid(Tensor x) => x.sigmoid();
            public static Tensor tanh(Tensor x) => x.tanh();
            public static Tensor softmax(Tensor x, long dim) => Tensor.Wrap(ecg_softmax(x.Handle, dim), "softmax", x);
            public static Tensor log_softmax(Tensor x, long dim) => Tensor.Wrap(ecg_log_softmax(x.Handle, dim), "log_softmax", x);

            // ----- losses ---------------------------------------------------------------------

            public static Tensor binary_cross_entropy(Tensor probabilities, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(ecg_bce(probabilities.Handle, target.Handle, H(weight), (int)reduction), "binary_cross_entropy", probabilities, target);

            /// <summary>Numerically stable BCE on logits; <paramref name="posWeight"/> scales the positive term per class.</summary>
            public static Tensor binary_cross_entropy_with_logits(Tensor logits, Tensor target, Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(ecg_bce_logits(logits.Handle, target.Handle, H(weight), H(posWeight), (int)reduction), "binary_cross_entropy_with_logits", logits, target);

            /// <summary>Cross-entropy on logits with integer class targets and optional per-class weights.</summary>
            public static Tensor cross_entropy(Tensor logits, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, double labelSmoothing = 0) =>
                Tensor.Wrap(ecg_cross_entropy(logits.Handle, target.Handle, H(weight), (int)reduction, labelSmoothing), "cross_entropy", logits, target);

            public static Tensor nll_loss(Tensor logProbabilities, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(ecg_nll(logProbabilities.Handle, target.Handle, H(weight), (int)reduction), "nll_loss", logProbabilities, target);

            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(ecg_mse(input.Handle, target.Handle, (int)reduction), "mse_loss", input, target);

            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(ecg_l1(input.Handle, target.Handle, (int)reduction), "l1_loss", input, target);

            /// <summary>
            /// Scaled dot-product attention over (…, L, E) queries and (…, S, E) keys/values; returns
            /// the attended values and the attention weights. Computed in the order of PyTorch's
            /// <c>nn.MultiheadAttention</c>: the queries are divided by √E before the score product (a small
            /// tensor instead of the L × S scores), and 3-D inputs go straight to batched matrix products.
            /// </summary>
            public static (Tensor output, Tensor weights) scaled_dot_product_attention(Tensor q, Tensor k, Tensor v, double dropoutP = 0, bool training = false)
            {
                var scaled = q / Math.Sqrt(q.size(-1));
                var scores = q.dim() == 3 ? scaled.bmm(k.transpose(1, 2)) : scaled.matmul(k.transpose(-2, -1));
                var weights = softmax(scores, -1);
                var dropped = dropoutP > 0 ? dropout(weights, dropoutP, training) : weights;
                return (dropped.dim() == 3 ? dropped.bmm(v) : dropped.matmul(v), weights);
            }
        }

        public static class init
        {
            private static void Run(Tensor t, int kind, double a, string name)
            {
                using var _ = no_grad();
                Tensor.Check(ecg_init(t.Handle, kind, a), name, t);
            }

            public static Tensor xavier_normal_(Tensor t, double gain = 1) { Run(t, 0, gain, "xavier_normal_"); return t; }
            public static Tensor xavier_uniform_(Tensor t, double gain = 1) { Run(t, 1, gain, "xavier_uniform_"); return t; }
            public static Tensor kaiming_uniform_(Tensor t, double a = 0) { Run(t, 2, a, "kaiming_uniform_"); return t; }
            public static Tensor kaiming_normal_(Tensor t, double a = 0) { Run(t, 3, a, "kaiming_normal_"); return t; }
            public static Tensor orthogonal_(Tensor t, double gain = 1) { Run(t, 4, gain, "orthogonal_"); return t; }

            public static Tensor uniform_(Tensor t, double low, double high)
            {
                using var _ = no_grad();
                return t.uniform_(low, high);
            }

            public static Tensor normal_(Tensor t, double mean, double std)
            {
                using var _ = no_grad();
                return t.normal_(mean, std);
            }

            public static Tensor constant_(Tensor t, double value)
            {
                using var _ = no_grad();
                return t.fill_(value);
            }

            public static Tensor zeros_(Tensor t) => constant_(t, 0);
            public static Tensor ones_(Tensor t) => constant_(t, 1);
        }

        public static class utils
        {
            /// <summary>Rescales gradients so their joint L2 norm is at most <paramref name="maxNorm"/>; returns the norm before.</summary>
            public static double clip_grad_norm_(IEnumerable<Tensor> parameters, double maxNorm)
            {
                var h = Handles(parameters.ToList());
                fixed (IntPtr* p = h)
                {
                    var norm = ecg_clip_grad_norm(p, h.Length, maxNorm, out var ok);
                    if (ok == 0) throw new TorchException($"clip_grad_norm_: {LastError()}");
                    return norm;
                }
            }
        }
    }

    public static partial class autograd
    {
        /// <summary>Gradients of <paramref name="output"/> with respect to <paramref name="inputs"/> (null where unused).</summary>
        public static Tensor?[] grad(Tensor output, IReadOnlyList<Tensor> inputs)
        {
            var h = Handles(inputs);
            var outs = new IntPtr[h.Length];
            fixed (IntPtr* p = h) fixed (IntPtr* o = outs)
                Tensor.Check(ecg_autograd_grad(output.Handle, p, h.Length, o), "autograd.grad", output);
            return outs.Select(x => x == IntPtr.Zero ? null : new Tensor(x)).ToArray();
        }
    }
}
