using System.Diagnostics;

namespace EcgExperiments.Bench;

/// <summary>Runs a peer script shipped beside the benchmark with the benchmark's Python and returns its output words.</summary>
internal static class PythonPeer
{
    public static string Python => Environment.GetEnvironmentVariable("ECG_BENCH_PYTHON") ?? "/usr/bin/python3";

    /// <summary>The whitespace-separated words the script printed, or null (after printing its error) when it failed.</summary>
    public static string[]? Run(string script, params string[] args)
    {
        var psi = new ProcessStartInfo(Python, [Path.Combine(AppContext.BaseDirectory, script), .. args])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {Python}");
        var output = p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode == 0) return output.Trim().Split(' ');
        Console.Error.WriteLine($"numpy peer {script} failed: {err}");
        return null;
    }
}
