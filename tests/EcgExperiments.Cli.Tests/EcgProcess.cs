using System.Diagnostics;

namespace EcgExperiments.Cli.Tests;

/// <summary>Runs the <c>ecg</c> built beside the tests in its own process, as a user would, and returns what it did.</summary>
internal static class EcgProcess
{
    public static (int code, string stdout, string stderr) Run(string? workingDirectory, IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ecg.dll"), .. args])
        { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }
}
