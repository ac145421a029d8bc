namespace EcgExperiments.Evaluation.Tests;

public sealed class ReconstructionMetricsTests
{
    private static float[][][] Signals(int n, int leads, int t, int seed, float noise = 0, float[][][]? around = null)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(i => Enumerable.Range(0, leads).Select(l => Enumerable.Range(0, t)
            .Select(j => around is null ? (float)Math.Sin(0.1 * j * (l + 1) + i) : around[i][l][j] + noise * (float)(rng.NextDouble() - 0.5)).ToArray()).ToArray()).ToArray();
    }

    [Fact]
    public void Perfect_reconstruction_has_zero_error_and_unit_correlation()
    {
        var y = Signals(4, 3, 100, 1);
        var r = ReconstructionMetrics.Compute(y, y);
        Assert.Equal(0.0, r.Mse);
        Assert.All(r.PerLead, l => { Assert.Equal(1.0, l.R2); Assert.Equal(1.0, l.PearsonR!.Value, 12); Assert.Equal(0.0, l.Rmse); });
        Assert.Equal(["lead0", "lead1", "lead2"], r.PerLead.Select(l => l.Lead).ToArray());
    }

    [Fact]
    public void Means_across_leads_average_the_per_lead_values()
    {
        var y = Signals(5, 3, 80, 2);
        var p = Signals(5, 3, 80, 3, noise: 0.4f, around: y);
        var r = ReconstructionMetrics.Compute(y, p, ["I", "II", "V1"]);
        Assert.Equal(r.PerLead.Average(l => l.Rmse), r.MeanRmse, 12);
        Assert.Equal(r.PerLead.Average(l => l.R2), r.MeanR2, 12);
        Assert.Equal(r.PerLead.Average(l => l.Mse), r.Mse, 12); // equal lead lengths
        // uniform noise of width 0.4 has variance 0.4²/12
        Assert.InRange(r.Mse, 0.8 * 0.16 / 12, 1.2 * 0.16 / 12);
    }

    [Fact]
    public void Bootstrap_over_records_gives_intervals_around_the_point()
    {
        var y = Signals(30, 2, 50, 4);
        var p = Signals(30, 2, 50, 5, noise: 0.5f, around: y);
        var r = ReconstructionMetrics.Compute(y, p, bootstrap: new BootstrapOptions { Seed = 3, Resamples = 200 });
        Assert.Equal(r.Mse, r.Intervals["mse"].Point!.Value, 9);
        Assert.Equal(r.MeanR2, r.Intervals["mean_r2"].Point!.Value, 9);
        Assert.True(r.Intervals["mean_pearson_r"].Contains(r.MeanPearsonR!.Value));
        Assert.NotNull(r.Resamples);
        Assert.All(r.Intervals.Values, ci => Assert.Equal(IntervalMethods.PercentileBootstrap, ci.Method));
    }

    [Fact]
    public void Table_has_the_whole_set_rows_with_intervals_then_rmse_r_and_r2_per_lead()
    {
        var y = Signals(12, 3, 40, 6);
        var p = Signals(12, 3, 40, 7, noise: 0.3f, around: y);
        var r = ReconstructionMetrics.Compute(y, p, ["I", "II", "V1"], new BootstrapOptions { Seed = 2, Resamples = 50, Level = 0.9 });
        var table = r.ToTable();
        Assert.Equal(4 + 3 * 3, table.Count);
        Assert.Equal(["mse", "mean_rmse", "mean_pearson_r", "mean_r2"], table.Take(4).Select(e => e.Metric));
        Assert.All(table.Take(4), e => Assert.Null(e.Class));
        var mse = table[0];
        Assert.Equal(r.Mse, mse.Value);
        Assert.Equal(r.Intervals["mse"].Lower, mse.Lower);
        Assert.Equal(0.9, mse.Level);
        Assert.Equal(IntervalMethods.PercentileBootstrap, mse.Method);
        var v1 = table.Where(e => e.Class == "V1").ToList();
        Assert.Equal(["rmse", "pearson_r", "r2"], v1.Select(e => e.Metric));
        Assert.Equal([r.PerLead[2].Rmse, r.PerLead[2].PearsonR, r.PerLead[2].R2], v1.Select(e => e.Value));
        Assert.All(v1, e => Assert.Null(e.Lower));
    }

    [Fact]
    public void Shape_mismatch_names_record_and_lead()
    {
        var y = Signals(2, 2, 10, 1);
        var p = Signals(2, 2, 10, 1);
        p[1][1] = new float[9];
        var e = Assert.Throws<ArgumentException>(() => ReconstructionMetrics.Compute(y, p));
        Assert.Contains("record 1, lead 1", e.Message);
    }

    [Fact]
    public void Pearson_of_a_constant_series_is_undefined()
    {
        Assert.Null(ReconstructionMetrics.Pearson([1f, 1f, 1f], [1f, 2f, 3f]));
        Assert.Equal(-1.0, ReconstructionMetrics.Pearson([1f, 2f, 3f], [3f, 2f, 1f])!.Value, 12);
    }
}
