using System.Globalization;

namespace EcgExperiments.Reports;

/// <summary>
/// PTB-XL-benchmark notation for a point estimate with its confidence interval: <c>0.930(05)</c> is
/// 0.930 with a CI half-width of 0.005, the digits in parentheses being in units of the last shown digit.
/// <list type="bullet">
/// <item>Point: rounded to <c>decimals</c> places, half away from zero (decimal arithmetic, so 0.9305 → 0.931).</item>
/// <item>Half-width: the larger of point − lower and upper − point (conservative for skewed bootstrap
/// intervals), computed in decimal from the stored doubles, rounded half away from zero to units of the
/// last digit, and written with at least two digits ("05"); more when it needs them ("123").</item>
/// <item>No interval (lower or upper null): the point alone, e.g. "0.930" — no parentheses, so it never
/// suggests a zero-width interval. An interval of width 0 prints "(00)".</item>
/// <item>No point (null) prints "—"; NaN prints "n/a"; ±∞ print "∞" / "−∞" without interval.</item>
/// </list>
/// </summary>
/// <example><code>
/// CiFormatter.Format(0.9304, 0.9254, 0.9354);   // "0.930(05)"
/// CiFormatter.Format(0.9304, null, null);       // "0.930"
/// </code></example>
public static class CiFormatter
{
    public const string NoValue = "—";

    public static string Format(double? point, double? lower, double? upper, int decimals = 3)
    {
        if (decimals is < 0 or > 10) throw new ArgumentOutOfRangeException(nameof(decimals), decimals, "decimals must be in 0..10");
        if (point is not { } p) return NoValue;
        if (double.IsNaN(p)) return "n/a";
        if (double.IsInfinity(p)) return p > 0 ? "∞" : "−∞";
        var pointText = FormatPoint(p, decimals);
        if (lower is not { } lo || upper is not { } hi || !double.IsFinite(lo) || !double.IsFinite(hi)) return pointText;
        decimal dp = (decimal)p;
        decimal half = Math.Max(Math.Max(dp - (decimal)lo, (decimal)hi - dp), 0m);
        decimal units = Math.Round(half * Pow10(decimals), 0, MidpointRounding.AwayFromZero);
        return $"{pointText}({units.ToString("00", CultureInfo.InvariantCulture)})";
    }

    /// <summary>The point alone, rounded as in <see cref="Format"/>.</summary>
    public static string FormatPoint(double point, int decimals = 3)
    {
        if (!double.IsFinite(point)) return Format(point, null, null, decimals);
        var rounded = Math.Round((decimal)point, decimals, MidpointRounding.AwayFromZero);
        return rounded.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>A difference with its sign: "+0.120", "−0.054" (true minus sign), "0.000" for a difference that rounds to zero.</summary>
    public static string FormatSigned(double? value, int decimals = 3)
    {
        if (value is not { } v) return NoValue;
        if (!double.IsFinite(v)) return Format(v, null, null, decimals);
        var text = FormatPoint(Math.Abs(v), decimals);
        if (Math.Round((decimal)Math.Abs(v), decimals, MidpointRounding.AwayFromZero) == 0) return text;
        return (v < 0 ? "−" : "+") + text;
    }

    /// <summary>A difference and its interval: "−0.054 [−0.210, +0.090]"; without bounds the difference alone.</summary>
    public static string FormatDifference(double? value, double? lower, double? upper, int decimals = 3) =>
        lower is null || upper is null ? FormatSigned(value, decimals) : $"{FormatSigned(value, decimals)} [{FormatSigned(lower, decimals)}, {FormatSigned(upper, decimals)}]";

    /// <summary>A p-value to two significant digits ("0.62", "0.0041", "1.0"); below 0.0001 "&lt; 0.0001"; null "—".</summary>
    public static string FormatP(double? p)
    {
        if (p is not { } v) return NoValue;
        if (double.IsNaN(v)) return "n/a";
        if (v < 0.0001) return "< 0.0001";
        if (v >= 0.995) return "1.0";
        int digits = Math.Max(2, 1 - (int)Math.Floor(Math.Log10(v)));
        return Math.Round((decimal)v, digits, MidpointRounding.AwayFromZero).ToString("0.0###", CultureInfo.InvariantCulture);
    }

    /// <summary>"p = 0.62", "p &lt; 0.0001": <paramref name="name"/> with its value for running text.</summary>
    public static string FormatPWithName(string name, double? p)
    {
        var text = FormatP(p);
        return text.StartsWith('<') ? $"{name} {text}" : $"{name} = {text}";
    }

    private static decimal Pow10(int n)
    {
        decimal r = 1m;
        for (int i = 0; i < n; i++) r *= 10m;
        return r;
    }
}
