using EcgExperiments.Torch;

namespace EcgExperiments.Torch.Tests;

public class TensorTests
{
    [Fact]
    public void Float_int64_and_bool_tensors_round_trip_through_dotnet_arrays()
    {
        using var scope = torch.NewDisposeScope();
        var f = torch.tensor(new float[] { 1.5f, -2, 3, 4, 5, 6 }, [2, 3]);
        Assert.Equal([2L, 3L], f.shape);
        Assert.Equal(ScalarType.Float32, f.dtype);
        Assert.Equal(new float[] { 1.5f, -2, 3, 4, 5, 6 }, f.data<float>());
        Assert.Equal(new float[] { 1.5f, 4, -2, 5, 3, 6 }, f.t().data<float>()); // non-contiguous view is copied in row-major order
        var l = torch.tensor(new long[] { 7, 8, 9 });
        Assert.Equal(ScalarType.Int64, l.dtype);
        Assert.Equal(24L, l.sum().item<long>());
        var b = f.gt(2.5);
        Assert.Equal(ScalarType.Bool, b.dtype);
        Assert.Equal(new[] { false, false, true, true, true, true }, b.data<bool>());
    }

    [Fact]
    public void Arithmetic_reductions_and_broadcasting_match_hand_computed_values()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        var row = torch.tensor(new float[] { 10, 20 }, [1, 2]);
        Assert.Equal(new float[] { 11, 22, 13, 24 }, (a + row).data<float>());
        Assert.Equal(new float[] { 2, 3, 4, 5 }, (1 + a).data<float>());
        Assert.Equal(new float[] { 0, -1, -2, -3 }, (1 - a).data<float>());
        Assert.Equal(new float[] { 4, 6 }, a.sum(0).data<float>());
        Assert.Equal(2.5f, a.mean().item<float>());
        Assert.Equal(new long[] { 1, 1 }, a.argmax(1).data<long>());
        Assert.Equal(new float[] { 7, 10, 15, 22 }, a.matmul(a).data<float>());
        Assert.Equal(1.2909944, a.std().item<double>(), 6);
    }

    [Fact]
    public void Wrong_shape_inside_a_model_names_the_op_and_both_shapes()
    {
        using var scope = torch.NewDisposeScope();
        using var conv = new Modules.Conv2d(3, 8, 4);
        var x = torch.zeros(2, 1, 64, 64);
        var e = Assert.Throws<TorchException>(() => conv.forward(x));
        Assert.Contains("conv2d", e.Message);
        Assert.Contains("[2, 1, 64, 64]", e.Message);
        Assert.Contains("[8, 3, 4, 4]", e.Message);

        var m = Assert.Throws<TorchException>(() => torch.zeros(3, 4).matmul(torch.zeros(5, 6)));
        Assert.Contains("matmul", m.Message);
        Assert.Contains("[3, 4]", m.Message);
        Assert.Contains("[5, 6]", m.Message);
    }

    [Fact]
    public void Asking_for_cuda_without_a_gpu_gives_an_actionable_message()
    {
        if (torch.cuda.is_available()) return; // this check is about machines without a GPU
        var e = Assert.Throws<TorchException>(() => Device.Parse("cuda"));
        Assert.Contains("no CUDA device", e.Message);
        Assert.Contains("auto", e.Message);
        Assert.Equal(Device.CPU, Device.Parse("auto"));
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
    }

    [Fact]
    public void Manual_seed_makes_random_tensors_and_dropout_repeatable()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(123);
        var a = torch.randn(5).data<float>();
        var da = torch.nn.functional.dropout(torch.ones(64), 0.5, true).data<float>();
        torch.manual_seed(123);
        var b = torch.randn(5).data<float>();
        var db = torch.nn.functional.dropout(torch.ones(64), 0.5, true).data<float>();
        Assert.Equal(a, b);
        Assert.Equal(da, db);
        Assert.Contains(0f, da);
        Assert.Contains(2f, da); // inverted dropout rescales kept units by 1/(1-p)
    }

    [Fact]
    public void Dispose_scope_frees_every_intermediate_and_keeps_moved_results()
    {
        long before = Tensor.LiveCount;
        Tensor kept;
        using (torch.NewDisposeScope())
        {
            var x = torch.randn(4, 4);
            var y = (x * 2 + 1).relu().sum(0);
            kept = y.MoveToOuterDisposeScope();
        }
        Assert.Equal(before + 1, Tensor.LiveCount);
        Assert.Equal(4, kept.numel());
        kept.Dispose();
        Assert.Equal(before, Tensor.LiveCount);
        Assert.Throws<ObjectDisposedException>(() => kept.sum());
    }

    [Fact]
    public void No_grad_blocks_recording_and_restores_the_previous_mode()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.ones([3], requiresGrad: true);
        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            Assert.False((w * 2).requires_grad);
        }
        Assert.True(torch.is_grad_enabled());
        var loss = (w * w).sum();
        loss.backward();
        Assert.Equal(new float[] { 2, 2, 2 }, w.grad!.data<float>());
    }

    [Fact]
    public void Asking_for_the_wrong_element_type_says_how_to_convert()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => torch.zeros(2).data<long>());
        Assert.Contains("Float32", e.Message);
        Assert.Contains(".to(ScalarType.Int64)", e.Message);
    }
}

public class ScalarPromotionTests
{
    [Fact]
    public void Integral_tensors_with_integral_scalars_stay_integral_like_pytorch()
    {
        using var scope = torch.NewDisposeScope();
        var l = torch.arange(0, 7);
        Assert.Equal(ScalarType.Int64, l.remainder(5).dtype);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 0, 1 }, l.remainder(5).data<long>());
        Assert.Equal(ScalarType.Int64, (l * 2).dtype);
        Assert.Equal(ScalarType.Float32, (l * 2.5).dtype);
        Assert.Equal(new long[] { 10, 9, 8 }, (10 - torch.arange(0, 3)).data<long>());
        Assert.Equal(new float[] { 2, 1, 0.5f }, (2 / torch.tensor(new float[] { 1, 2, 4 })).data<float>());
    }
}
