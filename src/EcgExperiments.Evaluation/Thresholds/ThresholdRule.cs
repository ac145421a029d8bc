using System.Text.Json.Serialization;

namespace EcgExperiments.Evaluation;

/// <summary>
/// How a decision threshold is chosen on validation scores: <see cref="BestF1"/>, <see cref="Youden"/>
/// (max TPR − FPR) or a <see cref="FixedAt"/> value. Serialises with a "rule" discriminator.
/// </summary>
/// <example><code>
/// ThresholdRule r = ThresholdRule.BestF1;
/// ThresholdRule f = ThresholdRule.FixedAt(0.5);
/// </code></example>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "rule")]
[JsonDerivedType(typeof(BestF1Rule), "best_f1")]
[JsonDerivedType(typeof(YoudenRule), "youden")]
[JsonDerivedType(typeof(FixedRule), "fixed")]
public abstract record ThresholdRule
{
    /// <summary>The validation score that maximises F1 of the positive class.</summary>
    public static ThresholdRule BestF1 { get; } = new BestF1Rule();

    /// <summary>The validation score that maximises Youden's J = sensitivity + specificity − 1.</summary>
    public static ThresholdRule Youden { get; } = new YoudenRule();

    /// <summary>A given threshold (still "fitted" so the provenance is recorded the same way).</summary>
    public static ThresholdRule FixedAt(double value) => new FixedRule(value);
}

/// <summary>See <see cref="ThresholdRule.BestF1"/>.</summary>
public sealed record BestF1Rule : ThresholdRule;

/// <summary>See <see cref="ThresholdRule.Youden"/>.</summary>
public sealed record YoudenRule : ThresholdRule;

/// <summary>See <see cref="ThresholdRule.FixedAt"/>.</summary>
public sealed record FixedRule(double Value) : ThresholdRule;
