using EcgExperiments.Evaluation;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training;

/// <summary>
/// Trains any classifier module that maps a batch of items to logits: one logit for two classes (sigmoid,
/// binary cross-entropy; class 1 is the positive class) or one per class (softmax, cross-entropy).
/// Class weights scale each example's loss by the weight of its true class.
/// </summary>
public sealed class ClassifierTrainer(
    TrainingOptions options, Func<DataSchema, Module<Tensor, Tensor>> createModel, Device device, ulong seed, IReadOnlyList<double>? classWeights = null)
    : TrainerBase<Module<Tensor, Tensor>>(options, device, seed)
{
    public IReadOnlyList<double>? ClassWeights { get; } = classWeights;

    protected override Module<Tensor, Tensor> CreateModel(DataSchema schema)
    {
        if (ClassWeights is { } w && w.Count != schema.ClassNames.Count)
            throw new ArgumentException($"class weights list {w.Count} values but the data has {schema.ClassNames.Count} classes [{string.Join(", ", schema.ClassNames)}]");
        return createModel(schema);
    }

    protected override Tensor BatchLoss(Module<Tensor, Tensor> model, DataView data, int[] batch)
    {
        var x = Batches.Inputs(data, batch, Device);
        var y = Batches.Labels(data, batch, Device);
        return Loss(model.forward(x), y);
    }

    private Tensor Loss(Tensor logits, Tensor labels)
    {
        if (logits.size(1) == 1)
        {
            var target = labels.to(ScalarType.Float32).unsqueeze(1);
            Tensor? weight = null;
            if (ClassWeights is { } w)
                weight = torch.where(labels.eq(1), torch.scalar_tensor(w[1], device: Device), torch.scalar_tensor(w[0], device: Device)).unsqueeze(1);
            return F.binary_cross_entropy_with_logits(logits, target, weight);
        }
        var cw = ClassWeights is { } cws ? torch.tensor(cws.Select(v => (float)v).ToArray(), device: Device) : null;
        return F.cross_entropy(logits, labels, cw);
    }

    protected override ValidationResult Validate(Module<Tensor, Tensor> model, DataView validation)
    {
        var (probabilities, loss) = PredictWithLoss(model, validation);
        var scores = ClassificationScores.FromProbabilities(validation.Labels(), probabilities, validation.Schema.ClassNames);
        var report = ClassificationEvaluator.Evaluate(scores, new EvaluationOptions { IncludeCurves = false });
        var metrics = new Dictionary<string, double>
        {
            [MetricNames.Accuracy] = report.Aggregates.Accuracy,
            [MetricNames.MacroF1] = report.Aggregates.MacroF1,
            [MetricNames.BalancedAccuracy] = report.Aggregates.BalancedAccuracy,
        };
        if (report.Aggregates.RocAuc is { } auc) metrics[MetricNames.RocAuc] = auc;
        return new ValidationResult(loss, metrics);
    }

    /// <summary>Class probabilities [example][class] in eval mode.</summary>
    public double[][] Predict(Module<Tensor, Tensor> model, DataView data) => PredictWithLoss(model, data).probabilities;

    private (double[][] probabilities, double loss) PredictWithLoss(Module<Tensor, Tensor> model, DataView data)
    {
        model.eval();
        using var _ = torch.no_grad();
        var result = new double[data.Count][];
        double lossSum = 0;
        foreach (var idx in Batches.Sequential(data.Count, Math.Max(Options.BatchSize, 64)))
        {
            using var scope = torch.NewDisposeScope();
            var logits = model.forward(Batches.Inputs(data, idx, Device));
            lossSum += Loss(logits, Batches.Labels(data, idx, Device)).item<double>() * idx.Length;
            var probs = logits.size(1) == 1
                ? torch.cat([1 - logits.sigmoid(), logits.sigmoid()], 1)
                : F.softmax(logits, 1);
            var flat = probs.to(ScalarType.Float64).cpu().data<double>();
            int k = (int)probs.size(1);
            for (int i = 0; i < idx.Length; i++) result[idx[i]] = flat.AsSpan(i * k, k).ToArray();
        }
        return (result, lossSum / Math.Max(1, data.Count));
    }
}
