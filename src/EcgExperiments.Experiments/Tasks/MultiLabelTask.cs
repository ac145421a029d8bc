using System.Globalization;
using System.Text.Json.Nodes;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Tasks;

/// <summary>
/// Multi-label classification (a classifier on label sets, one sigmoid per label): one decision threshold per label
/// chosen on the validation split only (best F1 of that label; <c>evaluation.threshold: youden</c> for Youden's J), then
/// on the test split the <see cref="MultiLabelEvaluator"/>'s metrics — macro and micro ROC-AUC, per-label ROC-AUC and
/// average precision, the PTB-XL benchmark's F-max, F1 per label and macro/micro at the chosen thresholds, Hamming loss —
/// with bootstrap intervals over test examples (unstratified: an example has several labels), next to the training label
/// prevalence as constant scores (macro ROC-AUC 0.5, AP = prevalence).
/// </summary>
public sealed class MultiLabelTask : IExperimentTask
{
    public TaskKind Kind => TaskKind.MultiLabel;

    public (string Metric, bool HigherIsBetter) Headline => (MetricNames.MacroRocAuc, true);

    public (string Key, string Message)? Check(ExperimentSpec spec, EcgSchema schema)
    {
        if (!schema.MultiLabel) return ("data", "a multi-label task needs data with label sets (e.g. data.labels: { preset: superdiagnostic })");
        if (schema.ClassNames.Count < 1) return ("data", "a multi-label task needs at least one label");
        return null;
    }

    /// <summary>The rule of the per-label thresholds: best F1 unless the spec asks for Youden's J (argmax has no meaning per label).</summary>
    public static ThresholdRule Rule(EvaluationSpec evaluation) => evaluation.Threshold == ThresholdKind.Youden ? ThresholdRule.Youden : ThresholdRule.BestF1;

    private static string RuleName(EvaluationSpec evaluation) => evaluation.Threshold == ThresholdKind.Youden ? "youden" : "best_f1";

    public TaskEvaluation Evaluate(TaskContext c, IEcgPredictor model)
    {
        var predictor = (ClassificationPredictor)model;
        var names = c.Test.Ecg.ClassNames;
        if (c.Validation.Count == 0)
            throw new InvalidOperationException("a multi-label task chooses each label's threshold on the validation split, which is empty; give the split a validation part");
        var validation = MultiLabelScores.ForValidation(c.Validation.Targets(), Probabilities(predictor, c.Validation), names);
        var testProbabilities = Probabilities(predictor, c.Test);
        var testTargets = c.Test.Targets();
        var test = MultiLabelScores.ForTest(testTargets, testProbabilities, names);
        var report = MultiLabelEvaluator.Evaluate(validation, test, new MultiLabelEvaluationOptions
        {
            TrainingTargets = c.Train.Targets(),
            Bootstrap = c.Bootstrap(stratified: false),
            ThresholdRule = Rule(c.Spec.Evaluation),
        });
        var thresholds = report.PerLabel.Select(l => l.Threshold.Value).ToArray();
        var details = new JsonObject
        {
            ["threshold_rule"] = RuleName(c.Spec.Evaluation),
            ["thresholds"] = new JsonObject(report.PerLabel.Select(l => KeyValuePair.Create(l.Name, (JsonNode?)l.Threshold.Value))),
            ["f_max_threshold"] = report.Fmax.Threshold,
        };
        var fallbacks = report.PerLabel.Where(l => l.Threshold.IsFallback).Select(l => l.Threshold.Note).ToArray();
        if (fallbacks.Length > 0) details["threshold_notes"] = new JsonArray(fallbacks.Select(n => (JsonNode?)n).ToArray());
        if (report.UndefinedAucLabels.Count > 0) details["undefined_auc_labels"] = new JsonArray(report.UndefinedAucLabels.Select(n => (JsonNode?)n).ToArray());

        var header = new List<string> { "id", "patient", "labels" };
        header.AddRange(names.Select(n => $"p_{n}"));
        var rows = Enumerable.Range(0, c.Test.Count).Select(i => (IReadOnlyList<string>)
        [
            c.Test.Index.Ids[i], c.Test.Index.Groups[i], string.Join(";", names.Where((_, l) => testTargets[i][l])),
            .. testProbabilities[i].Select(p => p.ToString("R", CultureInfo.InvariantCulture)),
        ]).ToList();
        return new TaskEvaluation
        {
            Metrics = report.ToTable(),
            Baseline = report.Baseline?.ToTable() ?? [],
            BaselineKind = report.BaselineKind ?? LabelPrevalenceBaseline.Kind,
            Report = report,
            Model = predictor.WithThresholds(thresholds),
            Details = details,
            Predictions = new PredictionTable(header, rows),
            Context = $"one sigmoid probability per label; thresholds per label chosen on validation ({RuleName(c.Spec.Evaluation).Replace('_', ' ')}); " +
                      "baseline: the training prevalence of each label as a constant score.",
        };
    }

    /// <summary>Per-label probabilities [example][label] from the predictor's Score column.</summary>
    private static double[][] Probabilities(ClassificationPredictor model, EcgDataView data)
    {
        var score = model.Transform(data).ReadAll()[EcgColumns.Score];
        int k = data.Ecg.ClassNames.Count;
        return Enumerable.Range(0, data.Count).Select(i => score.AsSpan(i * k, k).ToArray().Select(p => (double)p).ToArray()).ToArray();
    }
}
