namespace EcgExperiments.Evaluation;

/// <summary>Percentile-bootstrap settings.</summary>
/// <example><code>
/// var options = new BootstrapOptions { Resamples = 2000, Level = 0.90, Seed = 7, Stratified = true };
/// </code></example>
public sealed record BootstrapOptions
{
    /// <summary>Number of resamples (each the size of the evaluated set, drawn with replacement).</summary>
    public int Resamples { get; init; } = 1000;

    /// <summary>Two-sided confidence level, e.g. 0.95 or 0.90 (PTB-XL benchmark intervals are 90 %).</summary>
    public double Level { get; init; } = 0.95;

    /// <summary>Seed of the resamples; persisted in <see cref="ResampleIds"/>.</summary>
    public ulong Seed { get; init; }

    /// <summary>Resample within each stratum (class) so every resample keeps the class counts.</summary>
    public bool Stratified { get; init; }

    /// <summary>Throws with a message naming the bad setting.</summary>
    public void Validate()
    {
        if (Resamples < 1) throw new ArgumentOutOfRangeException(nameof(Resamples), Resamples, "bootstrap needs at least one resample");
        if (!(Level > 0 && Level < 1)) throw new ArgumentOutOfRangeException(nameof(Level), Level, "confidence level must be in (0, 1), e.g. 0.95");
    }
}
