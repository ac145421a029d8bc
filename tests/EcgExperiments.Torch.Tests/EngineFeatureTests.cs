using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Torch.Tests;

/// <summary>The bridge's speed features: CPU block cache, autocast, channels-last layout, the operator profiler.</summary>
public class EngineFeatureTests
{
    [Fact]
    public void A_released_block_serves_the_next_tensor_of_that_size_and_empty_cache_returns_it()
    {
        var before = torch.cpu.memory_stats();
        Assert.NotNull(before); // on by default (ECG_CPU_CACHE_MB unset)
        const long floats = 1 << 20; // 4 MiB: far above the 64 KiB caching threshold
        torch.zeros([floats]).Dispose();
        var released = torch.cpu.memory_stats()!;
        Assert.True(released.IdleBytes >= floats * 4, $"idle {released.IdleBytes} bytes after releasing a 4 MiB tensor");

        using (var again = torch.ones([floats]))
        {
            var reused = torch.cpu.memory_stats()!;
            Assert.Equal(released.Hits + 1, reused.Hits);
            Assert.Equal(released.Misses, reused.Misses);
            Assert.Equal((float)floats, again.sum().item<float>()); // a reused block holds the new values, not the old
        }
        torch.cpu.empty_cache();
        Assert.Equal(0, torch.cpu.memory_stats()!.IdleBytes);
    }

