using EcgExperiments.Experiments.Runs;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments;

/// <summary>What a trainer of a trial is made from.</summary>
public sealed record TrainerContext(TrainingOptions Training, Device Device, ulong Seed, int NormalClass);

/// <summary>How a saved model's predictor is set up besides its weights.</summary>
public sealed record PredictorSettings(int BatchSize, double? Threshold);

/// <summary>
/// A registered model (the product of a <c>model:</c> registration): what it needs to know before data exists
/// (description, task, compute kind for the thread policy, input check), how to train it, and how to rebuild its
/// predictor from a saved model file.
/// </summary>
public sealed record ModelBuild(string Description, TaskKind Task, ComputeKind Kind)
{
    /// <summary>Null when the model takes items of this schema, else what is wrong.</summary>
    public required Func<EcgSchema, string?> CheckInput { get; init; }

    /// <summary>The trainer (an ML.NET estimator) for a trial.</summary>
    public required Func<TrainerContext, IEcgTrainer> CreateTrainer { get; init; }

    /// <summary>The inference network of a saved model (weights are loaded into it afterwards).</summary>
    public required Func<EcgSchema, Module> CreateNetwork { get; init; }

    /// <summary>The predictor around a trained inference network.</summary>
    public required Func<Module, EcgSchema, Device, PredictorSettings, IEcgPredictor> Wrap { get; init; }

    /// <summary>
    /// The model's own results revision: raised by a change to this model alone that alters what it computes (another
    /// order of floating-point operations), so that only its trials get new keys; changes that alter results across
    /// models raise the project version instead. Revision 1 adds nothing to trial keys.
    /// </summary>
    public int Revision { get; init; } = 1;
}
