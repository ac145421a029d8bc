namespace EcgExperiments.Evaluation.Tests;

public sealed class ClassPriorBaselineTests
{
    [Fact]
    public void Prior_baseline_predicts_the_training_majority_with_auc_one_half()
    {
        int[] train = [.. Enumerable.Repeat(0, 70), .. Enumerable.Repeat(1, 20), .. Enumerable.Repeat(2, 10)];
        int[] test = [0, 0, 1, 1, 1, 2, 2, 2];
        var prior = ClassPriorBaseline.Fit(train, ["N", "S", "V"]);
        Assert.Equal([0.7, 0.2, 0.1], prior.Priors.ToArray());
        Assert.Equal(0, prior.MajorityClass);

        var r = ClassificationEvaluator.Evaluate(prior.Predict(test));
        Assert.Equal(2.0 / 8, r.Aggregates.Accuracy);
        Assert.Equal(1.0 / 3, r.Aggregates.BalancedAccuracy, 12);
        Assert.All(r.PerClass, c => Assert.Equal(0.5, c.RocAuc));
        Assert.Equal(3.0 / 8, r.PerClass[1].AveragePrecision!.Value, 12); // AP of a constant score = prevalence
        // log loss of a constant prior = cross-entropy of the test labels under the training prior
        double expected = -(2 * Math.Log(0.7) + 3 * Math.Log(0.2) + 3 * Math.Log(0.1)) / 8;
        Assert.Equal(expected, r.Aggregates.LogLoss!.Value, 12);
    }

    [Fact]
    public void Evaluator_adds_the_baseline_when_training_labels_are_given()
    {
        var test = ClassificationScores.Binary([1, 0, 0, 0, 1], [0.9, 0.2, 0.3, 0.6, 0.7], ["NORM", "HYP"], positiveClass: 1);
        var r = ClassificationEvaluator.Evaluate(test, new EvaluationOptions { TrainingLabels = [0, 0, 0, 1] });
        Assert.Equal(ClassPriorBaseline.Kind, r.BaselineKind);
        var b = r.Baseline!;
        Assert.Equal("binary", b.Task);
        Assert.Equal(0.6, b.Aggregates.Accuracy, 12);     // always NORM (prior of HYP 0.25 < 0.5)
        Assert.Equal(0.0, b.PerClass[1].Recall);
        Assert.Equal(0.5, b.Aggregates.RocAuc);
        Assert.Equal(0.4, b.Aggregates.AveragePrecision!.Value, 12);
        Assert.Equal(0.8, r.Aggregates.Accuracy, 12);     // the model: 0.6 on a negative is its one error
        Assert.Null(b.Baseline);
    }
}
