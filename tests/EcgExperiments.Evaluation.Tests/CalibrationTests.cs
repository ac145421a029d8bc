namespace EcgExperiments.Evaluation.Tests;

public sealed class CalibrationTests
{
    [Fact]
    public void Ece_of_a_hand_computed_example()
    {
        // bin 14 holds four 0.95s with 3 positives (gap 0.20); bin 0 four 0.05s with none (gap 0.05)
        bool[] y = [true, true, true, false, false, false, false, false];
        double[] p = [0.95, 0.95, 0.95, 0.95, 0.05, 0.05, 0.05, 0.05];
        var c = CalibrationMetrics.Binary(y, p);
        Assert.Equal(0.125, c.Ece, 12);
        Assert.Equal(0.20, c.MaxCalibrationError, 12);
        Assert.Equal(15, c.Bins.Count);
        Assert.Equal(4, c.Bins[14].Count);
        Assert.Equal(0.75, c.Bins[14].ObservedFrequency!.Value, 12);
        Assert.Null(c.Bins[7].MeanConfidence);
    }

    [Fact]
    public void Perfectly_calibrated_synthetic_data_has_ece_near_zero()
    {
        // y ~ Bernoulli(p): the only gap left is sampling noise, about 0.004 for 200k samples in 15 bins
        const double tolerance = 0.01;
        var rng = new Random(12345);
        int n = 200_000;
        var p = new double[n];
        var y = new bool[n];
        for (int i = 0; i < n; i++) { p[i] = rng.NextDouble(); y[i] = rng.NextDouble() < p[i]; }
        var c = CalibrationMetrics.Binary(y, p);
        Assert.True(c.Ece < tolerance, $"ECE {c.Ece} ≥ {tolerance}");
        // a systematically overconfident model is far from zero on the same labels
        var sharp = p.Select(v => v > 0.5 ? Math.Min(1, v + 0.2) : Math.Max(0, v - 0.2)).ToArray();
        Assert.True(CalibrationMetrics.Binary(y, sharp).Ece > 0.1);
    }

    [Fact]
    public void Multiclass_uses_top_label_confidence()
    {
        var s = ClassificationScores.FromProbabilities([0, 1, 2, 2], [[0.7, 0.2, 0.1], [0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.1, 0.1, 0.8]], ["a", "b", "c"]);
        var c = CalibrationMetrics.Compute(s, bins: 10);
        Assert.Equal(CalibrationTarget.TopLabel, c.Target);
        // bin 7: confidence 0.7, accuracy 0.5; bin 8: confidence 0.8, accuracy 1
        Assert.Equal(0.5 * 0.2 + 0.5 * 0.2, c.Ece, 12);
        Assert.Equal(2, c.Bins[7].Count);
        Assert.Equal(2, c.Bins[8].Count);
    }

    [Fact]
    public void Probability_one_falls_in_the_last_bin()
    {
        var c = CalibrationMetrics.Binary([true], [1.0], bins: 5);
        Assert.Equal(1, c.Bins[4].Count);
        Assert.Equal(0.0, c.Ece);
    }
}
