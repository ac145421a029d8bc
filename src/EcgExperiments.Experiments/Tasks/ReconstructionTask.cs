using System.Text.Json;
using System.Text.Json.Nodes;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Training;
using EcgExperiments.Training.Reconstruction;

namespace EcgExperiments.Experiments;

/// <summary>
/// YAML options of the single-lead → 12-lead reconstructor (<c>type: bilstm_attention</c>, SPEC §2.3). Defaults are the
/// published network (hidden 400, 3 layers, attention head: 18,595,201 parameters at 12 × 1000).
/// <code>model: { type: bilstm_attention, hidden: 400, layers: 3, input_lead: I }</code>
/// </summary>
public sealed record BiLstmReconstructorSpec
{
    public int Hidden { get; init; } = 400;
    public int Layers { get; init; } = 3;
    /// <summary>Lead fed to the model (interpolated to the item length and min-max scaled to [0, 1]).</summary>
    public string InputLead { get; init; } = "I";
    public ReconstructorHead Head { get; init; } = ReconstructorHead.Attention;

    public static ModelBuild Build(BiLstmReconstructorSpec s)
    {
        if (s.Hidden < 1 || s.Layers < 1) throw new ArgumentException($"model.hidden and model.layers must be ≥ 1, got {s.Hidden} and {s.Layers}");
        if (string.IsNullOrWhiteSpace(s.InputLead)) throw new ArgumentException("model.input_lead must name a lead, e.g. I");
        return new ReconstructorBuild(s,
            $"BiLSTM {s.Layers}×{s.Hidden} + {(s.Head == ReconstructorHead.Attention ? "attention → linear T·leads (published)" : "per-step linear head")}, input lead {s.InputLead}",
            schema =>
            {
                if (schema.ItemShape.Count != 2) return $"expects records [leads × samples], got {schema.ShapeText}";
                if (schema.LeadNames is not { } names) return "the data has no lead names, so the input lead cannot be found";
                return names.Any(n => string.Equals(n, s.InputLead, StringComparison.OrdinalIgnoreCase)) ? null
                    : $"input_lead '{s.InputLead}' is not among the data's leads [{string.Join(", ", names)}]";
            });
    }
}

/// <summary>The reconstruction task: MSE training, per-lead RMSE / Pearson r / R² on the test split, against each lead's training mean.</summary>
internal sealed record ReconstructorBuild(BiLstmReconstructorSpec Options, string Description, Func<DataSchema, string?> Check)
    : ModelBuild(Description, ComputeKind.Recurrent, Check)
{
    public override string Task => "reconstruction";

    internal override TaskResult Run(TaskContext c)
    {
        var s = Options;
        var schema = c.Train.Schema;
        int leads = (int)schema.ItemShape[0], length = (int)schema.ItemShape[1];
        var trainer = new ReconstructionTrainer(c.Training, _ => new BiLstmAttentionReconstructor(length, leads, s.Hidden, s.Layers, s.Head),
            c.Device, c.Spec.Seed, s.InputLead);
        var result = trainer.Fit(c.Train, c.Validation, c.Progress, c.Cancel);
        using var model = result.Model;

        var targets = ReconstructionBaselines.Targets(c.Test);
        var report = ReconstructionMetrics.Compute(targets, trainer.Predict(model, c.Test), schema.LeadNames, c.Bootstrap(stratified: false));
        var mean = ReconstructionMetrics.Compute(targets, ReconstructionBaselines.TrainingMean(c.Train, c.Test), schema.LeadNames);
        var identity = ReconstructionMetrics.Compute(targets, ReconstructionBaselines.Identity(c.Test, trainer.InputLeadIndex(schema)), schema.LeadNames);

        var table = report.ToTable();   // mse, mean_rmse, mean_pearson_r, mean_r2 (with intervals), then per lead rmse, pearson_r, r2
        var baseline = mean.ToTable();
        var dir = c.RunDirectory;
        var names = schema.LeadNames ?? Enumerable.Range(0, leads).Select(i => $"lead{i}").ToArray();
        ReconstructionModelFile.Save(Path.Combine(dir, "model.ecgstate"), (BiLstmAttentionReconstructor)model,
            new ReconstructionModelInfo(length, s.Hidden, s.Layers, s.InputLead, names, s.Head));
        AtomicFile.WriteAllText(Path.Combine(dir, "reconstruction.json"), MetricJson.Serialize(report));
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.csv"), ResultTables.Csv(c.Spec.Name, c.Spec.Split.Protocol, table, baseline));
        var context = $"{c.Experiment.Source.Description}; model {Description} ({model.parameter_count():N0} parameters). " +
                      $"Identity baseline (input lead copied to every lead): MSE {identity.Mse:0.0000}, mean r {identity.MeanPearsonR:0.000}.";
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.md"), ResultTables.Markdown(c.Spec.Name, c.Spec.Split.Protocol, table, baseline, MeanKind, context, c.Test.Count));
        return new TaskResult
        {
            Interrupted = result.Interrupted,
            Parameters = model.parameter_count(),
            History = result.History,
            BestEpoch = result.BestEpoch,
            Metrics = table,
            Baseline = baseline,
            BaselineKind = MeanKind,
            Extra = new JsonObject
            {
                ["reconstruction"] = JsonNode.Parse(MetricJson.Serialize(report)),
                ["identity_baseline_table"] = MetricTable.ToJson(identity.ToTable()),
            },
            Artefacts = new JsonObject
            {
                ["model"] = "model.ecgstate (ecg convert --model)",
                ["reconstruction_json"] = "reconstruction.json",
                ["metrics_csv"] = "metrics.csv",
                ["metrics_markdown"] = "metrics.md",
            },
        };
    }

    private const string MeanKind = "training mean per lead";
}
