namespace EcgExperiments.Core;

/// <summary>
/// Bad input data or configuration. The message always names where the problem is
/// (file, line, record or YAML key) and, where possible, what to do about it.
/// </summary>
public class EcgDataException : Exception
{
    public EcgDataException(string message, string? file = null, int? line = null, string? record = null, Exception? inner = null)
        : base(Compose(message, file, line, record), inner)
    {
        FilePath = file;
        Line = line;
        Record = record;
    }

    public string? FilePath { get; }
    public int? Line { get; }
    public string? Record { get; }

    private static string Compose(string message, string? file, int? line, string? record)
    {
        var where = new List<string>();
        if (file is not null) where.Add(line is { } l ? $"{file}:{l}" : file);
        if (record is not null) where.Add($"record {record}");
        return where.Count == 0 ? message : $"{string.Join(", ", where)}: {message}";
    }
}
