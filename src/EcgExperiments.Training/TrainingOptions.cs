using EcgExperiments.Training.Imbalance;

namespace EcgExperiments.Training;

public enum OptimizerKind { Adam, AdamW, Sgd }

public enum LrSchedule { None, Step, Cosine }

/// <summary>Floating-point precision of forward passes and losses while training (YAML <c>training.precision</c>).</summary>
public enum Precision
{
    /// <summary>float32 throughout (the default; bit-exact single-threaded CPU runs).</summary>
    Fp32,
    /// <summary>
    /// bfloat16 autocast: convolutions and matrix products compute in bf16; losses, parameters, gradients and optimiser
    /// state stay float32. On a CPU it needs AVX512-BF16 or AMX-BF16. Saved models predict in float32 unless asked for bf16
    /// (<c>ecg predict --precision bf16</c>, <see cref="IEcgPredictor.Transform(EcgExperiments.Pipeline.EcgDataView, Precision)"/>).
    /// </summary>
    Bf16,
}

/// <summary>Everything the base trainer needs; YAML's <c>training:</c> block binds onto this record.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 32;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Momentum { get; init; }
    public LrSchedule Schedule { get; init; } = LrSchedule.None;
    /// <summary>Step schedule: epochs between decays.</summary>
    public int StepSize { get; init; } = 10;
    /// <summary>Step schedule: decay factor.</summary>
    public double Gamma { get; init; } = 0.1;
    /// <summary>Clip the joint gradient L2 norm to this value; null = no clipping.</summary>
    public double? GradientClip { get; init; }
    /// <summary>Stop after this many epochs without improvement of <see cref="SelectBy"/>; null = never.</summary>
    public int? Patience { get; init; }
    /// <summary>Validation metric that picks the best checkpoint ("loss" is minimised, every other metric maximised).</summary>
    public string SelectBy { get; init; } = "loss";
    /// <summary>
    /// Classifiers: the class-imbalance strategy (YAML <c>imbalance: { strategy: focal, focal_gamma: 2 }</c>, bound through
    /// the strategy registry); null = none. Written to run records as its name and options.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IImbalanceStrategy? Imbalance { get; init; }
    /// <summary>
    /// Precision of forward passes and losses while training and validating: fp32 (the default) or bf16 autocast. Left
    /// out of resolved configurations when fp32, so fp32 trials keep the configuration they always had.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public Precision Precision { get; init; } = Precision.Fp32;

    /// <summary>The strategy in effect (<see cref="Imbalance"/> or none).</summary>
    public IImbalanceStrategy ResolvedImbalance() => Imbalance ?? new NoImbalanceStrategy();

    /// <summary>Throws with the offending key and its valid range.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"training.epochs must be ≥ 1, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"training.batch_size must be ≥ 1, got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"training.learning_rate must be > 0, got {LearningRate}");
        if (WeightDecay < 0) throw new ArgumentException($"training.weight_decay must be ≥ 0, got {WeightDecay}");
        if (Patience is < 1) throw new ArgumentException($"training.patience must be ≥ 1 when set, got {Patience}");
        if (GradientClip is <= 0) throw new ArgumentException($"training.gradient_clip must be > 0 when set, got {GradientClip}");
    }
}

/// <summary>One epoch of history: losses, validation metrics, learning rate and time.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double? ValidationLoss, IReadOnlyDictionary<string, double> ValidationMetrics, double LearningRate, double Seconds)
{
    /// <summary>Set when an interruption cut the epoch short: its losses and metrics are those after these batches. Null for a whole epoch.</summary>
    public PartialEpoch? Partial { get; init; }
}

/// <summary>How much of an interrupted epoch was trained: <paramref name="Batches"/> of its <paramref name="Of"/> batches.</summary>
public sealed record PartialEpoch(int Batches, int Of);

/// <summary>Live progress for displays.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double RunningLoss, TimeSpan Elapsed, TimeSpan? Remaining, EpochRecord? LastEpoch);
