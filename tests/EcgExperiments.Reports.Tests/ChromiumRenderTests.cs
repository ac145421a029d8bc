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
/// anomaly, reconstruction) and of a paired-comparison sweep without a console error, and the DOM it builds keeps every
/// inline SVG chart and table, the comparison charts (overlaid ROC/PR/training curves, parallel coordinates, marginal
/// means) and the small-test-set warning included.
/// </summary>
public sealed class ChromiumRenderTests
{
    [ChromiumFact]
    public void Report_pages_of_every_task_render_in_headless_chromium_without_errors()
    {
        var runs = RunLoader.Discover([Fixture.RunsRoot, Fixture.TasksRoot]);
        Assert.Equal(3, runs.Select(r => r.Task).Distinct().Count());
        var dom = RenderedDom(ReportBuilder.Write(runs, Fixture.TempDir()).Html, out int svgs);
        Assert.True(svgs > 5, $"only {svgs} charts in the page");
        Assert.Contains("Reconstruction", dom);
        Assert.Contains("Anomaly", dom);
    }

    [ChromiumFact]
    public void Comparison_page_renders_its_tables_warning_and_new_charts_in_headless_chromium()
    {
        // The whole sweep: comparison table, verdicts and every new chart. Then two resnet1d runs alone, a draw on 9 HYP
        // examples: the small-test-set warning.
        var sweep = RunLoader.Discover([Fixture.SweepRoot]);
        var dom = RenderedDom(ReportBuilder.Write(sweep, Fixture.TempDir()).Html, out _);
        Assert.Contains("<table class=\"comparisons\" data-test-set=\"A\">", dom);
        int verdicts = dom.IndexOf("<ul class=\"verdicts\">", StringComparison.Ordinal);
        Assert.True(verdicts > 0, "no verdict list in the DOM");
        Assert.Equal(4, CountOf(dom[verdicts..dom.IndexOf("</ul>", verdicts, StringComparison.Ordinal)], "<li>"));   // one per compared run
        foreach (var chart in new[] { "ROC HYP, all runs", "Precision–recall HYP, all runs", "Training curves, all runs", "Parameters → Macro F1",
                     "model: mean Macro F1", "training.imbalance: mean Macro F1" })
            Assert.Contains($"aria-label=\"{chart}\"", dom);
        var pair = sweep.Where(r => r.ModelType == "resnet1d" && r.Strategy is "none" or "class_weights").ToList();
        var small = RenderedDom(ReportBuilder.Write(pair, Fixture.TempDir()).Html, out _);
        Assert.Contains("<div class=\"warning\" role=\"alert\"><strong>Warning:</strong> Test set A is too small", small);
    }

    /// <summary>The DOM Chromium builds from <paramref name="page"/>, after checking it logged no console error and kept every chart and table.</summary>
    private static string RenderedDom(string page, out int svgs)
    {
        var html = File.ReadAllText(page);
        svgs = Fixture.SvgBlocks(html).Count();

        var profile = Fixture.TempDir("ecg-chromium-");
        var psi = new ProcessStartInfo(ChromiumFactAttribute.Browser!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                     "--virtual-time-budget=5000", "--dump-dom", new Uri(page).AbsoluteUri })
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
        Directory.Delete(profile, recursive: true);
        return dom;
    }

    private static int CountOf(string text, string what)
    {
        int n = 0, at = 0;
        while ((at = text.IndexOf(what, at, StringComparison.Ordinal)) >= 0) { n++; at += what.Length; }
        return n;
    }
}
