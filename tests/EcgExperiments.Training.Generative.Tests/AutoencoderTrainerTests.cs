using System.Diagnostics;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.TestSupport;
using EcgExperiments.Torch;
using EcgExperiments.Training.Autoencoders;
using Xunit.Abstractions;

namespace EcgExperiments.Training.Generative.Tests;

/// <summary>
/// Small-scale SPEC §2.5 (SPEC §3): stratified 5-fold inside the 500-row ECG5000 TRAIN file; the autoencoder trains on
/// the normal rows of four folds (a tenth of them held back for checkpoint selection by reconstruction loss, no
/// anomalies used) and is scored on the held-out fold (~58 normal / ~42 abnormal).
/// </summary>
public class AutoencoderTrainerTests(ITestOutputHelper output)
{
    private static (EcgDataView Train, EcgDataView Validation, EcgDataView HeldOut) Fold0()
    {
        var (all, fold) = GenerativeTestData.Ecg5000(folds: 5, seed: 11);
        var trainIdx = Enumerable.Range(0, all.Count).Where(i => fold[i] != 0 && all.Index.Labels[i] == 0).ToArray();
        var valIdx = trainIdx.Where((_, k) => k % 10 == 0).ToArray();
        return (all.Subset(trainIdx.Except(valIdx).ToArray()), all.Subset(valIdx), all.Subset(Enumerable.Range(0, all.Count).Where(i => fold[i] == 0).ToArray()));
    }

    [RealDataFact("ecg5000")]
    public void Lstm_autoencoder_separates_abnormal_ecg5000_beats_on_a_held_out_fold()
    {
        torch.set_num_threads(1); // recurrent: ThreadPolicy's measured choice
        var (train, val, heldOut) = Fold0();
        // ~210 normal rows give 27 steps an epoch at batch 8: lr 3e-3 instead of SPEC's 1e-3 so that 20 epochs get past
        // the constant-output plateau (at lr 1e-3 the same budget reaches AUC ≈ 0.78; with batch 32 and 8 epochs, 0.22)
        var trainer = new AutoencoderTrainer(AutoencoderTrainer.DefaultOptions with { Epochs = 20, BatchSize = 8, LearningRate = 3e-3 },
            _ => new LstmAutoencoder(16), Device.CPU, seed: 3);
        var clock = Stopwatch.StartNew();
        var fit = trainer.Train(train, val);
        using var model = fit.Model;
        var auc = RocAuc(model, heldOut);
        output.WriteLine($"LSTM-AE E=16: {train.Count} normal training rows, {clock.Elapsed.TotalSeconds:F1} s, best epoch {fit.BestEpoch}, " +
                         $"loss {string.Join(" → ", fit.History.Select(h => h.TrainLoss.ToString("F2")))}; held-out AUC {auc:F4} ({heldOut.Count} rows, {heldOut.ClassCounts()[1]} abnormal)");
        Assert.True(fit.History[^1].TrainLoss < fit.History[0].TrainLoss);
        Assert.NotNull(auc);
        Assert.True(auc >= 0.80, $"held-out AUC {auc:F4} < 0.80 (random scores give 0.5)");
    }

    [RealDataFact("ecg5000")]
    public void Transformer_autoencoder_trains_and_its_auc_is_reported()
    {
        torch.set_num_threads(1);
        var (train, val, heldOut) = Fold0();
        var trainer = new AutoencoderTrainer(AutoencoderTrainer.DefaultOptions with { Epochs = 4 },
            _ => new TransformerAutoencoder(dModel: 2, feedForward: 256, heads: 2, layers: 2), Device.CPU, seed: 3);
        var fit = trainer.Train(train, val);
        using var model = fit.Model;
        var auc = RocAuc(model, heldOut);
        // SPEC §2.5: published Transformer-AE AUCs range from 0.26 to 0.96 across seeds; only training is asserted.
        output.WriteLine($"Transformer-AE [2,256,2,2]: loss {string.Join(" → ", fit.History.Select(h => h.TrainLoss.ToString("F2")))}; held-out AUC {auc:F4} (not asserted)");
        Assert.True(fit.History[^1].TrainLoss < fit.History[0].TrainLoss, "Transformer-AE loss did not decrease");
        Assert.All(model.Transform(heldOut).Column(EcgColumns.Score), s => Assert.True(float.IsFinite(s) && s >= 0));
    }

    [Fact]
    public void Loss_is_the_per_sample_l1_sum_and_abnormal_training_rows_are_skipped()
    {
        var schema = new EcgSchema([8], null, ["normal", "abnormal"]);
        var rows = Enumerable.Range(0, 6).Select(i => new EcgExample($"r{i}", $"r{i}", Enumerable.Range(0, 8).Select(j => (float)Math.Sin(i + j)).ToArray(), i % 3 == 0 ? 1 : 0)).ToArray();
        var view = InMemoryDataView.Create(schema, rows);
        var trainer = new AutoencoderTrainer(AutoencoderTrainer.DefaultOptions with { Epochs = 1, BatchSize = 2 }, _ => new LstmAutoencoder(2), Device.CPU, seed: 1);
        var fit = trainer.Train(view, view);
        using var model = fit.Model;
        var scores = model.Transform(view).Column(EcgColumns.Score).Select(v => (double)v).ToArray();
        using (torch.no_grad())
        {
            var x = torch.tensor(rows[1].Values, [1, 8, 1]);
            var expected = (((Module<Tensor, Tensor>)model.Network).forward(x) - x).abs().sum().item<float>();
            Assert.Equal(expected, scores[1], 4);
        }
        // validation loss = mean score of the normal rows only
        Assert.Equal(scores.Where((_, i) => rows[i].Label == 0).Average(), fit.History[0].ValidationLoss!.Value, 6);
        Assert.Contains("roc_auc", fit.History[0].ValidationMetrics.Keys);
        var onlyAbnormal = InMemoryDataView.Create(schema, rows.Where(r => r.Label == 1).ToArray());
        Assert.Contains("no examples of the normal class", Assert.Throws<ArgumentException>(() => trainer.Train(onlyAbnormal, null)).Message);
    }

    private static double? RocAuc(AnomalyPredictor model, EcgDataView data) =>
        Evaluation.RankingMetrics.RocAuc(data.Index.Labels.Select(l => l != 0).ToArray(), model.Transform(data).Column(EcgColumns.Score).Select(v => (double)v).ToArray());
}
