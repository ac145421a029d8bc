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
        var rng = new Random(5);
        var normal = Enumerable.Range(0, beats.Count).Where(i => beats.Examples[i].Label == 0).ToArray();
        rng.Shuffle(normal);
        var anomalies = Enumerable.Range(0, beats.Count).Where(i => beats.Examples[i].Label != 0).ToArray();
        rng.Shuffle(anomalies);
        int nValAnomalies = anomalies.Length / 10;
        var train = beats.Subset(normal[..3000]);
        var val = beats.Subset(normal[3000..3300].Concat(anomalies[..nValAnomalies]));
        var test = beats.Subset(normal[3300..4800].Concat(anomalies[nValAnomalies..]));
        double loadSeconds = clock.Elapsed.TotalSeconds;

        var trainer = new BeatGanTrainer(new GanTrainingOptions { Epochs = 2, Model = new BeatGanOptions { Width = 8 } }, dims: 1, Device.CPU, seed: 2);
        using var fit = trainer.Fit(train, val);
        var report = trainer.Evaluate(fit.Generator, val, test);
        var v = Enumerable.Range(0, test.Count).Where(i => test.Examples[i].Label is 0 or 2).ToArray();
        var testV = test.Subset(v);
        var scoresV = trainer.Scores(fit.Generator, testV);
        var aucV = Evaluation.RankingMetrics.RocAuc(testV.Examples.Select(e => e.Label == 2).ToArray(), scoresV);

        output.WriteLine($"data {loadSeconds:F1} s ({beats.Count} beats, classes {string.Join(" ", beats.Schema.ClassNames.Zip(beats.ClassCounts(), (c, n) => $"{c}:{n}"))}); " +
                         $"training {fit.Seconds:F1} s, best epoch {fit.BestEpoch}, D resets {fit.DiscriminatorResets}");
        foreach (var h in fit.History)
            output.WriteLine($"  epoch {h.Epoch}: G {h.TrainLoss:F4} D {h.ValidationMetrics["discriminator_loss"]:F4} val AUC {h.ValidationMetrics["roc_auc"]:F4}");
        output.WriteLine($"test ({report.TestCount} beats, {report.AnomalyCount} anomalous): AUC {report.RocAuc:F4}, AP {report.AveragePrecision:F4}, " +
                         $"F1 {report.Outcome.F1:F3} at validation threshold {report.Threshold.Value:F4}; N vs V only AUC {aucV:F4}");

        Assert.True(report.RocAuc >= 0.80, $"test AUC {report.RocAuc:F4} < 0.80 (random scores give 0.5)");
        Assert.True(aucV >= 0.85, $"N vs V AUC {aucV:F4} < 0.85");
        Assert.True(report.AveragePrecision > (double)report.AnomalyCount / report.TestCount, "AP does not beat the anomaly prevalence");
    }

    private static DataView RandomImages(int n, int anomalies)
    {
        var rng = new Random(9);
        var schema = new DataSchema([1, 128, 128], null, ["normal", "anomalous"]);
        return new DataView(schema, Enumerable.Range(0, n).Select(i => new Example($"img{i}", $"img{i}",
            Enumerable.Range(0, 128 * 128).Select(_ => (float)(rng.NextDouble() * 2 - 1) * (i < anomalies ? 1f : 0.3f)).ToArray(),
            i < anomalies ? 1 : 0)).ToArray());
    }

    [Fact]
    public void B2i_gan_2d_trains_both_networks_on_128x128_images_and_keeps_the_best_checkpoint()
    {
        var images = RandomImages(12, 4);
        var train = images.Subset(Enumerable.Range(4, 8));
        var trainer = new BeatGanTrainer(new GanTrainingOptions { Epochs = 2, BatchSize = 4, Model = new BeatGanOptions { Width = 4 } }, dims: 2, Device.CPU, seed: 1);
        var progress = new List<TrainingProgress>();
        using var fit = trainer.Fit(train, images, new SyncProgress<TrainingProgress>(progress.Add));
        Assert.Equal(2, fit.History.Count);
        Assert.All(fit.History, h => Assert.True(double.IsFinite(h.TrainLoss) && h.ValidationMetrics.ContainsKey("roc_auc")));
        Assert.Equal(fit.History.Max(h => h.ValidationMetrics["roc_auc"]), fit.BestScore);
        Assert.Equal(2 * 3, progress.Count); // 2 batches + 1 epoch report, per epoch
        var scores = trainer.Scores(fit.Generator, images);
        Assert.Equal(12, scores.Length);
        Assert.All(scores, s => Assert.True(double.IsFinite(s) && s >= 0));
        using (torch.no_grad())
        {
            var (p, f) = fit.Discriminator.forward(torch.randn(2, 1, 128, 128));
            Assert.Equal([2L], p.shape);
            Assert.Equal([2L, 64, 7, 7], f.shape); // 16·width features on a 7×7 grid
        }
    }

    [Fact]
    public void Generator_and_discriminator_both_receive_gradients_from_their_losses()
    {
        // one optimisation step changes every parameter tensor of both networks
        var images = RandomImages(4, 0);
        var trainer = new BeatGanTrainer(new GanTrainingOptions { Epochs = 1, BatchSize = 4, SelectBy = "loss", Model = new BeatGanOptions { Width = 4 } }, dims: 2, Device.CPU, seed: 4);
        torch.manual_seed(4);
        using var g0 = new BeatGanGenerator(2, new BeatGanOptions { Width = 4 });
        using var d0 = new BeatGanDiscriminator(2, new BeatGanOptions { Width = 4 });
        BeatGanDiscriminator.InitialiseWeights(g0);
        BeatGanDiscriminator.InitialiseWeights(d0);
        using var fit = trainer.Fit(images, null);
        Changed(g0, fit.Generator);
        Changed(d0, fit.Discriminator);

        static void Changed(Module before, Module after)
        {
            var a = before.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, p) in after.named_parameters())
            {
                using var diff = (p - a[name]).abs().max();
                Assert.True(diff.item<float>() > 0, $"{name} did not change");
            }
        }
    }

    [Fact]
    public void Discriminator_is_reinitialised_below_the_threshold_and_cancellation_stops_after_the_batch()
    {
        var images = RandomImages(8, 0);
        var always = new BeatGanTrainer(new GanTrainingOptions { Epochs = 1, BatchSize = 4, DiscriminatorResetBelow = double.MaxValue, Model = new BeatGanOptions { Width = 4 } }, dims: 2, Device.CPU, seed: 1);
        using (var fit = always.Fit(images, null)) Assert.Equal(2, fit.DiscriminatorResets);

        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var trainer = new BeatGanTrainer(new GanTrainingOptions { Epochs = 5, BatchSize = 4, Model = new BeatGanOptions { Width = 4 } }, dims: 2, Device.CPU, seed: 1);
        using var stopped = trainer.Fit(images, null, cancel: cancel.Token);
        Assert.True(stopped.Interrupted);
        Assert.Single(stopped.History);

        Assert.Contains("B2I-GAN expects images", Assert.Throws<SchemaException>(() =>
            trainer.Fit(new DataView(new DataSchema([1, 320], 360, ["N"]), [new Example("b", "b", new float[320], 0)]), null)).Message);
    }

    [Theory]
    [InlineData("accuracy", "gan.select_by")]
    [InlineData(null, "gan.batch_size")]
    public void Invalid_options_name_the_setting(string? selectBy, string expected)
    {
        var o = selectBy is null ? new GanTrainingOptions { BatchSize = 1 } : new GanTrainingOptions { SelectBy = selectBy };
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => new BeatGanTrainer(o, 1, Device.CPU, 1)).Message);
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
