using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Pipeline.Transforms;

namespace EcgExperiments.Experiments;

internal static class TransformRegistrations
{
    public static void Register(ComponentRegistry<IEstimator> r) => r
        .Register<ZScoreOptions>("zscore", "z-score per lead, statistics fitted on the training split only", o => new ZScoreEstimator(o));
}
