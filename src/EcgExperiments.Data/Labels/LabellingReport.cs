using System.Globalization;

namespace EcgExperiments.Data;

/// <summary>What a set of labelled records poses to a classifier.</summary>
public enum ClassificationKind
{
    /// <summary>Two mutually exclusive classes, one per record (a sigmoid or a two-way softmax).</summary>
    Binary,

    /// <summary>Three or more mutually exclusive classes, one per record (softmax).</summary>
    MultiClass,

    /// <summary>Any number of labels per record, none included (one sigmoid per label).</summary>
    MultiLabel,
}

/// <summary>What a labelling does with records that match several classes.</summary>
public enum MultipleClassPolicy
{
    /// <summary>Drop them and count them by class combination: every kept record has exactly one class.</summary>
    Drop,

    /// <summary>Keep them with every class they match: a multi-label task.</summary>
    MultiLabel,
}

/// <summary>What a labelling does with records that match no class.</summary>
public enum NoClassPolicy
{
    /// <summary>Drop them and count them (the PTB-XL benchmark drops records without a label).</summary>
    Drop,

    /// <summary>Keep them with an empty label set (multi-label only: a negative for every label).</summary>
    KeepEmpty,

    /// <summary>Keep them in an extra class whose name the definition gives (e.g. "OTHER").</summary>
    KeepAs,
}

/// <summary>Reasons a labelling drops a record (keys of <see cref="LabellingReport.DroppedByReason"/>).</summary>
public static class DropReasons
{
    /// <summary>The record matches no class (<see cref="NoClassPolicy.Drop"/>).</summary>
    public const string NoClass = "no_class";

    /// <summary>The record matches several classes (<see cref="MultipleClassPolicy.Drop"/>).</summary>
    public const string SeveralClasses = "several_classes";
}

/// <summary>
/// The account of a labelling, always reportable: records in and kept, records per class, records dropped per reason
/// (with a breakdown, e.g. by label combination), and classes removed because too few records carry them.
/// </summary>
/// <param name="RecordsIn">Records the labelling looked at.</param>
/// <param name="RecordsKept">Records with a label set.</param>
/// <param name="ClassCounts">Kept records per class, in class order.</param>
/// <param name="MultiLabelRecords">Kept records with two or more classes (0 unless multi-label).</param>
/// <param name="EmptyRecords">Kept records with no class (<see cref="NoClassPolicy.KeepEmpty"/>).</param>
/// <param name="DroppedByReason">Dropped records per <see cref="DropReasons"/> value.</param>
/// <param name="DroppedDetail">Per reason, dropped records per detail key (e.g. "MI+STTC" → 12).</param>
/// <param name="RemovedClasses">Classes removed for having fewer records than the minimum, with their record counts.</param>
public sealed record LabellingReport(
    int RecordsIn,
    int RecordsKept,
    IReadOnlyList<ClassCount> ClassCounts,
    int MultiLabelRecords,
    int EmptyRecords,
    IReadOnlyDictionary<string, int> DroppedByReason,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> DroppedDetail,
    IReadOnlyList<ClassCount> RemovedClasses)
{
    public int DroppedCount => DroppedByReason.Values.Sum();

    /// <summary>One line for data descriptions and run records, e.g. "400 records: 390 kept (NORM 243, …); 10 dropped (no_class 10: …)".</summary>
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string>
        {
            $"{RecordsIn.ToString(inv)} records: {RecordsKept.ToString(inv)} kept ({string.Join(", ", ClassCounts.Select(c => $"{c.Label} {c.Count.ToString(inv)}"))})",
        };
        if (MultiLabelRecords > 0) parts.Add($"{MultiLabelRecords.ToString(inv)} with several labels");
        if (EmptyRecords > 0) parts.Add($"{EmptyRecords.ToString(inv)} with no label");
        parts.Add(DroppedCount == 0 ? "none dropped" : $"{DroppedCount.ToString(inv)} dropped (" + string.Join("; ", DroppedByReason.Select(kv =>
            $"{kv.Key} {kv.Value.ToString(inv)}" + (DroppedDetail.TryGetValue(kv.Key, out var d) && d.Count > 0
                ? ": " + string.Join(", ", d.OrderByDescending(x => x.Value).ThenBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key} {x.Value.ToString(inv)}"))
                : ""))) + ")");
        if (RemovedClasses.Count > 0)
            parts.Add("classes removed for too few records: " + string.Join(", ", RemovedClasses.Select(c => $"{c.Label} {c.Count.ToString(inv)}")));
        return string.Join("; ", parts);
    }
}

/// <summary>The snake_case names YAML and the CLI use for <see cref="MultipleClassPolicy"/> and <see cref="NoClassPolicy"/>.</summary>
public static class LabelPolicyNames
{
    /// <summary>"drop" or "multi_label".</summary>
    public static MultipleClassPolicy ParseMultiple(string name) => (name ?? "").Trim().ToLowerInvariant().Replace('-', '_') switch
    {
        "drop" => MultipleClassPolicy.Drop,
        "multi_label" or "multilabel" => MultipleClassPolicy.MultiLabel,
        _ => throw new ArgumentException($"multiple must be drop or multi_label, got '{name}'"),
    };

    /// <summary>"drop", "keep_empty" or "keep_as:NAME" (the name of the extra class).</summary>
    public static (NoClassPolicy Policy, string? ClassName) ParseNone(string name)
    {
        var text = (name ?? "").Trim();
        var key = text.ToLowerInvariant().Replace('-', '_');
        if (key == "drop") return (NoClassPolicy.Drop, null);
        if (key == "keep_empty") return (NoClassPolicy.KeepEmpty, null);
        if (key.StartsWith("keep_as:", StringComparison.Ordinal) && text[8..].Trim() is { Length: > 0 } cls) return (NoClassPolicy.KeepAs, cls);
        throw new ArgumentException($"none must be drop, keep_empty or keep_as:NAME (e.g. keep_as:OTHER), got '{name}'");
    }
}
