namespace EcgExperiments.Evaluation.Tests;

public sealed class ThresholdTests
{
    // F1 by threshold: 0.9→0.5, 0.8→0.8, 0.7→0.667, 0.6→0.857, 0.3→0.75, 0.2→0.667
    // Youden by threshold: 0.9→1/3, 0.8→2/3, 0.7→1/3, 0.6→2/3, 0.3→1/3, 0.2→0
    private static readonly bool[] ValY = [true, true, false, true, false, false];
    private static readonly double[] ValS = [0.9, 0.8, 0.7, 0.6, 0.3, 0.2];

    [Fact]
    public void Best_f1_picks_the_validation_score_with_maximal_f1()
    {
        var t = ThresholdSelector.Fit(BinaryScores.ForValidation(ValY, ValS), ThresholdRule.BestF1);
        Assert.Equal(0.6, t.Value);
        Assert.Equal(6.0 / 7, t.ValidationF1, 12);
        Assert.Equal(6, t.ValidationCount);
    }

    [Fact]
    public void Youden_keeps_the_highest_threshold_on_ties()
    {
        var t = ThresholdSelector.Fit(BinaryScores.ForValidation(ValY, ValS), ThresholdRule.Youden);
        Assert.Equal(0.8, t.Value);
        Assert.Equal(2.0 / 3, t.ValidationYouden, 12);
    }

    [Fact]
    public void Fixed_threshold_is_recorded_with_its_validation_performance()
    {
        var t = ThresholdSelector.Fit(BinaryScores.ForValidation(ValY, ValS), ThresholdRule.FixedAt(0.5));
        Assert.Equal(0.5, t.Value);
        Assert.Equal(6.0 / 7, t.ValidationF1, 12); // same decisions as 0.6 on these scores
    }

    [Fact]
    public void A_threshold_cannot_be_fitted_on_test_scores()
    {
        var test = BinaryScores.ForTest(ValY, ValS);
        var e = Assert.Throws<InvalidOperationException>(() => ThresholdSelector.Fit(test, ThresholdRule.BestF1));
        Assert.Contains("validation", e.Message);
    }

    [Fact]
    public void Evaluating_on_the_validation_data_relabelled_as_test_is_refused()
    {
        var t = ThresholdSelector.Fit(BinaryScores.ForValidation(ValY, ValS), ThresholdRule.BestF1);
        Assert.Throws<InvalidOperationException>(() => t.Evaluate(BinaryScores.ForTest(ValY, ValS)));
    }

    [Fact]
    public void The_validation_threshold_is_applied_unchanged_to_test()
    {
        var t = ThresholdSelector.Fit(BinaryScores.ForValidation(ValY, ValS), ThresholdRule.BestF1);
        var test = BinaryScores.ForTest([true, false, true, false], [0.65, 0.62, 0.55, 0.1]);
        var o = t.Evaluate(test);
        Assert.Equal((1L, 1L, 1L, 1L), (o.TruePositives, o.FalsePositives, o.FalseNegatives, o.TrueNegatives));
        Assert.Equal(0.5, o.F1);
        Assert.Equal([true, true, false, false], t.Apply(test.Scores.ToArray()));
    }

    [Fact]
    public void Data_driven_rules_need_both_classes_on_validation()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ThresholdSelector.Fit(BinaryScores.ForValidation([true, true], [0.2, 0.4]), ThresholdRule.Youden));
        Assert.Contains("0 negatives", e.Message);
    }

    [Fact]
    public void Binary_classification_scores_take_a_fitted_threshold()
    {
        var val = ClassificationScores.Binary([1, 1, 0, 1, 0, 0], ValS, ["neg", "pos"], positiveClass: 1);
        var t = ThresholdSelector.Fit(val.ToBinaryScores(SplitRole.Validation), ThresholdRule.BestF1);
        var test = ClassificationScores.Binary([1, 0], [0.61, 0.59], ["neg", "pos"], positiveClass: 1).WithThreshold(t.Value);
        var r = ClassificationEvaluator.Evaluate(test);
        Assert.Equal(0.6, r.DecisionThreshold);
        Assert.Equal(1.0, r.Aggregates.Accuracy);
    }
}
