using EcgExperiments.Evaluation;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Torch.Modules;
using EcgExperiments.Training.Imbalance;
using Microsoft.ML.Data;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training.Tests;

/// <summary>
/// Multi-label learning (one sigmoid per label): the per-label losses against libtorch's own BCE with logits and hand
/// values, the strategies' per-label weights, and a logistic model on two independent labels — a common one and a rare
/// one — whose rare label's recall per-label class weights raise as they raise a binary minority class's.
/// </summary>
public class MultiLabelTrainingTests
{
    private static double Value(Tensor t) => t.item<double>();

    /// <summary>
    /// Label "common" (prevalence 0.5) shifts feature 0 by +1.5, label "rare" (prevalence <paramref name="rare"/>) shifts
    /// feature 1 by +1.5; the labels are drawn independently, so examples carry none, one or both.
    /// </summary>
    private static EcgDataView TwoLabels(int n, double rare, int seed)
    {
        var rng = new Random(seed);
        var ids = new List<string>();
        var rows = new List<float[]>();
        var sets = new List<bool[]>();
        for (int i = 0; i < n; i++)
        {
            bool a = rng.NextDouble() < 0.5, b = rng.NextDouble() < rare;
            rows.Add([(float)(SyntheticData.Normal(rng) + (a ? 1.5 : 0)), (float)(SyntheticData.Normal(rng) + (b ? 1.5 : 0)), (float)SyntheticData.Normal(rng)]);
            sets.Add([a, b]);
            ids.Add($"e{i}");
        }
        return new InMemoryDataView(new EcgSchema([3], null, ["common", "rare"]) { MultiLabel = true }, ExampleIndex.ForLabelSets(ids, ids, sets), rows);
    }

    private static Module<Tensor, Tensor> Linear(EcgSchema schema) => new Linear(schema.ItemShape[0], schema.ClassNames.Count);

    private static ClassificationPredictor Train(IImbalanceStrategy imbalance, EcgDataView train, EcgDataView? validation = null) =>
        new ClassifierTrainer(new TrainingOptions { Epochs = 12, BatchSize = 50, LearningRate = 0.05, Imbalance = imbalance }, Linear, Device.CPU, 1)
            .Train(train, validation).Model;

    private static double Recall(ClassificationPredictor model, EcgDataView test, int label)
    {
        var decided = model.Transform(test).Column(EcgColumns.PredictedLabel);
        var sets = test.Index.LabelSets!;
        int k = test.Ecg.ClassNames.Count, hit = 0, total = 0;
        for (int i = 0; i < test.Count; i++)
        {
            if (!sets[i][label]) continue;
            total++;
            if (decided[i * k + label] != 0) hit++;
        }
        return (double)hit / total;
    }

