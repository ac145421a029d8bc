using System.Diagnostics;
using EcgExperiments.Core;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using Microsoft.ML;

namespace EcgExperiments.Training;

/// <summary>The outcome of <see cref="EcgTrainerBase{TModel, TPredictor}.Train"/>: the fitted predictor (best checkpoint), its history and timings.</summary>
public sealed record TrainingRun<TPredictor>(TPredictor Model, IReadOnlyList<EpochRecord> History, int BestEpoch, double? BestScore, bool Interrupted, double Seconds)
    where TPredictor : IEcgPredictor
{
    /// <summary>Trainer-specific facts for the run record (e.g. a GAN's discriminator size and resets).</summary>
    public TrainingSummary Summary { get; init; } = [];

    /// <summary>The checkpoint this fit continued from (its epoch, and the sittings before this one), or null when it started at epoch 1.</summary>
    public ResumedFit? Resumed { get; init; }
}

/// <summary>Named numbers a trainer reports about a finished fit besides its history.</summary>
public sealed class TrainingSummary : Dictionary<string, double>
{
    public TrainingSummary() : base(StringComparer.Ordinal) { }
}

/// <summary>Validation outcome of one epoch.</summary>
public sealed record ValidationResult(double Loss, IReadOnlyDictionary<string, double> Metrics);

/// <summary>What one training step reports: the batch loss and any extra per-batch values (averaged over the epoch, e.g. a discriminator's loss).</summary>
public readonly record struct StepResult(double Loss, IReadOnlyDictionary<string, double>? Extra = null);

/// <summary>Everything one fit creates and changes; trainers keep per-fit state here, never on themselves (STYLE §1).</summary>
public sealed class FitState<TModel> where TModel : Module
{
    internal FitState(TModel model, EcgDataView train, SplitMix64 rng)
    {
        Model = model;
        Train = train;
        Rng = rng;
    }

    public TModel Model { get; }
    /// <summary>The training rows (cached in memory when small enough, else streamed).</summary>
    public EcgDataView Train { get; }
    public SplitMix64 Rng { get; }
    public IReadOnlyList<Optimizer> Optimizers { get; internal set; } = [];
    public int Epoch { get; internal set; }
    /// <summary>Trainer-specific state of this fit (an imbalance plan, a reset counter, …).</summary>
    public Dictionary<string, object> Items { get; } = new(StringComparer.Ordinal);
}

/// <summary>Any of the framework's trainers, without its types: what the experiment runner drives.</summary>
public interface IEcgTrainer
{
    /// <summary>Trains on <paramref name="train"/>, validating every epoch on <paramref name="validation"/>; progress and cancellation as in <see cref="EcgTrainerBase{TModel, TPredictor}.Train"/>.</summary>
    TrainingRun<IEcgPredictor> Train(IDataView train, IDataView? validation, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default,
        CheckpointOptions? checkpoint = null);

    /// <summary>Validation metric names this trainer reports (besides "loss"), for <c>select_by</c> and tuners.</summary>
    IReadOnlyList<string> ValidationMetrics(EcgSchema schema);
}

