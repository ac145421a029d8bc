using System.Text;

namespace EcgExperiments.Core;

/// <summary>
/// The one CSV writer of the framework (RFC 4180): comma-separated, a field is quoted when it holds a comma, a quote, CR
/// or LF, and quotes inside are doubled; lines end with LF. Metric tables, predictions and reports all write through it.
/// </summary>
/// <example><code>
/// var text = Csv.Write(["id", "note"], [["a", "line 1\nline 2"]]);   // id,note\na,"line 1\nline 2"\n
/// </code></example>
public static class Csv
{
    public static string Write(IEnumerable<string> header, IEnumerable<IEnumerable<string?>> rows)
    {
        var sb = new StringBuilder();
        Line(sb, header);
        foreach (var row in rows) Line(sb, row);
        return sb.ToString();
    }

    /// <summary>One field as written.</summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
    }

    private static void Line(StringBuilder sb, IEnumerable<string?> fields)
    {
        bool first = true;
        foreach (var f in fields)
        {
            if (!first) sb.Append(',');
            sb.Append(Field(f));
            first = false;
        }
        sb.Append('\n');
    }
}
