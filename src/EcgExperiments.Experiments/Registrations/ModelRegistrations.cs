using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments;

internal static class ModelRegistrations
{
    public static void Register(ComponentRegistry<ClassifierBuild> r) => r
        .Register<Cnn2dSpec>("cnn2d", "2-D CNN with optional squeeze-and-excitation (SPEC §2.1)", Cnn2dSpec.Build);
}
