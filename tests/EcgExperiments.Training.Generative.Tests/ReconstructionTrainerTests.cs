using System.Diagnostics;
using EcgExperiments.Evaluation;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Signals.Normalisation;
using EcgExperiments.Signals.Resampling;
using EcgExperiments.TestSupport;
using EcgExperiments.Torch;
using EcgExperiments.Training.Reconstruction;
using Xunit.Abstractions;

namespace EcgExperiments.Training.Generative.Tests;

public class ReconstructionTrainerTests(ITestOutputHelper output)
{
    [Fact]
    public void Preprocessing_is_numpy_interp_then_min_max_with_a_flat_guard()
    {
        var rng = new Random(3);
        var lead = Enumerable.Range(0, 737).Select(_ => (float)(rng.NextDouble() * 4 - 1)).ToArray();
        var expected = Interpolate.LinearToLength(lead, 1000);
        Scaling.MinMax(expected, expected);
        var got = ReconstructionPreprocessing.Prepare(lead, 1000);
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 5e-6f);
        Assert.Equal(0f, got.Min());
        Assert.Equal(1f, got.Max());
        // flat input: no division by zero, all zeros
        Assert.All(ReconstructionPreprocessing.Prepare(Enumerable.Repeat(2.5f, 500).ToArray(), 1000), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentException>(() => ReconstructionPreprocessing.Prepare([1f, float.NaN, 2f], 10));
    }

    [Fact]
    public void Missing_input_lead_is_reported_with_the_available_leads()
    {
        var schema = new EcgSchema([3, 20], 100, ["ecg"], ["II", "V1", "V2"]);
        var view = InMemoryDataView.Create(schema, [new EcgExample("a", "p", new float[60], 0)]);
        var trainer = new ReconstructionTrainer(ReconstructionTrainer.DefaultOptions with { Epochs = 1 },
            s => new BiLstmAttentionReconstructor(20, 3, 4, 1), Device.CPU, 1, inputLead: "I");
        var e = Assert.Throws<SchemaException>(() => trainer.Train(view, null));
        Assert.Contains("'I' is not among the data's leads [II, V1, V2]", e.Message);
    }

    /// <summary>
    /// Small-scale SPEC §2.3 on the shared PTB-XL: 300 training records, lead I → 12 leads at 250 points (the 10 s
    /// downsampled), BiLSTM hidden 32 × 2 layers, AdamW lr 1e-3 wd 1e-2, MSE, 3 epochs, 50 held-out records.
    /// Measured: at this scale the model learns each lead's level (MSE falls to the training-mean baseline's, well
    /// below the identity baseline's) but not the waveform (R² ≈ 0, r ≈ 0.01) — longer runs (8 epochs, lr 1e-2;
    /// 12 epochs at 100 points) plateau at the same loss. So the test asserts what holds and reports the figures;
    /// beating the training mean by a margin is left to a full-scale run.
    /// </summary>
    [RealDataFact("ptbxl")]
    public void Bilstm_reconstruction_reaches_the_training_mean_level_on_held_out_ptbxl_records()
    {
        torch.set_num_threads(1); // recurrent: ThreadPolicy's measured choice
        var (train, val, test) = GenerativeTestData.PtbXl(300, 50, 50, 250);
        var trainer = new ReconstructionTrainer(ReconstructionTrainer.DefaultOptions with { Epochs = 3, BatchSize = 16 },
            s => new BiLstmAttentionReconstructor((int)s.ItemShape[1], 12, hidden: 32, layers: 2), Device.CPU, seed: 7);
        var clock = Stopwatch.StartNew();
        var fit = trainer.Train(train, val);
        using var model = fit.Model;
        var report = ReconstructionTrainer.Evaluate(model, test);
        var targets = ReconstructionBaselines.Targets(test);
        var mean = ReconstructionMetrics.Compute(targets, ReconstructionBaselines.TrainingMean(train, test), test.Ecg.LeadNames);
        var identity = ReconstructionMetrics.Compute(targets, ReconstructionBaselines.Identity(test, ReconstructionTrainer.InputLeadIndex(test.Ecg, trainer.InputLead)), test.Ecg.LeadNames);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s, best epoch {fit.BestEpoch}; train loss by epoch: {string.Join(", ", fit.History.Select(h => h.TrainLoss.ToString("F4")))}");
        output.WriteLine($"model:         MSE {report.Mse:F5}  mean RMSE {report.MeanRmse:F4}  mean r {report.MeanPearsonR:F3}  mean R² {report.MeanR2:F3}");
        output.WriteLine($"training mean: MSE {mean.Mse:F5}  mean RMSE {mean.MeanRmse:F4}  mean r {mean.MeanPearsonR:F3}  mean R² {mean.MeanR2:F3}");
        output.WriteLine($"identity:      MSE {identity.Mse:F5}  mean RMSE {identity.MeanRmse:F4}  mean r {identity.MeanPearsonR:F3}  mean R² {identity.MeanR2:F3}");
        foreach (var l in report.PerLead) output.WriteLine($"  {l.Lead,-4} RMSE {l.Rmse:F4}  r {l.PearsonR:F3}  R² {l.R2:F3}");

        Assert.Equal(12, report.PerLead.Count);
        Assert.True(fit.History[^1].TrainLoss < fit.History[0].TrainLoss, "training loss did not decrease");
        Assert.True(fit.History[^1].ValidationMetrics.ContainsKey("r2_V1"));
        Assert.True(report.Mse < 0.97 * identity.Mse, $"model MSE {report.Mse:F5} does not beat the identity baseline {identity.Mse:F5} by 3 %");
        Assert.True(report.Mse < 1.02 * mean.Mse, $"model MSE {report.Mse:F5} is more than 2 % above the training-mean baseline {mean.Mse:F5}");
        Assert.True(report.MeanR2 > -0.02, $"model mean R² {report.MeanR2:F3}");
    }
}
