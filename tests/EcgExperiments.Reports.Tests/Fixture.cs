namespace EcgExperiments.Reports.Tests;

internal static class Fixture
{
    /// <summary>Three classification runs written before run records had "task" and "metrics_table".</summary>
    public static string RunsRoot => Path.Combine(AppContext.BaseDirectory, "Fixtures", "runs");

    /// <summary>One anomaly and one reconstruction run in the task-general run-record format.</summary>
    public static string TasksRoot => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tasks");

    /// <summary>
    /// A real two-axis sweep (model cnn2d/resnet1d × imbalance none/class_weights/focal) on one synthetic test set of 32
    /// examples, with predictions.csv per run and the sweep's index.sqlite: the paired-comparison fixture.
    /// </summary>
    public static string SweepRoot => Path.Combine(AppContext.BaseDirectory, "Fixtures", "sweep");

    /// <summary>
    /// A real two-trial multi-label sweep (PTB-XL superdiagnostic on the shared subset, imbalance none vs class_weights;
    /// the spec beside it): run.json and metrics.json (a multi-label report) per run.
    /// </summary>
    public static string MultiLabelRoot => Path.Combine(AppContext.BaseDirectory, "Fixtures", "multilabel");

    public static string TempDir(string prefix = "ecg-report-") => Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Copies the fixture runs to a temp folder (for tests that edit them).</summary>
    public static string CopyRuns(string? root = null)
    {
        root ??= RunsRoot;
        var dest = TempDir("ecg-runs-");
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dest, Path.GetRelativePath(root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return dest;
    }

    public static IEnumerable<string> SvgBlocks(string html)
    {
        int at = 0;
        while ((at = html.IndexOf("<svg", at, StringComparison.Ordinal)) >= 0)
        {
            int end = html.IndexOf("</svg>", at, StringComparison.Ordinal);
            Assert.True(end > at, "an <svg> without </svg>");
            yield return html[at..(end + "</svg>".Length)];
            at = end;
        }
    }
}
