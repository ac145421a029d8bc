namespace EcgExperiments.Evaluation;

/// <summary>
/// The decision threshold of one label: fitted on validation scores (<see cref="Fitted"/>), or, where the
/// validation set holds no positive or no negative of the label, the fallback value with a note saying so.
/// </summary>
/// <param name="Label">Label name.</param>
/// <param name="Value">Predict the label when its score ≥ Value.</param>
/// <param name="Fitted">The validation fit, or null when <paramref name="Value"/> is the fallback.</param>
/// <param name="Note">Why the fallback was used; null for fitted thresholds.</param>
public sealed record LabelThreshold(string Label, double Value, DecisionThreshold? Fitted, string? Note)
{
    public bool IsFallback => Fitted is null;
}

/// <summary>
/// Per-label decision thresholds chosen on validation scores only; <see cref="ApplyToTest"/> refuses a test set
/// identical to the validation set they were fitted on.
/// </summary>
/// <example><code>
/// MultiLabelThresholds t = MultiLabelThresholds.Fit(validation, ThresholdRule.BestF1);
/// bool[] predicted = t.Apply(test);      // row-major [sample, label]
/// </code></example>
public sealed record MultiLabelThresholds(IReadOnlyList<LabelThreshold> Labels, ThresholdRule Rule, string ValidationFingerprint)
{
    /// <summary>Threshold used where a label's validation scores hold only one class (no data-driven threshold exists).</summary>
    public const double DefaultFallback = 0.5;

    /// <summary>
    /// Fits one threshold per label on <paramref name="validation"/> with <paramref name="rule"/>
    /// (<see cref="ThresholdSelector.Fit"/> on the label's column). A label whose validation column has no positive
    /// or no negative gets <paramref name="fallback"/> and a note, so that a rare label does not stop the evaluation.
    /// </summary>
    /// <exception cref="InvalidOperationException">Scores not tagged <see cref="SplitRole.Validation"/>.</exception>
    public static MultiLabelThresholds Fit(MultiLabelScores validation, ThresholdRule rule, double fallback = DefaultFallback)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(rule);
        if (validation.Role != SplitRole.Validation)
            throw new InvalidOperationException($"per-label thresholds must be chosen on validation scores, but these are tagged {validation.Role}; build them with MultiLabelScores.ForValidation");
        if (!double.IsFinite(fallback)) throw new ArgumentOutOfRangeException(nameof(fallback), fallback, "the fallback threshold must be finite");
        var labels = new LabelThreshold[validation.LabelCount];
        for (int l = 0; l < labels.Length; l++)
        {
            string name = validation.LabelNames[l];
            var column = validation.Column(l);
            int positives = column.PositiveCount, negatives = column.Count - positives;
            if (rule is not FixedRule && (positives == 0 || negatives == 0))
            {
                labels[l] = new LabelThreshold(name, fallback, null,
                    $"validation holds {positives} positives and {negatives} negatives of '{name}'; threshold {fallback} used instead of a fitted one");
                continue;
            }
            var fitted = ThresholdSelector.Fit(column, rule);
            labels[l] = new LabelThreshold(name, fitted.Value, fitted, null);
        }
        return new MultiLabelThresholds(labels, rule, validation.Fingerprint);
    }

    /// <summary>Decisions (score ≥ threshold of its label), row-major [sample, label].</summary>
    public bool[] Apply(MultiLabelScores scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.LabelCount != Labels.Count)
            throw new ArgumentException($"thresholds are for {Labels.Count} labels, the scores have {scores.LabelCount}", nameof(scores));
        for (int l = 0; l < Labels.Count; l++)
            if (scores.LabelNames[l] != Labels[l].Label)
                throw new ArgumentException($"label {l} is '{scores.LabelNames[l]}' in the scores but '{Labels[l].Label}' in the thresholds", nameof(scores));
        var s = scores.ScoreSpan;
        var d = new bool[s.Length];
        int k = Labels.Count;
        for (int i = 0; i < d.Length; i++) d[i] = s[i] >= Labels[i % k].Value;
        return d;
    }

    /// <summary>Decisions on <paramref name="test"/>, refusing the very scores the thresholds were fitted on.</summary>
    /// <exception cref="InvalidOperationException">A test-role set identical to the validation set.</exception>
    public bool[] ApplyToTest(MultiLabelScores test)
    {
        ArgumentNullException.ThrowIfNull(test);
        if (test.Role == SplitRole.Test && test.Fingerprint == ValidationFingerprint)
            throw new InvalidOperationException("these test scores are identical to the validation scores the thresholds were fitted on; evaluate on a held-out test split");
        return Apply(test);
    }
}
