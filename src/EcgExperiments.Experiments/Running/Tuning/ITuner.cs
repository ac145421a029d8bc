using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running.Tuning;

/// <summary>One trial a tuner wants run: configuration <see cref="Configuration"/> (1-based) at rung <see cref="Rung"/> with <see cref="Budget"/> (null = the file's own values).</summary>
public sealed record TrialRequest(int Configuration, int Rung, int? Budget);

/// <summary>What a finished (or skipped) trial tells its tuner: its status and its validation score (null when it has none, e.g. failed).</summary>
public sealed record TrialReport(TrialRequest Request, Runs.TrialStatus Status, double? Score);

/// <summary>A rung of a tuner's plan: at most <see cref="Trials"/> trials at <see cref="Budget"/>.</summary>
public sealed record RungPlan(int Rung, int? Budget, int Trials);

public enum SuggestionKind { Run, Wait, Done }

/// <summary>A tuner's answer to "what next?": run this trial, wait for a running one to report, or done.</summary>
public readonly record struct Suggestion(SuggestionKind Kind, TrialRequest? Request)
{
    public static Suggestion Wait => new(SuggestionKind.Wait, null);
    public static Suggestion Done => new(SuggestionKind.Done, null);
    public static Suggestion Run(TrialRequest request) => new(SuggestionKind.Run, request);
}

/// <summary>
/// Decides which trials a sweep runs, ask/tell style, so one scheduler serves every strategy and any number of
/// workers: the scheduler asks <see cref="Next"/> whenever a worker is free and tells <see cref="Report"/> when a
/// trial ends. Grid and random are tuners that hand out a fixed list; successive halving and ASHA promote on the
/// validation metric recorded in each trial's run record. Every trial a tuner asks for is an ordinary trial with its
/// own trial key, so a re-run sweep skips finished trials and, given the same scores, makes the same decisions.
/// </summary>
/// <example><code>
/// var tuner = Tuners.Create(space.Settings, space.Configurations.Count);
/// for (var s = tuner.Next(); s.Kind == SuggestionKind.Run; s = tuner.Next())
///     tuner.Report(new TrialReport(s.Request!, TrialStatus.Completed, Score(s.Request!)));
/// </code></example>
public interface ITuner
{
    /// <summary>One line for dry runs and logs, e.g. "successive halving over 9 configurations, eta 3, macro_f1 (max, validation)".</summary>
    string Description { get; }

    /// <summary>The rungs and the most trials each can run (known before anything runs).</summary>
    IReadOnlyList<RungPlan> Plan { get; }

    Suggestion Next();

    void Report(TrialReport report);
}

/// <summary>Builds the tuner a sweep's settings name.</summary>
public static class Tuners
{
    public static ITuner Create(SweepSettings settings, int configurations) => settings.Mode switch
    {
        SweepMode.SuccessiveHalving => new SuccessiveHalvingTuner(configurations, settings.RungBudgets(), settings.Eta, settings.Metric, settings.Direction),
        SweepMode.Asha => new AshaTuner(configurations, settings.RungBudgets(), settings.Eta, settings.Metric, settings.Direction),
        _ => new ListTuner(configurations, settings.Mode == SweepMode.Random ? "random" : "grid"),
    };

    /// <summary>Total budget (e.g. epochs) the plan spends at most, and what running every configuration at the full budget would cost.</summary>
    public static (long planned, long fullGrid) Cost(IReadOnlyList<RungPlan> plan, int configurations) =>
        (plan.Sum(r => (long)r.Trials * (r.Budget ?? 0)), (long)configurations * (plan.LastOrDefault()?.Budget ?? 0));

    /// <summary>Orders reports best first (nulls last; ties by configuration number, so decisions are repeatable).</summary>
    internal static IEnumerable<TrialReport> Ranked(IEnumerable<TrialReport> reports, MetricDirection direction) =>
        reports.Where(r => r.Score is not null)
            .OrderBy(r => direction == MetricDirection.Max ? -r.Score!.Value : r.Score!.Value)
            .ThenBy(r => r.Request.Configuration);
}

/// <summary>Grid and random sweeps: every configuration once, in order, at the file's own values.</summary>
public sealed class ListTuner(int configurations, string name) : ITuner
{
    private int _next = 1;

    public string Description => $"{name}: {configurations} configuration(s)";
    public IReadOnlyList<RungPlan> Plan => [new RungPlan(0, null, configurations)];

    public Suggestion Next() => _next <= configurations ? Suggestion.Run(new TrialRequest(_next++, 0, null)) : Suggestion.Done;

    public void Report(TrialReport report) { }
}