/// <summary>
/// Template-method trainer and ML.NET estimator (STYLE §4, cf. ML.NET's TorchSharpBaseTrainer). Holds options only;
/// <see cref="Train"/> (and ML.NET's <see cref="Fit"/>) returns an immutable prediction transformer. The base owns
/// seeding, the epoch loop, minibatch order, dispose scopes, validation every epoch, the learning-rate schedule,
/// early stopping, the best checkpoint (restored at the end), progress and cancellation (the current batch finishes,
/// the run is marked interrupted). A paper model fills in hooks: create the model, (optionally) its optimisers and
/// training step, validation, and the predictor.
/// </summary>
public abstract class EcgTrainerBase<TModel, TPredictor> : IEstimator<TPredictor>, IEcgTrainer
    where TModel : Module where TPredictor : class, IEcgPredictor
{
    protected EcgTrainerBase(TrainingOptions options, Device device, ulong seed)
    {
        Options = options;
        Device = device;
        Seed = seed;
    }

    public TrainingOptions Options { get; }
    public Device Device { get; }
    public ulong Seed { get; }

    /// <summary>Builds the network for the data's schema; throws <see cref="SchemaException"/> when the schema does not fit.</summary>
    protected abstract TModel CreateModel(EcgSchema schema);

    /// <summary>Called once a fit has its model and training data (e.g. to bind an imbalance strategy to the training labels).</summary>
    protected virtual void BeginFit(FitState<TModel> state) { }

    /// <summary>The optimisers of a fit (default: one, from <see cref="TrainingOptions.Optimizer"/> over all parameters).</summary>
    protected virtual IReadOnlyList<Optimizer> CreateOptimizers(TModel model) => [CreateOptimizer(model.parameters())];

    /// <summary>The rows visited this epoch, in order (default: a seeded shuffle of all training rows).</summary>
    protected virtual int[] EpochOrder(FitState<TModel> state)
    {
        var order = Enumerable.Range(0, state.Train.Count).ToArray();
        state.Rng.Shuffle(order);
        return order;
    }

    /// <summary>The epoch's minibatches (default: consecutive runs of <see cref="TrainingOptions.BatchSize"/>; the last may be smaller).</summary>
    protected virtual IEnumerable<int[]> EpochBatches(int[] order)
    {
        for (int start = 0; start < order.Length; start += Options.BatchSize)
            yield return order.AsSpan(start, Math.Min(Options.BatchSize, order.Length - start)).ToArray();
    }

    /// <summary>
    /// One optimisation step on <paramref name="batch"/> (default: zero the gradients, <see cref="BatchLoss"/>, backward,
    /// optional clipping, step). Runs inside a dispose scope.
    /// </summary>
    protected virtual StepResult TrainStep(FitState<TModel> state, int[] batch)
    {
        var optimizer = state.Optimizers[0];
        optimizer.zero_grad();
        Tensor loss;
        using (MixedPrecision()) loss = BatchLoss(state, batch);
        loss.backward();
        if (Options.GradientClip is { } clip) torch.nn.utils.clip_grad_norm_(state.Model.parameters(), clip);
        optimizer.step();
        return new StepResult(loss.item<double>());
    }

    /// <summary>
    /// The autocast scope of <see cref="TrainingOptions.Precision"/> on the trainer's device, or null for fp32: forward
    /// passes and losses run inside it, backward passes and optimiser steps outside (as with PyTorch's autocast).
    /// </summary>
    protected AutocastScope? MixedPrecision() => PrecisionSupport.Autocast(Options.Precision, Device.Type);

    /// <summary>Whether the trainer's steps run under <see cref="MixedPrecision"/> (the default step does).</summary>
    protected virtual bool SupportsMixedPrecision => true;

    /// <summary>The scalar training loss of a batch, for the default <see cref="TrainStep"/>; the caller holds the autocast scope.</summary>
    protected virtual Tensor BatchLoss(FitState<TModel> state, int[] batch) =>
        throw new NotSupportedException($"{GetType().Name} must override BatchLoss or TrainStep");

    /// <summary>Validation loss and metrics of the model (eval mode, no gradients).</summary>
    protected abstract ValidationResult Validate(FitState<TModel> state, EcgDataView validation);

    /// <summary>Metrics of the training side added to each epoch's record (e.g. discriminator resets).</summary>
    protected virtual IReadOnlyDictionary<string, double> EpochExtras(FitState<TModel> state) => new Dictionary<string, double>();

    /// <summary>
    /// The trainer's own per-fit counters that a checkpoint must carry (e.g. a GAN's discriminator resets), as text;
    /// state derived from the training data in <see cref="BeginFit"/> is derived again on resume and is not included.
    /// </summary>
    protected virtual IReadOnlyDictionary<string, string> CheckpointItems(FitState<TModel> state) => new Dictionary<string, string>();

    /// <summary>Puts back what <see cref="CheckpointItems"/> saved (called after <see cref="BeginFit"/> on resume).</summary>
    protected virtual void RestoreItems(FitState<TModel> state, IReadOnlyDictionary<string, string> items) { }

    /// <summary>Trainer-specific facts about the finished fit (called before <see cref="CreatePredictor"/>).</summary>
    protected virtual TrainingSummary Summarise(FitState<TModel> state) => [];

    /// <summary>The predictor holding the trained model (it takes ownership of the model).</summary>
    protected abstract TPredictor CreatePredictor(FitState<TModel> state, EcgSchema schema);

    /// <inheritdoc cref="IEcgTrainer.ValidationMetrics"/>
    public abstract IReadOnlyList<string> ValidationMetrics(EcgSchema schema);

    /// <summary>The coarse shape check of ML.NET's chains; the columns the predictor adds.</summary>
    public abstract Microsoft.ML.SchemaShape GetOutputSchema(Microsoft.ML.SchemaShape inputSchema);

    public TPredictor Fit(IDataView input) => Train(input, null).Model;

    TrainingRun<IEcgPredictor> IEcgTrainer.Train(IDataView train, IDataView? validation, IProgress<TrainingProgress>? progress, CancellationToken cancel,
        CheckpointOptions? checkpoint)
    {
        var run = Train(train, validation, progress, cancel, checkpoint);
        return new TrainingRun<IEcgPredictor>(run.Model, run.History, run.BestEpoch, run.BestScore, run.Interrupted, run.Seconds)
        {
            Summary = run.Summary,
            Resumed = run.Resumed,
        };
    }

    /// <summary>
    /// Trains on <paramref name="train"/> and validates every epoch on <paramref name="validation"/> (when given): the
    /// best epoch by <see cref="TrainingOptions.SelectBy"/> is restored at the end. Cancelling finishes the current
    /// batch and returns the run marked interrupted. With <paramref name="checkpoint"/>, the fit writes its state at epoch
    /// ends and continues from a checkpoint of the same key when one exists (see <see cref="CheckpointOptions"/>).
    /// </summary>
    public TrainingRun<TPredictor> Train(IDataView train, IDataView? validation, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default,
        CheckpointOptions? checkpoint = null)
    {
        Options.Validate();
        if (Options.Precision == Precision.Bf16 && !SupportsMixedPrecision)
            throw new ArgumentException($"training.precision: bf16 is not supported by {GetType().Name}; use precision: fp32");
        PrecisionSupport.EnsureSupported(Options.Precision, Device, "training.precision:");
        var trainView = CachePolicy.Prepare(EcgDataView.From(train, "training data"), CachePolicy.TrainingBytes, cancel);
        if (trainView.Count == 0) throw new ArgumentException("the training split is empty");
        var validationView = validation is null ? null : CachePolicy.Prepare(EcgDataView.From(validation, "validation data"), CachePolicy.TrainingBytes, cancel);
        using var resume = checkpoint is not null && File.Exists(checkpoint.Path) ? TrainingCheckpoint.Load(checkpoint.Path) : null;
        if (resume is not null && (resume.Key != checkpoint!.Key || resume.Epochs != Options.Epochs))
            throw new InvalidOperationException($"the checkpoint {checkpoint.Path} belongs to another fit (key {resume.Key}, {resume.Epochs} epochs); delete it to start afresh");
        torch.manual_seed(Seed);
        var model = CreateModel(trainView.Ecg);
        var state = new FitState<TModel>(model, trainView, resume is null ? new SplitMix64(Seed) : SplitMix64.At(resume.Rng));
        try
        {
            model.to(Device);
            BeginFit(state);
            state.Optimizers = CreateOptimizers(model);
            if (resume is not null) Restore(state, resume);
            var (history, bestEpoch, best, interrupted, seconds) = Loop(state, validationView, progress, cancel, checkpoint, resume);
            model.eval();
            var summary = Summarise(state);
            return new TrainingRun<TPredictor>(CreatePredictor(state, trainView.Ecg), history, bestEpoch, best, interrupted, seconds)
            {
                Summary = summary,
                Resumed = resume?.Resumed,
            };
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var o in state.Optimizers) o.Dispose();
        }
    }

    private void Restore(FitState<TModel> state, TrainingCheckpoint resume)
    {
        state.Model.load_state_dict(resume.Model);
        if (resume.Optimizers.Count != state.Optimizers.Count)
            throw new InvalidOperationException($"the checkpoint holds {resume.Optimizers.Count} optimiser states, the fit has {state.Optimizers.Count}");
        for (int i = 0; i < resume.Optimizers.Count; i++) state.Optimizers[i].LoadState(resume.Optimizers[i]);
        RestoreItems(state, resume.Items);
        torch.set_rng_state(resume.TorchRng);
    }

    private void SaveCheckpoint(CheckpointOptions checkpoint, FitState<TModel> state, int epoch, double? best, int bestEpoch, int sinceBest,
        double seconds, List<EpochRecord> history, Dictionary<string, Tensor>? bestState, ResumedFit? earlier)
    {
        using var scope = torch.NewDisposeScope();
        var optimizers = state.Optimizers.Select(o => o.SaveState()).ToList();
        new TrainingCheckpoint
        {
            Key = checkpoint.Key,
            Epoch = epoch,
            Epochs = Options.Epochs,
            Best = best,
            BestEpoch = bestEpoch,
            SinceBest = sinceBest,
            Seconds = seconds,
            History = history,
            Rng = state.Rng.GetPosition(),
            Items = CheckpointItems(state),
            Model = state.Model.state_dict().ToDictionary(p => p.Key, p => p.Value),
            BestModel = bestState,
            Optimizers = optimizers,
            TorchRng = torch.get_rng_state(),
            Sittings = (earlier?.Sittings ?? 0) + 1,
            WallSeconds = (earlier?.WallSeconds ?? 0) + Math.Max(0, (DateTime.UtcNow - checkpoint.SittingStartedUtc).TotalSeconds),
            PeakMemoryBytes = Math.Max(earlier?.PeakMemoryBytes ?? 0, ProcessMemory.PeakResidentBytes()),
        }.Save(checkpoint.Path);
    }

    private (List<EpochRecord>, int, double?, bool, double) Loop(FitState<TModel> state, EcgDataView? validation, IProgress<TrainingProgress>? progress,
        CancellationToken cancel, CheckpointOptions? checkpoint, TrainingCheckpoint? resume)
    {
        var model = state.Model;
        var history = resume?.History.ToList() ?? [];
        var clock = Stopwatch.StartNew();
        double before = resume?.Seconds ?? 0;
        var sinceWrite = Stopwatch.StartNew();
        bool maximise = !Options.SelectBy.Equals("loss", StringComparison.OrdinalIgnoreCase);
        double? best = resume?.Best;
        int bestEpoch = resume?.BestEpoch ?? 0, sinceBest = resume?.SinceBest ?? 0;
        Dictionary<string, Tensor>? bestState = resume?.BestModel?.ToDictionary(p => p.Key, p => p.Value.clone().DetachFromDisposeScope());
        int first = (resume?.Epoch ?? 0) + 1;
        bool interrupted = false;
        try
        {
            for (int epoch = first; epoch <= Options.Epochs && !interrupted; epoch++)
            {
                state.Epoch = epoch;
                var epochClock = Stopwatch.StartNew();
                double rate = ScheduledRate(epoch);
                foreach (var o in state.Optimizers) o.LearningRate = rate;
                model.train();
                var batches = EpochBatches(EpochOrder(state)).ToList();
                double lossSum = 0;
                var extraSums = new Dictionary<string, double>(StringComparer.Ordinal);
                int seen = 0, trained = 0;
                for (int b = 0; b < batches.Count; b++)
                {
                    var batch = batches[b];
                    StepResult step;
                    using (torch.NewDisposeScope()) step = TrainStep(state, batch);
                    if (!double.IsFinite(step.Loss) || step.Extra?.Values.Any(v => !double.IsFinite(v)) == true)
                        throw new TrainingDivergedException(
                            $"the training loss became {step.Loss}{(step.Extra is { } x ? $" ({string.Join(", ", x.Select(kv => $"{kv.Key} {kv.Value}"))})" : "")} in epoch {epoch}, batch {b + 1}; lower the learning rate or enable gradient_clip");
                    lossSum += step.Loss * batch.Length;
                    if (step.Extra is { } extra)
                        foreach (var (k, v) in extra) extraSums[k] = extraSums.GetValueOrDefault(k) + v * batch.Length;
                    seen += batch.Length;
                    trained++;
                    if (cancel.IsCancellationRequested) { interrupted = true; break; }
                    progress?.Report(new TrainingProgress(epoch, Options.Epochs, b + 1, batches.Count, lossSum / seen, clock.Elapsed,
                        Remaining(clock.Elapsed, epoch - first, b + 1, batches.Count, Options.Epochs - first + 1), history.LastOrDefault()));
                }
                if (interrupted && seen == 0) break;

                var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var (k, v) in extraSums) metrics[k] = v / seen;
                foreach (var (k, v) in EpochExtras(state)) metrics[k] = v;
                ValidationResult? val = null;
                if (validation is { Count: > 0 })
                {
                    model.eval();
                    using (torch.no_grad())
                    using (MixedPrecision())
                        val = Validate(state, validation);
                    foreach (var (k, v) in val.Metrics) metrics[k] = v;
                }
                var record = new EpochRecord(epoch, lossSum / Math.Max(1, seen), val?.Loss, metrics, rate, epochClock.Elapsed.TotalSeconds)
                {
                    Partial = trained < batches.Count ? new PartialEpoch(trained, batches.Count) : null,
                };
                history.Add(record);
                progress?.Report(new TrainingProgress(epoch, Options.Epochs, batches.Count, batches.Count, record.TrainLoss, clock.Elapsed,
                    Remaining(clock.Elapsed, epoch - first, batches.Count, batches.Count, Options.Epochs - first + 1), record));

                var score = SelectionScore(record, val);
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
                // Only whole epochs are checkpointed: a run interrupted mid-epoch resumes from the last epoch end.
                if (checkpoint is not null && !interrupted && epoch < Options.Epochs && sinceWrite.Elapsed >= checkpoint.Interval)
                {
                    SaveCheckpoint(checkpoint, state, epoch, best, bestEpoch, sinceBest, before + clock.Elapsed.TotalSeconds, history, bestState, resume?.Resumed);
                    sinceWrite.Restart();
                }
            }
            if (bestState is not null) model.load_state_dict(bestState);
            else bestEpoch = history.Count;
            return (history, bestEpoch, best, interrupted, before + clock.Elapsed.TotalSeconds);
        }
        finally
        {
            DisposeState(bestState);
        }
    }

    private double? SelectionScore(EpochRecord r, ValidationResult? val)
    {
        if (Options.SelectBy.Equals("loss", StringComparison.OrdinalIgnoreCase)) return r.ValidationLoss ?? r.TrainLoss;
        if (val is null || val.Metrics.Count == 0) return null;
        if (val.Metrics.TryGetValue(Options.SelectBy, out var v)) return v;
        throw new ArgumentException($"training.select_by '{Options.SelectBy}' is not a validation metric of this trainer; available: loss, {string.Join(", ", val.Metrics.Keys)}");
    }

    /// <summary>An optimiser of the kind and settings in <see cref="Options"/> over <paramref name="parameters"/>.</summary>
    protected Optimizer CreateOptimizer(IEnumerable<Tensor> parameters) => Options.Optimizer switch
    {
        OptimizerKind.Adam => torch.optim.Adam(parameters, Options.LearningRate, Options.Beta1, Options.Beta2, weightDecay: Options.WeightDecay),
        OptimizerKind.AdamW => torch.optim.AdamW(parameters, Options.LearningRate, Options.Beta1, Options.Beta2, weightDecay: Options.WeightDecay),
        OptimizerKind.Sgd => torch.optim.SGD(parameters, Options.LearningRate, Options.Momentum, weightDecay: Options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(Options.Optimizer), Options.Optimizer, "unknown optimizer"),
    };

    private double ScheduledRate(int epoch) => Options.Schedule switch
    {
        LrSchedule.Step => Options.LearningRate * Math.Pow(Options.Gamma, (epoch - 1) / Math.Max(1, Options.StepSize)),
        LrSchedule.Cosine => Options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (epoch - 1) / Math.Max(1, Options.Epochs))),
        _ => Options.LearningRate,
    };

    /// <summary>Time left, from this process's pace: <paramref name="epochsDone"/> whole epochs of the <paramref name="epochsLeft"/> it started with.</summary>
    private static TimeSpan? Remaining(TimeSpan elapsed, int epochsDone, int batch, int batches, int epochsLeft)
    {
        double done = epochsDone + (double)batch / batches;
        if (done <= 0) return null;
        return TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (epochsLeft - done));
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
