using EcgExperiments.Evaluation;
using EcgExperiments.Pipeline;
using Microsoft.ML;
using EcgExperiments.Torch;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training.Reconstruction;

/// <summary>
/// Single-lead → multi-lead reconstruction (SPEC §2.3). Examples are leads × T signals (PTB-XL: 12 × 1000);
/// the input is one lead (default "I"), interpolated to T and min-max scaled to [0, 1] by
/// <see cref="ReconstructionPreprocessing"/>; the targets are all leads as given (e.g. mV); the loss is MSE.
/// Validation reports MSE, mean and per-lead RMSE, Pearson r and R² (<see cref="ReconstructionMetrics"/>). Returns a
/// <see cref="ReconstructionPredictor"/>. Any module mapping N×T to N×leads×T fits, e.g. <see cref="Models.BiLstmAttentionReconstructor"/>.
/// </summary>
/// <example><code>
/// var trainer = new ReconstructionTrainer(ReconstructionTrainer.DefaultOptions with { Epochs = 30 },
///     s => new BiLstmAttentionReconstructor((int)s.ItemShape[1], 12, hidden: 400, layers: 3), Device.CPU, seed: 1);
/// var run = trainer.Train(train, validation);
/// ReconstructionReport report = ReconstructionTrainer.Evaluate(run.Model, test);
/// </code></example>
public sealed class ReconstructionTrainer(
    TrainingOptions options, Func<EcgSchema, Module<Tensor, Tensor>> createModel, Device device, ulong seed, string inputLead = "I")
    : EcgTrainerBase<Module<Tensor, Tensor>, ReconstructionPredictor>(options, device, seed)
{
    /// <summary>SPEC §2.3 training (not published, made explicit): AdamW, lr 1e-3, weight decay 1e-2, batch 32.</summary>
    public static TrainingOptions DefaultOptions { get; } = new()
    {
        Optimizer = OptimizerKind.AdamW,
        LearningRate = 1e-3,
        WeightDecay = 1e-2,
        BatchSize = 32,
    };

    /// <summary>Name of the input lead (matched case-insensitively against the schema's lead names).</summary>
    public string InputLead { get; } = inputLead;

    protected override Module<Tensor, Tensor> CreateModel(EcgSchema schema)
    {
        InputLeadIndex(schema, InputLead);
        return createModel(schema);
    }

    /// <summary>Index of <paramref name="inputLead"/> in the schema; throws naming the available leads.</summary>
    public static int InputLeadIndex(EcgSchema schema, string inputLead)
    {
        if (schema.ItemShape.Count != 2)
            throw new SchemaException("reconstruction", $"expects items shaped leads × samples, got {schema.ShapeText}");
        var names = schema.LeadNames ?? throw new SchemaException("reconstruction", "the data has no lead names; the input lead cannot be found");
        for (int i = 0; i < names.Count; i++)
            if (string.Equals(names[i], inputLead, StringComparison.OrdinalIgnoreCase)) return i;
        throw new SchemaException("reconstruction", $"input lead '{inputLead}' is not among the data's leads [{string.Join(", ", names)}]");
    }

    protected override Tensor BatchLoss(FitState<Module<Tensor, Tensor>> state, int[] batch)
    {
        var data = state.Train;
        int leads = (int)data.Ecg.ItemShape[0], t = (int)data.Ecg.ItemShape[1];
        var x = ReconstructionInputs.Of(data, batch, InputLeadIndex(data.Ecg, InputLead), Device);
        var y = Batches.Inputs(data, batch, Device).view(batch.Length, leads, t);
        return F.mse_loss(state.Model.forward(x).@float(), y);
    }

    protected override ValidationResult Validate(FitState<Module<Tensor, Tensor>> state, EcgDataView validation)
    {
        // Not disposed: the model belongs to the fit; this predictor only borrows it.
        var report = Evaluate(Predictor(state.Model, validation.Ecg), validation);
        var metrics = new Dictionary<string, double>
        {
            ["mse"] = report.Mse,
            ["mean_rmse"] = report.MeanRmse,
            ["mean_r2"] = report.MeanR2,
        };
        if (report.MeanPearsonR is { } r) metrics["mean_pearson_r"] = r;
        foreach (var l in report.PerLead)
        {
            metrics[$"rmse_{l.Lead}"] = l.Rmse;
            metrics[$"r2_{l.Lead}"] = l.R2;
            if (l.PearsonR is { } lr) metrics[$"pearson_r_{l.Lead}"] = lr;
        }
        return new ValidationResult(report.Mse, metrics);
    }

    private ReconstructionPredictor Predictor(Module<Tensor, Tensor> model, EcgSchema schema) =>
        new(model, schema, Device, Math.Max(Options.BatchSize, 64), InputLeadIndex(schema, InputLead));

    public override IReadOnlyList<string> ValidationMetrics(EcgSchema schema)
    {
        var leads = schema.LeadNames ?? [];
        return ["mse", "mean_rmse", "mean_r2", "mean_pearson_r", .. leads.SelectMany(l => new[] { $"rmse_{l}", $"r2_{l}", $"pearson_r_{l}" })];
    }

    protected override ReconstructionPredictor CreatePredictor(FitState<Module<Tensor, Tensor>> state, EcgSchema schema) => Predictor(state.Model, schema);

    public override SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        SchemaShapes.AddLike(SchemaShapes.RequireSignal(inputSchema, "reconstruction"), EcgColumns.Reconstruction, EcgColumns.Signal);

    /// <summary>Reconstruction metrics of a predictor on <paramref name="data"/> (targets: the data's own leads).</summary>
    public static ReconstructionReport Evaluate(ReconstructionPredictor predictor, EcgDataView data, BootstrapOptions? bootstrap = null) =>
        ReconstructionMetrics.Compute(ReconstructionBaselines.Targets(data), Reconstructions(predictor, data), data.Ecg.LeadNames, bootstrap);

    /// <summary>The predictor's reconstructions as [record][lead][time].</summary>
    public static float[][][] Reconstructions(ReconstructionPredictor predictor, EcgDataView data) =>
        ReconstructionBaselines.Split(predictor.Transform(data).ReadAll()[EcgColumns.Reconstruction], data.Count, (int)data.Ecg.ItemShape[0], (int)data.Ecg.ItemShape[1]);
}

