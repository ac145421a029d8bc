using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Torch.Tests;

public class NativeMemoryTests
{
    private static long ResidentBytes()
    {
        // /proc/self/statm: size resident shared … in pages.
        var fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
    }

    [Fact]
    public void Ten_thousand_training_steps_do_not_grow_native_memory()
    {
        const int steps = 10_000;
        const long boundBytes = 16L << 20; // 16 MiB of slack for allocator caches and JIT; a leak of one batch per step would be ~100 MiB
        torch.manual_seed(0);
        using var net = new Sequential(new Conv1d(1, 8, 5), new BatchNorm1d(8), new ReLU(), new AdaptiveAvgPool1d(4), new Flatten(), new Linear(32, 2));
        using var opt = torch.optim.Adam(net.parameters(), lr: 1e-3);
        var batch = torch.randn(16, 1, 64).DetachFromDisposeScope();
        var labels = torch.randint(0, 2, [16]).DetachFromDisposeScope();

        long liveBefore = 0, rssAfterWarmup = 0;
        for (int i = 0; i < steps; i++)
        {
            if (i == 500)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                liveBefore = Tensor.LiveCount;
                rssAfterWarmup = ResidentBytes();
            }
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var loss = F.cross_entropy(net.forward(batch), labels);
            loss.backward();
            opt.step();
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long growth = ResidentBytes() - rssAfterWarmup;
        Assert.Equal(liveBefore, Tensor.LiveCount);
        Assert.True(growth < boundBytes, $"resident memory grew by {growth / 1024.0 / 1024.0:F1} MiB over {steps - 500} steps (bound {boundBytes >> 20} MiB)");
        batch.Dispose();
        labels.Dispose();
    }
}
