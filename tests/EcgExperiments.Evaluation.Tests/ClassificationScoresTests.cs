namespace EcgExperiments.Evaluation.Tests;

public sealed class ClassificationScoresTests
{
    [Fact]
    public void Float_matrix_probabilities_predict_the_argmax_first_on_ties()
    {
        var probs = new float[,] { { 0.2f, 0.5f, 0.3f }, { 0.4f, 0.4f, 0.2f }, { 0.1f, 0.1f, 0.8f } };
        var s = ClassificationScores.FromProbabilities([1, 0, 2], probs, ["N", "S", "V"]);
        Assert.Equal([1, 0, 2], Enumerable.Range(0, 3).Select(s.Predicted).ToArray());
    }

    [Fact]
    public void Binary_threshold_decides_with_greater_or_equal()
    {
        var s = ClassificationScores.Binary([0, 1, 1], [0.5, 0.49, 0.7], ["NORM", "HYP"], positiveClass: 1);
        Assert.Equal([1, 0, 1], Enumerable.Range(0, 3).Select(s.Predicted).ToArray());
        var t = s.WithThreshold(0.45);
        Assert.Equal([1, 1, 1], Enumerable.Range(0, 3).Select(t.Predicted).ToArray());
    }

    [Fact]
    public void Positive_class_can_be_index_0_as_in_the_published_hyp_norm_labels()
    {
        // SPEC §2.1 maps HYP → 0, NORM → 1; the model's sigmoid is the probability of NORM (class 1)
        var s = ClassificationScores.Binary([0, 1, 1, 0], [0.1, 0.8, 0.6, 0.7], ["HYP", "NORM"], positiveClass: 1);
        var r = ClassificationEvaluator.Evaluate(s);
        Assert.Equal("NORM", r.PositiveClass);
        Assert.Equal(0.5, r.PerClass[0].Recall);   // HYP: one of two caught
        Assert.Equal(1.0, r.PerClass[1].Recall);   // NORM: both
        Assert.Equal(0.75, r.Aggregates.RocAuc);   // pairs: (0.8>0.1, 0.8>0.7, 0.6>0.1, 0.6<0.7) = 3/4
    }

    [Fact]
    public void Probabilities_that_do_not_sum_to_one_are_rejected_with_advice()
    {
        var e = Assert.Throws<ArgumentException>(() => ClassificationScores.FromProbabilities([0], [[2.0, -1.0]], ["a", "b"]));
        Assert.Contains("FromScores", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => ClassificationScores.FromProbabilities([0], [[0.3, 0.3]], ["a", "b"]));
        Assert.Contains("sum to 0.6", e2.Message);
    }

    [Fact]
    public void Labels_outside_the_classes_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ClassificationScores.FromScores([0, 3], [[1.0, 2.0], [0.0, 1.0]], ["a", "b"]));
        Assert.Contains("sample 1", e.Message);
    }

    [Fact]
    public void Logit_scores_have_no_log_loss_or_calibration_but_do_have_auc()
    {
        var s = ClassificationScores.FromScores([0, 1, 1, 0], [[2.0, -1.0], [0.5, 3.0], [-1.0, 0.0], [1.0, 1.5]], ["a", "b"]);
        var r = ClassificationEvaluator.Evaluate(s);
        Assert.Null(r.Aggregates.LogLoss);
        Assert.Null(r.Calibration);
        Assert.Equal(0.75, r.PerClass[0].Accuracy());
        Assert.Equal(0.75, r.PerClass[1].RocAuc); // b-scores of positives (3, 0) vs negatives (−1, 1.5): 3 of 4 pairs
    }
}

internal static class ClassMetricsTestExtensions
{
    /// <summary>One-vs-rest accuracy of a class, (TP + TN) / n.</summary>
    public static double Accuracy(this ClassMetrics m) => (double)(m.TruePositives + m.TrueNegatives) / (m.TruePositives + m.TrueNegatives + m.FalsePositives + m.FalseNegatives);
}
