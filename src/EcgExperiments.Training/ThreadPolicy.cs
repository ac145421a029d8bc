namespace EcgExperiments.Training;

/// <summary>What a model mostly computes, for choosing libtorch's intra-op thread count.</summary>
public enum ComputeKind { Convolutional, Recurrent, Attention }

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
        return kind == ComputeKind.Recurrent
            ? new Decision(1, "auto: recurrent models run fastest single-threaded (many small sequential GEMMs)")
            : new Decision(Math.Min(cores, 8), $"auto: {kind.ToString().ToLowerInvariant()} model uses all {Math.Min(cores, 8)} cores (capped at 8)");
    }
}
