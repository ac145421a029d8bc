using EcgExperiments.Evaluation;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training.Reconstruction;

/// <summary>
/// Single-lead → multi-lead reconstruction (SPEC §2.3). Examples are leads × T signals (PTB-XL: 12 × 1000);
/// the input is one lead (default "I"), interpolated to T and min-max scaled to [0, 1] by
/// <see cref="ReconstructionPreprocessing"/>; the targets are all leads as given (e.g. mV); the loss is MSE.
/// Validation reports MSE, mean and per-lead RMSE, Pearson r and R² (<see cref="ReconstructionMetrics"/>).
/// Any module mapping N×T to N×leads×T fits, e.g. <see cref="Models.BiLstmAttentionReconstructor"/>.
/// </summary>
/// <example><code>
/// var trainer = new ReconstructionTrainer(ReconstructionTrainer.DefaultOptions with { Epochs = 30 },
///     s => new BiLstmAttentionReconstructor((int)s.ItemShape[1], 12, hidden: 400, layers: 3), Device.CPU, seed: 1);
/// var result = trainer.Fit(train, validation);
/// ReconstructionReport report = trainer.Evaluate(result.Model, test);
/// </code></example>
public sealed class ReconstructionTrainer(
    TrainingOptions options, Func<DataSchema, Module<Tensor, Tensor>> createModel, Device device, ulong seed, string inputLead = "I")
    : TrainerBase<Module<Tensor, Tensor>>(options, device, seed)
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

    protected override Module<Tensor, Tensor> CreateModel(DataSchema schema)
    {
        InputLeadIndex(schema);
        return createModel(schema);
    }

    /// <summary>Index of <see cref="InputLead"/> in the schema; throws naming the available leads.</summary>
    public int InputLeadIndex(DataSchema schema)
    {
        if (schema.ItemShape.Count != 2)
            throw new SchemaException("reconstruction", $"expects items shaped leads × samples, got {schema.ShapeText}");
        var names = schema.LeadNames ?? throw new SchemaException("reconstruction", "the data has no lead names; the input lead cannot be found");
        for (int i = 0; i < names.Count; i++)
            if (string.Equals(names[i], InputLead, StringComparison.OrdinalIgnoreCase)) return i;
        throw new SchemaException("reconstruction", $"input lead '{InputLead}' is not among the data's leads [{string.Join(", ", names)}]");
    }

    protected override Tensor BatchLoss(Module<Tensor, Tensor> model, DataView data, int[] batch)
    {
        var (x, y) = MakeBatch(data, batch);
        return F.mse_loss(model.forward(x), y);
    }

    private (Tensor Inputs, Tensor Targets) MakeBatch(DataView data, int[] batch)
    {
        int lead = InputLeadIndex(data.Schema);
        int leads = (int)data.Schema.ItemShape[0], t = (int)data.Schema.ItemShape[1];
        var inputs = new float[batch.Length * t];
        for (int i = 0; i < batch.Length; i++)
            ReconstructionPreprocessing.Prepare(data.Examples[batch[i]].Values.AsSpan(lead * t, t), inputs.AsSpan(i * t, t));
        return (torch.tensor(inputs, [batch.Length, t], Device), Batches.Inputs(data, batch, Device).view(batch.Length, leads, t));
    }

    protected override ValidationResult Validate(Module<Tensor, Tensor> model, DataView validation)
    {
        var report = Evaluate(model, validation);
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

    /// <summary>Reconstructions [record][lead][time] in eval mode.</summary>
    public float[][][] Predict(Module<Tensor, Tensor> model, DataView data)
    {
        model.eval();
        using var _ = torch.no_grad();
        int leads = (int)data.Schema.ItemShape[0], t = (int)data.Schema.ItemShape[1];
        var result = new float[data.Count][][];
        foreach (var idx in Batches.Sequential(data.Count, Math.Max(Options.BatchSize, 64)))
        {
            using var scope = torch.NewDisposeScope();
            var (x, _) = MakeBatch(data, idx);
            var flat = model.forward(x).to(ScalarType.Float32).cpu().data<float>();
            if (flat.Length != idx.Length * leads * t)
                throw new InvalidOperationException($"the model returned {flat.Length / idx.Length} values per record; the data needs {leads} × {t}");
            for (int i = 0; i < idx.Length; i++) result[idx[i]] = Split(flat.AsSpan(i * leads * t, leads * t), leads, t);
        }
        return result;
    }

    /// <summary>Reconstruction metrics of <paramref name="model"/> on <paramref name="data"/>.</summary>
    public ReconstructionReport Evaluate(Module<Tensor, Tensor> model, DataView data) =>
        ReconstructionMetrics.Compute(ReconstructionBaselines.Targets(data), Predict(model, data), data.Schema.LeadNames);

    internal static float[][] Split(ReadOnlySpan<float> flat, int leads, int t)
    {
        var r = new float[leads][];
        for (int l = 0; l < leads; l++) r[l] = flat.Slice(l * t, t).ToArray();
        return r;
    }
}

/// <summary>
/// Reference predictions a reconstruction model must beat (reported next to it): <see cref="Identity"/> copies
/// the input lead (as recorded, in the targets' units) to every lead; <see cref="TrainingMean"/> predicts each
/// lead's mean over the training records and time (R² ≈ 0 by construction).
/// </summary>
public static class ReconstructionBaselines
{
    /// <summary>The data's signals as [record][lead][time].</summary>
    public static float[][][] Targets(DataView data)
    {
        int leads = (int)data.Schema.ItemShape[0], t = (int)data.Schema.ItemShape[1];
        return data.Examples.Select(e => ReconstructionTrainer.Split(e.Values, leads, t)).ToArray();
    }

    /// <summary>The input lead copied to all leads.</summary>
    public static float[][][] Identity(DataView data, int inputLead)
    {
        int leads = (int)data.Schema.ItemShape[0], t = (int)data.Schema.ItemShape[1];
        return data.Examples.Select(e =>
        {
            var lead = e.Values.AsSpan(inputLead * t, t).ToArray();
            return Enumerable.Range(0, leads).Select(_ => (float[])lead.Clone()).ToArray();
        }).ToArray();
    }

    /// <summary>Each lead's training mean, as a constant signal, for every record of <paramref name="data"/>.</summary>
    public static float[][][] TrainingMean(DataView train, DataView data)
    {
        int leads = (int)train.Schema.ItemShape[0], t = (int)train.Schema.ItemShape[1];
        var mean = new double[leads];
        foreach (var e in train.Examples)
            for (int l = 0; l < leads; l++)
                for (int j = 0; j < t; j++) mean[l] += e.Values[l * t + j];
        for (int l = 0; l < leads; l++) mean[l] /= (double)train.Count * t;
        int dt = (int)data.Schema.ItemShape[1];
        return data.Examples.Select(_ => mean.Select(m => Enumerable.Repeat((float)m, dt).ToArray()).ToArray()).ToArray();
    }
}
