using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training;
using EcgExperiments.Training.Autoencoders;
using EcgExperiments.Training.Gan;
using EcgExperiments.Training.Reconstruction;

namespace EcgExperiments.Experiments;

/// <summary>
/// The models: each YAML <c>model:</c> record binds straight to the model's options record (its schema-derived fields —
/// input channels, outputs, lengths — are filled from the data here and are not YAML keys), and each registration says
/// which task the model solves and how it is trained.
/// </summary>
internal static class ModelRegistrations
{
    public static void Register(ComponentRegistry<ModelBuild> r) => r
        // classification
        .Register<Cnn2dOptions>("cnn2d", "classifier: 2-D CNN with optional squeeze-and-excitation (SPEC §2.1)", Cnn2d)
        .Register<ResNet1dOptions>("resnet1d", "classifier: 1-D ResNet on [leads × samples] (PTB-XL benchmark resnet1d_wang)", ResNet1d)
        .Register<LstmClassifierOptions>("lstm", "classifier: (bi)LSTM over time on [leads × samples], pooled state → linear", Lstm)
        .Register<StftCnnOptions>("stft_cnn", "classifier: MIT-BIH STFT beat CNN on 64×64 spectrogram images (SPEC §2.2)", StftCnn)
        // reconstruction
        .Register<BiLstmReconstructorOptions>("bilstm_attention", "reconstruction: BiLSTM + attention, one lead → all leads (SPEC §2.3)", Reconstructor)
        // anomaly detection (trained on the normal class only)
        .Register<LstmAutoencoderOptions>("lstm_ae", "anomaly: LSTM autoencoder, L1 reconstruction score (SPEC §2.5)", LstmAutoencoder)
        .Register<TransformerAutoencoderOptions>("transformer_ae", "anomaly: Transformer autoencoder, L1 reconstruction score (SPEC §2.5)", TransformerAutoencoder)
        .Register<BeatGanOptions>("beatgan", "anomaly: 1-D BeatGAN on [1 × 320] beats or B2I-GAN on [1 × 128 × 128] STFT images (SPEC §2.4)", BeatGan);

    // ---- classifiers -------------------------------------------------------------------------------------------

    /// <summary>1 logit for two classes, k otherwise; one per label for label sets.</summary>
    private static int Outputs(EcgSchema schema) => schema.ClassNames.Count == 2 && !schema.MultiLabel ? 1 : schema.ClassNames.Count;

    /// <summary>Leads of a [C × T] or [T] item.</summary>
    private static int Leads(EcgSchema schema) => schema.ItemShape.Count == 2 ? (int)schema.ItemShape[0] : 1;

    private static int ImageChannels(EcgSchema schema) => schema.ItemShape.Count == 3 ? (int)schema.ItemShape[0] : 1;

    private static string? SignalCheck(EcgSchema schema) =>
        schema.ItemShape.Count is 1 or 2 && schema.ItemShape[^1] >= 2 ? null : $"expects signals [leads × samples] or [samples], got {schema.ShapeText}";

    private static ModelBuild Classifier(string description, ComputeKind kind, Func<EcgSchema, Module<Tensor, Tensor>> network, Func<EcgSchema, string?> check) =>
        new(description, TaskKind.Classification, kind)
        {
            CheckInput = check,
            CreateTrainer = c => new ClassifierTrainer(c.Training, network, c.Device, c.Seed),
            CreateNetwork = network,
            Wrap = (m, schema, device, s) => new ClassificationPredictor((Module<Tensor, Tensor>)m, schema, device, s.BatchSize, s.Threshold ?? 0.5),
        };

