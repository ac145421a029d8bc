using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EcgExperiments.Core;
using EcgExperiments.Torch;

namespace EcgExperiments.Experiments.Running;

/// <summary>The machine and software a run used, for run records.</summary>
public static class EnvironmentInfo
{
    public static JsonObject Describe(Device device, int threads, string threadReason) => new()
    {
        ["os"] = RuntimeInformation.OSDescription,
        ["architecture"] = RuntimeInformation.ProcessArchitecture.ToString(),
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["libtorch"] = torch.version,
        ["cpu_count"] = Environment.ProcessorCount,
        ["cpu"] = CpuModel(),
        ["device"] = device.ToString(),
        ["cuda_available"] = torch.cuda.is_available(),
        ["cuda_devices"] = torch.cuda.device_count(),
        ["cudnn_deterministic"] = device.IsCuda && torch.backends.cudnn.deterministic,
        ["threads"] = threads,
        ["threads_reason"] = threadReason,
        ["openblas_coretype"] = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE"),
        ["determinism"] = device.IsCuda
            ? "statistically equivalent (GPU kernels may reorder floating-point sums)"
            : threads == 1 ? "bit-exact on this machine (CPU, single thread)" : "statistically equivalent (multi-threaded CPU reductions may reorder sums)",
        ["git_commit"] = GitCommit(),
        ["gpu"] = device.IsCuda ? Gpu(device.Index) : null,
    };

    private static JsonObject Gpu(int index)
    {
        var (driver, runtime) = torch.cuda.versions();
        return new JsonObject
        {
            ["name"] = torch.cuda.get_device_name(index),
            ["memory_bytes"] = torch.cuda.total_memory(index),
            ["cuda_driver"] = CudaVersion(driver),
            ["cuda_runtime"] = CudaVersion(runtime),
            ["cudnn"] = torch.cuda.cudnn_version(),
            ["cudnn_deterministic"] = torch.backends.cudnn.deterministic,
        };
    }

    /// <summary>The processor's model name (Linux /proc/cpuinfo), or null where it cannot be read.</summary>
    private static string? CpuModel()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string CudaVersion(int v) => v == 0 ? "unknown" : $"{v / 1000}.{v % 1000 / 10}";

    /// <summary>The checkout's HEAD commit read from .git (no git binary needed), or null outside a checkout.</summary>
    public static string? GitCommit()
    {
        var root = ProjectPaths.RepositoryRoot;
        if (root is null) return null;
        var git = Path.Combine(root, ".git");
        try
        {
            var head = File.ReadAllText(Path.Combine(git, "HEAD")).Trim();
            if (!head.StartsWith("ref: ", StringComparison.Ordinal)) return head;
            var refName = head[5..];
            var refFile = Path.Combine(git, refName);
            if (File.Exists(refFile)) return File.ReadAllText(refFile).Trim();
            var packed = Path.Combine(git, "packed-refs");
            if (File.Exists(packed))
                foreach (var line in File.ReadLines(packed))
                    if (line.EndsWith(" " + refName, StringComparison.Ordinal)) return line[..40];
        }
        catch (IOException) { }
        return null;
    }

    /// <summary>Peak resident memory of this process (VmHWM), in bytes.</summary>
    public static long PeakResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return Environment.WorkingSet;
    }
}
