using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.TestSupport;
using EcgExperiments.Torch;

namespace EcgExperiments.Training.Tests;

/// <summary><c>training.precision: bf16</c> trains the same model as fp32 does, to the same quality.</summary>
public class PrecisionTrainingTests
{
    [Fact]
    public void Yaml_binds_training_precision_with_fp32_as_default_left_out_of_the_resolved_config()
    {
        const string head = """
            name: p
            data: { type: synthetic, records: 40 }
            model: { type: resnet1d }
            """;
        var fp32 = SpecLoader.Load(SpecFile(head + "\ntraining: { epochs: 1 }\n"));
        Assert.Equal(Precision.Fp32, fp32.Spec.Training.Precision);
        Assert.Null(ExperimentRunner.ResolvedConfig(fp32)["training"]!["precision"]);
        var bf16 = SpecLoader.Load(SpecFile(head + "\ntraining: { precision: bf16 }\n"));
        Assert.Equal(Precision.Bf16, bf16.Spec.Training.Precision);
        Assert.Equal("bf16", ExperimentRunner.ResolvedConfig(bf16)["training"]!["precision"]!.GetValue<string>());
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(SpecFile(head + "\ntraining: { precision: bf61 }\n")));
        Assert.Contains("training.precision", e.Message);
    }

    private static string SpecFile(string yaml)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("ecg-precision-").FullName, "spec.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>
    /// 1 × 8 × 48 "lead × time" images: noise, plus for class 1 a bump of random position and width on a random
    /// lead, weak enough (amplitude 1.6 against unit noise) that the test set is not separated perfectly.
    /// </summary>
    private static EcgDataView Bumps(int count, int seed)
    {
        var rng = new Random(seed);
        var examples = new List<EcgExample>();
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;
            var v = new float[8 * 48];
            for (int k = 0; k < v.Length; k++) v[k] = (float)SyntheticData.Normal(rng);
            if (label == 1)
            {
                int lead = rng.Next(8), centre = rng.Next(8, 40), width = rng.Next(3, 8);
                for (int t = centre - width; t <= centre + width; t++) v[lead * 48 + t] += 1.6f;
            }
            examples.Add(new EcgExample($"b{i}", $"p{i}", v, label));
        }
        return InMemoryDataView.Create(new EcgSchema([1, 8, 48], null, ["plain", "bump"]), examples);
    }

    private static (MetricReport report, ScalarType parameterType) TrainAndEvaluate(Precision precision)
    {
        torch.set_num_threads(1);
        var train = Bumps(600, seed: 1);
        var validation = Bumps(100, seed: 2);
        var test = Bumps(400, seed: 3);
        var options = new TrainingOptions { Epochs = 10, BatchSize = 32, LearningRate = 3e-3, Precision = precision, SelectBy = MetricNames.Accuracy };
        var trainer = new ClassifierTrainer(options, _ => new Cnn2dClassifier(new Cnn2dOptions
        {
            Widths = [8, 16], Kernel = 5, KernelHeight = 3, Padding = (1, 2), Pool = (2, 2), SqueezeExcitation = true, SeReduction = 4, Dropout = 0.1,
        }), Device.CPU, seed: 7);
        using var model = trainer.Train(train, validation).Model;
        var probabilities = SyntheticData.Probabilities(model, test);
        var scores = ClassificationScores.FromProbabilities(test.Labels(), probabilities, test.Ecg.ClassNames);
        var report = ClassificationEvaluator.Evaluate(scores, new EvaluationOptions
        {
            IncludeCurves = false, Bootstrap = new BootstrapOptions { Resamples = 500, Level = 0.95, Seed = 11, Stratified = true },
        });
        return (report, model.Network.parameters().First().dtype);
    }

    [Bf16Fact]
    public void Bf16_metrics_fall_inside_the_fp32_runs_95_percent_intervals_and_parameters_stay_float32()
    {
        var (fp32, _) = TrainAndEvaluate(Precision.Fp32);
        var (bf16, parameterType) = TrainAndEvaluate(Precision.Bf16);
        Assert.Equal(ScalarType.Float32, parameterType);
        Assert.True(fp32.Aggregates.Accuracy > 0.75, $"the task is learnable: fp32 accuracy {fp32.Aggregates.Accuracy:F3}");
        foreach (var metric in new[] { MetricNames.Accuracy, MetricNames.RocAuc, MetricNames.MacroF1 })
        {
            var interval = fp32.Intervals[metric];
            var value = bf16.Intervals[metric].Point!.Value;
            Assert.True(interval.Contains(value), $"{metric}: bf16 {value:F4} outside the fp32 interval [{interval.Lower:F4}, {interval.Upper:F4}]");
        }
    }
}
