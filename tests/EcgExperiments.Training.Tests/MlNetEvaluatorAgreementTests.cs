using System.Globalization;
using EcgExperiments.Evaluation;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit.Abstractions;

namespace EcgExperiments.Training.Tests;

/// <summary>
/// A trained classifier's output is what ML.NET's evaluators read: the prediction transformer's view goes straight into
/// <c>mlContext.BinaryClassification.Evaluate</c> / <c>MulticlassClassification.Evaluate</c>, and where the definitions
/// match, ML.NET's numbers equal the framework's own evaluator on the same scores (binary Score is the raw logit, which
/// ML.NET thresholds at 0, Probability its sigmoid). Where they differ the test says how:
/// ML.NET's log-loss is in bits (log base 2) where ours (scikit-learn's) is in nats, and ML.NET's AUPRC is the area under
/// the interpolated precision–recall curve, not scikit-learn's average precision.
/// </summary>
public sealed class MlNetEvaluatorAgreementTests(ITestOutputHelper output)
{
    private sealed class KeyLabel
    {
        [KeyType(2)]
        public uint Label { get; set; }
    }

    private sealed class BoolLabel
    {
        public bool IsPositive { get; set; }
    }

    private void Row(string metric, double ours, double mlnet, string note = "") =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {metric} | {ours:0.000000} | {mlnet:0.000000} | {note} |"));

    [Fact]
    public void Binary_classifier_output_gives_MLNet_the_same_accuracy_auc_f1_and_confusion_matrix()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Gaussians(300, 100, seed: 10);
        var test = SyntheticData.Gaussians(150, 150, seed: 20);
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 6, BatchSize = 32, LearningRate = 0.05 }, SyntheticData.Linear, Device.CPU, 1)
        {
            Kind = ClassifierKind.Binary,
        };
        using var model = trainer.Train(train, null).Model;
        IDataView scored = model.Transform(test);
        // ML.NET's binary evaluator wants a Boolean label: class 1 (the positive class) is true.
        var withBool = ml.Transforms.CustomMapping<KeyLabel, BoolLabel>((k, b) => b.IsPositive = k.Label == 2, "positive").Fit(scored).Transform(scored);
        var theirs = ml.BinaryClassification.Evaluate(withBool, labelColumnName: nameof(BoolLabel.IsPositive));

        var p = ((PredictionView)scored).Column(EcgColumns.Probability).Select(v => (double)v).ToArray();
        var ours = ClassificationEvaluator.Evaluate(ClassificationScores.Binary(test.Labels(), p, test.Ecg.ClassNames, positiveClass: 1), new EvaluationOptions());
        output.WriteLine("| metric | ours | ML.NET | note |");
        Row("accuracy", ours.Aggregates.Accuracy, theirs.Accuracy);
        Row("ROC-AUC", ours.Aggregates.RocAuc!.Value, theirs.AreaUnderRocCurve);
        Row("F1 (positive class)", ours.PerClass[1].F1, theirs.F1Score);
        Row("precision (positive)", ours.PerClass[1].Precision, theirs.PositivePrecision);
        Row("recall (positive)", ours.PerClass[1].Recall, theirs.PositiveRecall);
        Row("log-loss", ours.Aggregates.LogLoss!.Value, theirs.LogLoss, "ML.NET in bits: ours / ln 2");
        Row("average precision vs AUPRC", ours.Aggregates.AveragePrecision!.Value, theirs.AreaUnderPrecisionRecallCurve, "different definitions");

        Assert.Equal(ours.Aggregates.Accuracy, theirs.Accuracy, 12);
        Assert.Equal(ours.Aggregates.RocAuc!.Value, theirs.AreaUnderRocCurve, 9);
        Assert.Equal(ours.PerClass[1].F1, theirs.F1Score, 9);
        Assert.Equal(ours.PerClass[1].Precision, theirs.PositivePrecision, 9);
        Assert.Equal(ours.PerClass[1].Recall, theirs.PositiveRecall, 9);
        Assert.Equal(ours.Aggregates.LogLoss!.Value / Math.Log(2), theirs.LogLoss, 4);
        // Confusion matrix: ML.NET orders classes positive first.
        var c = theirs.ConfusionMatrix.Counts;
        Assert.Equal(ours.Confusion.Counts[1][1], (int)c[0][0]);
        Assert.Equal(ours.Confusion.Counts[1][0], (int)c[0][1]);
        Assert.Equal(ours.Confusion.Counts[0][1], (int)c[1][0]);
        Assert.Equal(ours.Confusion.Counts[0][0], (int)c[1][1]);
    }

    [Fact]
    public void Multiclass_classifier_output_gives_MLNet_the_same_accuracies_log_loss_and_confusion_matrix()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.ThreeClasses([200, 60, 120], seed: 3, shift: 1.5);
        var test = SyntheticData.ThreeClasses([100, 100, 100], seed: 4, shift: 1.5);
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 8, BatchSize = 40, LearningRate = 0.05 }, SyntheticData.Linear, Device.CPU, 2)
        {
            Kind = ClassifierKind.Multiclass,
        };
        using var model = trainer.Train(train, null).Model;
        var scored = model.Transform(test);
        var theirs = ml.MulticlassClassification.Evaluate(scored);

        var ours = ClassificationEvaluator.Evaluate(ClassificationScores.FromProbabilities(test.Labels(), SyntheticData.Probabilities(model, test), test.Ecg.ClassNames), new EvaluationOptions());
        output.WriteLine("| metric | ours | ML.NET | note |");
        Row("accuracy (micro)", ours.Aggregates.Accuracy, theirs.MicroAccuracy);
        Row("balanced accuracy (macro recall)", ours.Aggregates.BalancedAccuracy, theirs.MacroAccuracy);
        Row("log-loss", ours.Aggregates.LogLoss!.Value, theirs.LogLoss, "both in nats");

        Assert.Equal(ours.Aggregates.Accuracy, theirs.MicroAccuracy, 12);
        Assert.Equal(ours.Aggregates.BalancedAccuracy, theirs.MacroAccuracy, 12);
        Assert.Equal(ours.Aggregates.LogLoss!.Value, theirs.LogLoss, 5);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(ours.Confusion.Counts[i][j], (int)theirs.ConfusionMatrix.Counts[i][j]);
        Assert.Equal(ours.PerClass.Select(c => c.Recall), theirs.ConfusionMatrix.PerClassRecall, new Tolerance(1e-12));
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double v) => 0;
    }
}
