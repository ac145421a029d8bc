using System.Diagnostics;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.TestSupport;
using EcgExperiments.Torch;
using EcgExperiments.Training.Gan;
using Xunit.Abstractions;

namespace EcgExperiments.Training.Generative.Tests;

public class BeatGanTrainerTests(ITestOutputHelper output)
{
    private static readonly string[] Records = ["100", "101", "103", "105", "106", "119", "208", "213"];

    /// <summary>
    /// Small-scale SPEC §2.4, 1-D BeatGAN (width 8): MLII beats of eight MIT-BIH records, FIR 3–45 Hz, [R−140, R+180),
    /// each beat scaled to [−1, 1]. 3,000 normal beats train for 2 epochs; 300 normal + 10 % of each anomaly class
    /// validate (checkpoint by validation AUC, threshold by validation best F1); 1,500 other normal beats + the other
    /// 90 % of the anomalies test. Beat-level random split (intra-patient, like the published protocol).
    /// </summary>
    [RealDataFact("mitbih")]
    public void Beatgan_1d_detects_anomalous_mitbih_beats()
    {
        torch.set_num_threads(1); // small 1-D convolutions: measured 5-30× slower with 2 threads on a shared 2-core machine
        var clock = Stopwatch.StartNew();
        var beats = GenerativeTestData.MitBihBeats(Records);
        var (train, val, test) = GenerativeTestData.AnomalySplit(beats, trainNormal: 3000, validationNormal: 300, testNormal: 1500, seed: 5);
        double loadSeconds = clock.Elapsed.TotalSeconds;

        var trainer = new BeatGanTrainer(Options(epochs: 2), new BeatGanOptions { Width = 8 }, Device.CPU, seed: 2);
        var fit = trainer.Train(train, val);
        using var model = fit.Model;
        var report = Evaluation.AnomalyEvaluator.Evaluate(Scores(model, val), Scores(model, test, test: true), new Evaluation.AnomalyOptions { Scaling = Evaluation.ScoreScaling.MinMaxPerSet });
        var testV = test.Subset(Enumerable.Range(0, test.Count).Where(i => test.Index.Labels[i] is 0 or 2).ToArray());
        var aucV = Evaluation.RankingMetrics.RocAuc(testV.Index.Labels.Select(l => l == 2).ToArray(), model.Transform(testV).Column(EcgColumns.Score).Select(x => (double)x).ToArray());

        output.WriteLine($"data {loadSeconds:F1} s ({beats.Count} beats, classes {string.Join(" ", beats.Ecg.ClassNames.Zip(beats.ClassCounts(), (c, n) => $"{c}:{n}"))}); " +
                         $"training {fit.Seconds:F1} s, best epoch {fit.BestEpoch}, D resets {fit.Summary["discriminator_resets"]}");
        foreach (var h in fit.History)
            output.WriteLine($"  epoch {h.Epoch}: G {h.TrainLoss:F4} D {h.ValidationMetrics["discriminator_loss"]:F4} val AUC {h.ValidationMetrics["roc_auc"]:F4}");
        output.WriteLine($"test ({report.TestCount} beats, {report.AnomalyCount} anomalous): AUC {report.RocAuc:F4}, AP {report.AveragePrecision:F4}, " +
                         $"F1 {report.Outcome.F1:F3} at validation threshold {report.Threshold.Value:F4}; N vs V only AUC {aucV:F4}");

        Assert.True(report.RocAuc >= 0.80, $"test AUC {report.RocAuc:F4} < 0.80 (random scores give 0.5)");
        Assert.True(aucV >= 0.85, $"N vs V AUC {aucV:F4} < 0.85");
        Assert.True(report.AveragePrecision > (double)report.AnomalyCount / report.TestCount, "AP does not beat the anomaly prevalence");
    }

    /// <summary>SPEC §2.4 training settings: Adam lr 1e-4, betas (0.5, 0.999), batch 64, checkpoint by validation ROC-AUC.</summary>
    private static TrainingOptions Options(int epochs, int batch = 64, string selectBy = "roc_auc") =>
        new() { Epochs = epochs, BatchSize = batch, LearningRate = 1e-4, Beta1 = 0.5, Beta2 = 0.999, SelectBy = selectBy };

    private static Evaluation.BinaryScores Scores(AnomalyPredictor model, EcgDataView data, bool test = false) => GenerativeTestData.AnomalyScores(model, data, test);

    private static EcgDataView RandomImages(int n, int anomalies)
    {
        var rng = new Random(9);
        var schema = new EcgSchema([1, 128, 128], null, ["normal", "anomalous"]);
        return InMemoryDataView.Create(schema, Enumerable.Range(0, n).Select(i => new EcgExample($"img{i}", $"img{i}",
            Enumerable.Range(0, 128 * 128).Select(_ => (float)(rng.NextDouble() * 2 - 1) * (i < anomalies ? 1f : 0.3f)).ToArray(),
            i < anomalies ? 1 : 0)).ToArray());
    }

