namespace EcgExperiments.Reports.Tests;

internal static class Fixture
{
    public static string RunsRoot => Path.Combine(AppContext.BaseDirectory, "Fixtures", "runs");

    public static string TempDir(string prefix = "ecg-report-") => Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Copies the fixture runs to a temp folder (for tests that edit them).</summary>
    public static string CopyRuns()
    {
        var dest = TempDir("ecg-runs-");
        foreach (var file in Directory.EnumerateFiles(RunsRoot, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dest, Path.GetRelativePath(RunsRoot, file));
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
