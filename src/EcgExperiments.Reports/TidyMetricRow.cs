using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>
/// One row of the tidy table: experiment × trial × metric × class (class empty for whole-set metrics; the lead for
/// per-lead reconstruction metrics), with the point value, its interval (bounds, level and method: "wilson" or
/// "percentile_bootstrap") where one was computed, the protocol it was measured under and the run's task.
/// <see cref="Scope"/> is "model" for the trained model and "baseline" for the run's trivial baseline (class prior,
/// training mean, random score) evaluated on the same test set.
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
    double? Level,
    string? Method,
    string Task)
{
    public const string ModelScope = "model";
    public const string BaselineScope = "baseline";

    /// <summary>The column names, in order, as written by the CSV and JSON writers (method and task come last so the older columns keep their positions).</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["experiment", "trial", "model", "strategy", "protocol", "scope", "metric", "class", "point", "lower", "upper", "level", "method", "task"];

    /// <summary>Rows of one run: its <see cref="RunRecord.Table"/>, then its <see cref="RunRecord.BaselineTable"/>.</summary>
    public static IEnumerable<TidyMetricRow> FromRun(RunRecord run)
    {
        IEnumerable<TidyMetricRow> Rows(IReadOnlyList<MetricEntry> table, string scope) =>
            table.Select(e => new TidyMetricRow(run.Experiment, run.TrialKey, run.ModelType, run.Strategy, run.Protocol,
                scope, e.Metric, e.Class, e.Value, e.Lower, e.Upper, e.Level, e.Method, run.Task));
        return Rows(run.Table, ModelScope).Concat(Rows(run.BaselineTable, BaselineScope));
    }
}
