using EcgExperiments.Core;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running;

/// <summary>One published-metric check: target, measured value, tolerance (or minimum) and the verdict.</summary>
public sealed record VerifyRow(string Metric, string? Class, double Target, double Tolerance, double? Minimum, double? Measured, bool Pass, string? Note,
    double? Maximum = null, string? KnownMiss = null)
{
    /// <summary>pass, FAIL, known miss (a miss the spec explains), or "passes: remove known_miss" (the explanation went stale).</summary>
    public string Verdict => (Pass, KnownMiss) switch
    {
        (true, null) => "pass",
        (false, null) => "FAIL",
        (false, _) => "known miss",
        (true, _) => "passes: remove known_miss",
    };

    /// <summary>True when the row is as the spec says it should be: a pass, or a miss the spec explains.</summary>
    public bool AsExpected => Pass == (KnownMiss is null);

    public string Rule => Minimum is { } m ? Maximum is { } x ? $"in [{m:0.####}, {x:0.####}]" : $"≥ {m:0.####}"
        : Maximum is { } mx ? $"≤ {mx:0.####}" : $"± {Tolerance:0.####}";
}

/// <summary>Compares a run's test metrics with the experiment's <c>expect:</c> block (SPEC §6).</summary>
public static class Verifier
{
    /// <summary>
    /// Looks each expectation up in the report's tidy table (aggregate metrics by name, per-class ones with
    /// <c>class:</c>). A metric the report does not have fails, with the note saying so.
    /// </summary>
    public static IReadOnlyList<VerifyRow> Check(IReadOnlyList<ExpectSpec> expect, MetricReport report) => Check(expect, report.ToTable());

    /// <summary>Checks against a tidy metric table (any task: classification, anomaly, reconstruction).</summary>
    public static IReadOnlyList<VerifyRow> Check(IReadOnlyList<ExpectSpec> expect, IReadOnlyList<MetricEntry> table)
    {
        return expect.Select(x =>
        {
            var row = table.FirstOrDefault(r => r.Metric == x.Metric && string.Equals(r.Class, x.Class, StringComparison.Ordinal));
            double? measured = row?.Value;
            bool pass = measured is { } m && (x.Minimum is null && x.Maximum is null
                ? Math.Abs(m - x.Target) <= x.Tolerance
                : (x.Minimum is not { } min || m >= min) && (x.Maximum is not { } max || m <= max));
            var note = row is null ? $"metric '{x.Metric}'{(x.Class is null ? "" : $" for class {x.Class}")} is not in the report" : x.Note;
            return new VerifyRow(x.Metric, x.Class, x.Target, x.Tolerance, x.Minimum, measured, pass, note, x.Maximum, x.KnownMiss);
        }).ToList();
    }

    /// <summary>The tidy test-metric table of a finished trial, or null when it has no completed run record.</summary>
    public static IReadOnlyList<MetricEntry>? FinishedTable(string runDirectory, string trialKey) =>
        RunRecordFile.TryRead(runDirectory, trialKey) is { Status: TrialStatus.Completed } record ? record.MetricsTable : null;
}
