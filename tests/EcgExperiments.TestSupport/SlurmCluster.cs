using Xunit;

namespace EcgExperiments.TestSupport;

/// <summary>
/// The single-node Slurm cluster the Slurm integration test runs against: started on localhost by <c>./ecg test</c>
/// (tools/slurm/local-cluster.sh, which exports <see cref="Variable"/> and <c>SLURM_CONF</c>) and stopped after the tests.
/// </summary>
public static class SlurmTestCluster
{
    /// <summary>Set to the cluster's folder (its slurm.conf, munge key, state and logs) by tools/slurm/local-cluster.sh.</summary>
    public const string Variable = "ECG_TEST_SLURM_CLUSTER";

    /// <summary>The cluster's folder, or null when none was started.</summary>
    public static string? Folder =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } dir && File.Exists(Path.Combine(dir, "slurm.conf")) ? dir : null;

    /// <summary>Why the integration test cannot run here, or null when it can.</summary>
    public static string? SkipReason
    {
        get
        {
            var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "sbatch")));
            if (!onPath)
                return "needs Slurm (sbatch not found): on Debian apt-get install slurmctld slurmd slurm-client munge, then run ./ecg test, " +
                       "which starts a single-node cluster on localhost for this test (tools/slurm/local-cluster.sh) and stops it afterwards";
            if (Folder is null)
                return $"no test cluster ({Variable} is not set): run ./ecg test, or as root eval \"$(tools/slurm/local-cluster.sh start)\" before dotnet test " +
                       "and tools/slurm/local-cluster.sh stop \"$ECG_TEST_SLURM_CLUSTER\" after it";
            return null;
        }
    }
}

/// <summary>A fact that needs the local Slurm test cluster; reported as skipped, with how to get it, where there is none.</summary>
public sealed class SlurmClusterFactAttribute : FactAttribute
{
    public SlurmClusterFactAttribute()
    {
        if (SlurmTestCluster.SkipReason is { } reason) Skip = reason;
    }
}
