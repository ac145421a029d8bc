using System.Globalization;
using System.Text;

namespace EcgExperiments.Data;

/// <summary>Number of records (or beats, rows) carrying one label.</summary>
public sealed record ClassCount(string Label, int Count);

/// <summary>A split the dataset's publishers (or the standard literature) define, e.g. PTB-XL strat_fold 1–8/9/10.</summary>
public sealed record OfficialSplitInfo(string Name, string Description);

/// <summary>
/// What a dataset is and holds: licence, citation, counts, class balance, lengths and official splits.
/// Every <see cref="IEcgDatabase"/> carries one; <see cref="ToMarkdown"/> renders it for reports and the CLI.
/// </summary>
/// <example><code>
/// var card = MitBihDatabase.Open(root).Card;
/// Console.WriteLine(card.ToMarkdown());
/// </code></example>
public sealed record DatasetCard
{
    public required string Name { get; init; }
    public string? Version { get; init; }
    public required string Licence { get; init; }
    public required string Citation { get; init; }

    /// <summary>Records (rows for UCR series files) present in this copy of the dataset.</summary>
    public required int Records { get; init; }

    /// <summary>Distinct patients, when the dataset says.</summary>
    public int? Patients { get; init; }

    /// <summary>Sampling rate in Hz, or null where it is not defined (UCR series are resampled beats).</summary>
    public double? SamplingRate { get; init; }

    public required IReadOnlyList<string> Leads { get; init; }

    /// <summary>What <see cref="ClassBalance"/> counts, e.g. "records (multi-label)" or "beats".</summary>
    public required string ClassBalanceUnit { get; init; }

    public required IReadOnlyList<ClassCount> ClassBalance { get; init; }

    /// <summary>
    /// What the shares of <see cref="ClassBalance"/> are of: null = the sum of the counts (one class per record); for
    /// multi-label counts, the number of records, so that each share reads "of the records, this many carry the class".
    /// </summary>
    public int? ShareOf { get; init; }

    public required IReadOnlyList<OfficialSplitInfo> OfficialSplits { get; init; }

    /// <summary>Shortest and longest record in samples.</summary>
    public (long Min, long Max)? SamplesPerRecord { get; init; }

    /// <summary>Total duration of all records in seconds, where a sampling rate is defined.</summary>
    public double? TotalDurationSeconds { get; init; }

    /// <summary>Quality and provenance notes (missing leads, swapped leads, subsets, leakage caveats).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Markdown rendering: a heading, a facts table, the class balance table, splits and notes.</summary>
    public string ToMarkdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("## ").Append(Name);
        if (Version is not null) sb.Append(' ').Append(Version);
        sb.Append("\n\n| Field | Value |\n|---|---|\n");
        sb.Append("| Licence | ").Append(Escape(Licence)).Append(" |\n");
        sb.Append("| Citation | ").Append(Escape(Citation)).Append(" |\n");
        sb.Append("| Records | ").Append(Records.ToString("N0", inv)).Append(" |\n");
        if (Patients is { } p) sb.Append("| Patients | ").Append(p.ToString("N0", inv)).Append(" |\n");
        sb.Append("| Sampling rate | ").Append(SamplingRate is { } fs ? fs.ToString("0.###", inv) + " Hz" : "not defined").Append(" |\n");
        sb.Append("| Leads | ").Append(Escape(string.Join(", ", Leads))).Append(" |\n");
        if (SamplesPerRecord is { } len)
            sb.Append("| Samples per record | ").Append(len.Min == len.Max ? len.Min.ToString("N0", inv) : $"{len.Min.ToString("N0", inv)}–{len.Max.ToString("N0", inv)}").Append(" |\n");
        if (TotalDurationSeconds is { } d) sb.Append("| Total duration | ").Append((d / 3600).ToString("0.##", inv)).Append(" h |\n");

        int total = ShareOf ?? ClassBalance.Sum(c => c.Count);
        sb.Append("\n### Class balance (").Append(Escape(ClassBalanceUnit)).Append(")\n\n| Class | Count | Share |\n|---|---:|---:|\n");
        foreach (var c in ClassBalance)
            sb.Append("| ").Append(Escape(c.Label)).Append(" | ").Append(c.Count.ToString("N0", inv)).Append(" | ")
              .Append(total == 0 ? "–" : (100.0 * c.Count / total).ToString("0.0", inv) + " %").Append(" |\n");

        if (OfficialSplits.Count > 0)
        {
            sb.Append("\n### Official splits\n\n");
            foreach (var s in OfficialSplits) sb.Append("- **").Append(s.Name).Append("**: ").Append(s.Description).Append('\n');
        }
        if (Notes.Count > 0)
        {
            sb.Append("\n### Notes\n\n");
            foreach (var n in Notes) sb.Append("- ").Append(n).Append('\n');
        }
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
}
