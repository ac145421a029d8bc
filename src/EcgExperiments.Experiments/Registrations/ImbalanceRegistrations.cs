using EcgExperiments.Experiments.Spec;
using EcgExperiments.Training.Imbalance;

namespace EcgExperiments.Experiments;

/// <summary>YAML <c>training.imbalance: { strategy: …, its own options }</c>; a key another strategy owns is an error.</summary>
internal static class ImbalanceRegistrations
{
    public static void Register(ComponentRegistry<IImbalanceStrategy> r) => r
        .Register<NoImbalanceOptions>("none", "plain BCE / cross-entropy", o => new NoImbalanceStrategy(o))
        .Register<ClassWeightsOptions>("class_weights", "loss weighted by class (given by name or position, or inverse frequency)", o => new ClassWeightStrategy(o))
        .Register<FocalOptions>("focal", "focal loss −α_t (1 − p_t)^γ log p_t", o => new FocalLossStrategy(o))
        .Register<WeightedSamplerOptions>("weighted_sampler", "minibatches drawn with replacement, classes equally likely", o => new WeightedSamplerStrategy(o))
        .Register<CostSensitiveOptions>("cost_sensitive", "loss weighted by misclassification costs (FN/FP or a cost matrix)", o => new CostSensitiveStrategy(o))
        .Register<UndersampleOptions>("undersample", "each epoch keeps the smallest class and a random subset of the others", o => new UndersampleStrategy(o));
}
