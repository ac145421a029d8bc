using System.Globalization;
using System.Text.Json.Nodes;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Training;
using EcgExperiments.Training.Reconstruction;

namespace EcgExperiments.Experiments.Tasks;

/// <summary>
/// Reconstruction: MSE, per-lead RMSE, Pearson r and R² of the reconstructed leads on the test split, against each
/// lead's training mean; the identity baseline (input lead copied to every lead) is recorded too.
/// </summary>
public sealed class ReconstructionTask : IExperimentTask
{
    private const string MeanKind = "training mean per lead";

    public TaskKind Kind => TaskKind.Reconstruction;

    public (string Metric, bool HigherIsBetter) Headline => (MetricNames.Mse, false);

    public (string Key, string Message)? Check(ExperimentSpec spec, EcgSchema schema) => null;

    public TaskEvaluation Evaluate(TaskContext c, IEcgPredictor model)
    {
        var predictor = (ReconstructionPredictor)model;
        var schema = c.Test.Ecg;
        var targets = ReconstructionBaselines.Targets(c.Test);
        var predicted = ReconstructionTrainer.Reconstructions(predictor, c.Test);
        var report = ReconstructionMetrics.Compute(targets, predicted, schema.LeadNames, c.Bootstrap(stratified: false));
        var mean = ReconstructionMetrics.Compute(targets, ReconstructionBaselines.TrainingMean(c.Train, c.Test), schema.LeadNames);
        var identity = ReconstructionMetrics.Compute(targets, ReconstructionBaselines.Identity(c.Test, predictor.InputLead), schema.LeadNames);
        var rows = Enumerable.Range(0, c.Test.Count).Select(i => (IReadOnlyList<string>)
            [c.Test.Index.Ids[i], c.Test.Index.Groups[i], Mse(targets[i], predicted[i]).ToString("R", CultureInfo.InvariantCulture)]).ToList();
        return new TaskEvaluation
        {
            Metrics = report.ToTable(),   // mse, mean_rmse, mean_pearson_r, mean_r2 (with intervals), then per lead rmse, pearson_r, r2
            Baseline = mean.ToTable(),
            BaselineKind = MeanKind,
            Report = report,
            Model = predictor,
            Details = new JsonObject
            {
                ["identity_baseline_table"] = System.Text.Json.JsonSerializer.SerializeToNode(identity.ToTable(), Runs.RunRecordFile.Json),
            },
            Predictions = new PredictionTable(["id", "patient", "mse"], rows),
            Context = string.Create(CultureInfo.InvariantCulture,
                $"identity baseline (input lead copied to every lead): MSE {identity.Mse:0.0000}, mean r {identity.MeanPearsonR:0.000}."),
        };
    }

    private static double Mse(float[][] target, float[][] predicted)
    {
        double sum = 0;
        long n = 0;
        for (int l = 0; l < target.Length; l++)
            for (int t = 0; t < target[l].Length; t++, n++) sum += Math.Pow(target[l][t] - (double)predicted[l][t], 2);
        return sum / Math.Max(1, n);
    }
}
