using EcgExperiments.Core;
using Xunit;

namespace EcgExperiments.TestSupport;

/// <summary>Finds the real public databases used by tests (see <see cref="ProjectPaths.DataRoot"/>).</summary>
public static class RealData
{
    public static string Root => ProjectPaths.DataRoot;
    public static string MitBih => Path.Combine(Root, "mitbih");
    public static string PtbXl => Path.Combine(Root, "ptbxl");
    public static string Ecg5000 => Path.Combine(Root, "ecg5000");

    public static bool Has(string dataset) => Directory.Exists(Path.Combine(Root, dataset));

    public static string SkipReason(string dataset) =>
        $"real data '{dataset}' not found under {Root}. {ProjectPaths.DataHelp}";
}

/// <summary>
/// A fact that needs a real database (folder name under the data root: "mitbih", "ptbxl", "ecg5000").
/// Where the data is present (always in this project's CI) it runs; elsewhere it is reported as
/// skipped with how to get the data.
/// </summary>
public sealed class RealDataFactAttribute : FactAttribute
{
    public RealDataFactAttribute(params string[] datasets)
    {
        if (datasets.FirstOrDefault(d => !RealData.Has(d)) is { } missing) Skip = RealData.SkipReason(missing);
    }
}

/// <summary>
/// A fact that needs native bfloat16 on the CPU (AVX512-BF16 or AMX-BF16) and the named real databases, if any;
/// elsewhere reported as skipped with what is missing.
/// </summary>
public sealed class Bf16FactAttribute : FactAttribute
{
    public Bf16FactAttribute(params string[] datasets)
    {
        if (!EcgExperiments.Torch.torch.cpu.is_bf16_supported()) Skip = "needs a processor with AVX512-BF16 or AMX-BF16 (precision: bf16)";
        else if (datasets.FirstOrDefault(d => !RealData.Has(d)) is { } missing) Skip = RealData.SkipReason(missing);
    }
}

/// <summary>Theory variant of <see cref="RealDataFactAttribute"/>.</summary>
public sealed class RealDataTheoryAttribute : TheoryAttribute
{
    public RealDataTheoryAttribute(string dataset)
    {
        if (!RealData.Has(dataset)) Skip = RealData.SkipReason(dataset);
    }
}

/// <summary>
/// A fact that compares with a Python peer (Debian's <c>/usr/bin/python3</c> with the named modules). Where the
/// modules are missing it is reported as skipped with the package to install, instead of passing unchecked.
/// </summary>
public sealed class PythonPeerFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    public PythonPeerFactAttribute(params string[] modules)
    {
        if (!Available(modules))
            Skip = $"needs {Python} with {string.Join(", ", modules)} (Debian: apt-get install {string.Join(" ", modules.Select(m => "python3-" + m))})";
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Cache = new();

    private static bool Available(string[] modules) => Cache.GetOrAdd(string.Join(",", modules), _ =>
    {
        if (!File.Exists(Python)) return false;
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo(Python, ["-c", "import " + string.Join(", ", modules)])
            { RedirectStandardError = true, RedirectStandardOutput = true };
            using var p = System.Diagnostics.Process.Start(psi)!;
            p.WaitForExit(20_000);
            return p.HasExited && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });
}
