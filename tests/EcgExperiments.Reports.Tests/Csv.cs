using System.Text;

namespace EcgExperiments.Reports.Tests;

/// <summary>A strict RFC 4180 reader (quoted fields, doubled quotes, CRLF or LF), independent of the writer.</summary>
internal static class Csv
{
    public static List<string[]> Parse(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int i = 0;
        bool quoted = false, any = false;
        while (i < text.Length)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                    quoted = false; i++; continue;
                }
                field.Append(c); i++; continue;
            }
            switch (c)
            {
                case '"':
                    if (field.Length > 0) throw new FormatException($"quote inside an unquoted field at offset {i}");
                    quoted = true; any = true; i++; break;
                case ',':
                    fields.Add(field.ToString()); field.Clear(); any = true; i++; break;
                case '\r' or '\n':
                    fields.Add(field.ToString()); field.Clear();
                    records.Add(fields.ToArray()); fields.Clear(); any = false;
                    i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                    break;
                default:
                    field.Append(c); any = true; i++; break;
            }
        }
        if (quoted) throw new FormatException("unterminated quoted field");
        if (any || field.Length > 0) { fields.Add(field.ToString()); records.Add(fields.ToArray()); }
        return records;
    }
}
