using EcgExperiments.Core;
using EcgExperiments.Evaluation;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training.Imbalance;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training;

/// <summary>
/// Trains any classifier module that maps a batch of items to logits: one logit for two classes (sigmoid,
/// binary cross-entropy; class 1 is the positive class) or one per class (softmax, cross-entropy).
/// The class-imbalance strategy (<see cref="TrainingOptions.Imbalance"/>, or <see cref="TrainingOptions.ClassWeights"/>)
/// supplies the loss and the per-epoch example order; it is bound to the training labels at the start of
/// <see cref="TrainerBase{TModel}.Fit"/>. The validation loss is that same training objective.
/// </summary>
/// <example><code>
/// var options = new TrainingOptions { Epochs = 20, Imbalance = new() { Strategy = ImbalanceStrategyKind.Focal, FocalGamma = 2 } };
/// var trainer = new ClassifierTrainer(options, schema => new ResNet1d(), Device.CPU, seed: 1);
/// var result = trainer.Fit(train, validation);
/// </code></example>
public sealed class ClassifierTrainer : TrainerBase<Module<Tensor, Tensor>>
{
    private readonly Func<DataSchema, Module<Tensor, Tensor>> _createModel;
    private ImbalancePlan? _plan;
    private DataView? _planData;

    /// <summary>
    /// Creates the trainer; <paramref name="classWeights"/> are legacy explicit class weights (same as
    /// <see cref="TrainingOptions.ClassWeights"/>), not combinable with <see cref="TrainingOptions.Imbalance"/>.
    /// </summary>
    public ClassifierTrainer(TrainingOptions options, Func<DataSchema, Module<Tensor, Tensor>> createModel, Device device, ulong seed, IReadOnlyList<double>? classWeights = null)
        : base(options, device, seed)
    {
        _createModel = createModel;
        if (classWeights is not null && options.Imbalance is not null)
            throw new ArgumentException("class weights were given both to the trainer and as training.imbalance; use training.imbalance only");
        var imbalance = classWeights is not null
            ? new ImbalanceOptions { Strategy = ImbalanceStrategyKind.ClassWeights, ClassWeights = classWeights, Weighting = ClassWeightMode.Explicit }
            : options.ResolvedImbalance();
        Imbalance = ImbalanceStrategies.Create(imbalance);
        ClassWeights = imbalance.Strategy == ImbalanceStrategyKind.ClassWeights ? imbalance.ClassWeights : null;
    }

    /// <summary>Explicit class weights when the strategy is class_weights with a list; else null.</summary>
    public IReadOnlyList<double>? ClassWeights { get; }

    /// <summary>The class-imbalance strategy in effect.</summary>
    public IImbalanceStrategy Imbalance { get; }

    protected override Module<Tensor, Tensor> CreateModel(DataSchema schema)
    {
        if (Imbalance.Check(schema.ClassNames.Count) is { } problem)
            throw new ArgumentException($"training.imbalance ({Imbalance.Description}): {problem} [{string.Join(", ", schema.ClassNames)}]");
        _plan = null;
        _planData = null;
        return _createModel(schema);
    }

    protected override int[] EpochOrder(DataView train, SplitMix64 rng) => PlanFor(train).Sampler.Order(train.Labels(), rng);

    protected override Tensor BatchLoss(Module<Tensor, Tensor> model, DataView data, int[] batch)
    {
        var x = Batches.Inputs(data, batch, Device);
        var y = Batches.Labels(data, batch, Device);
        return PlanFor(data).Loss.Compute(model.forward(x), y);
    }

    /// <summary>The plan bound to the training data (prepared on first use in a fit).</summary>
    private ImbalancePlan PlanFor(DataView train)
    {
        if (_plan is null || !ReferenceEquals(_planData, train))
        {
            _plan = Imbalance.Prepare(train.Labels(), train.Schema.ClassNames.Count);
            _planData = train;
        }
        return _plan;
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
        // Outside a fit (no training labels seen) the loss is the plain BCE / cross-entropy.
        var loss = _plan?.Loss ?? new WeightedCrossEntropyLoss();
        var result = new double[data.Count][];
        double lossSum = 0;
        foreach (var idx in Batches.Sequential(data.Count, Math.Max(Options.BatchSize, 64)))
        {
            using var scope = torch.NewDisposeScope();
            var logits = model.forward(Batches.Inputs(data, idx, Device));
            lossSum += loss.Compute(logits, Batches.Labels(data, idx, Device)).item<double>() * idx.Length;
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
