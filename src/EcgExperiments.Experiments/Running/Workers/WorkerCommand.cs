using System.Reflection;

namespace EcgExperiments.Experiments.Running.Workers;

/// <summary>
/// How to start a worker: the <c>ecg</c> executable (the apphost, or <c>dotnet ecg.dll</c>) whose hidden
/// <c>trial</c> command runs one trial of a spec and exits with its status.
/// </summary>
/// <param name="FileName">The program to start.</param>
/// <param name="Prefix">Arguments before the <c>trial …</c> ones (the ecg.dll path when started through dotnet).</param>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> Prefix)
{
    /// <summary>This process's own executable (call from the <c>ecg</c> CLI).</summary>
    public static WorkerCommand CurrentProcess()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable this process runs");
        return IsDotnetHost(process)
            ? new WorkerCommand(process, [Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("no entry assembly")])
            : new WorkerCommand(process, []);
    }

    /// <summary>An <c>ecg.dll</c> started through the dotnet host running this process (tests, tools).</summary>
    public static WorkerCommand ForAssembly(string ecgDll)
    {
        if (!File.Exists(ecgDll)) throw new FileNotFoundException($"worker executable {ecgDll} not found (build src/EcgExperiments.Cli)", ecgDll);
        var host = Environment.ProcessPath is { } p && IsDotnetHost(p) ? p : "dotnet";
        return new WorkerCommand(host, [Path.GetFullPath(ecgDll)]);
    }

    private static bool IsDotnetHost(string path) =>
        Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
}
