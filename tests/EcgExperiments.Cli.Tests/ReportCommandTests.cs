namespace EcgExperiments.Cli.Tests;

/// <summary><c>ecg report</c> as a user runs it, on the report tests' fixture runs.</summary>
public class ReportCommandTests
{
    private static readonly string RunsRoot = Path.Combine(AppContext.BaseDirectory, "Fixtures", "runs");

    private static (int code, string stdout, string stderr) Ecg(params string[] args) => EcgProcess.Run(null, null, args);

    [Fact]
    public void Report_command_writes_all_four_files()
    {
        var output = Path.Combine(Directory.CreateTempSubdirectory("ecg-report-").FullName, "out");
        var (code, _, stderr) = Ecg("report", RunsRoot, "--output", output, "--heatmap-metric", "accuracy", "--title", "CLI test");
        Assert.True(code == 0, stderr);
        foreach (var ext in new[] { "md", "csv", "json", "html" }) Assert.True(File.Exists(Path.Combine(output, $"report.{ext}")), ext);
        var html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("<title>CLI test</title>", html);
        Assert.Contains("aria-label=\"accuracy (test set)\"", html);
    }

    [Fact]
    public void Report_command_needs_at_least_one_path_and_names_its_flags_as_typed()
    {
        var (code, _, stderr) = Ecg("report");
        Assert.Equal(ExitCodes.InvalidSpecOrFlag, code);
        Assert.Contains("see `ecg report --help`", stderr);
        (code, _, stderr) = Ecg("report", RunsRoot, "--decimals", "11");
        Assert.Equal(ExitCodes.InvalidSpecOrFlag, code);
        Assert.Contains("--decimals: must be in 0..10, got 11", stderr);
        Assert.DoesNotContain("ReportOptions", stderr);
    }
}