    [Fact]
    public void Weighted_bce_equals_libtorch_pos_weight_and_the_weighted_sum_it_stands_for()
    {
        torch.manual_seed(5);
        using var scope = torch.NewDisposeScope();
        var logits = torch.randn(32, 3) * 2;
        var targets = torch.randint(0, 2, [32, 3]).to(ScalarType.Float32);
        Assert.Equal(Value(F.binary_cross_entropy_with_logits(logits, targets)), Value(new MultiLabelBceLoss().Compute(logits, targets)), 6);
        double[] pos = [2, 0.5, 4];
        var posWeight = torch.tensor(pos.Select(v => (float)v).ToArray());
        Assert.Equal(Value(F.binary_cross_entropy_with_logits(logits, targets, posWeight: posWeight)), Value(new MultiLabelBceLoss(pos).Compute(logits, targets)), 5);

        // both weights, by hand: −[w⁺ y log σ(z) + w⁻ (1 − y) log(1 − σ(z))], mean over 32 × 3 terms
        double[] neg = [1, 3, 0.25];
        var z = logits.data<float>();
        var y = targets.data<float>();
        double sum = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double s = 1 / (1 + Math.Exp(-z[i]));
            sum -= y[i] == 1 ? pos[i % 3] * Math.Log(s) : neg[i % 3] * Math.Log(1 - s);
        }
        Assert.Equal(sum / z.Length, Value(new MultiLabelBceLoss(pos, neg).Compute(logits, targets)), 5);
    }

    [Fact]
    public void Per_label_focal_is_bce_at_gamma_0_and_matches_hand_values()
    {
        torch.manual_seed(6);
        using var scope = torch.NewDisposeScope();
        var logits = torch.randn(16, 4) * 3;
        var targets = torch.randint(0, 2, [16, 4]).to(ScalarType.Float32);
        Assert.Equal(Value(F.binary_cross_entropy_with_logits(logits, targets)), Value(new MultiLabelFocalLoss(0).Compute(logits, targets)), 5);

        // z = 0 → p_t = 0.5 for both states: ℓ = 0.25 ln 2; α = [0.25, 0.75] weighs present label 0 by 0.25, absent label 1 by 0.25
        var zero = torch.zeros(1, 2);
        var y = torch.tensor(new float[] { 1, 0 }, [1, 2]);
        double q = 0.25 * Math.Log(2);
        Assert.Equal(q, Value(new MultiLabelFocalLoss(2).Compute(zero, y)), 5);
        Assert.Equal((0.25 * q + 0.25 * q) / 2, Value(new MultiLabelFocalLoss(2, [0.25, 0.75]).Compute(zero, y)), 5);
    }

    [Fact]
    public void Strategies_give_per_label_weights_or_refuse_with_the_reason()
    {
        bool[][] targets = [[true, false], [true, false], [false, false], [true, true]];
        string[] labels = ["common", "rare"];
        var balanced = (MultiLabelBceLoss)new ClassWeightStrategy(new ClassWeightsOptions()).PrepareMultiLabel(targets, labels).Loss;
        Assert.Equal([4 / 6.0, 4 / 2.0], balanced.PositiveWeights!);      // N / (2 n⁺)
        Assert.Equal([4 / 2.0, 4 / 6.0], balanced.NegativeWeights!);      // N / (2 n⁻)
        var given = (MultiLabelBceLoss)new ClassWeightStrategy(new ClassWeightsOptions { ClassWeights = ClassValues.Of(new Dictionary<string, double> { ["rare"] = 5, ["common"] = 1 }) })
            .PrepareMultiLabel(targets, labels).Loss;
        Assert.Equal([1.0, 5.0], given.PositiveWeights!);
        Assert.Null(given.NegativeWeights);

        // FN 3 / FP 1 per label, rescaled to mean 1 over the 8 terms (4 present, 4 absent): 3/2 and 1/2
        var costs = (MultiLabelBceLoss)new CostSensitiveStrategy(new CostSensitiveOptions { FalseNegativeCost = 3, FalsePositiveCost = 1 }).PrepareMultiLabel(targets, labels).Loss;
        Assert.Equal([1.5, 1.5], costs.PositiveWeights!);
        Assert.Equal([0.5, 0.5], costs.NegativeWeights!);

        var focal = (MultiLabelFocalLoss)new FocalLossStrategy(new FocalOptions { FocalAlpha = ClassValues.Of(0.25) }).PrepareMultiLabel(targets, labels).Loss;
        Assert.Equal([0.25, 0.25], focal.Alpha!);

        IImbalanceStrategy sampler = new WeightedSamplerStrategy(new WeightedSamplerOptions());
        Assert.Contains("no class to draw by", sampler.CheckMultiLabel(labels)!.Value.Message);
        IImbalanceStrategy undersample = new UndersampleStrategy(new UndersampleOptions());
        Assert.Equal("strategy", undersample.CheckMultiLabel(labels)!.Value.Key);
        IImbalanceStrategy matrix = new CostSensitiveStrategy(new CostSensitiveOptions { CostMatrix = [[0, 1], [1, 0]] });
        Assert.Equal("cost_matrix", matrix.CheckMultiLabel(labels)!.Value.Key);
        IImbalanceStrategy alphaCount = new FocalLossStrategy(new FocalOptions { FocalAlpha = ClassValues.Of(0.2, 0.3, 0.5) });
        Assert.Contains("3 value(s) but the data has 2 classes", alphaCount.CheckMultiLabel(labels)!.Value.Message);
    }

    [Fact]
    public void A_multi_label_classifier_predicts_one_probability_and_one_decision_per_label()
    {
        var train = TwoLabels(1000, 0.5, seed: 1);
        var test = TwoLabels(400, 0.5, seed: 2);
        using var model = Train(new NoImbalanceStrategy(), train, TwoLabels(200, 0.5, seed: 3));
        Assert.True(model.IsMultiLabel);
        Assert.False(model.IsBinary);
        var view = model.Transform(test);
        var schema = view.Schema;
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 2), schema[EcgColumns.Labels].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 2), schema[EcgColumns.Score].Type);
        Assert.Equal(new VectorDataViewType(BooleanDataViewType.Instance, 2), schema[EcgColumns.PredictedLabel].Type);

        var score = view.Column(EcgColumns.Score);
        var decided = view.Column(EcgColumns.PredictedLabel);
        Assert.All(score, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(Enumerable.Range(0, score.Length).Select(i => score[i] >= 0.5f ? 1f : 0f), decided);
        // each sigmoid ranks its own label: the label shifts its feature by 1.5 σ, so AUC ≈ Φ(1.5/√2) ≈ 0.86
        var sets = test.Index.LabelSets!;
        for (int l = 0; l < 2; l++)
        {
            var auc = EcgExperiments.Evaluation.RankingMetrics.RocAuc(sets.Select(s => s[l]).ToArray(), Enumerable.Range(0, test.Count).Select(i => (double)score[i * 2 + l]).ToArray());
            Assert.InRange(auc!.Value, 0.8, 0.92);
        }
        // other thresholds change only the decisions
        using var strict = model.WithThresholds([0.9, 0.1]);
        var strictView = strict.Transform(test);
        Assert.Equal(score, strictView.Column(EcgColumns.Score));
        Assert.Equal(Enumerable.Range(0, score.Length).Select(i => score[i] >= (i % 2 == 0 ? 0.9f : 0.1f) ? 1f : 0f), strictView.Column(EcgColumns.PredictedLabel));
    }

    [Fact]
    public void Validation_reports_the_threshold_free_multi_label_metrics()
    {
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 2, BatchSize = 50, LearningRate = 0.05, SelectBy = "macro_roc_auc" }, Linear, Device.CPU, 1);
        var schema = TwoLabels(10, 0.5, 1).Ecg;
        Assert.Equal(["macro_roc_auc", "micro_roc_auc", "macro_average_precision", "f_max"], trainer.ValidationMetrics(schema));
        var run = trainer.Train(TwoLabels(400, 0.5, seed: 1), TwoLabels(200, 0.5, seed: 3));
        using var model = run.Model;
        Assert.All(run.History, e => Assert.Equal(["f_max", "macro_average_precision", "macro_roc_auc", "micro_roc_auc"], e.ValidationMetrics.Keys.Order()));
        Assert.InRange(run.History[^1].ValidationMetrics["macro_roc_auc"], 0.75, 1);
    }

    [Fact]
    public void Per_label_class_weights_raise_the_rare_labels_recall_as_they_do_a_minority_class()
    {
        var train = TwoLabels(1000, 0.1, seed: 10);
        var test = TwoLabels(1000, 0.5, seed: 20);
        using var plain = Train(new NoImbalanceStrategy(), train);
        using var weighted = Train(new ClassWeightStrategy(new ClassWeightsOptions()), train);
        double before = Recall(plain, test, 1), after = Recall(weighted, test, 1);
        Assert.True(before < 0.4 && after >= 0.6, $"rare-label recall {before:F3} without weights, {after:F3} with per-label balanced weights");
        // the common label (prevalence 0.5) is balanced already: its recall barely moves
        Assert.InRange(Recall(weighted, test, 0) - Recall(plain, test, 0), -0.1, 0.1);
    }
}
