using System.Globalization;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Tasks;

/// <summary>
/// Classification: per-class metrics with intervals against the class prior; for binary tasks (class 1 positive) a
/// decision threshold chosen on the validation split when <c>evaluation.threshold</c> asks for one.
/// </summary>
public sealed class ClassificationTask : IExperimentTask
{
    public TaskKind Kind => TaskKind.Classification;

    public (string Metric, bool HigherIsBetter) Headline => (MetricNames.RocAuc, true);

    public (string Key, string Message)? Check(ExperimentSpec spec, EcgSchema schema) =>
        schema.MultiLabel ? ("data", "the data carries label sets: a multi-label task")
        : schema.ClassNames.Count < 2 ? ("data", $"a classifier needs at least two classes, the data has [{string.Join(", ", schema.ClassNames)}]") : null;

    public TaskEvaluation Evaluate(TaskContext c, IEcgPredictor model)
    {
        var predictor = (ClassificationPredictor)model;
        var names = c.Test.Ecg.ClassNames;
        var test = Probabilities(predictor, c.Test);
        var labels = c.Test.Labels();
        // Binary tasks: class 1 is the positive class (e.g. HYP in NORM vs HYP).
        var scores = names.Count == 2
            ? ClassificationScores.Binary(labels, test.Select(p => p[1]).ToArray(), names, positiveClass: 1)
            : ClassificationScores.FromProbabilities(labels, test, names);
        DecisionThreshold? threshold = null;
        if (names.Count == 2 && c.Spec.Evaluation.Threshold != ThresholdKind.Argmax && c.Validation.Count > 0)
        {
            // Chosen on the validation split only, then applied to the test split.
            var val = Probabilities(predictor, c.Validation);
            var valScores = BinaryScores.ForValidation(c.Validation.Index.Labels.Select(l => l == 1).ToArray(), val.Select(p => p[1]).ToArray());
            threshold = ThresholdSelector.Fit(valScores, c.Spec.Evaluation.Threshold == ThresholdKind.BestF1 ? ThresholdRule.BestF1 : ThresholdRule.Youden);
            scores = scores.WithThreshold(threshold.Value);
            predictor = predictor.WithThreshold(threshold.Value);
        }
        var report = ClassificationEvaluator.Evaluate(scores, new EvaluationOptions { TrainingLabels = c.Train.Labels(), Bootstrap = c.Bootstrap() });
        var header = new List<string> { "id", "patient", "label" };
        header.AddRange(names.Select(n => $"p_{n}"));
        var rows = Enumerable.Range(0, c.Test.Count).Select(i => (IReadOnlyList<string>)
            [c.Test.Index.Ids[i], c.Test.Index.Groups[i], names[labels[i]], .. test[i].Select(p => p.ToString("R", CultureInfo.InvariantCulture))]).ToList();
        return new TaskEvaluation
        {
            Metrics = report.ToTable(),
            Baseline = report.Baseline?.ToTable() ?? [],
            BaselineKind = report.BaselineKind ?? "class prior",
            Report = report,
            Model = predictor,
            Threshold = threshold,
            Predictions = new PredictionTable(header, rows),
            Context = "class probabilities from the network; baseline: the training class prior as a constant prediction.",
        };
    }

    /// <summary>Class probabilities [example][class]: binary [1 − p, p] from the Probability column, else the Score vector.</summary>
    private static double[][] Probabilities(ClassificationPredictor model, EcgDataView data)
    {
        var columns = model.Transform(data).ReadAll();
        var score = columns[EcgColumns.Score];
        int k = data.Ecg.ClassNames.Count;
        return model.IsBinary
            ? columns[EcgColumns.Probability].Select(p => new double[] { 1f - p, p }).ToArray()
            : Enumerable.Range(0, data.Count).Select(i => score.AsSpan(i * k, k).ToArray().Select(p => (double)p).ToArray()).ToArray();
    }
}
