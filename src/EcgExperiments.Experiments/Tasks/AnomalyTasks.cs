using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training;
using EcgExperiments.Training.Autoencoders;
using EcgExperiments.Training.Gan;

namespace EcgExperiments.Experiments;

/// <summary>YAML options of the LSTM autoencoder (<c>type: lstm_ae</c>, SPEC §2.5): embedding E, hidden 2E.
/// <code>model: { type: lstm_ae, embedding: 64 }</code></summary>
public sealed record LstmAutoencoderSpec
{
    public int Embedding { get; init; } = 64;

    public static ModelBuild Build(LstmAutoencoderSpec s)
    {
        if (s.Embedding < 1) throw new ArgumentException($"model.embedding must be ≥ 1, got {s.Embedding}");
        return new AutoencoderBuild($"LSTM autoencoder E={s.Embedding} (hidden {2 * s.Embedding})", ComputeKind.Recurrent, _ => new LstmAutoencoder(s.Embedding));
    }
}

/// <summary>YAML options of the Transformer autoencoder (<c>type: transformer_ae</c>, SPEC §2.5): [d, ff, heads, layers].
/// <code>model: { type: transformer_ae, d_model: 4, feed_forward: 512, heads: 2, layers: 2 }</code></summary>
public sealed record TransformerAutoencoderSpec
{
    public int DModel { get; init; } = 4;
    public int FeedForward { get; init; } = 512;
    public int Heads { get; init; } = 2;
    public int Layers { get; init; } = 2;
    public double Dropout { get; init; } = 0.1;

    public static ModelBuild Build(TransformerAutoencoderSpec s)
    {
        if (s.DModel < 1 || s.FeedForward < 1 || s.Heads < 1 || s.Layers < 1)
            throw new ArgumentException("model.d_model, feed_forward, heads and layers must be ≥ 1");
        if (s.DModel % s.Heads != 0) throw new ArgumentException($"model.d_model ({s.DModel}) must be divisible by model.heads ({s.Heads})");
        if (s.Dropout is < 0 or >= 1) throw new ArgumentException($"model.dropout must be in [0, 1), got {s.Dropout}");
        return new AutoencoderBuild($"Transformer autoencoder [d {s.DModel}, ff {s.FeedForward}, heads {s.Heads}, layers {s.Layers}]", ComputeKind.Small,
            _ => new TransformerAutoencoder(s.DModel, s.FeedForward, s.Heads, s.Layers, s.Dropout));
    }
}

/// <summary>Reconstruction autoencoders as anomaly detectors: trained on the normal class only, scored by the L1 error.</summary>
internal sealed record AutoencoderBuild(string Description, ComputeKind Kind, Func<DataSchema, Module<Tensor, Tensor>> Create)
    : ModelBuild(Description, Kind, schema => schema.ItemShape.Count switch
    {
        1 => null,
        2 when schema.ItemShape[0] == 1 || schema.ItemShape[1] == 1 => null,
        _ => $"expects single-lead series [T] or [1 × T], got {schema.ShapeText}",
    })
{
    public override string Task => "anomaly";

    internal override TaskResult Run(TaskContext c)
    {
        long t = c.Train.Schema.ItemSize;
        c = c with { Train = TaskSupport.Reshape(c.Train, t), Validation = TaskSupport.Reshape(c.Validation, t), Test = TaskSupport.Reshape(c.Test, t) };
        int normal = c.NormalClass(c.Train.Schema);
        var trainer = new AutoencoderTrainer(c.Training, Create, c.Device, c.Spec.Seed, normal);
        var result = trainer.Fit(c.Train, c.Validation, c.Progress, c.Cancel);
        using var model = result.Model;
        var valScores = trainer.Scores(model, c.Validation);
        var testScores = trainer.Scores(model, c.Test);
        model.save(Path.Combine(c.RunDirectory, "model.ecgstate"), new Dictionary<string, string> { ["experiment"] = c.Spec.Name, ["model"] = Description });
        return AnomalyResult.Create(c, Description, normal, valScores, testScores, result.History, result.BestEpoch, result.Interrupted, model.parameter_count(),
            "L1 reconstruction error summed over the series");
    }
}

/// <summary>YAML options of the GAN anomaly detectors (<c>type: beatgan</c>, SPEC §2.4): 1-D BeatGAN on beats [1 × 320] or
/// B2I-GAN on spectrogram images [1 × 128 × 128], chosen by the data's shape.
/// <code>model: { type: beatgan, width: 32, latent: 50, feature_matching_weight: 1.0 }</code></summary>
public sealed record BeatGanSpec
{
    private static readonly GanTrainingOptions Defaults = new();

    public int Width { get; init; } = Defaults.Model.Width;
    public int Latent { get; init; } = Defaults.Model.Latent;
    public double FeatureMatchingWeight { get; init; } = Defaults.FeatureMatchingWeight;
    /// <summary>Re-initialise the discriminator when its loss falls below this (SPEC §2.4: 5e-6).</summary>
    public double DiscriminatorResetBelow { get; init; } = Defaults.DiscriminatorResetBelow;

    public static ModelBuild Build(BeatGanSpec s)
    {
        if (s.Width < 1 || s.Latent < 1) throw new ArgumentException($"model.width and model.latent must be ≥ 1, got {s.Width} and {s.Latent}");
        if (s.FeatureMatchingWeight < 0) throw new ArgumentException("model.feature_matching_weight must be ≥ 0");
        return new GanBuild(s);
    }
}

