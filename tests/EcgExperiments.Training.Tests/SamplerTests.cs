using EcgExperiments.Core;
using EcgExperiments.Training.Imbalance;

namespace EcgExperiments.Training.Tests;

/// <summary>Weighted random sampling and random under-sampling: balance, counts, determinism.</summary>
public class SamplerTests
{
    private static readonly int[] Labels90To10 = Enumerable.Range(0, 1000).Select(i => i % 10 == 0 ? 1 : 0).ToArray();

    [Fact]
    public void Weighted_sampler_draws_classes_about_equally_with_replacement()
    {
        var order = new ClassBalancedSampler(20_000).Order(Labels90To10, new SplitMix64(7));
        Assert.Equal(20_000, order.Length);
        double minority = order.Count(i => Labels90To10[i] == 1) / (double)order.Length;
        // Binomial(20000, 0.5): sd 0.0035, so ±0.02 is over 5 sd.
        Assert.InRange(minority, 0.48, 0.52);
        // 100 minority examples drawn ~10,000 times: with replacement, and each one drawn.
        var minorityDraws = order.Where(i => Labels90To10[i] == 1).ToArray();
        Assert.Equal(100, minorityDraws.Distinct().Count());
        Assert.All(order, i => Assert.InRange(i, 0, Labels90To10.Length - 1));
    }

    [Fact]
    public void Weighted_sampler_defaults_to_the_training_set_size_and_is_seeded()
    {
        var sampler = new ClassBalancedSampler();
        var a = sampler.Order(Labels90To10, new SplitMix64(11));
        var b = sampler.Order(Labels90To10, new SplitMix64(11));
        var c = sampler.Order(Labels90To10, new SplitMix64(12));
        Assert.Equal(Labels90To10.Length, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        double minority = a.Count(i => Labels90To10[i] == 1) / (double)a.Length;
        Assert.InRange(minority, 0.43, 0.57); // n = 1000: sd 0.016
    }

    [Fact]
    public void Undersampler_keeps_every_minority_example_and_cuts_the_others()
    {
        int[] labels = [.. Enumerable.Repeat(0, 90), .. Enumerable.Repeat(1, 10), .. Enumerable.Repeat(2, 30)];
        var order = new RandomUndersampler().Order(labels, new SplitMix64(5));
        Assert.Equal(30, order.Length);
        Assert.Equal(order.Length, order.Distinct().Count());
        Assert.Equal([10, 10, 10], Enumerable.Range(0, 3).Select(c => order.Count(i => labels[i] == c)));
        Assert.Equal(Enumerable.Range(90, 10), order.Where(i => labels[i] == 1).Order());

        var ratio2 = new RandomUndersampler(2).Order(labels, new SplitMix64(5));
        Assert.Equal([20, 10, 20], Enumerable.Range(0, 3).Select(c => ratio2.Count(i => labels[i] == c)));
    }

    [Fact]
    public void Undersampler_is_seeded_and_draws_a_fresh_subset_each_epoch()
    {
        var sampler = new RandomUndersampler();
        Assert.Equal(sampler.Order(Labels90To10, new SplitMix64(9)), sampler.Order(Labels90To10, new SplitMix64(9)));
        var rng = new SplitMix64(9);
        var epoch1 = sampler.Order(Labels90To10, rng).Where(i => Labels90To10[i] == 0).ToHashSet();
        var epoch2 = sampler.Order(Labels90To10, rng).Where(i => Labels90To10[i] == 0).ToHashSet();
        Assert.Equal(100, epoch1.Count);
        Assert.NotEqual(epoch1, epoch2);
    }

    [Fact]
    public void Shuffle_visits_every_example_once()
    {
        var order = new ShuffleSampler().Order(Labels90To10, new SplitMix64(1));
        Assert.Equal(Enumerable.Range(0, Labels90To10.Length), order.Order());
    }
}
