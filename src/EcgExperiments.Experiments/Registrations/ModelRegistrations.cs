using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments;

internal static class ModelRegistrations
{
    public static void Register(ComponentRegistry<ModelBuild> r) => r
        // classification
        .Register<Cnn2dSpec>("cnn2d", "classifier: 2-D CNN with optional squeeze-and-excitation (SPEC §2.1)", s => Cnn2dSpec.Build(s))
        .Register<ResNet1dSpec>("resnet1d", "classifier: 1-D ResNet on [leads × samples] (PTB-XL benchmark resnet1d_wang)", s => ResNet1dSpec.Build(s))
        .Register<LstmSpec>("lstm", "classifier: (bi)LSTM over time on [leads × samples], pooled state → linear", s => LstmSpec.Build(s))
        .Register<StftCnnSpec>("stft_cnn", "classifier: MIT-BIH STFT beat CNN on 64×64 spectrogram images (SPEC §2.2)", s => StftCnnSpec.Build(s))
        // reconstruction
        .Register<BiLstmReconstructorSpec>("bilstm_attention", "reconstruction: BiLSTM + attention, one lead → all leads (SPEC §2.3)", BiLstmReconstructorSpec.Build)
        // anomaly detection (trained on the normal class only)
        .Register<LstmAutoencoderSpec>("lstm_ae", "anomaly: LSTM autoencoder, L1 reconstruction score (SPEC §2.5)", LstmAutoencoderSpec.Build)
        .Register<TransformerAutoencoderSpec>("transformer_ae", "anomaly: Transformer autoencoder, L1 reconstruction score (SPEC §2.5)", TransformerAutoencoderSpec.Build)
        .Register<BeatGanSpec>("beatgan", "anomaly: 1-D BeatGAN on [1 × 320] beats or B2I-GAN on [1 × 128 × 128] STFT images (SPEC §2.4)", BeatGanSpec.Build);
}
