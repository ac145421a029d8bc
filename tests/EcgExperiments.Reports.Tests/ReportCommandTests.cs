using System.CommandLine;
using EcgExperiments.Cli;

namespace EcgExperiments.Reports.Tests;

public class ReportCommandTests
{
    [Fact]
    public void Report_command_writes_all_four_files()
    {
        var output = Path.Combine(Fixture.TempDir(), "out");
        var root = new RootCommand { ReportCommand.Create(action => action()) };
        int rc = root.Parse(["report", Fixture.RunsRoot, "--output", output, "--heatmap-metric", "accuracy", "--title", "CLI test"]).Invoke();
        Assert.Equal(0, rc);
        foreach (var ext in new[] { "md", "csv", "json", "html" }) Assert.True(File.Exists(Path.Combine(output, $"report.{ext}")), ext);
        var html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("<title>CLI test</title>", html);
        Assert.Contains("aria-label=\"accuracy (test set)\"", html);
    }

    [Fact]
    public void Report_command_needs_at_least_one_path()
    {
        var root = new RootCommand { ReportCommand.Create(action => action()) };
        Assert.NotEmpty(root.Parse(["report"]).Errors);
    }
}
