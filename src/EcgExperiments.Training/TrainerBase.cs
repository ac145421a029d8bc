using EcgExperiments.Core;
using System.Diagnostics;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;

namespace EcgExperiments.Training;

/// <summary>Outcome of <see cref="TrainerBase{TModel}.Fit"/>: the model (best checkpoint restored), its history and timings.</summary>
public sealed record TrainResult<TModel>(TModel Model, IReadOnlyList<EpochRecord> History, int BestEpoch, double? BestScore, bool Interrupted, double Seconds)
    where TModel : Module;

/// <summary>Validation outcome of one epoch.</summary>
public sealed record ValidationResult(double Loss, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// Template-method trainer (STYLE §4, cf. ML.NET's TorchSharpBaseTrainer). The base owns seeding, the epoch
/// loop, minibatch order, dispose scopes, validation every epoch, the learning-rate schedule, early stopping,
/// the best checkpoint (restored at the end), progress and cancellation (the current batch finishes, the
/// result is marked interrupted). A paper model fills in: create the model, the loss of a batch, validation.
/// </summary>
public abstract class TrainerBase<TModel> where TModel : Module
{
    protected TrainerBase(TrainingOptions options, Device device, ulong seed)
    {
        options.Validate();
        Options = options;
        Device = device;
        Seed = seed;
    }

    public TrainingOptions Options { get; }
    public Device Device { get; }
    public ulong Seed { get; }

    protected abstract TModel CreateModel(DataSchema schema);

    /// <summary>Builds the batch for <paramref name="batch"/> (indices into <paramref name="data"/>) and returns its scalar loss.</summary>
    protected abstract Tensor BatchLoss(TModel model, DataView data, int[] batch);

    protected abstract ValidationResult Validate(TModel model, DataView validation);

    /// <summary>The order in which training examples are visited this epoch (default: a seeded shuffle of all).</summary>
    protected virtual int[] EpochOrder(DataView train, SplitMix64 rng)
    {
        var order = Enumerable.Range(0, train.Count).ToArray();
        rng.Shuffle(order);
        return order;
    }

    public TrainResult<TModel> Fit(DataView train, DataView? validation, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        if (train.Count == 0) throw new ArgumentException("the training split is empty");
        torch.manual_seed(Seed);
        var rng = new SplitMix64(Seed);
        var model = CreateModel(train.Schema);
        model.to(Device);
        using var optimizer = CreateOptimizer(model);
        var history = new List<EpochRecord>();
        var clock = Stopwatch.StartNew();
        bool maximise = !Options.SelectBy.Equals("loss", StringComparison.OrdinalIgnoreCase);
        double? best = null;
        int bestEpoch = 0, sinceBest = 0;
        Dictionary<string, Tensor>? bestState = null;
        bool interrupted = false;

        try
        {
            for (int epoch = 1; epoch <= Options.Epochs && !interrupted; epoch++)
            {
                var epochClock = Stopwatch.StartNew();
                optimizer.LearningRate = ScheduledRate(epoch);
                model.train();
                var order = EpochOrder(train, rng);
                int batches = (order.Length + Options.BatchSize - 1) / Options.BatchSize;
                double lossSum = 0;
                int seen = 0;
                for (int b = 0; b < batches; b++)
                {
                    var idx = order.AsSpan(b * Options.BatchSize, Math.Min(Options.BatchSize, order.Length - b * Options.BatchSize)).ToArray();
                    using (torch.NewDisposeScope())
                    {
                        optimizer.zero_grad();
                        var loss = BatchLoss(model, train, idx);
                        loss.backward();
                        if (Options.GradientClip is { } clip) torch.nn.utils.clip_grad_norm_(model.parameters(), clip);
                        optimizer.step();
                        var l = loss.item<double>();
                        if (!double.IsFinite(l))
                            throw new TrainingDivergedException($"the training loss became {l} in epoch {epoch}, batch {b + 1}; lower the learning rate or enable gradient_clip");
                        lossSum += l * idx.Length;
                        seen += idx.Length;
                    }
                    if (cancel.IsCancellationRequested) { interrupted = true; break; }
                    progress?.Report(new TrainingProgress(epoch, Options.Epochs, b + 1, batches, lossSum / seen, clock.Elapsed,
                        Remaining(clock.Elapsed, epoch, b + 1, batches), history.LastOrDefault()));
                }
                if (interrupted && seen == 0) break;

                ValidationResult? val = null;
                if (validation is { Count: > 0 })
                {
                    model.eval();
                    using (torch.no_grad()) val = Validate(model, validation);
                }
                var record = new EpochRecord(epoch, lossSum / Math.Max(1, seen), val?.Loss, val?.Metrics ?? new Dictionary<string, double>(),
                    optimizer.LearningRate, epochClock.Elapsed.TotalSeconds);
                history.Add(record);
                progress?.Report(new TrainingProgress(epoch, Options.Epochs, batches, batches, record.TrainLoss, clock.Elapsed,
                    Remaining(clock.Elapsed, epoch, batches, batches), record));

                var score = SelectionScore(record);
                if (score is { } s && (best is null || (maximise ? s > best : s < best)))
                {
                    best = s;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    DisposeState(bestState);
                    bestState = Snapshot(model);
                }
                else if (Options.Patience is { } patience && ++sinceBest >= patience)
                {
                    break;
                }
            }
            if (bestState is not null) model.load_state_dict(bestState);
            else bestEpoch = history.Count;
            model.eval();
            return new TrainResult<TModel>(model, history, bestEpoch, best, interrupted, clock.Elapsed.TotalSeconds);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            DisposeState(bestState);
        }
    }

    private double? SelectionScore(EpochRecord r)
    {
        if (Options.SelectBy.Equals("loss", StringComparison.OrdinalIgnoreCase)) return r.ValidationLoss ?? r.TrainLoss;
        if (r.ValidationMetrics.TryGetValue(Options.SelectBy, out var v)) return v;
        if (r.ValidationMetrics.Count == 0) return null;
        throw new ArgumentException($"training.select_by '{Options.SelectBy}' is not a validation metric of this trainer; available: loss, {string.Join(", ", r.ValidationMetrics.Keys)}");
    }

    private Optimizer CreateOptimizer(TModel model) => Options.Optimizer switch
    {
        OptimizerKind.Adam => torch.optim.Adam(model.parameters(), Options.LearningRate, Options.Beta1, Options.Beta2, weightDecay: Options.WeightDecay),
        OptimizerKind.AdamW => torch.optim.AdamW(model.parameters(), Options.LearningRate, Options.Beta1, Options.Beta2, weightDecay: Options.WeightDecay),
        OptimizerKind.Sgd => torch.optim.SGD(model.parameters(), Options.LearningRate, Options.Momentum, weightDecay: Options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(Options.Optimizer), Options.Optimizer, "unknown optimizer"),
    };

    private double ScheduledRate(int epoch) => Options.Schedule switch
    {
        LrSchedule.Step => Options.LearningRate * Math.Pow(Options.Gamma, (epoch - 1) / Math.Max(1, Options.StepSize)),
        LrSchedule.Cosine => Options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (epoch - 1) / Math.Max(1, Options.Epochs))),
        _ => Options.LearningRate,
    };

    private TimeSpan? Remaining(TimeSpan elapsed, int epoch, int batch, int batches)
    {
        double done = (epoch - 1) + (double)batch / batches;
        if (done <= 0) return null;
        return TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (Options.Epochs - done));
    }

    private static Dictionary<string, Tensor> Snapshot(Module model)
    {
        using var _ = torch.no_grad();
        return model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
    }

    private static void DisposeState(Dictionary<string, Tensor>? state)
    {
        if (state is null) return;
        foreach (var t in state.Values) t.Dispose();
    }
}

/// <summary>Training produced a non-finite loss.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
