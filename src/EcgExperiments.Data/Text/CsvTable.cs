using System.Text;
using EcgExperiments.Core;

namespace EcgExperiments.Data.Text;

/// <summary>One CSV data row and the line it starts on (1-based, counting the header).</summary>
internal readonly record struct CsvRow(int Line, string[] Fields);

/// <summary>
/// RFC 4180 CSV with a header row: comma-separated, fields optionally in double quotes (commas, quotes
/// doubled, and line breaks allowed inside). Every malformed row is an <see cref="EcgDataException"/>
/// naming the file and line.
/// </summary>
internal sealed class CsvTable
{
    private CsvTable(string source, string[] header, List<CsvRow> rows)
    {
        Source = source;
        Header = header;
        Rows = rows;
    }

    public string Source { get; }
    public string[] Header { get; }
    public List<CsvRow> Rows { get; }

    public static CsvTable Load(string path)
    {
        if (!File.Exists(path))
            throw new EcgDataException($"CSV file not found. {ProjectPaths.DataHelp}", path);
        return Parse(File.ReadAllText(path), path);
    }

    public static CsvTable Parse(string text, string source)
    {
        var records = Tokenize(text, source);
        if (records.Count == 0) throw new EcgDataException("CSV file is empty (expected a header row)", source, 1);
        var header = records[0].Fields;
        var rows = new List<CsvRow>(records.Count - 1);
        for (int r = 1; r < records.Count; r++)
        {
            var row = records[r];
            if (row.Fields.Length == 1 && row.Fields[0].Length == 0) continue; // blank line
            if (row.Fields.Length != header.Length)
                throw new EcgDataException(
                    $"row has {row.Fields.Length} fields but the header has {header.Length}; a field containing a comma must be in double quotes",
                    source, row.Line);
            rows.Add(row);
        }
        return new CsvTable(source, header, rows);
    }

    /// <summary>Index of column <paramref name="name"/>; throws naming the file and the columns present when missing.</summary>
    public int Column(string name)
    {
        int i = Array.IndexOf(Header, name);
        if (i < 0)
            throw new EcgDataException($"required column '{name}' is missing (columns: {string.Join(", ", Header)})", Source, 1);
        return i;
    }

    private static List<CsvRow> Tokenize(string text, string source)
    {
        var rows = new List<CsvRow>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, rowLine = 1, i = 0;
        bool inQuotes = false, quoted = false, any = false;
        while (i < text.Length)
        {
            char ch = text[i];
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                    inQuotes = false;
                    i++;
                    if (i < text.Length && text[i] is not (',' or '\n' or '\r'))
                        throw new EcgDataException(
                            $"unexpected character '{text[i]}' after a closing quote in field {fields.Count + 1}; quotes inside a quoted field must be doubled",
                            source, line);
                    continue;
                }
                if (ch == '\n') line++;
                field.Append(ch);
                i++;
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0 && !quoted:
                    inQuotes = quoted = any = true;
                    i++;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    quoted = false;
                    any = true;
                    i++;
                    break;
                case '\r':
                    i++;
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    rows.Add(new CsvRow(rowLine, fields.ToArray()));
                    fields.Clear();
                    field.Clear();
                    quoted = any = false;
                    line++;
                    rowLine = line;
                    i++;
                    break;
                default:
                    field.Append(ch);
                    any = true;
                    i++;
                    break;
            }
        }
        if (inQuotes)
            throw new EcgDataException($"quoted field {fields.Count + 1} is never closed (missing '\"'); the row starts here", source, rowLine);
        if (any || field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            rows.Add(new CsvRow(rowLine, fields.ToArray()));
        }
        return rows;
    }
}
