using EcgExperiments.Experiments.Sources;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments;

internal static class SourceRegistrations
{
    public static void Register(ComponentRegistry<IDataSource> r) => r
        .Register<SyntheticSourceOptions>("synthetic", "seeded ECGSYN 12-lead records, NORM vs hypertrophy-like", o => new SyntheticSource(o));
}
