namespace EcgExperiments.Core;

/// <summary>
/// Locations the framework needs: the repository root (when running from a checkout) and the
/// real-data root. The data root is one setting: environment variable <c>ECG_DATA_ROOT</c>,
/// default <c>../shared/data</c> next to the repository.
/// </summary>
public static class ProjectPaths
{
    public const string DataRootVariable = "ECG_DATA_ROOT";

    /// <summary>Where to get the public databases when they are missing.</summary>
    public const string DataHelp =
        "Download them from PhysioNet (MIT-BIH Arrhythmia: https://physionet.org/content/mitdb/1.0.0/, " +
        "PTB-XL: https://physionet.org/content/ptb-xl/1.0.3/) and the UCR archive (ECG5000), " +
        "then set " + DataRootVariable + " to the folder holding mitbih/, ptbxl/ and ecg5000/.";

    private static readonly Lazy<string?> Root = new(FindRepositoryRoot);

    /// <summary>The checkout's root (folder holding EcgExperiments.sln), or null when installed elsewhere.</summary>
    public static string? RepositoryRoot => Root.Value;

    /// <summary>The real-data root: <c>$ECG_DATA_ROOT</c>, else <c>../shared/data</c> beside the repository.</summary>
    public static string DataRoot
    {
        get
        {
            var env = Environment.GetEnvironmentVariable(DataRootVariable);
            if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
            var baseDir = RepositoryRoot ?? Directory.GetCurrentDirectory();
            return Path.GetFullPath(Path.Combine(baseDir, "..", "shared", "data"));
        }
    }

    /// <summary>Path of a dataset folder under the data root (e.g. "mitbih"), or null when absent.</summary>
    public static string? TryDataset(string name)
    {
        var p = Path.Combine(DataRoot, name);
        return Directory.Exists(p) ? p : null;
    }

    private static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "EcgExperiments.sln"))) return d.FullName;
        }
        return null;
    }
}
