using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training.Gan;

namespace EcgExperiments.Training.Generative.Tests;

/// <summary>
/// A fit stopped after an epoch and continued from its checkpoint ends exactly where an uninterrupted fit ends: same
/// history, same best epoch, same weights bit for bit. The models draw from every random stream a resume must carry:
/// dropout (libtorch's generator), the minibatch order (the trainer's generator), Adam's moments and step counts, and
/// for the GAN two optimisers and discriminator re-initialisations (libtorch's generator again, and a trainer counter).
/// </summary>
public class CheckpointResumeTests
{
    [Fact]
    public void A_classifier_with_dropout_resumed_after_epoch_2_ends_bit_identical_to_an_uninterrupted_fit()
    {
        torch.set_num_threads(1);
        var train = Signals(160, seed: 1, [1, 8, 48]);
        var validation = Signals(48, seed: 2, [1, 8, 48]);
        ClassifierTrainer Trainer() => new(new TrainingOptions { Epochs = 4, BatchSize = 32, LearningRate = 3e-3, SelectBy = "accuracy" },
            _ => new Cnn2dClassifier(new Cnn2dOptions { Widths = [4, 8], Kernel = 5, KernelHeight = 3, Padding = (1, 2), Pool = (2, 2), Dropout = 0.3 }),
            Device.CPU, seed: 7);
        AssertResumesExactly(Trainer, train, validation);
    }

    [Fact]
    public void A_gan_with_two_optimisers_and_discriminator_resets_resumed_after_epoch_2_ends_bit_identical()
    {
        torch.set_num_threads(1);
        var train = Signals(48, seed: 3, [1, 320], anomalies: false);
        var validation = Signals(24, seed: 4, [1, 320]);
        // Resetting below a discriminator loss of 1.2 re-initialises D on some steps and not others, from libtorch's generator.
        BeatGanTrainer Trainer() => new(new TrainingOptions { Epochs = 4, BatchSize = 8, LearningRate = 1e-3, Beta1 = 0.5, Beta2 = 0.999, SelectBy = "roc_auc" },
            new BeatGanOptions { Width = 4, DiscriminatorResetBelow = 1.2 }, Device.CPU, seed: 5);
        var straight = AssertResumesExactly(Trainer, train, validation);
        Assert.True(straight.Summary["discriminator_resets"] > 0, "no discriminator reset happened: the test would not cover the reset counter");
    }

    [Fact]
    public void A_checkpoint_of_another_fit_is_refused_and_an_unreadable_one_names_its_file()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-ckpt-").FullName;
        var train = Signals(32, seed: 1, [1, 8, 48]);
        ClassifierTrainer Trainer(int epochs) => new(new TrainingOptions { Epochs = epochs, BatchSize = 16 },
            _ => new Cnn2dClassifier(new Cnn2dOptions { Widths = [4], Kernel = 3, KernelHeight = 3, Padding = (1, 1), Pool = (2, 2) }), Device.CPU, seed: 1);
        var path = Path.Combine(dir, "fit.ckpt");
        Trainer(3).Train(train, null, checkpoint: new CheckpointOptions(path, "key-a", TimeSpan.Zero)).Model.Dispose();
        Assert.Equal(2, TrainingCheckpoint.Peek(path)!.Epoch); // the last epoch writes none: the completed fit needs no resume

        var other = Assert.Throws<InvalidOperationException>(() => Trainer(3).Train(train, null, checkpoint: new CheckpointOptions(path, "key-b", TimeSpan.Zero)));
        Assert.Contains("belongs to another fit", other.Message);
        Assert.Throws<InvalidOperationException>(() => Trainer(5).Train(train, null, checkpoint: new CheckpointOptions(path, "key-a", TimeSpan.Zero)));

