using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running.Tuning;

/// <summary>
/// Synchronous successive halving: rung 0 runs every configuration at budget min; when a rung has finished, the best
/// ⌊n/eta⌋ (at least one) by the validation metric go on to the next rung's budget (min·eta^r, the last rung at max).
/// A promoted configuration retrains from scratch at the larger budget (no warm start): each rung's trial is an
/// ordinary trial with its own key and run record, which keeps resume and the bit-exact CPU guarantee simple at the
/// price of repeating the lower rung's epochs. Trials that failed or have no score are never promoted.
/// </summary>
public sealed class SuccessiveHalvingTuner : ITuner
{
    private readonly IReadOnlyList<int> _budgets;
    private readonly int _eta;
    private readonly MetricDirection _direction;
    private readonly Queue<TrialRequest> _queue = new();
    private readonly List<TrialReport> _rungResults = [];
    private int _rung;
    private int _outstanding;
    private bool _done;

    public SuccessiveHalvingTuner(int configurations, IReadOnlyList<int> budgets, int eta, string metric, MetricDirection direction)
    {
        if (budgets.Count == 0) throw new ArgumentException("successive halving needs at least one rung budget", nameof(budgets));
        if (eta < 2) throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be ≥ 2");
        _budgets = budgets;
        _eta = eta;
        _direction = direction;
        for (int c = 1; c <= configurations; c++) _queue.Enqueue(new TrialRequest(c, 0, budgets[0]));
        Plan = PlanFor(configurations, budgets, eta);
        Description = $"successive halving over {configurations} configuration(s), eta {eta}, promoting on validation {metric} ({direction.ToString().ToLowerInvariant()})";
    }

    public string Description { get; }
    public IReadOnlyList<RungPlan> Plan { get; }

    /// <summary>n, ⌊n/eta⌋, ⌊n/eta²⌋, … (each at least 1) trials at the rung budgets.</summary>
    public static IReadOnlyList<RungPlan> PlanFor(int configurations, IReadOnlyList<int> budgets, int eta)
    {
        var plan = new List<RungPlan>();
        int n = configurations;
        for (int r = 0; r < budgets.Count; r++)
        {
            plan.Add(new RungPlan(r, budgets[r], n));
            n = Math.Max(1, n / eta);
        }
        return plan;
    }

    public Suggestion Next()
    {
        if (_done) return Suggestion.Done;
        if (_queue.TryDequeue(out var request))
        {
            _outstanding++;
            return Suggestion.Run(request);
        }
        if (_outstanding > 0) return Suggestion.Wait;
        // The rung is complete: promote its best to the next rung, or finish.
        if (_rung + 1 >= _budgets.Count) { _done = true; return Suggestion.Done; }
        int keep = Math.Max(1, _rungResults.Count / _eta);
        var promoted = Tuners.Ranked(_rungResults, _direction).Take(keep).ToList();
        _rung++;
        _rungResults.Clear();
        if (promoted.Count == 0) { _done = true; return Suggestion.Done; }
        foreach (var p in promoted.OrderBy(p => p.Request.Configuration)) _queue.Enqueue(new TrialRequest(p.Request.Configuration, _rung, _budgets[_rung]));
        return Next();
    }

    public void Report(TrialReport report)
    {
        if (report.Request.Rung != _rung) throw new InvalidOperationException($"report for rung {report.Request.Rung} while rung {_rung} runs");
        _outstanding--;
        _rungResults.Add(report);
    }
}
