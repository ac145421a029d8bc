using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments;

/// <summary>A classifier (any <c>model:</c> of the classification task): trained with <see cref="ClassifierTrainer"/> and
/// the spec's imbalance strategy, evaluated with per-class metrics, a validation-chosen threshold and the class prior.</summary>
public sealed record ClassifierBuild(string Description, ComputeKind Kind, Func<DataSchema, Module<Tensor, Tensor>> Create, Func<DataSchema, string?> CheckInput)
    : ModelBuild(Description, Kind, CheckInput)
{
    public override string Task => "classification";

    internal override TaskResult Run(TaskContext c)
    {
        var training = c.Training;
        var trainer = new ClassifierTrainer(training, Create, c.Device, c.Spec.Seed, training.ClassWeights);
        var result = trainer.Fit(c.Train, c.Validation, c.Progress, c.Cancel);
        using var model = result.Model;
        var (report, threshold) = Evaluate(trainer, model, c);
        var artefacts = WriteArtefacts(c, model, trainer, report);
        return new TaskResult
        {
            Interrupted = result.Interrupted,
            Parameters = model.parameter_count(),
            History = result.History,
            BestEpoch = result.BestEpoch,
            Metrics = report.ToTable(),
            Baseline = report.Baseline?.ToTable() ?? [],
            BaselineKind = report.BaselineKind ?? "class prior",
            Report = report,
            Extra = new JsonObject { ["decision_threshold"] = threshold is null ? null : JsonSerializer.SerializeToNode(threshold, MetricJson.Options) },
            Artefacts = artefacts,
        };
    }

    private static (MetricReport report, DecisionThreshold? threshold) Evaluate(ClassifierTrainer trainer, Module<Tensor, Tensor> model, TaskContext c)
    {
        var (val, test, spec) = (c.Validation, c.Test, c.Spec);
        var names = test.Schema.ClassNames;
        var testProbs = trainer.Predict(model, test);
        // Binary tasks: class 1 is the positive class (e.g. HYP in NORM vs HYP).
        var scores = names.Count == 2
            ? ClassificationScores.Binary(test.Labels(), testProbs.Select(p => p[1]).ToArray(), names, positiveClass: 1)
            : ClassificationScores.FromProbabilities(test.Labels(), testProbs, names);
        DecisionThreshold? threshold = null;
        if (names.Count == 2 && spec.Evaluation.Threshold != ThresholdKind.Argmax && val.Count > 0)
        {
            // Chosen on the validation split only, then applied to the test split.
            var valProbs = trainer.Predict(model, val);
            var valScores = BinaryScores.ForValidation(val.Labels().Select(l => l == 1).ToArray(), valProbs.Select(p => p[1]).ToArray());
            var rule = spec.Evaluation.Threshold == ThresholdKind.BestF1 ? ThresholdRule.BestF1 : ThresholdRule.Youden;
            threshold = ThresholdSelector.Fit(valScores, rule);
            scores = scores.WithThreshold(threshold.Value);
        }
        var report = ClassificationEvaluator.Evaluate(scores, new EvaluationOptions { TrainingLabels = c.Train.Labels(), Bootstrap = c.Bootstrap() });
        return (report, threshold);
    }

    private JsonObject WriteArtefacts(TaskContext c, Module<Tensor, Tensor> model, ClassifierTrainer trainer, MetricReport report)
    {
        var (dir, test, spec) = (c.RunDirectory, c.Test, c.Spec);
        model.save(Path.Combine(dir, "model.ecgstate"), new Dictionary<string, string> { ["experiment"] = spec.Name, ["model"] = Description });
        var probs = trainer.Predict(model, test);
        var csv = new StringBuilder("id,patient,label," + string.Join(",", test.Schema.ClassNames.Select(n => $"p_{n}")) + "\n");
        for (int i = 0; i < test.Count; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{test.Examples[i].Id},{test.Examples[i].Group},{test.Schema.ClassNames[test.Examples[i].Label]},")
               .AppendJoin(',', probs[i].Select(p => p.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(dir, "predictions.csv"), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.json"), MetricJson.Serialize(report));
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.csv"), ResultTables.Csv(spec.Name, spec.Split.Protocol, report, report.Baseline));
        var context = $"{c.Experiment.Source.Description}; model {Description} ({model.parameter_count():N0} parameters).";
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.md"), ResultTables.Markdown(spec.Name, spec.Split.Protocol, report, report.Baseline, context));
        return new JsonObject
        {
            ["model"] = "model.ecgstate",
            ["predictions"] = "predictions.csv",
            ["metrics_json"] = "metrics.json",
            ["metrics_csv"] = "metrics.csv",
            ["metrics_markdown"] = "metrics.md",
        };
    }
}
