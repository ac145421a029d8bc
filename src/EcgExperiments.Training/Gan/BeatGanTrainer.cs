using EcgExperiments.Core;
using System.Diagnostics;
using EcgExperiments.Evaluation;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.Training.Gan;

/// <summary>Settings of <see cref="BeatGanTrainer"/> (SPEC §2.4 defaults).</summary>
public sealed record GanTrainingOptions
{
    public int Epochs { get; init; } = 100;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 1e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Weight of the feature-matching term in the generator loss.</summary>
    public double FeatureMatchingWeight { get; init; } = 1.0;
    /// <summary>The discriminator is re-initialised when its batch loss falls below this.</summary>
    public double DiscriminatorResetBelow { get; init; } = 5e-6;
    /// <summary>
    /// Validation metric that picks the best checkpoint: "roc_auc" (published protocol: anomalies in validation) or
    /// "loss" (mean reconstruction error of the validation normals, minimised: the honest variant, no anomalies used).
    /// </summary>
    public string SelectBy { get; init; } = MetricNames.RocAuc;
    /// <summary>Stop after this many epochs without improvement; null = never.</summary>
    public int? Patience { get; init; }
    public BeatGanOptions Model { get; init; } = new();

    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"gan.epochs must be ≥ 1, got {Epochs}");
        if (BatchSize < 2) throw new ArgumentException($"gan.batch_size must be ≥ 2 (batch norm), got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"gan.learning_rate must be > 0, got {LearningRate}");
        if (FeatureMatchingWeight < 0) throw new ArgumentException($"gan.feature_matching_weight must be ≥ 0, got {FeatureMatchingWeight}");
        if (Patience is < 1) throw new ArgumentException($"gan.patience must be ≥ 1 when set, got {Patience}");
        if (SelectBy is not (MetricNames.RocAuc or MetricNames.AveragePrecision or "loss"))
            throw new ArgumentException($"gan.select_by must be roc_auc, average_precision or loss, got '{SelectBy}'");
    }
}

/// <summary>Outcome of <see cref="BeatGanTrainer.Fit"/>: both networks (best checkpoint restored), history and timings.</summary>
public sealed record GanTrainResult(BeatGanGenerator Generator, BeatGanDiscriminator Discriminator, IReadOnlyList<EpochRecord> History,
    int BestEpoch, double? BestScore, int DiscriminatorResets, bool Interrupted, double Seconds) : IDisposable
{
    public void Dispose()
    {
        Generator.Dispose();
        Discriminator.Dispose();
    }
}

/// <summary>
/// Adversarial training of B2I-GAN (2-D, 1×128×128 spectrogram images) and BeatGAN (1-D, 1×320 beats), SPEC §2.4.
/// Per batch: D minimises BCE(D(x), 1) + BCE(D(G(x)), 0); then G minimises MSE(G(x), x) + w·MSE(f(G(x)), f(x)) with
/// f the discriminator's features; D is re-initialised when its loss falls below 5e-6. Two Adam optimisers
/// (lr 1e-4, betas 0.5/0.999), both networks initialised by <see cref="BeatGanDiscriminator.InitialiseWeights"/>.
/// </summary>
/// <remarks>
/// <see cref="TrainerBase{TModel}"/> owns one model and one optimiser, so this trainer has its own loop with the same
/// contract: seeded order, <see cref="TrainingProgress"/> and <see cref="EpochRecord"/> reports, cancellation after the
/// current batch (result marked interrupted), patience, and the best checkpoint (by validation AUC by default) restored.
/// Training examples are the normal class only (others in the view are skipped); the anomaly score of an example is
/// its mean squared reconstruction error.
/// </remarks>
/// <example><code>
/// var trainer = new BeatGanTrainer(new GanTrainingOptions { Epochs = 100 }, dims: 1, Device.CPU, seed: 1);
/// using var fit = trainer.Fit(trainNormals, validation);
/// AnomalyReport report = trainer.Evaluate(fit.Generator, validation, test);
/// </code></example>
public sealed class BeatGanTrainer
{
    public BeatGanTrainer(GanTrainingOptions options, int dims, Device device, ulong seed, int normalClass = 0)
    {
        options.Validate();
        if (dims is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(dims), dims, "dims is 1 (BeatGAN beats) or 2 (B2I-GAN images)");
        Options = options;
        Dims = dims;
        Device = device;
        Seed = seed;
        NormalClass = normalClass;
    }

    public GanTrainingOptions Options { get; }
    public int Dims { get; }
    public Device Device { get; }
    public ulong Seed { get; }
    public int NormalClass { get; }