/// <summary>
/// Reference predictions a reconstruction model must beat (reported next to it): <see cref="Identity"/> copies
/// the input lead (as recorded, in the targets' units) to every lead; <see cref="TrainingMean"/> predicts each
/// lead's mean over the training records and time (R² ≈ 0 by construction).
/// </summary>
public static class ReconstructionBaselines
{
    /// <summary>The data's signals as [record][lead][time].</summary>
    public static float[][][] Targets(EcgDataView data)
    {
        var all = new float[data.Count * data.Ecg.ItemSize];
        data.ReadSignals(Enumerable.Range(0, data.Count).ToArray(), all);
        return Split(all, data.Count, (int)data.Ecg.ItemShape[0], (int)data.Ecg.ItemShape[1]);
    }

    /// <summary>The input lead copied to all leads.</summary>
    public static float[][][] Identity(EcgDataView data, int inputLead) =>
        Targets(data).Select(r => r.Select(_ => (float[])r[inputLead].Clone()).ToArray()).ToArray();

    /// <summary>Each lead's training mean, as a constant signal, for every record of <paramref name="data"/>.</summary>
    public static float[][][] TrainingMean(EcgDataView train, EcgDataView data)
    {
        int leads = (int)train.Ecg.ItemShape[0], t = (int)train.Ecg.ItemShape[1];
        var mean = new double[leads];
        foreach (var record in Targets(train))
            for (int l = 0; l < leads; l++)
                for (int j = 0; j < t; j++) mean[l] += record[l][j];
        for (int l = 0; l < leads; l++) mean[l] /= (double)train.Count * t;
        int dt = (int)data.Ecg.ItemShape[1];
        return Enumerable.Range(0, data.Count).Select(_ => mean.Select(m => Enumerable.Repeat((float)m, dt).ToArray()).ToArray()).ToArray();
    }

    /// <summary>Flat [records × leads × t] values as [record][lead][time].</summary>
    public static float[][][] Split(float[] flat, int records, int leads, int t)
    {
        var result = new float[records][][];
        for (int r = 0; r < records; r++)
        {
            result[r] = new float[leads][];
            for (int l = 0; l < leads; l++) result[r][l] = flat.AsSpan((r * leads + l) * t, t).ToArray();
        }
        return result;
    }
}
