using EcgExperiments.Core;
namespace EcgExperiments.Training.Imbalance;

/// <summary>Every example once per epoch in a seeded random order (the trainer's default).</summary>
public sealed class ShuffleSampler : IEpochSampler
{
    public int[] Order(IReadOnlyList<int> labels, SplitMix64 rng)
    {
        var order = Enumerable.Range(0, labels.Count).ToArray();
        rng.Shuffle(order);
        return order;
    }
}

/// <summary>
/// Weighted random sampling with replacement (PyTorch's WeightedRandomSampler with weight 1 / n_class per
/// example): every class is equally likely on each draw, so minibatches are balanced in expectation.
/// </summary>
public sealed class ClassBalancedSampler(int? samplesPerEpoch = null) : IEpochSampler
{
    public int? SamplesPerEpoch { get; } = samplesPerEpoch;

    public int[] Order(IReadOnlyList<int> labels, SplitMix64 rng)
    {
        if (labels.Count == 0) return [];
        var counts = new Dictionary<int, int>();
        foreach (var y in labels) counts[y] = counts.GetValueOrDefault(y) + 1;
        var cumulative = new double[labels.Count];
        double total = 0;
        for (int i = 0; i < labels.Count; i++) cumulative[i] = total += 1.0 / counts[labels[i]];
        var order = new int[SamplesPerEpoch ?? labels.Count];
        for (int k = 0; k < order.Length; k++)
        {
            int i = Array.BinarySearch(cumulative, rng.NextDouble() * total);
            order[k] = Math.Min(i < 0 ? ~i : i, labels.Count - 1);
        }
        return order;
    }
}

/// <summary>
/// Random under-sampling: each epoch keeps every example of the smallest class and a fresh seeded random subset of
/// min(n_c, ⌈ratio · n_min⌉) examples of every other class, shuffled together.
/// </summary>
public sealed class RandomUndersampler(double ratio = 1) : IEpochSampler
{
    public double Ratio { get; } = ratio;

    public int[] Order(IReadOnlyList<int> labels, SplitMix64 rng)
    {
        var byClass = Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToList();
        if (byClass.Count == 0) return [];
        int keep = (int)Math.Ceiling(Ratio * byClass.Min(c => c.Length));
        var order = new List<int>();
        foreach (var members in byClass)
        {
            if (members.Length <= keep) { order.AddRange(members); continue; }
            rng.Shuffle(members);
            order.AddRange(members.Take(keep));
        }
        var result = order.ToArray();
        rng.Shuffle(result);
        return result;
    }
}