    [Fact]
    public void B2i_gan_2d_trains_both_networks_on_128x128_images_and_keeps_the_best_checkpoint()
    {
        var images = RandomImages(12, 4);
        var train = images.Subset(Enumerable.Range(4, 8).ToArray());
        var trainer = new BeatGanTrainer(Options(epochs: 2, batch: 4), new BeatGanOptions { Width = 4 }, Device.CPU, seed: 1);
        var progress = new List<TrainingProgress>();
        var fit = trainer.Train(train, images, new SyncProgress<TrainingProgress>(progress.Add));
        using var model = fit.Model;
        Assert.Equal(2, fit.History.Count);
        Assert.All(fit.History, h => Assert.True(double.IsFinite(h.TrainLoss) && h.ValidationMetrics.ContainsKey("roc_auc")));
        Assert.Equal(fit.History.Max(h => h.ValidationMetrics["roc_auc"]), fit.BestScore);
        Assert.Equal(2 * 3, progress.Count); // 2 batches + 1 epoch report, per epoch
        var scores = model.Transform(images).Column(EcgColumns.Score);
        Assert.Equal(12, scores.Length);
        Assert.All(scores, s => Assert.True(float.IsFinite(s) && s >= 0));
        Assert.IsType<BeatGanGenerator>(model.Network);   // the predictor keeps the generator only
        Assert.True(fit.Summary["discriminator_parameters"] > 0);
        using var d = new BeatGanDiscriminator(2, new BeatGanOptions { Width = 4 });
        using (torch.no_grad())
        {
            var (p, f) = d.forward(torch.randn(2, 1, 128, 128));
            Assert.Equal([2L], p.shape);
            Assert.Equal([2L, 64, 7, 7], f.shape); // 16·width features on a 7×7 grid
        }
        Assert.Equal(d.parameter_count(), (long)fit.Summary["discriminator_parameters"]);
    }

    [Fact]
    public void Generator_and_discriminator_both_receive_gradients_from_their_losses()
    {
        // one adversarial step (the trainer's own) changes every parameter tensor of both networks
        var images = RandomImages(4, 0);
        torch.manual_seed(4);
        using var model = new BeatGan(2, new BeatGanOptions { Width = 4 });
        var before = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        using var optG = torch.optim.Adam(model.Generator.parameters(), 1e-3, 0.5, 0.999);
        using var optD = torch.optim.Adam(model.Discriminator.parameters(), 1e-3, 0.5, 0.999);
        using (torch.NewDisposeScope())
        {
            var x = Batches.Inputs(images, [0, 1, 2, 3], Device.CPU);
            var (g, dl) = BeatGanTrainer.AdversarialStep(model, optG, optD, x, featureMatchingWeight: 1);
            Assert.True(double.IsFinite(g) && double.IsFinite(dl));
        }
        Changed(before, model.Generator, "generator.");
        Changed(before, model.Discriminator, "discriminator.");
        foreach (var t in before.Values) t.Dispose();

        static void Changed(Dictionary<string, Tensor> before, Module after, string prefix)
        {
            foreach (var (name, p) in after.named_parameters())
            {
                using var diff = (p - before[prefix + name]).abs().max();
                Assert.True(diff.item<float>() > 0, $"{prefix}{name} did not change");
            }
        }
    }

    [Fact]
    public void Discriminator_is_reinitialised_below_the_threshold_and_cancellation_stops_after_the_batch()
    {
        var images = RandomImages(8, 0);
        var always = new BeatGanTrainer(Options(epochs: 1, batch: 4, selectBy: "loss"), new BeatGanOptions { Width = 4, DiscriminatorResetBelow = double.MaxValue }, Device.CPU, seed: 1);
        var fit = always.Train(images, null);
        fit.Model.Dispose();
        Assert.Equal(2, fit.Summary["discriminator_resets"]);
        Assert.Equal(2, fit.History[0].ValidationMetrics["discriminator_resets"]);

        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var trainer = new BeatGanTrainer(Options(epochs: 5, batch: 4, selectBy: "loss"), new BeatGanOptions { Width = 4 }, Device.CPU, seed: 1);
        var stopped = trainer.Train(images, null, cancel: cancel.Token);
        stopped.Model.Dispose();
        Assert.True(stopped.Interrupted);
        Assert.Single(stopped.History);

        Assert.Contains("expects beats [1 × 320]", Assert.Throws<SchemaException>(() =>
            trainer.Train(InMemoryDataView.Create(new EcgSchema([1, 300], 360, ["N"]), [new EcgExample("b", "b", new float[300], 0)]), null)).Message);
    }

    [Fact]
    public void Invalid_options_name_the_setting()
    {
        var images = RandomImages(8, 0);
        Assert.Contains("training.batch_size", Assert.Throws<ArgumentException>(() =>
            new BeatGanTrainer(Options(epochs: 1, batch: 1), new BeatGanOptions { Width = 4 }, Device.CPU, 1).Train(images, null)).Message);
        Assert.Contains("model.feature_matching_weight", Assert.Throws<ArgumentException>(() =>
            new BeatGanTrainer(Options(epochs: 1, batch: 4), new BeatGanOptions { Width = 4, FeatureMatchingWeight = -1 }, Device.CPU, 1).Train(images, null)).Message);
        Assert.Equal(["roc_auc", "average_precision"], new BeatGanTrainer(Options(1), new BeatGanOptions(), Device.CPU, 1).ValidationMetrics(images.Ecg));
    }

}
