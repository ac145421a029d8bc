namespace EcgExperiments.Reports;

/// <summary>
/// One baseline row of a summary table: the trivial baseline (class prior, training mean, constant score) evaluated on
/// one test set, shared by every run of that test set. Runs of one test set whose baselines differ (a baseline that
/// depends on the run's preprocessing) get a row each.
/// </summary>
public sealed record BaselineRow(TestSet TestSet, IReadOnlyList<RunRecord> Runs)
{
    /// <summary>The distinct baselines of <paramref name="runs"/>, in run order: one per test set and baseline table.</summary>
    public static IReadOnlyList<BaselineRow> Of(IReadOnlyList<RunRecord> runs, ComparisonReport comparisons) =>
        runs.Where(r => r.BaselineTable.Count > 0)
            .GroupBy(r => (comparisons.TestSetOf(r).Label, r.BaselineKind, string.Join("\n", r.BaselineTable)))
            .Select(g => new BaselineRow(comparisons.TestSetOf(g.First()), g.ToList()))
            .ToList();
}
