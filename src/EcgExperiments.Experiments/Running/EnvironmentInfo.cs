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
        ["git_dirty"] = GitDirty(),
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

    /// <summary>
    /// The checkout's HEAD commit read from .git (no git binary needed), or null outside a checkout. In a worktree (or a
    /// submodule) .git is a file naming the real git folder, whose <c>commondir</c> holds the branches.
    /// </summary>
    public static string? GitCommit() => ProjectPaths.RepositoryRoot is { } root ? GitCommit(root) : null;

    /// <summary>The HEAD commit of the checkout at <paramref name="checkout"/>, or null when it cannot be read.</summary>
    public static string? GitCommit(string checkout)
    {
        try
        {
            var gitDir = GitDirectory(checkout);
            if (gitDir is null) return null;
            var commonDir = File.Exists(Path.Combine(gitDir, "commondir"))
                ? Path.GetFullPath(Path.Combine(gitDir, File.ReadAllText(Path.Combine(gitDir, "commondir")).Trim()))
                : gitDir;
            var head = File.ReadAllText(Path.Combine(gitDir, "HEAD")).Trim();
            if (!head.StartsWith("ref: ", StringComparison.Ordinal)) return head;
            var refName = head[5..];
            foreach (var dir in new[] { gitDir, commonDir })
            {
                var refFile = Path.Combine(dir, refName);
                if (File.Exists(refFile)) return File.ReadAllText(refFile).Trim();
            }
            var packed = Path.Combine(commonDir, "packed-refs");
            if (File.Exists(packed))
                foreach (var line in File.ReadLines(packed))
                    if (line.EndsWith(" " + refName, StringComparison.Ordinal)) return line[..40];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>The git folder of a checkout: <c>.git</c> itself, or the folder a <c>.git</c> file points to (<c>gitdir: …</c>).</summary>
    private static string? GitDirectory(string checkout)
    {
        var git = Path.Combine(checkout, ".git");
        if (Directory.Exists(git)) return git;
        if (!File.Exists(git)) return null;
        var line = File.ReadLines(git).FirstOrDefault(l => l.StartsWith("gitdir:", StringComparison.Ordinal));
        return line is null ? null : Path.GetFullPath(Path.Combine(checkout, line["gitdir:".Length..].Trim()));
    }

    private static readonly Lazy<bool?> Dirty = new(() => ProjectPaths.RepositoryRoot is { } root ? GitDirty(root) : null);

    /// <summary>
    /// Whether the checkout has uncommitted changes to tracked files (then the commit alone does not say which code ran),
    /// asked of the git command once per process; null when git is not installed or this is not a checkout.
    /// </summary>
    public static bool? GitDirty() => Dirty.Value;

    /// <summary><see cref="GitDirty()"/> of the checkout at <paramref name="checkout"/>.</summary>
    public static bool? GitDirty(string checkout)
    {
        if (GitDirectory(checkout) is null) return null;
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo("git", ["-C", checkout, "status", "--porcelain", "--untracked-files=no"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            };
            using var git = System.Diagnostics.Process.Start(psi);
            if (git is null) return null;
            git.StandardInput.Close();
            var output = git.StandardOutput.ReadToEndAsync();
            _ = git.StandardError.ReadToEndAsync();
            if (!git.WaitForExit(10_000))
            {
                git.Kill();
                return null;
            }
            return git.ExitCode == 0 ? output.Result.Trim().Length > 0 : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null; // no git installed
        }
    }
}
