namespace EcgExperiments.Reports.Tests;

public class CiFormatterTests
{
    [Theory]
    [InlineData(0.9304, 0.9254, 0.9354, 3, "0.930(05)")]      // the brief's example: symmetric ±0.005
    [InlineData(0.9305, 0.92, 0.94, 3, "0.931(11)")]          // point rounds half away from zero; h = max side 0.0105 → 11
    [InlineData(0.5, 0.4, 0.52, 3, "0.500(100)")]             // asymmetric: larger side; three digits when needed
    [InlineData(1.0, 1.0, 1.0, 3, "1.000(00)")]               // degenerate interval shows (00), not nothing
    [InlineData(0.9304, 0.9254, 0.9354, 2, "0.93(01)")]       // 0.5 units rounds up
    [InlineData(0.87654, 0.87, 0.88, 4, "0.8765(65)")]       // h = 0.00654 → 65.4 → 65
    [InlineData(0.0, 0.0, 0.012, 3, "0.000(12)")]
    public void Formats_point_with_half_width_in_last_digit_units(double point, double lower, double upper, int decimals, string expected) =>
        Assert.Equal(expected, CiFormatter.Format(point, lower, upper, decimals));

    [Fact]
    public void Without_an_interval_prints_the_point_alone()
    {
        Assert.Equal("0.930", CiFormatter.Format(0.9304, null, null));
        Assert.Equal("0.930", CiFormatter.Format(0.9304, 0.92, null));
        Assert.Equal(CiFormatter.NoValue, CiFormatter.Format(null, 0.1, 0.2));
        Assert.Equal("n/a", CiFormatter.Format(double.NaN, 0.1, 0.2));
        Assert.Equal("∞", CiFormatter.Format(double.PositiveInfinity, null, null));
    }

    [Fact]
    public void Rejects_unreasonable_decimals() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CiFormatter.Format(0.5, 0.4, 0.6, 11));
}
