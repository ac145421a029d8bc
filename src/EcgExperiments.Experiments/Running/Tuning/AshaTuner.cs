using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running.Tuning;

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al. 2020): whenever a worker is free, promote a configuration that is
/// in the best ⌊n/eta⌋ of the n finished trials of its rung and not yet promoted (highest rung first); otherwise start
/// the next configuration at rung 0. No worker waits for a rung to finish, at the price of promotions decided on
/// partial rungs. Like <see cref="SuccessiveHalvingTuner"/>, a promoted configuration retrains from scratch at the
/// larger budget. With one worker the order is deterministic; with several it depends on which trial ends first.
/// </summary>
public sealed class AshaTuner : ITuner
{
    private readonly int _configurations;
    private readonly IReadOnlyList<int> _budgets;
    private readonly int _eta;
    private readonly MetricDirection _direction;
    private readonly List<TrialReport>[] _finished;
    private readonly HashSet<int>[] _promoted;
    private readonly int[] _outstanding;
    private int _nextNew = 1;

    public AshaTuner(int configurations, IReadOnlyList<int> budgets, int eta, string metric, MetricDirection direction)
    {
        if (budgets.Count == 0) throw new ArgumentException("ASHA needs at least one rung budget", nameof(budgets));
        if (eta < 2) throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be ≥ 2");
        _configurations = configurations;
        _budgets = budgets;
        _eta = eta;
        _direction = direction;
        _finished = budgets.Select(_ => new List<TrialReport>()).ToArray();
        _promoted = budgets.Select(_ => new HashSet<int>()).ToArray();
        _outstanding = new int[budgets.Count];
        Plan = SuccessiveHalvingTuner.PlanFor(configurations, budgets, eta);
        Description = $"ASHA over {configurations} configuration(s), eta {eta}, promoting on validation {metric} ({direction.ToString().ToLowerInvariant()})";
    }

    public string Description { get; }
    public IReadOnlyList<RungPlan> Plan { get; }

    public Suggestion Next()
    {
        for (int r = _budgets.Count - 2; r >= 0; r--)
        {
            int k = _finished[r].Count / _eta;
            // A rung that can receive no more trials promotes at least one, as synchronous halving does.
            if (k == 0 && _nextNew > _configurations && _outstanding.Take(r + 1).Sum() == 0) k = 1;
            var candidate = Tuners.Ranked(_finished[r], _direction).Take(k).FirstOrDefault(t => !_promoted[r].Contains(t.Request.Configuration));
            if (candidate is null) continue;
            _promoted[r].Add(candidate.Request.Configuration);
            _outstanding[r + 1]++;
            return Suggestion.Run(new TrialRequest(candidate.Request.Configuration, r + 1, _budgets[r + 1]));
        }
        if (_nextNew <= _configurations)
        {
            _outstanding[0]++;
            return Suggestion.Run(new TrialRequest(_nextNew++, 0, _budgets[0]));
        }
        return _outstanding.Sum() > 0 ? Suggestion.Wait : Suggestion.Done;
    }

    public void Report(TrialReport report)
    {
        _outstanding[report.Request.Rung]--;
        _finished[report.Request.Rung].Add(report);
    }
}
