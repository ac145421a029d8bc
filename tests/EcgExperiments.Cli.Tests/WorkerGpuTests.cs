namespace EcgExperiments.Cli.Tests;

/// <summary>
/// Local worker processes spread over the GPUs (injected through CUDA_VISIBLE_DEVICES: this machine has none, and the
/// trials fall back to the CPU): the dry run shows the assignment and each worker process really gets its own device.
/// </summary>
[Collection("worker processes")]
public class WorkerGpuTests
{
    private static readonly string Spec = EcgCli.TinySpec.Replace("device: cpu", "device: auto") + """

        sweep:
          workers: 2
          parameters:
            training.learning_rate: [0.003, 0.01]
        """;

    [Fact]
    public void Each_local_worker_gets_its_own_gpu_round_robin()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-gpus-").FullName;
        var spec = Path.Combine(dir, "spec.yaml");
        File.WriteAllText(spec, Spec);

        var gpus = new Dictionary<string, string> { ["CUDA_VISIBLE_DEVICES"] = "0,1" };
        var dry = EcgCli.Run(["run", spec, "--dry-run"], gpus, null);
        Assert.Contains("2 worker process(es) (set explicitly), 1 core(s) each; GPUs round-robin: worker 1 → CUDA_VISIBLE_DEVICES=0, worker 2 → 1", dry.stdout);

        // Read each worker's environment from /proc as soon as the sweep reports its pid.
        var seen = new Dictionary<string, string?>();
        var run = EcgCli.Run(["run", spec, "--output", Path.Combine(dir, "results")], gpus, line =>
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^\[(\d+)\] worker pid (\d+)$");
            if (!m.Success) return;
            var environ = File.ReadAllText($"/proc/{m.Groups[2].Value}/environ").Split('\0');
            lock (seen) seen[m.Groups[1].Value] = environ.FirstOrDefault(e => e.StartsWith("CUDA_VISIBLE_DEVICES=", StringComparison.Ordinal));
        });
        Assert.True(run.code == 0, run.stderr);
        Assert.Equal(new Dictionary<string, string?> { ["1"] = "CUDA_VISIBLE_DEVICES=0", ["2"] = "CUDA_VISIBLE_DEVICES=1" }, seen);
    }
}
