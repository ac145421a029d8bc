using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EcgExperiments.Training;

/// <summary>What a model mostly computes: its family for the thread policy (declared by each model's registration).</summary>
public enum ComputeKind
{
    Convolutional,
    Recurrent,
    Attention,
    /// <summary>Tiny models (the GANs at width ≤ 8, the Transformer autoencoders): thread hand-offs cost more than they save.</summary>
    Small,
}

/// <summary>
/// libtorch's thread count as a recorded decision. <c>auto</c> decides per model family from measurement: the
/// committed rows of <c>./ecg bench models --json</c> (<c>ThreadPolicy.bench.json</c> beside this file, every seed model's
/// training step at 1 and 2 threads on an idle 2-core machine). A family whose models run at least
/// <see cref="MinimumSpeedup"/> times faster on two threads than on one (geometric mean over its rows) gets every
/// core (at most 8); any other family one thread. The README's thread table is <see cref="MarkdownTable"/>.
/// </summary>
public static class ThreadPolicy
{
    public sealed record Decision(int Threads, string Reason);

    /// <summary>One seed model's training throughput (ours, samples/s) at 1 and 2 threads, from the committed bench rows.</summary>
    public sealed record Measurement(string Model, ComputeKind Family, string Workload, double OneThread, double TwoThreads)
    {
        public double Speedup => TwoThreads / OneThread;
    }

    /// <summary>The least 2-thread over 1-thread speedup for which a family is given every core.</summary>
    public const double MinimumSpeedup = 1.15;

    private const int MaxThreads = 8;

    private static readonly Lazy<(IReadOnlyList<Measurement> Rows, string Source)> Bench = new(LoadBench);

    /// <summary>The committed bench rows behind <c>auto</c>.</summary>
    public static IReadOnlyList<Measurement> Measurements => Bench.Value.Rows;

    /// <summary>When and where the rows were measured (UTC time, cores, machine load).</summary>
    public static string MeasuredOn => Bench.Value.Source;

    /// <summary>A family's geometric-mean 2-thread speedup over its bench rows, or null when the bench has none.</summary>
    public static double? FamilySpeedup(ComputeKind family)
    {
        var rows = Measurements.Where(m => m.Family == family).ToList();
        return rows.Count == 0 ? null : Math.Exp(rows.Average(m => Math.Log(m.Speedup)));
    }

    /// <summary>Whether <c>auto</c> gives a family every core: measured, or (no rows) by the family's nature.</summary>
    public static bool UsesEveryCore(ComputeKind family) =>
        FamilySpeedup(family) is { } s ? s >= MinimumSpeedup : family is ComputeKind.Convolutional or ComputeKind.Attention;

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
        int cores = Math.Min(Math.Max(1, Environment.ProcessorCount), MaxThreads);
        string family = kind.ToString().ToLowerInvariant();
        string evidence = FamilySpeedup(kind) is { } speedup
            ? string.Create(CultureInfo.InvariantCulture, $"{family} models ran {speedup:0.00}× as fast on 2 threads as on 1 in the bench")
            : $"{family} models are not in the bench";
        return UsesEveryCore(kind)
            ? new Decision(cores, $"auto: {evidence}, so every core ({cores}, at most {MaxThreads})")
            : new Decision(1, $"auto: {evidence}, so one thread");
    }

    /// <summary>The README's table: each bench row, its family, its speedup, and what <c>auto</c> gives the family.</summary>
    public static string MarkdownTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| model (bench row) | family | 1 thread, samples/s | 2 threads, samples/s | speedup | `auto` gives the family |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var m in Measurements.OrderBy(m => m.Family).ThenBy(m => m.Model, StringComparer.Ordinal))
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Model} ({m.Workload}) | {m.Family.ToString().ToLowerInvariant()} | {m.OneThread:0.0} | {m.TwoThreads:0.0} | {m.Speedup:0.00}× | {(UsesEveryCore(m.Family) ? "every core" : "1 thread")} |"));
        foreach (var family in Enum.GetValues<ComputeKind>())
            if (FamilySpeedup(family) is { } s)
                sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| **{family.ToString().ToLowerInvariant()} family** (geometric mean) | | | | **{s:0.00}×** | **{(UsesEveryCore(family) ? "every core" : "1 thread")}** |"));
        return sb.ToString();
    }

    private static (IReadOnlyList<Measurement>, string) LoadBench()
    {
        using var stream = typeof(ThreadPolicy).Assembly.GetManifestResourceStream("EcgExperiments.Training.ThreadPolicy.bench.json")
            ?? throw new InvalidOperationException("ThreadPolicy.bench.json is not embedded in this build");
        using var doc = JsonDocument.Parse(stream);
        var root = doc.RootElement;
        var rows = root.GetProperty("rows").EnumerateArray()
            .Where(r => r.GetProperty("precision").GetString() == "fp32")
            .Select(r => (Model: r.GetProperty("model").GetString()!, Family: Enum.Parse<ComputeKind>(r.GetProperty("family").GetString()!, ignoreCase: true),
                Workload: r.GetProperty("workload").GetString()!, Threads: r.GetProperty("threads").GetInt32(), Ours: r.GetProperty("ours").GetDouble()))
            .ToList();
        // With several passes (bench --repeat) a model's throughput at a thread count is its median over the passes.
        static double Median(IEnumerable<double> xs)
        {
            var v = xs.Order().ToArray();
            return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
        }
        var measurements = rows.GroupBy(r => r.Model)
            .Where(g => g.Any(r => r.Threads == 1) && g.Any(r => r.Threads == 2))
            .Select(g => new Measurement(g.Key, g.First().Family, g.First().Workload,
                Median(g.Where(r => r.Threads == 1).Select(r => r.Ours)), Median(g.Where(r => r.Threads == 2).Select(r => r.Ours))))
            .ToList();
        var source = $"{root.GetProperty("utc").GetString()}, {root.GetProperty("machine_load").GetString()}";
        return (measurements, source);
    }
}
