using System.Text.Json.Serialization;
using EcgExperiments.Pipeline;

namespace EcgExperiments.Experiments.Sources;

/// <summary>
/// What every data source's options share (YAML <c>data: { type: …, non_finite: drop }</c>). Applied in one place, where
/// the runner loads the source (<see cref="NonFiniteSamples"/>), whatever the source.
/// </summary>
public abstract record DataSourceOptions
{
    /// <summary>
    /// Input samples that are NaN or infinite (WFDB invalid-sample markers, ±1e308, NaN in files): <c>error</c> (the
    /// default: stop naming the record and lead), <c>drop</c> (leave those examples out) or <c>interpolate</c>. Left out
    /// of run records and trial keys while unset, so the default keeps existing keys.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public NonFinitePolicy? NonFinite { get; init; }

    /// <summary>The policy in force (<see cref="NonFinitePolicy.Error"/> when unset).</summary>
    public static NonFinitePolicy PolicyOf(object? options) => (options as DataSourceOptions)?.NonFinite ?? NonFinitePolicy.Error;
}
