using EcgExperiments.Core;
using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Torch.Tests;

public class OptimizerAndStateTests
{
    [Fact]
    public void First_adam_step_moves_each_weight_by_lr_times_the_gradient_sign()
    {
        // With bias correction, Adam's first update is lr·g/(|g|+eps) ≈ lr·sign(g).
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new float[] { 1, -2, 3 }, requiresGrad: true);
        using var opt = torch.optim.Adam([w], lr: 0.1);
        (w * torch.tensor(new float[] { 2, -5, 0.5f })).sum().backward();
        opt.step();
        var v = w.data<float>();
        Assert.Equal(0.9f, v[0], 5);
        Assert.Equal(-1.9f, v[1], 5);
        Assert.Equal(2.9f, v[2], 5);
    }

    [Fact]
    public void AdamW_decays_weights_independently_of_the_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new float[] { 2 }, requiresGrad: true);
        using var opt = torch.optim.AdamW([w], lr: 0.1, weightDecay: 0.5);
        (w * 0).sum().backward(); // zero gradient: only the decoupled decay acts
        opt.step();
        Assert.Equal(2 * (1 - 0.1f * 0.5f), w.data<float>()[0], 5);
    }

    [Fact]
    public void Sgd_follows_the_gradient_and_learning_rate_can_be_changed()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new float[] { 1 }, requiresGrad: true);
        using var opt = torch.optim.SGD([w], lr: 0.5);
        (w * w).sum().backward(); // g = 2
        opt.step();
        Assert.Equal(0f, w.data<float>()[0], 6);
        opt.LearningRate = 0.25;
        Assert.Equal(0.25, opt.LearningRate, 12);
        opt.zero_grad();
        Assert.Null(w.grad);
    }

    [Fact]
    public void Gradient_clipping_rescales_to_the_requested_norm()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 0, 0 }, requiresGrad: true);
        (a * torch.tensor(new float[] { 3, 4 })).sum().backward();
        var before = torch.nn.utils.clip_grad_norm_([a], 1.0);
        Assert.Equal(5.0, before, 5);
        var g = a.grad!.data<float>();
        Assert.Equal(0.6f, g[0], 4);
        Assert.Equal(0.8f, g[1], 4);
    }

    [Fact]
    public void A_small_network_learns_xor()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        using var net = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));
        using var opt = torch.optim.Adam(net.parameters(), lr: 0.05);
        var x = torch.tensor(new float[] { 0, 0, 0, 1, 1, 0, 1, 1 }, [4, 2]);
        var y = torch.tensor(new float[] { 0, 1, 1, 0 }, [4, 1]);
        for (int i = 0; i < 300; i++)
        {
            using var step = torch.NewDisposeScope();
            opt.zero_grad();
            F.binary_cross_entropy_with_logits(net.forward(x), y).backward();
            opt.step();
        }
        using (torch.no_grad())
            Assert.Equal(new float[] { 0, 1, 1, 0 }, net.forward(x).gt(0).@float().data<float>());
    }

    [Fact]
    public void Saved_state_reloads_into_a_fresh_model_with_identical_outputs()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(Path.GetTempPath(), $"ecg-state-{Guid.NewGuid():N}.ecgstate");
        try
        {
            torch.manual_seed(2);
            using var a = new Sequential(new Conv1d(1, 4, 3), new BatchNorm1d(4), new ReLU(), new Flatten(), new Linear(4 * 8, 2));
            a.train();
            a.forward(torch.randn(5, 1, 10)); // updates batch-norm running statistics (buffers must be saved too)
            a.eval();
            a.save(path, new Dictionary<string, string> { ["experiment"] = "unit" });

            torch.manual_seed(99);
            using var b = new Sequential(new Conv1d(1, 4, 3), new BatchNorm1d(4), new ReLU(), new Flatten(), new Linear(4 * 8, 2));
            b.eval();
            var meta = b.load(path);
            Assert.Equal("unit", meta["experiment"]);
            var x = torch.randn(3, 1, 10);
            Assert.Equal(a.forward(x).data<float>(), b.forward(x).data<float>());
            Assert.Equal(a.state_dict().Select(p => p.Key), b.state_dict().Select(p => p.Key));
            Assert.Contains("1.running_mean", a.state_dict().Select(p => p.Key));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void State_files_that_are_newer_truncated_or_mismatched_are_refused_with_reasons()
    {
        using var scope = torch.NewDisposeScope();
        var dir = Directory.CreateTempSubdirectory("ecg-state-").FullName;
        try
        {
            using var m = new Linear(3, 2);
            var good = Path.Combine(dir, "good.ecgstate");
            m.save(good);
            var bytes = File.ReadAllBytes(good);

            var newer = Path.Combine(dir, "newer.ecgstate");
            var nb = (byte[])bytes.Clone();
            BitConverter.GetBytes((uint)(StateFile.CurrentVersion + 1)).CopyTo(nb, 8);
            File.WriteAllBytes(newer, nb);
            Assert.Contains("newer than this build", Assert.Throws<EcgDataException>(() => m.load(newer)).Message);

            var truncated = Path.Combine(dir, "truncated.ecgstate");
            File.WriteAllBytes(truncated, bytes[..(bytes.Length - 7)]);
            var te = Assert.Throws<EcgDataException>(() => m.load(truncated));
            Assert.Contains("truncated", te.Message);
            Assert.Contains("truncated.ecgstate", te.Message);

            using var other = new Linear(4, 2);
            var se = Assert.Throws<TorchException>(() => other.load(good));
            Assert.Contains("'weight' has shape [2, 3] in the file, [2, 4] in the model", se.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
