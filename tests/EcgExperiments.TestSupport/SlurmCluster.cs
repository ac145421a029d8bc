using System.Diagnostics;
using EcgExperiments.Core;
using Xunit;

namespace EcgExperiments.TestSupport;

/// <summary>
/// Where the Slurm integration tests get their single-node cluster: one already running (its folder in
/// <see cref="Variable"/>, as <c>tools/slurm/local-cluster.sh start</c> prints it), or one that
/// <see cref="SlurmTestClusterFixture"/> starts on localhost for the tests and stops after them.
/// </summary>
public static class SlurmTestCluster
{
    /// <summary>The folder of an already running test cluster (its slurm.conf, munge key, state and logs), as the script prints it.</summary>
    public const string Variable = "ECG_TEST_SLURM_CLUSTER";

    /// <summary>The script that starts and stops the cluster, relative to the repository root.</summary>
    public const string Script = "tools/slurm/local-cluster.sh";

    private const string Install = "on Debian: apt-get install slurmctld slurmd slurm-client munge (./ecg test installs them)";

    /// <summary>The folder of a cluster started outside the tests, or null.</summary>
    public static string? GivenFolder =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } dir && File.Exists(Path.Combine(dir, "slurm.conf")) ? dir : null;

    /// <summary>Why the integration tests cannot run here, or null when they can.</summary>
    public static string? SkipReason
    {
        get
        {
            var missing = new[] { "sbatch", "squeue", "slurmctld", "slurmd", "munged" }.Where(tool => !Installed(tool)).ToList();
            if (missing.Count > 0) return $"needs Slurm ({string.Join(", ", missing)} not found): {Install}";
            if (GivenFolder is null && !Environment.IsPrivilegedProcess)
                return $"the test starts its own single-node Slurm cluster, which needs root (slurmd starts jobs as any user): run the tests as root, " +
                       $"or start one as root with eval \"$({Script} start)\" and run them with {Variable} set";
            return null;
        }
    }

    // The daemons live in sbin, which a user's PATH may leave out.
    private static bool Installed(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/sbin").Append("/sbin")
            .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));
}

/// <summary>
/// The single-node Slurm cluster of one test class: the one named by <see cref="SlurmTestCluster.Variable"/> if set,
/// otherwise started here with its own configuration, ports and munge key (<see cref="SlurmTestCluster.Script"/>) and
/// stopped, jobs and daemons by PID, when the class's tests end. Nothing is started where the tests are skipped.
/// </summary>
public sealed class SlurmTestClusterFixture : IDisposable
{
    private readonly bool _startedHere;

    public SlurmTestClusterFixture()
    {
        if (SlurmTestCluster.SkipReason is not null) return;
        if (SlurmTestCluster.GivenFolder is { } given)
        {
            Folder = given;
            return;
        }
        var folder = Directory.CreateTempSubdirectory("ecg-test-cluster-").FullName;
        var (code, log) = RunScript("start", folder);
        // The script has stopped whatever did start, and its message ends with the daemons' last log lines.
        if (code != 0) throw new InvalidOperationException($"{SlurmTestCluster.Script} start {folder} failed (exit {code}):\n{log}");
        Folder = folder;
        _startedHere = true;
    }

    /// <summary>The cluster's folder (null where the tests are skipped).</summary>
    public string? Folder { get; }

    /// <summary>What a process needs to talk to this cluster rather than the machine's own: <c>SLURM_CONF</c>.</summary>
    public IReadOnlyDictionary<string, string> ProcessEnvironment =>
        new Dictionary<string, string> { ["SLURM_CONF"] = Path.Combine(Folder ?? throw new InvalidOperationException("no test cluster"), "slurm.conf") };

    public void Dispose()
    {
        if (!_startedHere || Folder is null) return;
        var (code, log) = RunScript("stop", Folder);
        if (code != 0) throw new InvalidOperationException($"{SlurmTestCluster.Script} stop {Folder} failed (exit {code}): stop its daemons by the PIDs in {Folder}\n{log}");
    }

    private static (int Code, string Log) RunScript(string verb, string folder)
    {
        var root = ProjectPaths.RepositoryRoot ?? throw new InvalidOperationException($"the repository root (with {SlurmTestCluster.Script}) was not found above {AppContext.BaseDirectory}");
        var psi = new ProcessStartInfo("bash", [Path.Combine(root, SlurmTestCluster.Script), verb, folder]) { RedirectStandardOutput = true, RedirectStandardError = true };
        // The daemons are in sbin, which a test runner's PATH may leave out.
        psi.Environment["PATH"] = $"{Environment.GetEnvironmentVariable("PATH")}:/usr/sbin:/sbin";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stderr + stdout.Result);
    }
}

/// <summary>A fact that needs the local Slurm test cluster; reported as skipped, with how to get it, where Slurm is not installed.</summary>
public sealed class SlurmClusterFactAttribute : FactAttribute
{
    public SlurmClusterFactAttribute()
    {
        if (SlurmTestCluster.SkipReason is { } reason) Skip = reason;
    }
}
