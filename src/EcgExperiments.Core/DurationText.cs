namespace EcgExperiments.Core;

/// <summary>Durations as the reports and the command line write them.</summary>
public static class DurationText
{
    /// <summary>"1 h 02 min", "7.4 min", "41 s".</summary>
    public static string Of(double seconds) => seconds switch
    {
        >= 3600 => $"{Math.Floor(seconds / 3600):0} h {Math.Floor(seconds % 3600 / 60):00} min",
        >= 120 => $"{seconds / 60:0.0} min",
        _ => $"{seconds:0} s",
    };
}