    private static ModelBuild Cnn2d(Cnn2dOptions o)
    {
        Cnn2dOptions For(EcgSchema schema) => o with { InputChannels = ImageChannels(schema), Outputs = Outputs(schema) };
        return Classifier($"CNN2D{(o.SqueezeExcitation ? "+SE" : "")} widths [{string.Join(", ", o.Widths)}]", ComputeKind.Convolutional,
            schema => new ImageInput(new Cnn2dClassifier(For(schema))),
            schema =>
            {
                if (schema.ItemShape.Count is not (2 or 3)) return $"expects items of [H × W] or [C × H × W], got {schema.ShapeText}";
                long h = schema.ItemShape[^2], w = schema.ItemShape[^1];
                if (For(schema).FeatureSize(h, w) is not null) return null;
                var (mh, mw) = o.MinimumInput();
                return $"{o.Widths.Count} blocks of kernel {o.KernelHeight ?? o.Kernel}×{o.Kernel} need images of at least {mh}×{mw}, got {h}×{w}";
            });
    }

    // Revision 2: on the CPU the trunk runs channels-last (N×C×1×T), whose kernels sum in another order.
    private static ModelBuild ResNet1d(ResNet1dOptions o)
    {
        ResNet1dOptions For(EcgSchema schema) => o with { InputChannels = Leads(schema), Outputs = Outputs(schema) };
        return Classifier($"ResNet1d stem {o.StemWidth} k{o.StemKernel}, blocks [{string.Join(", ", o.BlockWidths)}] k{o.BlockKernel1}/{o.BlockKernel2}",
            ComputeKind.Convolutional,
            schema => new SignalInput(new ResNet1d(For(schema))),
            schema => SignalCheck(schema) ?? (For(schema).FeatureLength(schema.ItemShape[^1]) < 1
                ? $"signals of {schema.ItemShape[^1]} samples are too short for stride {o.StemStride} and {o.BlockWidths.Count} blocks" : null))
            with { Revision = 2 };
    }

    private static ModelBuild Lstm(LstmClassifierOptions o) =>
        Classifier($"{(o.Bidirectional ? "Bi" : "")}LSTM {o.Layers}×{o.Hidden}, {o.Pooling.ToString().ToLowerInvariant()} pooling", ComputeKind.Recurrent,
            schema => new SignalInput(new LstmClassifier(o with { InputChannels = Leads(schema), Outputs = Outputs(schema) })),
            SignalCheck);

    private static ModelBuild StftCnn(StftCnnOptions o) =>
        Classifier("STFT beat CNN (conv 8@4×4, 13@2×2, 13@2×2, dense 512)", ComputeKind.Convolutional,
            schema => new ImageInput(new StftCnn(o with { InputChannels = o.InputChannels ?? ImageChannels(schema), Classes = Outputs(schema), ImageSize = (int)schema.ItemShape[^1] })),
            schema =>
            {
                if (schema.ItemShape.Count is not (2 or 3)) return $"expects square images [S × S] or [C × S × S], got {schema.ShapeText}";
                if (o.InputChannels is { } wanted && ImageChannels(schema) != wanted && ImageChannels(schema) != 1)
                    return $"input_channels {wanted} needs images of {wanted} channels or 1 (replicated), got {schema.ShapeText}";
                if (schema.ItemShape[^1] != schema.ItemShape[^2]) return $"expects square images, got {schema.ShapeText} (resize to 64 × 64 as published)";
                if (schema.ItemShape[^1] < 11) return $"images of {schema.ItemShape[^1]}×{schema.ItemShape[^1]} are too small (need ≥ 11)";
                return null;
            });

    // ---- reconstruction ----------------------------------------------------------------------------------------

