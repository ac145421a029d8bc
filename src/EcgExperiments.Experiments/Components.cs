using EcgExperiments.Experiments.Sources;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Training.Imbalance;

namespace EcgExperiments.Experiments;

/// <summary>
/// The registries behind YAML names. Each area registers its components in its own file (Registrations/*.cs), so adding
/// one is one class plus one line there. Tasks (classification, anomaly, reconstruction) are declared by each model.
/// </summary>
public static class Components
{
    public static ComponentRegistry<IDataSource> DataSources { get; } = new("data source");
    public static ComponentRegistry<IEcgEstimator> Transforms { get; } = new("transform");
    public static ComponentRegistry<ModelBuild> Models { get; } = new("model");
    public static ComponentRegistry<IImbalanceStrategy> ImbalanceStrategies { get; } = new("imbalance", discriminator: "strategy");

    /// <summary>The registry whose products are <paramref name="productType"/> (for options that hold a component directly), or null.</summary>
    public static IComponentRegistry? RegistryFor(Type productType) =>
        new IComponentRegistry[] { DataSources, Transforms, Models, ImbalanceStrategies }.FirstOrDefault(r => r.ProductType == productType);

    static Components()
    {
        SourceRegistrations.Register(DataSources);
        TransformRegistrations.Register(Transforms);
        ModelRegistrations.Register(Models);
        ImbalanceRegistrations.Register(ImbalanceStrategies);
    }
}
