using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>
/// One row of the tidy table: experiment × trial × metric × class (class empty for whole-set metrics),
/// with the point value, its bootstrap interval where one was computed, and the protocol it was measured
/// under. <see cref="Scope"/> is "model" for the trained model and "baseline" for the class-prior baseline
/// evaluated on the same test labels.
/// </summary>
public sealed record TidyMetricRow(
    string Experiment,
    string TrialKey,
    string Model,
    string Strategy,
    string Protocol,
    string Scope,
    string Metric,
    string? Class,
    double? Point,
    double? Lower,
    double? Upper,
    double? Level)
{
    public const string ModelScope = "model";
    public const string BaselineScope = "baseline";

    /// <summary>The column names, in order, as written by the CSV and JSON writers.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["experiment", "trial", "model", "strategy", "protocol", "scope", "metric", "class", "point", "lower", "upper", "level"];

    /// <summary>Rows of one run: the model's metrics (<see cref="MetricReport.ToTable"/> order), then the baseline's.</summary>
    public static IEnumerable<TidyMetricRow> FromRun(RunRecord run)
    {
        IEnumerable<TidyMetricRow> Rows(MetricReport report, string scope) =>
            report.ToTable().Select(e => new TidyMetricRow(run.Experiment, run.TrialKey, run.ModelType, run.Strategy, run.Protocol,
                scope, e.Metric, e.Class, e.Value, e.Lower, e.Upper, e.Level));
        var rows = Rows(run.Metrics, ModelScope);
        return run.Metrics.Baseline is { } b ? rows.Concat(Rows(b, BaselineScope)) : rows;
    }
}
