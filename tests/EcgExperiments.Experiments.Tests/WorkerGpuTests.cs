using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Running.Workers;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Tests;

/// <summary>Local worker processes on a machine with several GPUs (injected: this machine has none): each worker gets its own device, round-robin.</summary>
public class WorkerGpuTests
{
    private static readonly string Tiny = SpecFiles.Minimal.Replace("epochs: 4", "epochs: 1");
    private static readonly string[] FourGpus = ["0", "1", "2", "3"];

    // Loaded on CPU (a spec naming cuda does not load on a machine without one); the device comes from --device.
    private static readonly IReadOnlyList<Trial> Cpu = SpecLoader.LoadTrials(SpecFiles.Write(Tiny.Replace("seed: 3", "seed: 3\ndevice: cpu")));

    [Fact]
    public void Workers_on_cuda_or_auto_get_one_gpu_each_round_robin()
    {
        var settings = new SweepSettings { Workers = 3 };
        var plan = WorkerPlan.Resolve(settings, Cpu, new RunOptions { Device = "cuda" }, maxParallel: 8, cores: 12, gpus: FourGpus);
        Assert.Equal(["0", "1", "2"], Enumerable.Range(0, plan.Workers).Select(plan.GpuFor));
        Assert.EndsWith("; GPUs round-robin: worker 1 → CUDA_VISIBLE_DEVICES=0, worker 2 → 1, worker 3 → 2", plan.Describe());
        // More workers than GPUs share them in turn; the ids are passed as given (e.g. a scheduler's CUDA_VISIBLE_DEVICES=2,3).
        plan = WorkerPlan.Resolve(settings with { Workers = 5 }, Cpu, new RunOptions { Device = "auto" }, maxParallel: 8, cores: 12, gpus: ["2", "3"]);
        Assert.Equal(["2", "3", "2", "3", "2"], Enumerable.Range(0, plan.Workers).Select(plan.GpuFor));
        // Without --device the spec's device decides: a spec that says auto spreads too.
        var auto = SpecLoader.LoadTrials(SpecFiles.Write(Tiny.Replace("seed: 3", "seed: 3\ndevice: auto")));
        Assert.Equal("1", WorkerPlan.Resolve(settings, auto, new RunOptions(), 8, 12, FourGpus).GpuFor(1));
    }

    [Theory]
    [InlineData("cpu", 3)]     // CPU trials need no GPU
    [InlineData("cuda:1", 3)]  // a spec that names its GPU keeps it
    [InlineData("cuda", 1)]    // one worker: nothing to spread
    public void No_gpus_are_assigned_where_there_is_nothing_to_spread(string device, int workers)
    {
        var plan = WorkerPlan.Resolve(new SweepSettings { Workers = workers, Isolation = SweepIsolation.Process }, Cpu, new RunOptions { Device = device }, 8, 12, FourGpus);
        Assert.Empty(plan.Gpus);
        Assert.Null(plan.GpuFor(0));
        Assert.DoesNotContain("GPUs", plan.Describe());
    }
}
