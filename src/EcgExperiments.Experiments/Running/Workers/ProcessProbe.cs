using System.Globalization;
using System.Runtime.InteropServices;

namespace EcgExperiments.Experiments.Running.Workers;

/// <summary>
/// What the parent needs to watch and stop worker processes on Linux: resident memory from /proc (libtorch reserves
/// far more virtual memory than it touches, so an address-space limit would kill healthy trials) and POSIX signals.
/// </summary>
public static partial class ProcessProbe
{
    public const int SigInt = 2;
    public const int SigKill = 9;

    /// <summary>The process's resident set (VmRSS) in bytes, or null when it is gone or /proc is unavailable.</summary>
    public static long? ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var parts = line[6..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture) * (parts.Length > 1 && parts[1] == "kB" ? 1024 : 1);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }

    /// <summary>Whether a process with this id exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Sends a signal (Ctrl-C is <see cref="SigInt"/>); false when the process is gone.</summary>
    public static bool Signal(int pid, int signal)
    {
        if (OperatingSystem.IsWindows()) return false;
        return kill(pid, signal) == 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
