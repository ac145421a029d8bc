using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Spec;

/// <summary>
/// A declarative experiment (one YAML file). Sections map onto option records used by the C# API too.
/// </summary>
/// <example><code>
/// name: quickstart
/// seed: 42
/// data: { type: synthetic, records: 600 }
/// pipeline: [ { type: zscore } ]
/// model: { type: cnn2d, widths: [16, 32, 64], kernel: 9, kernel_height: 3 }
/// training: { epochs: 8, batch_size: 32, learning_rate: 0.002 }
/// </code></example>
public sealed record ExperimentSpec
{
    public string Name { get; init; } = "";
    public string? Description { get; init; }
    /// <summary>One seed drives data order, initialisation, dropout, splits and bootstrap resamples.</summary>
    public ulong Seed { get; init; } = 42;
    /// <summary>cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>"auto" (policy by model kind) or a thread count.</summary>
    public string Threads { get; init; } = "auto";
    /// <summary>GPU only: deterministic cuDNN algorithms (repeatable, slower). Recorded in the run record.</summary>
    public bool CudnnDeterministic { get; init; }
    public ComponentSpec? Data { get; init; }
    public SplitSpec Split { get; init; } = new();
    public IReadOnlyList<ComponentSpec> Pipeline { get; init; } = [];
    public ComponentSpec? Model { get; init; }
    public TrainingOptions Training { get; init; } = new();
    public EvaluationSpec Evaluation { get; init; } = new();
    public OutputSpec Output { get; init; } = new();
    /// <summary>Published metrics this experiment is meant to reproduce (checked by <c>ecg verify</c>).</summary>
    public IReadOnlyList<ExpectSpec> Expect { get; init; } = [];
    /// <summary>Trials to run: values substituted at dotted keys of this file (absent = one trial).</summary>
    public SweepSpec? Sweep { get; init; }
}

/// <summary>
/// How a sweep chooses its trials. Grid and random run every configuration at the spec's own budget; successive
/// halving and ASHA run every configuration at a small budget and promote the best 1/eta to the next rung.
/// </summary>
public enum SweepMode { Grid, Random, SuccessiveHalving, Asha }

/// <summary>Where trials run: <c>auto</c> (in this process when one worker and no limits, else worker processes), always in worker processes, or always in this process.</summary>
public enum SweepIsolation { Auto, Process, InProcess }

/// <summary>Which way a tuner's metric is better.</summary>
public enum MetricDirection { Max, Min }

/// <summary>
/// A sweep over any keys of the experiment file. Each parameter is a dotted key (<c>training.learning_rate</c>,
/// <c>model</c>) with a list of YAML values substituted there (scalars, lists or whole mappings).
/// </summary>
/// <example><code>
/// sweep:
///   mode: successive_halving        # grid | random | successive_halving | asha
///   budget: { key: training.epochs, min: 2, max: 18 }
///   eta: 3
///   metric: macro_f1                # a validation metric from the run record's history (or loss)
///   workers: auto                   # or a number of worker processes
///   trial_timeout: 30m
///   trial_memory: 4GiB
///   parameters:
///     training.learning_rate: [0.0003, 0.001, 0.003]
/// </code></example>
public sealed record SweepSpec
{
    public SweepMode Mode { get; init; } = SweepMode.Grid;
    /// <summary>
    /// Random mode: how many distinct combinations to draw (seeded by the experiment seed; default 10). Tuners: when
    /// set, the configurations are that many random draws instead of the full grid.
    /// </summary>
    public int? Trials { get; init; }
    public IReadOnlyDictionary<string, IReadOnlyList<YamlDotNet.RepresentationModel.YamlNode>> Parameters { get; init; } =
        new Dictionary<string, IReadOnlyList<YamlDotNet.RepresentationModel.YamlNode>>();
    /// <summary>Worker processes: <c>auto</c> (workers × threads per trial ≤ cores) or a positive number.</summary>
    public string Workers { get; init; } = "auto";
    /// <summary>Wall-clock limit per trial (<c>90</c> = seconds, <c>45s</c>, <c>30m</c>, <c>1h30m</c>); the trial is killed and recorded as failed.</summary>
    public string? TrialTimeout { get; init; }
    /// <summary>Resident-memory cap per trial (<c>512MiB</c>, <c>4GiB</c>, <c>2GB</c>); the trial is killed and recorded as failed.</summary>
    public string? TrialMemory { get; init; }
    public SweepIsolation Isolation { get; init; } = SweepIsolation.Auto;
    /// <summary>Tuners: the key whose value is the rung's budget (normally <c>training.epochs</c>) and its range.</summary>
    public BudgetSpec? Budget { get; init; }
    /// <summary>Tuners: each rung keeps the best 1/eta of its trials (≥ 2).</summary>
    public int Eta { get; init; } = 3;
    /// <summary>Tuners: the validation metric that ranks trials (default: <c>training.select_by</c>). Test metrics are never used.</summary>
    public string? Metric { get; init; }
    /// <summary>Tuners: whether a larger metric is better (default: min for loss, max otherwise).</summary>
    public MetricDirection? Direction { get; init; }
    /// <summary>Where trials run: this machine (default) or Slurm job arrays (<see cref="LauncherSpec"/>).</summary>
    public LauncherSpec? Launcher { get; init; }
}

