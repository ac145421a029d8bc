using System.Diagnostics;

namespace EcgExperiments.Reports.Tests;

/// <summary>A fact that needs headless Chromium (Debian <c>chromium</c>); reported as skipped with the package to install elsewhere.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public static string? Browser { get; } = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    public ChromiumFactAttribute()
    {
        if (Browser is null) Skip = "headless Chromium not found; install it with: apt-get install chromium";
    }
}

/// <summary>
/// The report page as a browser sees it: Chromium loads the self-contained HTML of every task kind (classification,
/// anomaly, reconstruction) without a console error, and the DOM it builds keeps every inline SVG chart and table.
/// </summary>
public sealed class ChromiumRenderTests
{
    [ChromiumFact]
    public void Report_pages_of_every_task_render_in_headless_chromium_without_errors()
    {
        var runs = RunLoader.Discover([Fixture.RunsRoot, Fixture.TasksRoot]);
        Assert.Equal(3, runs.Select(r => r.Task).Distinct().Count());
        var files = ReportBuilder.Write(runs, Fixture.TempDir());
        var html = File.ReadAllText(files.Html);
        int svgs = Fixture.SvgBlocks(html).Count();
        Assert.True(svgs > 5, $"only {svgs} charts in the page");

        var profile = Fixture.TempDir("ecg-chromium-");
        var psi = new ProcessStartInfo(ChromiumFactAttribute.Browser!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                     "--virtual-time-budget=5000", "--dump-dom", new Uri(files.Html).AbsoluteUri })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "chromium did not finish within 2 minutes");
        var dom = stdout.Result;
        var log = stderr.Result;
        Assert.True(p.ExitCode == 0, $"chromium exited {p.ExitCode}: {log}");
        // Console messages from the page are logged as "CONSOLE" lines; a broken page or script shows up there.
        var consoleErrors = log.Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal) || l.Contains("Uncaught", StringComparison.Ordinal)).ToList();
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
        Assert.Equal(svgs, CountOf(dom, "<svg"));
        Assert.Equal(CountOf(html, "<table"), CountOf(dom, "<table"));
        Assert.Contains("Reconstruction", dom);
        Assert.Contains("Anomaly", dom);
        Directory.Delete(profile, recursive: true);
    }

    private static int CountOf(string text, string what)
    {
        int n = 0, at = 0;
        while ((at = text.IndexOf(what, at, StringComparison.Ordinal)) >= 0) { n++; at += what.Length; }
        return n;
    }
}