    private void CheckSchema(DataSchema s)
    {
        bool ok = Dims == 1 ? s.ItemShape is [_, _] : s.ItemShape is [_, _, _];
        if (!ok || s.ItemShape[0] != Options.Model.Channels)
            throw new SchemaException("gan", $"{(Dims == 1 ? "BeatGAN expects beats shaped [channels, samples]" : "B2I-GAN expects images shaped [channels, height, width]")} with {Options.Model.Channels} channel(s), got {s.ShapeText}");
    }

    public GanTrainResult Fit(DataView train, DataView? validation, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        CheckSchema(train.Schema);
        var normals = Enumerable.Range(0, train.Count).Where(i => train.Examples[i].Label == NormalClass).ToArray();
        if (normals.Length < 2) throw new ArgumentException($"the training view has {normals.Length} normal examples; at least 2 are needed");
        torch.manual_seed(Seed);
        var rng = new SplitMix64(Seed);
        var g = new BeatGanGenerator(Dims, Options.Model);
        var d = new BeatGanDiscriminator(Dims, Options.Model);
        BeatGanDiscriminator.InitialiseWeights(g);
        BeatGanDiscriminator.InitialiseWeights(d);
        g.to(Device);
        d.to(Device);
        using var optG = torch.optim.Adam(g.parameters(), Options.LearningRate, Options.Beta1, Options.Beta2);
        using var optD = torch.optim.Adam(d.parameters(), Options.LearningRate, Options.Beta1, Options.Beta2);
        var history = new List<EpochRecord>();
        var clock = Stopwatch.StartNew();
        bool maximise = Options.SelectBy != "loss";
        double? best = null;
        int bestEpoch = 0, sinceBest = 0, resets = 0;
        (Dictionary<string, Tensor> G, Dictionary<string, Tensor> D)? bestState = null;
        bool interrupted = false;
        try
        {
            for (int epoch = 1; epoch <= Options.Epochs && !interrupted; epoch++)
            {
                var epochClock = Stopwatch.StartNew();
                g.train();
                d.train();
                var order = (int[])normals.Clone();
                rng.Shuffle(order);
                // a last batch of one would break batch norm: it joins the previous batch's epoch remainder
                int batches = Math.Max(1, order.Length / Options.BatchSize);
                double gSum = 0, dSum = 0;
                int seen = 0;
                for (int b = 0; b < batches; b++)
                {
                    int start = b * Options.BatchSize;
                    int count = b == batches - 1 ? order.Length - start : Options.BatchSize;
                    var idx = order.AsSpan(start, count).ToArray();
                    double lossG, lossD;
                    using (torch.NewDisposeScope())
                    {
                        var x = Batches.Inputs(train, idx, Device);
                        var fake = g.forward(x);

                        optD.zero_grad();
                        var (pReal, _) = d.forward(x);
                        var (pFake, _) = d.forward(fake.detach());
                        var errD = F.binary_cross_entropy(pReal, torch.ones([idx.Length], device: Device))
                                 + F.binary_cross_entropy(pFake, torch.zeros([idx.Length], device: Device));
                        errD.backward();
                        optD.step();

                        optG.zero_grad();
                        var (_, fFake) = d.forward(fake);
                        var (_, fReal) = d.forward(x);
                        var errG = F.mse_loss(fake, x) + Options.FeatureMatchingWeight * F.mse_loss(fFake, fReal.detach());
                        errG.backward();
                        optG.step();

                        lossD = errD.item<double>();
                        lossG = errG.item<double>();
                    }
                    if (!double.IsFinite(lossG) || !double.IsFinite(lossD))
                        throw new TrainingDivergedException($"GAN losses became G {lossG}, D {lossD} in epoch {epoch}, batch {b + 1}; lower the learning rate");
                    if (lossD < Options.DiscriminatorResetBelow)
                    {
                        BeatGanDiscriminator.InitialiseWeights(d);
                        resets++;
                    }
                    gSum += lossG * idx.Length;
                    dSum += lossD * idx.Length;
                    seen += idx.Length;
                    if (cancel.IsCancellationRequested) { interrupted = true; break; }
                    progress?.Report(new TrainingProgress(epoch, Options.Epochs, b + 1, batches, gSum / seen, clock.Elapsed,
                        Remaining(clock.Elapsed, epoch, b + 1, batches), history.LastOrDefault()));
                }
                if (interrupted && seen == 0) break;

                var metrics = new Dictionary<string, double> { ["discriminator_loss"] = dSum / seen, ["discriminator_resets"] = resets };
                double? valLoss = null;
                if (validation is { Count: > 0 })
                {
                    var (loss, m) = ValidateEpoch(g, validation);
                    valLoss = loss;
                    foreach (var (k, v) in m) metrics[k] = v;
                }
                var record = new EpochRecord(epoch, gSum / seen, valLoss, metrics, Options.LearningRate, epochClock.Elapsed.TotalSeconds);
                history.Add(record);
                progress?.Report(new TrainingProgress(epoch, Options.Epochs, batches, batches, record.TrainLoss, clock.Elapsed,
                    Remaining(clock.Elapsed, epoch, batches, batches), record));

                double? score = Options.SelectBy == "loss" ? valLoss ?? record.TrainLoss
                    : metrics.TryGetValue(Options.SelectBy, out var s) ? s : null;
                if (score is { } sc && (best is null || (maximise ? sc > best : sc < best)))
                {
                    best = sc;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    Dispose(bestState);
                    bestState = (Snapshot(g), Snapshot(d));
                }
                else if (Options.Patience is { } patience && ++sinceBest >= patience)
                {
                    break;
                }
            }
            if (bestState is { } st)
            {
                g.load_state_dict(st.G);
                d.load_state_dict(st.D);
            }
            else bestEpoch = history.Count;
            g.eval();
            d.eval();
            return new GanTrainResult(g, d, history, bestEpoch, best, resets, interrupted, clock.Elapsed.TotalSeconds);
        }
        catch
        {
            g.Dispose();
            d.Dispose();
            throw;
        }
        finally
        {
            Dispose(bestState);
        }
    }

