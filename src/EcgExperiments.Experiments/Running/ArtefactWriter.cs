using EcgExperiments.Core;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Prediction;
using EcgExperiments.Experiments.Tasks;
using Microsoft.ML;

namespace EcgExperiments.Experiments.Running;

/// <summary>
/// The one place a trial's files are written, the same way for every task: the model file, predictions (one row per
/// test example), the full report as metrics.json, the tidy metric table as metrics.csv and metrics.md. Each file is
/// written atomically.
/// </summary>
internal static class ArtefactWriter
{
    public static IReadOnlyDictionary<string, string> Write(string dir, string experiment, string protocol, TaskEvaluation evaluation,
        ModelManifest manifest, IEnumerable<ITransformer> pipeline, int testCount, string context)
    {
        EcgModelFile.Save(Path.Combine(dir, EcgModelFile.FileName), manifest, pipeline, evaluation.Model);
        AtomicFile.WriteAllText(Path.Combine(dir, "predictions.csv"), Csv.Write(evaluation.Predictions.Header, evaluation.Predictions.Rows));
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.json"), MetricJson.Serialize(evaluation.Report));
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.csv"), ResultTables.Csv(experiment, protocol, evaluation.Metrics, evaluation.Baseline));
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.md"),
            ResultTables.Markdown(experiment, protocol, evaluation.Metrics, evaluation.Baseline, evaluation.BaselineKind, context, testCount, evaluation.Report as MetricReport));
        return new Dictionary<string, string>
        {
            ["model"] = EcgModelFile.FileName,
            ["predictions"] = "predictions.csv",
            ["metrics_json"] = "metrics.json",
            ["metrics_csv"] = "metrics.csv",
            ["metrics_markdown"] = "metrics.md",
        };
    }
}
