namespace EcgExperiments.Evaluation;

/// <summary>
/// The multi-label "always predict the training prevalence" scorer: every sample gets, for each label, the share of
/// training samples carrying it as its score. All scores of a label are tied, so its ROC-AUC is 0.5 and its average
/// precision the test prevalence; with thresholds fitted on validation it predicts every label everywhere (the only
/// candidate threshold is the constant itself). <see cref="MultiLabelEvaluator"/> adds it to every report whose options
/// give training targets.
/// </summary>
/// <example><code>
/// var prevalence = LabelPrevalenceBaseline.Fit(trainTargets, ["CD", "HYP", "MI", "NORM", "STTC"]);
/// MultiLabelScores constant = prevalence.Predict(test);
/// </code></example>
public sealed record LabelPrevalenceBaseline(IReadOnlyList<string> LabelNames, IReadOnlyList<double> Prevalence, int TrainingCount)
{
    public const string Kind = "label prevalence (training targets)";

    public static LabelPrevalenceBaseline Fit(IReadOnlyList<bool[]> trainingTargets, IReadOnlyList<string> labelNames)
    {
        ArgumentNullException.ThrowIfNull(trainingTargets);
        ArgumentNullException.ThrowIfNull(labelNames);
        if (trainingTargets.Count == 0) throw new ArgumentException("no training targets to take the label prevalence from", nameof(trainingTargets));
        var counts = new double[labelNames.Count];
        for (int i = 0; i < trainingTargets.Count; i++)
        {
            if (trainingTargets[i].Length != labelNames.Count)
                throw new ArgumentException($"training sample {i} has {trainingTargets[i].Length} targets for {labelNames.Count} labels", nameof(trainingTargets));
            for (int l = 0; l < counts.Length; l++) if (trainingTargets[i][l]) counts[l]++;
        }
        return new LabelPrevalenceBaseline(labelNames.ToArray(), counts.Select(c => c / trainingTargets.Count).ToArray(), trainingTargets.Count);
    }

    /// <summary>Constant prevalence scores for the samples (and with the targets and role) of <paramref name="like"/>.</summary>
    public MultiLabelScores Predict(MultiLabelScores like)
    {
        ArgumentNullException.ThrowIfNull(like);
        if (!like.LabelNames.SequenceEqual(LabelNames, StringComparer.Ordinal))
            throw new ArgumentException($"baseline labels [{string.Join(", ", LabelNames)}] differ from the scores' [{string.Join(", ", like.LabelNames)}]", nameof(like));
        return like.WithConstantScores(Prevalence);
    }
}
