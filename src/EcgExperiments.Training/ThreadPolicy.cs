namespace EcgExperiments.Training;

/// <summary>What a model mostly computes, for choosing libtorch's intra-op thread count.</summary>
/// <summary>What a model mostly computes, for the thread policy.</summary>
public enum ComputeKind
{
    Convolutional,
    Recurrent,
    Attention,
    /// <summary>Tiny models (the GANs at width ≤ 8, the Transformer autoencoders): thread hand-offs cost more than they save.</summary>
    Small,
}

/// <summary>
/// libtorch's thread count as a recorded decision. Measured on 2-core machines: convolutions scale with
/// cores, while small recurrent models lose time to thread hand-offs between the many tiny per-step GEMMs,
/// so "auto" gives recurrent models one thread and everything else every core (at most 8).
/// </summary>
public static class ThreadPolicy
{
    public sealed record Decision(int Threads, string Reason);

    /// <param name="setting">"auto" or a positive integer (from YAML <c>threads:</c> or <c>--threads</c>).</param>
    /// <param name="kind">What the model mostly computes.</param>
    public static Decision Resolve(string? setting, ComputeKind kind)
    {
        var s = (setting ?? "auto").Trim();
        if (!s.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            if (!int.TryParse(s, out var n) || n < 1)
                throw new ArgumentException($"threads must be 'auto' or a positive integer, got '{setting}'");
            return new Decision(n, "set explicitly");
        }
        int cores = Math.Max(1, Environment.ProcessorCount);
        return kind switch
        {
            ComputeKind.Recurrent => new Decision(1, "auto: recurrent models run fastest single-threaded (many small sequential GEMMs)"),
            // Measured on 2 cores: 1-D BeatGAN width 8, 4.5 s an epoch at 1 thread against 7.3 s at 2; B2I-GAN width 4,
            // 12.7 s against 14.6 s; Transformer AE [4,512,2,2] on ECG5000, 2.6 s against 4.3 s.
            ComputeKind.Small => new Decision(1, "auto: tiny models run fastest single-threaded (measured on the small GANs and Transformer autoencoders)"),
            _ => new Decision(Math.Min(cores, 8), $"auto: {kind.ToString().ToLowerInvariant()} model uses all {Math.Min(cores, 8)} cores (capped at 8)"),
        };
    }
}