/// <summary>BeatGAN / B2I-GAN: adversarial reconstruction of normal beats; score = mean squared reconstruction error.</summary>
internal sealed record GanBuild(BeatGanSpec Options)
    : ModelBuild($"GAN anomaly detector (encoder width {Options.Width}, latent {Options.Latent}; 1-D BeatGAN on [1 × 320] beats, B2I-GAN on [1 × 128 × 128] images)",
        Options.Width <= 8 ? ComputeKind.Small : ComputeKind.Convolutional, Check)
{
    public override string Task => "anomaly";

    /// <summary>1-D needs 320 samples (five stride-2 convs and a kernel-10 head), 2-D needs 128 × 128 (→ 7 × 7 and a kernel-7 head).</summary>
    private static string? Check(DataSchema schema) => Shape(schema) switch
    {
        [1, 320] or [1, 128, 128] => null,
        _ => $"expects beats [1 × 320] (BeatGAN: window fixed_320) or images [1 × 128 × 128] (B2I-GAN: stft_image recipe b2i_gan), got {schema.ShapeText}",
    };

    private static long[] Shape(DataSchema schema) => schema.ItemShape switch
    {
        [var t] => [1, t],
        [var h, var w] when h == w => [1, h, w],
        var s => s.ToArray(),
    };

    internal override TaskResult Run(TaskContext c)
    {
        var shape = Shape(c.Train.Schema);
        c = c with { Train = TaskSupport.Reshape(c.Train, shape), Validation = TaskSupport.Reshape(c.Validation, shape), Test = TaskSupport.Reshape(c.Test, shape) };
        int normal = c.NormalClass(c.Train.Schema);
        var t = c.Training;
        var options = new GanTrainingOptions
        {
            Epochs = t.Epochs, BatchSize = t.BatchSize, LearningRate = t.LearningRate, Beta1 = t.Beta1, Beta2 = t.Beta2,
            FeatureMatchingWeight = Options.FeatureMatchingWeight, DiscriminatorResetBelow = Options.DiscriminatorResetBelow,
            SelectBy = t.SelectBy, Patience = t.Patience,
            Model = new BeatGanOptions { Channels = 1, Width = Options.Width, Latent = Options.Latent },
        };
        options.Validate();
        var trainer = new BeatGanTrainer(options, shape.Length - 1, c.Device, c.Spec.Seed, normal);
        using var fit = trainer.Fit(c.Train, c.Validation, c.Progress, c.Cancel);
        var valScores = trainer.Scores(fit.Generator, c.Validation);
        var testScores = trainer.Scores(fit.Generator, c.Test);
        var kind = shape.Length == 2 ? "BeatGAN 1-D" : "B2I-GAN 2-D";
        fit.Generator.save(Path.Combine(c.RunDirectory, "model.ecgstate"), new Dictionary<string, string> { ["experiment"] = c.Spec.Name, ["model"] = $"{kind} generator" });
        var result = AnomalyResult.Create(c, Description, normal, valScores, testScores, fit.History, fit.BestEpoch, fit.Interrupted,
            fit.Generator.parameter_count(), "mean squared reconstruction error of the generator");
        result.Extra["discriminator_parameters"] = fit.Discriminator.parameter_count();
        result.Extra["discriminator_resets"] = fit.DiscriminatorResets;
        result.Extra["gan"] = kind;
        return result;
    }
}

internal static class AnomalyResult
{
    public static TaskResult Create(TaskContext c, string description, int normal, double[] valScores, double[] testScores,
        IReadOnlyList<EpochRecord> history, int bestEpoch, bool interrupted, long parameters, string score)
    {
        var (report, extra) = AnomalyEvaluation.Evaluate(c, normal, valScores, testScores);
        extra["score"] = score;
        extra["normal_class"] = c.Test.Schema.ClassNames[normal];
        var dir = c.RunDirectory;
        var csv = new StringBuilder("id,patient,label,anomalous,score\n");
        for (int i = 0; i < c.Test.Count; i++)
        {
            var e = c.Test.Examples[i];
            csv.Append(CultureInfo.InvariantCulture, $"{e.Id},{e.Group},{c.Test.Schema.ClassNames[e.Label]},{(e.Label != normal ? 1 : 0)},{testScores[i]:R}\n");
        }
        AtomicFile.WriteAllText(Path.Combine(dir, "scores.csv"), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.json"), MetricJson.Serialize(report));
        var table = AnomalyEvaluation.Table(report, extra);
        var baseline = report.Baseline?.ToTable() ?? [];
        const string kind = "constant score (class prior): ROC-AUC 0.5";
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.csv"), ResultTables.Csv(c.Spec.Name, c.Spec.Split.Protocol, table, baseline));
        var context = $"{c.Experiment.Source.Description}; model {description} ({parameters:N0} parameters); anomaly score: {score}; " +
                      $"normal class '{c.Test.Schema.ClassNames[normal]}', every other class anomalous.";
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.md"), ResultTables.Markdown(c.Spec.Name, c.Spec.Split.Protocol, table, baseline, kind, context, c.Test.Count));
        return new TaskResult
        {
            Interrupted = interrupted,
            Parameters = parameters,
            History = history,
            BestEpoch = bestEpoch,
            Metrics = table,
            Baseline = baseline,
            BaselineKind = kind,
            Report = report,
            Extra = extra,
            Artefacts = new JsonObject
            {
                ["model"] = "model.ecgstate",
                ["scores"] = "scores.csv",
                ["metrics_json"] = "metrics.json",
                ["metrics_csv"] = "metrics.csv",
                ["metrics_markdown"] = "metrics.md",
            },
        };
    }
}