    private (double Loss, Dictionary<string, double> Metrics) ValidateEpoch(BeatGanGenerator g, DataView validation)
    {
        var scores = Scores(g, validation);
        var isAnomaly = validation.Examples.Select(e => e.Label != NormalClass).ToArray();
        var normalScores = scores.Where((_, i) => !isAnomaly[i]).ToArray();
        var metrics = new Dictionary<string, double>();
        if (normalScores.Length > 0 && normalScores.Length < scores.Length)
        {
            metrics[MetricNames.RocAuc] = RankingMetrics.RocAuc(isAnomaly, scores) ?? double.NaN;
            metrics[MetricNames.AveragePrecision] = RankingMetrics.AveragePrecision(isAnomaly, scores) ?? double.NaN;
        }
        return (normalScores.Length > 0 ? normalScores.Average() : scores.Average(), metrics);
    }

    /// <summary>Anomaly score of every example: mean squared reconstruction error (raw; the evaluator min-max scales per set).</summary>
    public double[] Scores(BeatGanGenerator generator, DataView data)
    {
        CheckSchema(data.Schema);
        generator.eval();
        using var _ = torch.no_grad();
        var result = new double[data.Count];
        long[] dims = Dims == 1 ? [1L, 2L] : [1L, 2L, 3L];
        foreach (var idx in Batches.Sequential(data.Count, Math.Max(Options.BatchSize, 64)))
        {
            using var scope = torch.NewDisposeScope();
            var x = Batches.Inputs(data, idx, Device);
            var s = (generator.forward(x) - x).square().mean(dims).to(ScalarType.Float64).cpu().data<double>();
            for (int i = 0; i < idx.Length; i++) result[idx[i]] = s[i];
        }
        return result;
    }

    /// <summary>
    /// Test ROC-AUC, AP and F1 at the threshold chosen on <paramref name="validation"/> (best F1 by default), scores
    /// min-max scaled over each set (SPEC §2.4). Anomalous = any class other than the normal one.
    /// </summary>
    public AnomalyReport Evaluate(BeatGanGenerator generator, DataView validation, DataView test, AnomalyOptions? options = null)
    {
        var val = BinaryScores.ForValidation(validation.Examples.Select(e => e.Label != NormalClass).ToArray(), Scores(generator, validation));
        var tst = BinaryScores.ForTest(test.Examples.Select(e => e.Label != NormalClass).ToArray(), Scores(generator, test));
        return AnomalyEvaluator.Evaluate(val, tst, options ?? new AnomalyOptions { Scaling = ScoreScaling.MinMaxPerSet });
    }

    private TimeSpan? Remaining(TimeSpan elapsed, int epoch, int batch, int batches)
    {
        double done = (epoch - 1) + (double)batch / batches;
        return done <= 0 ? null : TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (Options.Epochs - done));
    }

    private static Dictionary<string, Tensor> Snapshot(Module model)
    {
        using var _ = torch.no_grad();
        return model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
    }

    private static void Dispose((Dictionary<string, Tensor> G, Dictionary<string, Tensor> D)? state)
    {
        if (state is not { } s) return;
        foreach (var t in s.G.Values) t.Dispose();
        foreach (var t in s.D.Values) t.Dispose();
    }
}
