namespace EcgExperiments.Evaluation;

/// <summary>
/// A decision threshold fitted on validation scores, with its provenance. Apply it to test scores;
/// there is no way to fit one from a <see cref="SplitRole.Test"/> set.
/// </summary>
/// <example><code>
/// DecisionThreshold t = ThresholdSelector.Fit(BinaryScores.ForValidation(valY, valS), ThresholdRule.BestF1);
/// bool[] calls = t.Apply(testScores);                   // score ≥ t.Value
/// string json = JsonSerializer.Serialize(t, MetricJson.Options);   // provenance for the run record
/// </code></example>
/// <param name="Value">Predict positive when score ≥ Value.</param>
/// <param name="Rule">How it was chosen.</param>
/// <param name="ValidationF1">F1 at this threshold on the validation set.</param>
/// <param name="ValidationYouden">Youden's J at this threshold on the validation set.</param>
/// <param name="ValidationCount">Validation samples it was fitted on.</param>
/// <param name="ValidationFingerprint">SHA-256 of the validation labels and scores.</param>
public sealed record DecisionThreshold(double Value, ThresholdRule Rule, double ValidationF1, double ValidationYouden, int ValidationCount, string ValidationFingerprint)
{
    /// <summary>Decision for each score (score ≥ <see cref="Value"/>).</summary>
    public bool[] Apply(ReadOnlySpan<double> scores)
    {
        var r = new bool[scores.Length];
        for (int i = 0; i < r.Length; i++) r[i] = scores[i] >= Value;
        return r;
    }

    /// <summary>Confusion counts and rates of this threshold on <paramref name="scores"/>.</summary>
    /// <exception cref="InvalidOperationException">A test-role set identical to the validation set it was fitted on.</exception>
    public BinaryOutcome Evaluate(BinaryScores scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Role == SplitRole.Test && scores.Fingerprint == ValidationFingerprint)
            throw new InvalidOperationException("these test scores are identical to the validation scores the threshold was fitted on; evaluate on a held-out test split");
        return BinaryOutcome.Count(scores.PositiveSpan, scores.ScoreSpan, Value);
    }
}

/// <summary>
/// Chooses a decision threshold on validation scores only (estimator → fitted threshold, in ML.NET's
/// shape): <c>Fit(validation, rule)</c> returns a <see cref="DecisionThreshold"/> to apply to test.
/// Candidate thresholds are the distinct validation scores; ties in the criterion keep the highest
/// threshold (fewest positive calls).
/// </summary>
/// <example><code>
/// var threshold = ThresholdSelector.Fit(BinaryScores.ForValidation(valY, valScores), ThresholdRule.Youden);
/// var outcome = threshold.Evaluate(BinaryScores.ForTest(testY, testScores));
/// Console.WriteLine($"{threshold.Value}: sensitivity {outcome.Recall:F3}");
/// </code></example>
public static class ThresholdSelector
{
    public static DecisionThreshold Fit(BinaryScores validation, ThresholdRule rule)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(rule);
        if (validation.Role != SplitRole.Validation)
            throw new InvalidOperationException($"a decision threshold must be chosen on validation scores, but these are tagged {validation.Role}; build them with BinaryScores.ForValidation");

        int positives = validation.PositiveCount;
        int negatives = validation.Count - positives;
        double value = rule switch
        {
            FixedRule f when double.IsFinite(f.Value) => f.Value,
            FixedRule f => throw new ArgumentOutOfRangeException(nameof(rule), f.Value, "a fixed threshold must be finite"),
            BestF1Rule => Best(validation, positives, negatives, (tp, fp) => positives == 0 ? 0 : 2 * tp / (tp + fp + positives)),
            YoudenRule => Best(validation, positives, negatives, (tp, fp) => Youden(tp, fp, positives, negatives)),
            _ => throw new ArgumentException($"unknown threshold rule {rule.GetType().Name}", nameof(rule)),
        };
        var o = BinaryOutcome.Count(validation.PositiveSpan, validation.ScoreSpan, value);
        double j = Youden(o.TruePositives, o.FalsePositives, positives, negatives);
        return new DecisionThreshold(value, rule, o.F1, j, validation.Count, validation.Fingerprint);
    }

    private static double Youden(double tp, double fp, int positives, int negatives)
        => (positives == 0 ? 0 : tp / positives) - (negatives == 0 ? 0 : fp / negatives);

    private static double Best(BinaryScores s, int positives, int negatives, Func<double, double, double> criterion)
    {
        if (positives == 0 || negatives == 0)
            throw new InvalidOperationException($"validation scores hold {positives} positives and {negatives} negatives; a data-driven threshold needs both classes");
        var ranked = RankedScores.Create(s.ScoreSpan);
        var tps = new double[ranked.GroupCount];
        var fps = new double[ranked.GroupCount];
        ranked.Cumulate(s.PositiveSpan, default, tps, fps);
        int best = 0;
        double bestValue = double.NegativeInfinity;
        for (int g = 0; g < tps.Length; g++)
        {
            double v = criterion(tps[g], fps[g]);
            // the first (highest) threshold wins ties; the tolerance keeps 1 − 1/3 and 2/3 a tie
            if (v > bestValue + 1e-12) { bestValue = v; best = g; }
        }
        return ranked.ThresholdOf(best);
    }
}