/// <summary>A tuner's budget: rung r sets <see cref="Key"/> to min·eta^r, the last rung to <see cref="Max"/>.</summary>
public sealed record BudgetSpec
{
    public string Key { get; init; } = "training.epochs";
    public int Min { get; init; } = 1;
    public int Max { get; init; }
}

/// <summary>
/// random_stratified: seeded fractions (patient- or example-level); official: the database's own split;
/// kfold: stratified k folds, fold <c>fold</c> is the test set and <c>validation_fraction</c> of the rest validates;
/// anomaly_folds: SPEC §2.4 (normal class in k contiguous folds, fold <c>fold</c> tested, other normals
/// train/validation; every anomalous class split test/validation, never trained on).
/// </summary>
public enum SplitKind { RandomStratified, Official, Kfold, AnomalyFolds }

public enum SplitLevel { Patient, Example }

public sealed record SplitSpec
{
    public SplitKind Kind { get; init; } = SplitKind.RandomStratified;
    /// <summary>Train, validation and test fractions for random splits.</summary>
    public IReadOnlyList<double> Fractions { get; init; } = [0.7, 0.15, 0.15];
    /// <summary>Random splits: assign whole patients (default, honest) or single examples (published record/beat-level protocols).</summary>
    public SplitLevel Level { get; init; } = SplitLevel.Patient;
    /// <summary>The published protocol may put one patient's data in several parts; this must then be accepted explicitly.</summary>
    public bool AllowPatientOverlap { get; init; }
    /// <summary>kfold and anomaly_folds: number of folds.</summary>
    public int Folds { get; init; } = 5;
    /// <summary>kfold and anomaly_folds: the held-out (test) fold, 0-based.</summary>
    public int Fold { get; init; }
    /// <summary>kfold: share of the training folds used for validation; anomaly_folds: share of the non-test normals.</summary>
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>anomaly_folds: share of each anomalous class used for validation (the rest is tested).</summary>
    public double AnomalyValidationFraction { get; init; } = 0.1;
    /// <summary>
    /// Label carried into reports, e.g. "published (intra-patient)" or "honest (inter-patient)". When not given it is
    /// derived from the split itself (an official split names itself, e.g. "PTB-XL strat_fold 1–8/9/10").
    /// </summary>
    public string? Protocol { get; init; }
}

public enum ThresholdKind { Argmax, BestF1, Youden }

public sealed record EvaluationSpec
{
    /// <summary>Bootstrap resamples for confidence intervals (0 = none).</summary>
    public int BootstrapResamples { get; init; } = 1000;
    public double ConfidenceLevel { get; init; } = 0.95;
    /// <summary>Binary tasks: how the decision threshold is chosen — on the validation split only.</summary>
    public ThresholdKind Threshold { get; init; } = ThresholdKind.Argmax;
    /// <summary>Anomaly tasks: the normal class (default the data's first class); every other class is anomalous.</summary>
    public string? NormalClass { get; init; }
    /// <summary>Anomaly tasks: how scores are scaled before the threshold (SPEC §2.4: min-max over each set).</summary>
    public EcgExperiments.Evaluation.ScoreScaling ScoreScaling { get; init; } = EcgExperiments.Evaluation.ScoreScaling.MinMaxPerSet;
}

public sealed record OutputSpec
{
    /// <summary>Results root; relative paths are taken from the repository root (or the working directory).</summary>
    public string Dir { get; init; } = "results";

    /// <summary>
    /// How often a training run saves a checkpoint it can resume from (at an epoch end once this much time has passed
    /// since the last): a duration such as <c>1m</c> or <c>30s</c>, <c>epoch</c> (after every epoch) or <c>off</c>.
    /// Not part of the trial key: a resumed run ends where an uninterrupted one would.
    /// </summary>
    public string CheckpointEvery { get; init; } = "1m";

    /// <summary><see cref="CheckpointEvery"/> as an interval (zero = every epoch), or null when checkpoints are off.</summary>
    /// <exception cref="FormatException">Not a duration, <c>epoch</c> or <c>off</c>.</exception>
    public static TimeSpan? ParseCheckpointEvery(string text) => text.Trim().ToLowerInvariant() switch
    {
        "off" or "never" or "false" => null,
        "epoch" or "every_epoch" => TimeSpan.Zero,
        _ => SweepSettings.ParseDuration(text),
    };
}

public sealed record ExpectSpec
{
    public string Metric { get; init; } = "";
    public string? Class { get; init; }
    public double Target { get; init; }
    public double Tolerance { get; init; }
    /// <summary>When set, the check is "measured ≥ minimum" instead of |measured − target| ≤ tolerance.</summary>
    public double? Minimum { get; init; }
    /// <summary>When set, the check is "measured ≤ maximum" (errors and losses), instead of |measured − target| ≤ tolerance.</summary>
    public double? Maximum { get; init; }
    public string? Note { get; init; }
    /// <summary>
    /// A miss that is understood: why this setup cannot meet the published number (e.g. "the TEST file is not
    /// available; cross-validated on TRAIN"). The check still shows the miss, as "known miss", and does not fail
    /// <c>verify</c>; a known miss that starts to pass is reported so that the note is removed.
    /// </summary>
    public string? KnownMiss { get; init; }
}
