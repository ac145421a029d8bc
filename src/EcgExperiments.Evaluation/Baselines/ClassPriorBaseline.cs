namespace EcgExperiments.Evaluation;

/// <summary>
/// The "always predict the training prior" classifier: every sample gets the class frequencies of
/// the training labels as its probabilities, so it predicts the majority class (binary: the positive
/// class only when its prior is ≥ 0.5), its ROC-AUC is 0.5 (all scores tied) and its average
/// precision is the test prevalence. <see cref="ClassificationEvaluator"/> adds it to every report
/// whose options give training labels.
/// </summary>
/// <example><code>
/// var prior = ClassPriorBaseline.Fit(trainLabels, ["NORM", "HYP"]);
/// ClassificationScores constant = prior.Predict(testLabels);
/// </code></example>
public sealed record ClassPriorBaseline(IReadOnlyList<string> ClassNames, IReadOnlyList<double> Priors, int TrainingCount)
{
    public const string Kind = "class-prior (training labels)";

    /// <summary>Class with the largest prior (first on ties).</summary>
    public int MajorityClass
    {
        get
        {
            int best = 0;
            for (int c = 1; c < Priors.Count; c++) if (Priors[c] > Priors[best]) best = c;
            return best;
        }
    }

    public static ClassPriorBaseline Fit(IReadOnlyList<int> trainingLabels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(trainingLabels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (trainingLabels.Count == 0) throw new ArgumentException("no training labels to take the class prior from", nameof(trainingLabels));
        var counts = new double[classNames.Count];
        for (int i = 0; i < trainingLabels.Count; i++)
        {
            if ((uint)trainingLabels[i] >= (uint)classNames.Count)
                throw new ArgumentException($"training label {i} = {trainingLabels[i]} is not a class index in [0, {classNames.Count})", nameof(trainingLabels));
            counts[trainingLabels[i]]++;
        }
        return new ClassPriorBaseline(classNames.ToArray(), counts.Select(c => c / trainingLabels.Count).ToArray(), trainingLabels.Count);
    }

    /// <summary>Constant prior probabilities for each of <paramref name="trueLabels"/> (multiclass form).</summary>
    public ClassificationScores Predict(ReadOnlySpan<int> trueLabels)
    {
        var rows = new double[trueLabels.Length][];
        var prior = Priors.ToArray();
        for (int i = 0; i < rows.Length; i++) rows[i] = prior;
        return ClassificationScores.FromProbabilities(trueLabels, rows, ClassNames);
    }

    /// <summary>Constant prior in the same form as <paramref name="like"/> (binary stays binary, threshold 0.5).</summary>
    public ClassificationScores PredictLike(ClassificationScores like)
    {
        ArgumentNullException.ThrowIfNull(like);
        if (like.ClassCount != ClassNames.Count) throw new ArgumentException($"baseline has {ClassNames.Count} classes, scores have {like.ClassCount}", nameof(like));
        if (like.PositiveClass is not { } pos) return Predict(like.LabelArray);
        var p = new double[like.Count];
        Array.Fill(p, Priors[pos]);
        return ClassificationScores.Binary(like.LabelArray, p, ClassNames, pos, areProbabilities: true, threshold: 0.5);
    }
}