    [Fact]
    public void Training_reuses_cached_blocks_and_gives_the_same_losses_as_a_fresh_process_would()
    {
        // Same seed, same model twice: the second run allocates only from blocks the first released,
        // and its losses are bit-identical (one thread): cached memory never leaks old values into results.
        torch.set_num_threads(1);
        float[] Run()
        {
            torch.manual_seed(3);
            using var net = new Sequential(new Conv2d(1, 8, 3), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8 * 15 * 15, 2));
            using var opt = torch.optim.Adam(net.parameters(), lr: 1e-2);
            using var x = torch.randn(64, 1, 32, 32);
            using var y = torch.randint(0, 2, [64]);
            var losses = new float[5];
            for (int i = 0; i < losses.Length; i++)
            {
                using var scope = torch.NewDisposeScope();
                opt.zero_grad();
                var loss = F.cross_entropy(net.forward(x), y);
                loss.backward();
                opt.step();
                losses[i] = loss.item<float>();
            }
            return losses;
        }
        var first = Run();
        var hits = torch.cpu.memory_stats()!.Hits;
        var second = Run();
        Assert.True(torch.cpu.memory_stats()!.Hits > hits + 20, "the second run should be served from the cache");
        Assert.Equal(first, second);
    }

    [Fact]
    public void Autocast_runs_matrix_products_in_bfloat16_keeps_gradients_float32_and_restores_on_exit()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var w = torch.randn(16, 32).requires_grad_();
        var x = torch.randn(8, 32);
        var exact = F.linear(x, w);
        Tensor mixed;
        Assert.False(torch.is_autocast_enabled());
        using (torch.autocast(DeviceType.CPU, ScalarType.BFloat16))
        {
            Assert.True(torch.is_autocast_enabled());
            mixed = F.linear(x, w);
            using (torch.autocast(DeviceType.CPU, enabled: false))
                Assert.Equal(ScalarType.Float32, F.linear(x, w).dtype);
            Assert.True(torch.is_autocast_enabled()); // the inner scope restored the outer one
        }
        Assert.False(torch.is_autocast_enabled());
        Assert.Equal(ScalarType.BFloat16, mixed.dtype);
        Assert.Equal(ScalarType.Float32, F.linear(x, w).dtype);
        // bf16 keeps 8 significant bits: products of 32 terms agree to about 1 %.
        var diff = (mixed.@float() - exact).abs().max().item<float>();
        var scale = exact.abs().max().item<float>();
        Assert.True(diff < 0.02f * scale, $"bf16 linear differs by {diff} (scale {scale})");
        mixed.@float().sum().backward();
        Assert.Equal(ScalarType.Float32, w.grad!.dtype);
    }

    [Fact]
    public void Autocast_refuses_float16_on_the_cpu()
    {
        var e = Assert.Throws<ArgumentException>(() => torch.autocast(DeviceType.CPU, ScalarType.Float16));
        Assert.Contains("BFloat16", e.Message);
    }

    [Fact]
    public void Channels_last_convolution_gives_the_same_values_and_layout_propagates()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        using var conv = new Conv2d(3, 8, 3);
        var x = torch.randn(4, 3, 16, 16);
        var expected = conv.forward(x).data<float>();
        conv.to(MemoryFormat.ChannelsLast);
        Assert.True(conv.weight.is_contiguous(MemoryFormat.ChannelsLast));
        Assert.True(conv.weight.requires_grad);
        var xl = x.contiguous(MemoryFormat.ChannelsLast);
        Assert.True(xl.is_contiguous(MemoryFormat.ChannelsLast));
        Assert.False(xl.is_contiguous());
        var y = conv.forward(xl);
        Assert.True(y.is_contiguous(MemoryFormat.ChannelsLast));
        var actual = y.data<float>(); // data() copies in logical (row-major N, C, H, W) order
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 4);
    }

    [Fact]
    public void Profiler_counts_each_operator_call_forward_and_backward()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(64, 64).requires_grad_();
        var b = torch.randn(64, 64);
        IReadOnlyList<OpStats> ops;
        using (var prof = torch.autograd.profiler.profile())
        {
            for (int i = 0; i < 3; i++) a.matmul(b).sum().backward();
            ops = prof.KeyAverages();
        }
        var matmul = ops.Single(o => o.Name == "aten::matmul");
        Assert.Equal(3, matmul.Calls);
        Assert.True(matmul.TotalMicroseconds >= matmul.SelfMicroseconds);
        Assert.Contains(ops, o => o.Name.StartsWith("MmBackward", StringComparison.Ordinal) && o.Calls == 3);
        Assert.True(ops.SequenceEqual(ops.OrderByDescending(o => o.SelfMicroseconds)), "largest self time first");
    }

    [Theory]
    [InlineData(new long[] { 4, 16, 12, 998 }, new long[] { 2, 4 }, false)]  // CNN2D on 12 leads: a remainder row and column
    [InlineData(new long[] { 3, 32, 31 }, new long[] { 2, 2 }, false)]       // no batch dimension
    [InlineData(new long[] { 5, 7, 101 }, new long[] { 3 }, false)]          // 1-d
    [InlineData(new long[] { 200, 8, 64, 64 }, new long[] { 2, 2 }, true)]   // STFT-CNN spectrograms, channels-last
    [InlineData(new long[] { 6, 13, 15, 14 }, new long[] { 3, 2 }, true)]    // channels-last, 13 = 3 lanes of 4 + 1
    public void Native_max_pooling_matches_libtorch_bit_for_bit_in_values_argmax_and_gradient(long[] shape, long[] kernel, bool channelsLast)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        // After a ReLU most windows tie at zero; rounding to quarters makes ties among positive values too, and a few
        // NaNs test libtorch's rule that a NaN takes over the window (the last NaN wins).
        var values = (torch.randn(shape) * 4).round() / 4;
        var flat = values.relu().flatten().data<float>();
        for (int i = 17; i < flat.Length; i += 997) flat[i] = float.NaN;
        for (int i = 18; i < flat.Length; i += 1999) flat[i] = float.NaN;
        var input = torch.tensor(flat, shape);
        if (channelsLast) input = input.contiguous(MemoryFormat.ChannelsLast);
        var gradOut = (torch.randn(Pool(input.detach(), kernel).shape) * 2).round() / 2; // includes -0.0

        (float[] y, float[] grad, IReadOnlyList<OpStats> ops, bool[] layouts) Run(bool native)
        {
            var before = torch.backends.native_kernels.enabled;
            torch.backends.native_kernels.enabled = native;
            try
            {
                var x = input.detach().clone().requires_grad_();
                Assert.Equal(channelsLast, x.is_contiguous(MemoryFormat.ChannelsLast) && !x.is_contiguous());
                using var prof = torch.autograd.profiler.profile();
                var pooled = Pool(x, kernel);
                pooled.backward(gradOut);
                bool[] layouts = [pooled.is_contiguous(), pooled.is_contiguous(MemoryFormat.ChannelsLast), x.grad!.is_contiguous()];
                return (pooled.detach().flatten().data<float>(), x.grad!.flatten().data<float>(), prof.KeyAverages(), layouts);
            }
            finally { torch.backends.native_kernels.enabled = before; }
        }

        var (yNative, gNative, opsNative, layoutNative) = Run(native: true);
        var (yTorch, gTorch, opsTorch, layoutTorch) = Run(native: false);
        Assert.Equal(layoutTorch, layoutNative); // the result and the gradient keep libtorch's memory format
        Assert.Contains(opsTorch, o => o.Name.StartsWith("aten::max_pool", StringComparison.Ordinal));
        Assert.DoesNotContain(opsNative, o => o.Name.StartsWith("aten::max_pool", StringComparison.Ordinal));
        Assert.Contains(yTorch, float.IsNaN);
        Assert.Equal(yTorch.Select(BitConverter.SingleToInt32Bits), yNative.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(gTorch.Select(BitConverter.SingleToInt32Bits), gNative.Select(BitConverter.SingleToInt32Bits));

        static Tensor Pool(Tensor t, long[] k) => F.max_pool(t, k, k, new long[k.Length], Enumerable.Repeat(1L, k.Length).ToArray());
    }

    // Kinds: "conv" (kernel covers the input: a matrix product), "convT1" (transposed, one input position: a matrix
    // product), "convT" (transposed: the input gradient of the convolution it transposes, through oneDNN).
    [Theory]
    [InlineData("conv", new long[] { 5, 512, 10 }, new long[] { 50, 512, 10 }, 1, 0, 0, 1, 1, true)]        // BeatGAN encoder head, with a bias
    [InlineData("conv", new long[] { 4, 24, 7, 7 }, new long[] { 5, 24, 7, 7 }, 1, 0, 0, 1, 1, false)]      // B2I-GAN head, 2-d
    [InlineData("convT1", new long[] { 6, 50, 1 }, new long[] { 50, 64, 10 }, 1, 0, 0, 1, 1, true)]        // BeatGAN decoder input
    [InlineData("convT1", new long[] { 3, 20, 1, 1 }, new long[] { 20, 8, 7, 7 }, 1, 0, 0, 1, 1, false)]   // B2I-GAN decoder input
    [InlineData("convT", new long[] { 4, 64, 10 }, new long[] { 64, 32, 4 }, 2, 1, 0, 1, 1, false)]        // BeatGAN decoder (4, 2, 1)
    [InlineData("convT", new long[] { 2, 16, 7, 7 }, new long[] { 16, 8, 4, 4 }, 2, 1, 0, 1, 1, true)]     // B2I-GAN decoder, 2-d
    [InlineData("convT", new long[] { 3, 8, 9 }, new long[] { 8, 3, 5 }, 3, 2, 1, 2, 2, true)]             // output padding, dilation, groups
    [InlineData("convT", new long[] { 2, 16, 6, 5 }, new long[] { 16, 8, 4, 4 }, 2, 1, 0, 1, 1, false, true)] // channels-last in, channels-last out
    public void Convolution_routes_agree_with_libtorchs_kernels_in_values_gradients_and_layout(string kind, long[] inputShape, long[] weightShape,
        long stride, long padding, long outputPadding, long dilation, long groups, bool withBias, bool channelsLast = false)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        int nd = inputShape.Length - 2;
        var input = torch.randn(inputShape);
        if (channelsLast) input = input.contiguous(MemoryFormat.ChannelsLast);
        var weight = torch.randn(weightShape) * 0.1;
        var bias = withBias ? torch.randn([kind == "conv" ? weightShape[0] : weightShape[1] * groups]) : null;
        long[] S(long v) => Enumerable.Repeat(v, nd).ToArray();
        Tensor Apply(Tensor x, Tensor w, Tensor? b) => kind == "conv"
            ? F.conv(x, w, b, S(stride), S(padding), S(dilation), groups)
            : F.conv_transpose(x, w, b, S(stride), S(padding), S(outputPadding), S(dilation), groups);
        var gradOut = torch.randn(Apply(input, weight, bias).shape);

        (Tensor y, Tensor[] grads, IReadOnlyList<OpStats> ops) Run(bool routed)
        {
            var before = torch.backends.native_kernels.enabled;
            torch.backends.native_kernels.enabled = routed;
            try
            {
                var (x, w, b) = (input.clone().requires_grad_(), weight.clone().requires_grad_(), bias?.clone().requires_grad_());
                using var prof = torch.autograd.profiler.profile();
                var y = Apply(x, w, b);
                y.backward(gradOut);
                Tensor[] grads = b is null ? [x.grad!, w.grad!] : [x.grad!, w.grad!, b.grad!];
                using (torch.no_grad()) // inference takes the same route without the autograd node: the same values
                    Assert.Equal(y.detach().flatten().data<float>(), Apply(input, weight, bias).flatten().data<float>());
                return (y.detach(), grads, prof.KeyAverages());
            }
            finally { torch.backends.native_kernels.enabled = before; }
        }

        var (yRouted, gRouted, opsRouted) = Run(routed: true);
        var (yTorch, gTorch, opsTorch) = Run(routed: false);
        Assert.Equal(yTorch.shape, yRouted.shape);
        // libtorch's memory formats, except that a channels-last input keeps a channels-last output (libtorch 1.13's im2col
        // kernel returns NCHW there; the routed one keeps the input's layout, as libtorch's plain convolutions do).
        if (channelsLast)
            Assert.True(yRouted.is_contiguous(MemoryFormat.ChannelsLast) && !yRouted.is_contiguous(), "a channels-last input gives a channels-last output");
        else
            foreach (var (routed, reference) in gRouted.Prepend(yRouted).Zip(gTorch.Prepend(yTorch)))
                Assert.Equal((reference.is_contiguous(), reference.is_contiguous(MemoryFormat.ChannelsLast)), (routed.is_contiguous(), routed.is_contiguous(MemoryFormat.ChannelsLast)));
        // The same sums in another order: equal to float32 rounding, relative to the largest magnitude of each result.
        foreach (var (routed, reference) in gRouted.Prepend(yRouted).Zip(gTorch.Prepend(yTorch)))
        {
            var scale = reference.abs().max().item<float>();
            Assert.True(scale > 0);
            var error = (routed - reference).abs().max().item<float>();
            Assert.True(error <= 2e-6 * scale * Math.Sqrt(reference.numel()), $"{kind}: max error {error} against a scale of {scale}");
        }
        bool Uses(IReadOnlyList<OpStats> ops, string name) => ops.Any(o => o.Name == name);
        if (kind == "convT")
        {
            Assert.True(Uses(opsTorch, "aten::slow_conv_transpose2d") || Uses(opsTorch, "aten::slow_conv_dilated2d"));
            Assert.False(Uses(opsRouted, "aten::slow_conv_transpose2d") || Uses(opsRouted, "aten::slow_conv_dilated2d"));
        }
        else
        {
            Assert.True(Uses(opsTorch, "aten::convolution"));
            Assert.False(Uses(opsRouted, "aten::convolution"), string.Join(", ", opsRouted.Select(o => o.Name)));
            Assert.True(Uses(opsRouted, "aten::mm") || Uses(opsRouted, "aten::addmm"));
        }
    }

    [Fact]
    public void Convolutions_routed_as_matrix_products_pass_the_gradient_check_in_float64()
    {
        torch.manual_seed(5);
        var x = torch.randn([3, 4, 5], dtype: ScalarType.Float64).requires_grad_();
        var w = torch.randn([2, 4, 5], dtype: ScalarType.Float64).requires_grad_();
        var b = torch.randn([2], dtype: ScalarType.Float64).requires_grad_();
        var z = torch.randn([3, 2, 1], dtype: ScalarType.Float64).requires_grad_();
        // Both routes taken here (a kernel over the whole input, a transposed convolution of one position) are matrix products.
        var wt = torch.randn([2, 3, 6], dtype: ScalarType.Float64).requires_grad_();
        var check = GradCheck.Run(() => F.conv_transpose(F.conv(x, w, b, [1], [0], [1]), wt, null, [1], [0], [0], [1]).square(), [x, w, b, wt]);
        Assert.True(check.MaxRelativeError < 1e-6, check.ToString());
        check = GradCheck.Run(() => F.conv_transpose(z, wt, null, [2], [0], [0], [1]).tanh(), [z, wt]);
        Assert.True(check.MaxRelativeError < 1e-6, check.ToString());
    }

    [Fact]
    public void Conv1d_and_BatchNorm1d_on_a_channels_last_signal_image_compute_what_they_compute_on_the_signal()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(8);
        var conv = new Conv1d(12, 16, 5, stride: 2, padding: 2, bias: true);
        var bn = new BatchNorm1d(16);
        var signal = torch.randn(4, 12, 301);

        (float[] y, float[] gw, float[] gx, float[] runningMean) Run(bool image)
        {
            foreach (var p in conv.parameters()) p.grad?.zero_();
            bn.running_mean.zero_();
            var x = signal.clone().requires_grad_();
            var input = image ? x.unsqueeze(2).contiguous(MemoryFormat.ChannelsLast) : x;
            var y = bn.forward(conv.forward(input)).relu();
            if (image)
            {
                Assert.Equal([4L, 16, 1, 151], y.shape);
                Assert.True(y.is_contiguous(MemoryFormat.ChannelsLast)); // the layout carries through to the next layer
                y = y.squeeze(2);
            }
            (y * torch.arange(0, y.numel(), 1).reshape(y.shape).sin()).sum().backward();
            return (y.detach().flatten().data<float>(), conv.weight.grad!.flatten().data<float>(), x.grad!.flatten().data<float>(),
                    bn.running_mean.data<float>());
        }

        var signalRun = Run(image: false);
        var imageRun = Run(image: true);
        AssertClose(signalRun.y, imageRun.y);
        AssertClose(signalRun.gw, imageRun.gw);
        AssertClose(signalRun.gx, imageRun.gx);
        AssertClose(signalRun.runningMean, imageRun.runningMean);

        static void AssertClose(float[] expected, float[] actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"element {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
