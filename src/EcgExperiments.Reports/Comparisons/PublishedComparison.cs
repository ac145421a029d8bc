using EcgExperiments.Core;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Reports;

/// <summary>One published number next to a run's reproduction of it (a row of the "published vs reproduced" table).</summary>
public sealed record PublishedRow(RunRecord Run, VerifyRow Check, MetricEntry? Measured);

/// <summary>
/// The "published vs reproduced" table of a report: for every run whose spec has an <c>expect:</c> block, each published
/// number with the run's value and interval, the verdict (pass, FAIL, known miss with its reason), the protocol, epochs,
/// hardware, wall time and peak memory. The spec is read (not resolved: no data is touched) from the run's recorded spec
/// file, or by that file's name in the repository's <c>experiments/</c> when the run was made elsewhere.
/// </summary>
public static class PublishedComparison
{
    public static IReadOnlyList<PublishedRow> Build(IReadOnlyList<RunRecord> runs)
    {
        var rows = new List<PublishedRow>();
        foreach (var run in runs)
        {
            if (run.SpecFile is null || FindSpec(run.SpecFile) is not { } specFile) continue;
            var expect = SpecLoader.ReadSpec(specFile).Expect;
            foreach (var check in Verifier.Check(expect, run.Table))
                rows.Add(new PublishedRow(run, check, run.Table.FirstOrDefault(t => t.Metric == check.Metric && string.Equals(t.Class, check.Class, StringComparison.Ordinal))));
        }
        return rows;
    }

    private static string? FindSpec(string recorded)
    {
        if (File.Exists(recorded)) return recorded;
        var root = ProjectPaths.RepositoryRoot;
        if (root is null) return null;
        var candidate = Path.Combine(root, "experiments", Path.GetFileName(recorded));
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>"1 h 02 min", "7.4 min", "41 s".</summary>
    public static string Duration(double? seconds) => seconds is { } s ? DurationText.Of(s) : "–";

    /// <summary>A run's wall time: "1 h 12 min", or "6 h 05 min in 3 sittings" for a trial resumed from checkpoints.</summary>
    public static string WallTime(RunRecord run) =>
        run.Sittings is > 1 && run.WallSeconds is not null ? $"{Duration(run.WallSeconds)} in {run.Sittings} sittings" : Duration(run.WallSeconds);

    /// <summary>"2.01 GB", "593 MB".</summary>
    public static string Memory(long? bytes) => bytes switch
    {
        null => "–",
        >= 1_000_000_000 => $"{bytes.Value / 1e9:0.00} GB",
        _ => $"{bytes.Value / 1e6:0} MB",
    };
}