        File.WriteAllBytes(path, File.ReadAllBytes(path)[..200]);
        var truncated = Assert.Throws<Core.EcgDataException>(() => Trainer(3).Train(train, null, checkpoint: new CheckpointOptions(path, "key-a", TimeSpan.Zero)));
        Assert.Contains(path, truncated.Message);
    }

    [Fact]
    public void A_checkpoint_carries_its_sittings_and_one_written_before_they_were_recorded_still_resumes()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-ckpt-").FullName;
        var train = Signals(32, seed: 1, [1, 8, 48]);
        ClassifierTrainer Trainer() => new(new TrainingOptions { Epochs = 4, BatchSize = 16 },
            _ => new Cnn2dClassifier(new Cnn2dOptions { Widths = [4], Kernel = 3, KernelHeight = 3, Padding = (1, 1), Pool = (2, 2) }), Device.CPU, seed: 1);
        var path = Path.Combine(dir, "fit.ckpt");
        var started = DateTime.UtcNow.AddHours(-1); // this sitting began an hour ago (loading data, say)
        var checkpoint = new CheckpointOptions(path, "key-a", TimeSpan.Zero) { SittingStartedUtc = started };
        using (var cancel = new CancellationTokenSource())
            Trainer().Train(train, null, new SyncProgress<TrainingProgress>(p => { if (p.Epoch == 2) cancel.Cancel(); }), cancel.Token, checkpoint).Model.Dispose();
        using (var first = TrainingCheckpoint.Load(path))
        {
            Assert.Equal((1, 1), (first.Epoch, first.Sittings));
            Assert.InRange(first.WallSeconds, 3600, 3600 + 600);
            Assert.True(first.PeakMemoryBytes > 0);
        }

        // A second sitting stopped after epoch 2 adds its own wall time to the first's.
        using (var cancel = new CancellationTokenSource())
            Trainer().Train(train, null, new SyncProgress<TrainingProgress>(p => { if (p.Epoch == 3) cancel.Cancel(); }), cancel.Token,
                checkpoint with { SittingStartedUtc = DateTime.UtcNow.AddMinutes(-30) }).Model.Dispose();
        using (var second = TrainingCheckpoint.Load(path))
        {
            Assert.Equal((2, 2), (second.Epoch, second.Sittings));
            Assert.InRange(second.WallSeconds, 3600 + 1800, 3600 + 1800 + 600);
            Assert.Equal(new ResumedFit(2, 2, second.WallSeconds, second.PeakMemoryBytes), second.Resumed);
            var info = TrainingCheckpoint.Peek(path)!;
            Assert.Equal((2, second.WallSeconds), (info.Sittings, info.WallSeconds));
            Assert.Matches(@"^checkpoint after epoch 2 of 4 \(\d{4}-\d\d-\d\d \d\d:\d\d UTC; 2 sittings, 1 h 3\d min so far\)$", info.Describe());
        }

        // The same file as the first checkpoint format wrote it: no sittings, wall time or memory entries.
        var (tensors, meta) = StateFile.Load(path);
        double trainingSeconds = double.Parse(meta["seconds"], System.Globalization.CultureInfo.InvariantCulture);
        StateFile.Save(path, tensors.ToList(), meta.Where(m => m.Key is not ("sittings" or "wall_seconds" or "peak_memory_bytes")).ToDictionary());
        foreach (var t in tensors.Values) t.Dispose();
        using (var old = TrainingCheckpoint.Load(path))
            Assert.Equal(new ResumedFit(2, 1, trainingSeconds, null), old.Resumed); // its training time stands in for the wall time
        Assert.Equal((1, trainingSeconds), (TrainingCheckpoint.Peek(path)!.Sittings, TrainingCheckpoint.Peek(path)!.WallSeconds));
        var resumed = Trainer().Train(train, null, checkpoint: checkpoint);
        resumed.Model.Dispose();
        Assert.Equal(new ResumedFit(2, 1, trainingSeconds, null), resumed.Resumed);
        Assert.Equal(4, resumed.History.Count);
    }

    private static TrainingRun<TPredictor> AssertResumesExactly<TModel, TPredictor>(Func<EcgTrainerBase<TModel, TPredictor>> trainer, EcgDataView train, EcgDataView validation)
        where TModel : Module where TPredictor : class, IEcgPredictor
    {
        var straight = trainer().Train(train, validation);
        var checkpoint = new CheckpointOptions(Path.Combine(Directory.CreateTempSubdirectory("ecg-ckpt-").FullName, "fit.ckpt"), "trial-key", TimeSpan.Zero);
        using var cancel = new CancellationTokenSource();
        var stopped = trainer().Train(train, validation, new SyncProgress<TrainingProgress>(p => { if (p.Epoch == 3) cancel.Cancel(); }), cancel.Token, checkpoint);
        stopped.Model.Dispose();
        Assert.True(stopped.Interrupted);
        Assert.Equal(2, TrainingCheckpoint.Peek(checkpoint.Path)!.Epoch);

        var resumed = trainer().Train(train, validation, checkpoint: checkpoint);
        using (straight.Model)
        using (resumed.Model)
        {
            Assert.Null(straight.Resumed);
            var carried = Assert.IsType<ResumedFit>(resumed.Resumed);
            Assert.Equal((2, 1), (carried.AfterEpoch, carried.Sittings));
            Assert.InRange(carried.WallSeconds, stopped.History.Take(2).Sum(h => h.Seconds), stopped.Seconds + 60);
            Assert.True(carried.PeakMemoryBytes > 0, "the checkpoint records the sitting's peak memory");
            Assert.Equal(straight.History.Select(Comparable), resumed.History.Select(Comparable));
            Assert.Equal(straight.BestEpoch, resumed.BestEpoch);
            Assert.Equal(straight.BestScore, resumed.BestScore);
            Assert.Equal(straight.Summary, resumed.Summary);
            var expected = straight.Model.Network.state_dict();
            var actual = resumed.Model.Network.state_dict().ToDictionary(p => p.Key, p => p.Value);
            foreach (var (name, t) in expected)
                Assert.True(t.data<float>().SequenceEqual(actual[name].data<float>()), $"{name} differs after resuming");
        }
        return straight;
    }

    /// <summary>An epoch's record without its wall time.</summary>
    private static string Comparable(EpochRecord r) =>
        $"{r.Epoch} {r.TrainLoss:R} {r.ValidationLoss:R} {r.LearningRate:R} " + string.Join(" ", r.ValidationMetrics.Select(m => $"{m.Key}={m.Value:R}"));

    /// <summary>Noise rows of <paramref name="shape"/>; odd rows (the anomalies or class 1) carry a bump.</summary>
    private static EcgDataView Signals(int count, int seed, long[] shape, bool anomalies = true)
    {
        var rng = new Random(seed);
        int length = (int)shape.Aggregate(1L, (a, b) => a * b);
        var examples = Enumerable.Range(0, count).Select(i =>
        {
            int label = anomalies ? i % 2 : 0;
            var v = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
            if (label == 1) for (int t = length / 3; t < length / 2; t++) v[t] += 0.8f;
            return new EcgExample($"s{i}", $"p{i}", v, label);
        }).ToList();
        return InMemoryDataView.Create(new EcgSchema(shape, null, ["normal", "bump"]), examples);
    }
}
