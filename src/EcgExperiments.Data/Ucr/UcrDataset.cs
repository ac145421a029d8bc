using System.Globalization;
using EcgExperiments.Core;

namespace EcgExperiments.Data.Ucr;

/// <summary>One labelled series of a UCR file.</summary>
/// <param name="Index">Row index in the file (0-based).</param>
/// <param name="Label">Class label (UCR stores it as a float such as 1.0000000e+00; it must be a whole number).</param>
/// <param name="Values">The series (NaN padding of variable-length sets removed, so lengths may differ between rows).</param>
/// <param name="SourceLine">Line of the file the row came from.</param>
public sealed record UcrSeries(int Index, int Label, float[] Values, int SourceLine);

/// <summary>
/// A UCR Time Series Classification Archive file: the original whitespace-separated <c>.txt</c>, the 2018
/// tab-separated <c>.tsv</c>, or Weka <c>.arff</c>. Labels come first (last in ARFF). Every row has the same number of
/// columns; variable-length sets of the 2018 archive pad shorter series with trailing NaN, which is removed (those
/// series come back shorter). Anything else — a NaN or missing value inside a series, an infinity, a ragged row, a
/// label that is not a whole number — is an <see cref="EcgDataException"/> naming the file, line and column.
/// </summary>
/// <example><code>
/// var train = UcrDataset.Load("/data/ecg5000/ECG5000_TRAIN.txt");
/// // train.Rows.Count == 500, train.SeriesLength == 140, train.ClassCounts[1] == 292
/// </code></example>
public sealed class UcrDataset
{
    private UcrDataset(string sourcePath, IReadOnlyList<UcrSeries> rows, int seriesLength)
    {
        SourcePath = sourcePath;
        Rows = rows;
        SeriesLength = seriesLength;
    }

    public string SourcePath { get; }
    public IReadOnlyList<UcrSeries> Rows { get; }

    /// <summary>Length of the longest series (the number of value columns); every series when <see cref="IsVariableLength"/> is false.</summary>
    public int SeriesLength { get; }

    /// <summary>Length of the shortest series.</summary>
    public int MinSeriesLength => Rows.Min(r => r.Values.Length);

    /// <summary>True when some series were NaN-padded (a variable-length set of the 2018 archive).</summary>
    public bool IsVariableLength => MinSeriesLength != SeriesLength;

    /// <summary>Rows per label, ascending by label.</summary>
    public IReadOnlyDictionary<int, int> ClassCounts =>
        new SortedDictionary<int, int>(Rows.GroupBy(r => r.Label).ToDictionary(g => g.Key, g => g.Count()));

    /// <summary>Reads a file, choosing the format from its extension (.txt, .tsv, .arff).</summary>
    public static UcrDataset Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new EcgDataException($"UCR file not found. {ProjectPaths.DataHelp}", path);
        var ext = Path.GetExtension(path).ToLowerInvariant();
        var text = File.ReadAllText(path);
        return ext switch
        {
            ".txt" => ParseDelimited(text, path, tabOnly: false),
            ".tsv" => ParseDelimited(text, path, tabOnly: true),
            ".arff" => ParseArff(text, path),
            _ => throw new EcgDataException($"unknown UCR file extension '{ext}'; expected .txt, .tsv or .arff", path),
        };
    }

    /// <summary>Parses the whitespace-separated (.txt) or tab-separated (.tsv) form: label, then the values.</summary>
    public static UcrDataset ParseDelimited(string text, string source, bool tabOnly)
    {
        char[] separators = tabOnly ? ['\t'] : [' ', '\t', ','];
        var rows = new List<UcrSeries>();
        int length = -1;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            var tokens = tabOnly ? line.Split(separators) : line.Split(separators, StringSplitOptions.RemoveEmptyEntries);
            rows.Add(MakeRow(rows.Count, tokens[0], tokens.AsSpan(1), source, i + 1, 1, ref length));
        }
        return Finish(rows, length, source);
    }

    /// <summary>Parses ARFF: numeric attributes then the class attribute last, rows after <c>@data</c>.</summary>
    public static UcrDataset ParseArff(string text, string source)
    {
        var rows = new List<UcrSeries>();
        int length = -1, attributes = 0;
        bool inData = false;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '%') continue;
            if (!inData)
            {
                if (line.StartsWith("@attribute", StringComparison.OrdinalIgnoreCase)) attributes++;
                else if (line.StartsWith("@data", StringComparison.OrdinalIgnoreCase))
                {
                    if (attributes < 2)
                        throw new EcgDataException($"@data after {attributes} @attribute lines; a UCR ARFF file declares the series values and a class",
                            source, i + 1);
                    inData = true;
                }
                continue;
            }
            var tokens = line.Split(',');
            if (tokens.Length != attributes)
                throw new EcgDataException($"row has {tokens.Length} values but the header declares {attributes} attributes", source, i + 1);
            rows.Add(MakeRow(rows.Count, tokens[^1], tokens.AsSpan(0, tokens.Length - 1), source, i + 1, 0, ref length));
        }
        if (!inData) throw new EcgDataException("no @data section; is this an ARFF file?", source);
        return Finish(rows, length, source);
    }

    private static UcrSeries MakeRow(int index, string labelText, ReadOnlySpan<string> valueTokens, string source, int line,
        int firstValueColumn, ref int length)
    {
        var lt = labelText.Trim().Trim('\'', '"');
        if (!double.TryParse(lt, NumberStyles.Float, CultureInfo.InvariantCulture, out var label) || label != Math.Floor(label)
            || label < int.MinValue || label > int.MaxValue)
            throw new EcgDataException($"class label '{labelText}' is not a whole number (UCR labels look like 1.0000000e+00)", source, line);
        int columns = valueTokens.Length;
        // trailing NaN is the 2018 archive's padding of variable-length series; a NaN before a number is a gap
        int end = columns;
        while (end > 0 && IsPadding(valueTokens[end - 1])) end--;
        var values = new float[end];
        for (int j = 0; j < columns; j++)
        {
            var tok = valueTokens[j].Trim();
            int column = j + 1 + firstValueColumn;
            if (j >= end) continue;
            if (tok is "?" or "" || !double.TryParse(tok, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                throw new EcgDataException($"value '{tok}' in column {column} is not a number", source, line);
            if (!double.IsFinite(v))
                throw new EcgDataException(
                    $"value in column {column} is {tok}; series must be finite, and NaN is allowed only as trailing padding (variable-length UCR 2018 sets)",
                    source, line);
            values[j] = (float)v;
        }
        if (end == 0 && columns > 0) throw new EcgDataException("row holds a label but only NaN padding, no value", source, line);
        if (length < 0) length = columns;
        else if (columns != length)
            throw new EcgDataException($"row has {columns} values but earlier rows have {length}; rows must all have the same number of columns (pad shorter series with NaN)", source, line);
        return new UcrSeries(index, (int)label, values, line);
    }

    /// <summary>Padding of a variable-length series: NaN (2018 .tsv) or ARFF's missing value '?'.</summary>
    private static bool IsPadding(string token) => token.Trim() is var t && (t.Equals("NaN", StringComparison.OrdinalIgnoreCase) || t == "?");

    private static UcrDataset Finish(List<UcrSeries> rows, int length, string source)
    {
        if (rows.Count == 0) throw new EcgDataException("file holds no series", source);
        if (length == 0) throw new EcgDataException("rows hold a label but no values", source, rows[0].SourceLine);
        return new UcrDataset(source, rows, length);
    }
}