    private static ModelBuild Reconstructor(BiLstmReconstructorOptions o)
    {
        Module<Tensor, Tensor> Network(EcgSchema schema) =>
            new BiLstmAttentionReconstructor(o with { Leads = (int)schema.ItemShape[0], Length = (int)schema.ItemShape[1] });
        return new ModelBuild(
            $"BiLSTM {o.Layers}×{o.Hidden} + {(o.Head == ReconstructorHead.Attention ? "attention → linear T·leads (published)" : "per-step linear head")}, input lead {o.InputLead}",
            TaskKind.Reconstruction, ComputeKind.Recurrent)
        {
            CheckInput = schema =>
            {
                if (schema.ItemShape.Count != 2) return $"expects records [leads × samples], got {schema.ShapeText}";
                if (schema.LeadNames is not { } names) return "the data has no lead names, so the input lead cannot be found";
                return names.Any(n => string.Equals(n, o.InputLead, StringComparison.OrdinalIgnoreCase)) ? null
                    : $"input_lead '{o.InputLead}' is not among the data's leads [{string.Join(", ", names)}]";
            },
            CreateTrainer = c => new ReconstructionTrainer(c.Training, Network, c.Device, c.Seed, o.InputLead),
            CreateNetwork = Network,
            Wrap = (m, schema, device, s) => new ReconstructionPredictor((Module<Tensor, Tensor>)m, schema, device, s.BatchSize,
                ReconstructionTrainer.InputLeadIndex(schema, o.InputLead)),
        };
    }

    // ---- anomaly detection -------------------------------------------------------------------------------------

    private static ModelBuild Autoencoder(string description, ComputeKind kind, Func<EcgSchema, Module<Tensor, Tensor>> network) =>
        new(description, TaskKind.Anomaly, kind)
        {
            CheckInput = schema => schema.ItemShape.Count switch
            {
                1 => null,
                2 when schema.ItemShape[0] == 1 || schema.ItemShape[1] == 1 => null,
                _ => $"expects single-lead series [T] or [1 × T], got {schema.ShapeText}",
            },
            CreateTrainer = c => new AutoencoderTrainer(c.Training, network, c.Device, c.Seed, c.NormalClass),
            CreateNetwork = network,
            Wrap = (m, schema, device, s) => new AnomalyPredictor(m, AutoencoderTrainer.Score, schema, device, s.BatchSize, s.Threshold),
        };

    private static ModelBuild LstmAutoencoder(LstmAutoencoderOptions o) =>
        Autoencoder($"LSTM autoencoder E={o.Embedding} (hidden {2 * o.Embedding})", ComputeKind.Recurrent, _ => new LstmAutoencoder(o));

    // Revision 2: attention computed in PyTorch's order (queries scaled before the score product, batched over heads).
    private static ModelBuild TransformerAutoencoder(TransformerAutoencoderOptions o) =>
        Autoencoder($"Transformer autoencoder [d {o.DModel}, ff {o.FeedForward}, heads {o.Heads}, layers {o.Layers}]", ComputeKind.Small, _ => new TransformerAutoencoder(o))
            with { Revision = 2 };

    // Revision 2: on the CPU the bridge runs the heads (kernel over the whole input) and the decoders' first layer as matrix
    // products and the other transposed convolutions through oneDNN (conv_kernels.cpp): the same sums in another order.
    private static ModelBuild BeatGan(BeatGanOptions o) =>
        new($"GAN anomaly detector (encoder width {o.Width}, latent {o.Latent}; 1-D BeatGAN on [1 × 320] beats, B2I-GAN on [1 × 128 × 128] images)",
            TaskKind.Anomaly, o.Width <= 8 ? ComputeKind.Small : ComputeKind.Convolutional)
        {
            CheckInput = schema => BeatGanTrainer.InputShape(schema) is null
                ? $"expects beats [1 × 320] (BeatGAN: window fixed_320) or images [1 × 128 × 128] (B2I-GAN: stft_image recipe b2i_gan), got {schema.ShapeText}" : null,
            CreateTrainer = c => new BeatGanTrainer(c.Training, o, c.Device, c.Seed, c.NormalClass),
            CreateNetwork = schema => new BeatGanGenerator(BeatGanTrainer.InputShape(schema)!.Length - 1, o with { Channels = 1 }),
            Wrap = (m, schema, device, s) => new AnomalyPredictor(m, BeatGanTrainer.Score, schema, device, s.BatchSize, s.Threshold),
            Revision = 2,
        };
}
