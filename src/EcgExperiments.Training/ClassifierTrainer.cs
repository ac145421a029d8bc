using EcgExperiments.Evaluation;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training.Imbalance;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace EcgExperiments.Training;

/// <summary>
/// Trains any classifier module that maps a batch of items to logits: one logit for two classes (sigmoid, binary
/// cross-entropy; class 1 is the positive class), one per class (softmax, cross-entropy), or, for multi-label data
/// (<see cref="EcgSchema.MultiLabel"/>), one per label (a sigmoid each, binary cross-entropy with logits). The class-imbalance
/// strategy (<see cref="TrainingOptions.Imbalance"/>) supplies the loss and the per-epoch row order; it is bound to the
/// training labels when a fit starts. The validation loss is that same training objective. Returns a
/// <see cref="ClassificationPredictor"/> (Score, Probability, PredictedLabel), which is what ML.NET's evaluators read.
/// </summary>
/// <example><code>
/// var options = new TrainingOptions { Epochs = 20, Imbalance = new FocalLossStrategy(new FocalOptions { FocalGamma = 2 }) };
/// var trainer = mlContext.BinaryClassification.Trainers.EcgClassifier(options, schema => new SignalInput(new ResNet1d(new() { Outputs = 1 })));
/// var run = trainer.Train(train, validation);
/// IDataView scored = run.Model.Transform(test);
/// </code></example>
public sealed class ClassifierTrainer(TrainingOptions options, Func<EcgSchema, Module<Tensor, Tensor>> createModel, Device device, ulong seed)
    : EcgTrainerBase<Module<Tensor, Tensor>, ClassificationPredictor>(options, device, seed)
{
    private const string PlanKey = "imbalance";

    /// <summary>Binary or multi-class when the caller knows (ML.NET's catalogs do); checked against the data's classes.</summary>
    public ClassifierKind Kind { get; init; } = ClassifierKind.Auto;

    /// <summary>The class-imbalance strategy in effect.</summary>
    public IImbalanceStrategy Imbalance => Options.ResolvedImbalance();

    /// <summary>Whether a fit on data of <paramref name="schema"/> learns label sets (one sigmoid per label).</summary>
    public bool IsMultiLabel(EcgSchema schema) => Kind == ClassifierKind.MultiLabel || (Kind == ClassifierKind.Auto && schema.MultiLabel);

    protected override Module<Tensor, Tensor> CreateModel(EcgSchema schema)
    {
        if (IsMultiLabel(schema))
        {
            if (!schema.MultiLabel) throw new SchemaException("classifier", $"a multi-label classifier needs data with label sets, got classes [{string.Join(", ", schema.ClassNames)}]");
            if (schema.ClassNames.Count < 1) throw new SchemaException("classifier", "a multi-label classifier needs at least one label");
            if (Imbalance.CheckMultiLabel(schema.ClassNames) is { } bad)
                throw new ArgumentException($"training.imbalance.{bad.Key} ({Imbalance.Description}): {bad.Message}");
            return createModel(schema);
        }
        if (schema.ClassNames.Count < 2) throw new SchemaException("classifier", $"needs at least two classes, the data has [{string.Join(", ", schema.ClassNames)}]");
        if ((Kind == ClassifierKind.Binary && schema.ClassNames.Count != 2) || (Kind == ClassifierKind.Multiclass && schema.ClassNames.Count < 3) || schema.MultiLabel)
            throw new SchemaException("classifier", $"a {Kind.ToString().ToLowerInvariant()} classifier cannot take the classes [{string.Join(", ", schema.ClassNames)}]");
        if (Imbalance.Check(schema.ClassNames) is { } problem)
            throw new ArgumentException($"training.imbalance.{problem.Key} ({Imbalance.Description}): {problem.Message}");
        return createModel(schema);
    }

    protected override void BeginFit(FitState<Module<Tensor, Tensor>> state) =>
        state.Items[PlanKey] = IsMultiLabel(state.Train.Ecg)
            ? Imbalance.PrepareMultiLabel(state.Train.Index.LabelSets!, state.Train.Ecg.ClassNames)
            : Imbalance.Prepare(state.Train.Index.Labels, state.Train.Ecg.ClassNames);

    /// <summary>The batch's targets: class indices, or for multi-label data 0/1 per label.</summary>
    private static Tensor Targets(EcgDataView data, int[] rows, Device device) =>
        data.IsMultiLabel ? Batches.Targets(data, rows, device) : Batches.Labels(data, rows, device);

    private static ImbalancePlan Plan(FitState<Module<Tensor, Tensor>> state) => (ImbalancePlan)state.Items[PlanKey];

    protected override int[] EpochOrder(FitState<Module<Tensor, Tensor>> state) => Plan(state).Sampler.Order(state.Train.Index.Labels, state.Rng);

    protected override Tensor BatchLoss(FitState<Module<Tensor, Tensor>> state, int[] batch)
    {
        var x = Batches.Inputs(state.Train, batch, Device);
        var y = Targets(state.Train, batch, Device);
        return Plan(state).Loss.Compute(state.Model.forward(x), y);
    }

    protected override ValidationResult Validate(FitState<Module<Tensor, Tensor>> state, EcgDataView validation)
    {
        if (IsMultiLabel(validation.Ecg)) return ValidateMultiLabel(state, validation);
        var (loss, probabilities) = Score(state, validation, multiLabel: false);
        var scores = ClassificationScores.FromProbabilities(validation.Labels(), probabilities, validation.Ecg.ClassNames);
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

    /// <summary>
    /// Multi-label validation: the training objective and the threshold-free ranking metrics (macro and micro ROC-AUC,
    /// macro average precision, F-max). No threshold is fitted here: per-label thresholds are chosen once, after training.
    /// </summary>
    private ValidationResult ValidateMultiLabel(FitState<Module<Tensor, Tensor>> state, EcgDataView validation)
    {
        var (loss, probabilities) = Score(state, validation, multiLabel: true);
        var ranking = MultiLabelEvaluator.Ranking(MultiLabelScores.ForValidation(validation.Index.LabelSets!, probabilities, validation.Ecg.ClassNames));
        var metrics = new Dictionary<string, double> { [MetricNames.Fmax] = ranking.Fmax };
        if (ranking.MacroRocAuc is { } macro) metrics[MetricNames.MacroRocAuc] = macro;
        if (ranking.MicroRocAuc is { } micro) metrics[MetricNames.MicroRocAuc] = micro;
        if (ranking.MacroAveragePrecision is { } ap) metrics[MetricNames.MacroAveragePrecision] = ap;
        return new ValidationResult(loss, metrics);
    }

    /// <summary>
    /// The validation split's mean training objective and its probabilities [example][class] (binary: [1 − p, p];
    /// multi-label: one sigmoid per label), in batches of <see cref="InferenceBatch"/>.
    /// </summary>
    private (double Loss, double[][] Probabilities) Score(FitState<Module<Tensor, Tensor>> state, EcgDataView validation, bool multiLabel)
    {
        var loss = Plan(state).Loss;
        var probabilities = new double[validation.Count][];
        double lossSum = 0;
        foreach (var idx in Batches.Sequential(validation.Count, InferenceBatch))
        {
            using var scope = torch.NewDisposeScope();
            var logits = state.Model.forward(Batches.Inputs(validation, idx, Device));
            lossSum += loss.Compute(logits, Targets(validation, idx, Device)).item<double>() * idx.Length;
            var probs = (multiLabel ? logits.sigmoid() : ClassificationPredictor.Probabilities(logits)).to(ScalarType.Float64).cpu().data<double>();
            int k = (int)logits.size(1) == 1 && !multiLabel ? 2 : (int)logits.size(1);
            for (int i = 0; i < idx.Length; i++) probabilities[idx[i]] = probs.AsSpan(i * k, k).ToArray();
        }
        return (lossSum / Math.Max(1, validation.Count), probabilities);
    }

    /// <summary>Rows per forward pass when predicting.</summary>
    public int InferenceBatch => Math.Max(Options.BatchSize, 64);

    public override IReadOnlyList<string> ValidationMetrics(EcgSchema schema) => IsMultiLabel(schema)
        ? [MetricNames.MacroRocAuc, MetricNames.MicroRocAuc, MetricNames.MacroAveragePrecision, MetricNames.Fmax]
        : [MetricNames.Accuracy, MetricNames.MacroF1, MetricNames.BalancedAccuracy, MetricNames.RocAuc];

    protected override ClassificationPredictor CreatePredictor(FitState<Module<Tensor, Tensor>> state, EcgSchema schema) =>
        new(state.Model, schema, Device, InferenceBatch);

    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var shape = SchemaShapes.RequireLabel(SchemaShapes.RequireSignal(inputSchema, "classifier"), "classifier");
        switch (Kind)
        {
            case ClassifierKind.Binary:
                shape = SchemaShapes.AddConverted(shape, EcgColumns.Score, EcgColumns.Label, DataKind.Single);
                shape = SchemaShapes.AddConverted(shape, EcgColumns.Probability, EcgColumns.Label, DataKind.Single);
                return SchemaShapes.AddConverted(shape, EcgColumns.PredictedLabel, EcgColumns.Label, DataKind.Boolean);
            case ClassifierKind.Multiclass:
                shape = SchemaShapes.AddLike(shape, EcgColumns.Score, EcgColumns.Signal);
                return SchemaShapes.AddLike(shape, EcgColumns.PredictedLabel, EcgColumns.Label);
            case ClassifierKind.MultiLabel:
                if (SchemaShapes.Find(shape, EcgColumns.Labels) is null)
                    throw new SchemaException("classifier", $"a multi-label classifier needs the '{EcgColumns.Labels}' column (0/1 per label)");
                shape = SchemaShapes.AddLike(shape, EcgColumns.Score, EcgColumns.Labels);
                return SchemaShapes.AddConverted(shape, EcgColumns.PredictedLabel, EcgColumns.Labels, DataKind.Boolean);
            default:
                return shape; // binary or multi-class is known only from the data's classes (see GetOutputSchema of the predictor)
        }
    }
}

/// <summary>What a classifier predicts: decided by the data (auto: its label sets, else its class count), or fixed by the caller.</summary>
public enum ClassifierKind
{
    Auto,
    /// <summary>Two classes, one logit and a sigmoid.</summary>
    Binary,
    /// <summary>Three or more exclusive classes, softmax.</summary>
    Multiclass,
    /// <summary>Label sets: one logit and a sigmoid per label.</summary>
    MultiLabel,
}
