using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments;

internal static class ModelRegistrations
{
    public static void Register(ComponentRegistry<ClassifierBuild> r) => r
        .Register<Cnn2dSpec>("cnn2d", "2-D CNN with optional squeeze-and-excitation (SPEC §2.1)", Cnn2dSpec.Build)
        .Register<ResNet1dSpec>("resnet1d", "1-D ResNet on [leads × samples] (PTB-XL benchmark resnet1d_wang)", ResNet1dSpec.Build)
        .Register<LstmSpec>("lstm", "(bi)LSTM over time on [leads × samples], pooled state → linear", LstmSpec.Build)
        .Register<StftCnnSpec>("stft_cnn", "MIT-BIH STFT beat CNN on 64×64 spectrogram images (SPEC §2.2)", StftCnnSpec.Build);
}
