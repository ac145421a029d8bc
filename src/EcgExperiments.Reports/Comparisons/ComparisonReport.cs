using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>
/// One distinct test set among the reported runs: the runs evaluated on exactly these examples (same ids, same labels
/// in their predictions.csv/scores.csv; without such a file, the same data and split fingerprints), labelled "A", "B", …
/// in report order. Only runs of one test set are ever paired.
/// </summary>
/// <param name="Label">"A", "B", … in report order.</param>
/// <param name="Task">The runs' task.</param>
/// <param name="Runs">The runs on this test set, in report order.</param>
/// <param name="ExampleCount">Test examples, where known.</param>
/// <param name="ClassCounts">Test examples per class, from the per-example outputs (empty when no run has them).</param>
/// <param name="Reference">How the reference run(s) were chosen, in words; null when nothing was compared.</param>
public sealed record TestSet(string Label, string Task, IReadOnlyList<RunRecord> Runs, int? ExampleCount,
    IReadOnlyList<KeyValuePair<string, int>> ClassCounts, string? Reference)
{
    /// <summary>"test set A (35 examples: NORM 29, HYP 6)".</summary>
    public string Describe() =>
        $"test set {Label}" + (ExampleCount is { } n
            ? $" ({n} examples" + (ClassCounts.Count > 0 ? ": " + string.Join(", ", ClassCounts.Select(c => $"{c.Key} {c.Value}")) : "") + ")"
            : "");
}

/// <summary>
/// One tidy row of a paired comparison: <see cref="Run"/> against <see cref="Reference"/> on one metric (and class),
/// both runs' values, the difference run − reference with its paired-bootstrap interval, the test, its p-value and the
/// Holm-adjusted p-value over the runs compared with a reference on the same test set for that metric.
/// </summary>
public sealed record ComparisonRow(
    string Experiment,
    string TestSet,
    string Run,
    string RunName,
    string Reference,
    string ReferenceName,
    string Metric,
    string? Class,
    double? RunValue,
    double? ReferenceValue,
    double? Difference,
    double? Lower,
    double? Upper,
    double Level,
    string? Test,
    double? Statistic,
    double? P,
    double? AdjustedP,
    string Detail,
    string Task)
{
    /// <summary>The correction applied to <see cref="AdjustedP"/>.</summary>
    public const string Adjustment = "holm";

    /// <summary>Column names, in order, of the comparison CSV and the JSON rows.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "experiment", "test_set", "run", "run_name", "reference", "reference_name", "metric", "class", "run_value", "reference_value",
        "difference", "lower", "upper", "level", "interval_method", "test", "statistic", "p", "adjusted_p", "adjustment", "detail", "task",
    ];

    /// <summary>"macro_f1" or "recall[HYP]".</summary>
    public string Key => Class is null ? Metric : MetricNames.PerClass(Metric, Class);

    /// <summary>Significant at 1 − <see cref="Level"/> after the Holm adjustment.</summary>
    public bool Significant => AdjustedP is { } p && p < 1 - Level;
}

/// <summary>The plain-language conclusion of one run against its reference, on the test set's primary metric.</summary>
public sealed record ComparisonVerdict(string TestSet, string Run, string Reference, string Text, bool Significant);

/// <summary>
/// Everything the report says about runs relative to each other (<see cref="RunComparisons.Build"/>): the varying
/// parameters and short run names per task (<see cref="Spaces"/>), the distinct
/// test sets, the tidy comparison rows, one verdict per compared run, warnings for the top of the page (test sets too
/// small for the differences seen) and notes on runs that could not be paired and why.
/// </summary>
public sealed record ComparisonReport(
    IReadOnlyDictionary<string, ParameterSpace> Spaces,
    IReadOnlyList<TestSet> TestSets,
    IReadOnlyList<ComparisonRow> Rows,
    IReadOnlyList<ComparisonVerdict> Verdicts,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Notes)
{
    /// <summary>The parameters that vary between the runs of <paramref name="task"/>.</summary>
    public ParameterSpace SpaceOf(string task) => Spaces[task];

    /// <summary>Short name of <paramref name="run"/> among the runs of its task ("resnet1d · focal").</summary>
    public string NameOf(RunRecord run) => Spaces.TryGetValue(run.Task, out var s) ? s.NameOf(run) : run.Label;

    /// <summary>The test set of <paramref name="run"/>.</summary>
    public TestSet TestSetOf(RunRecord run) => TestSets.First(t => t.Runs.Contains(run));
}
