using System.Globalization;

namespace EcgExperiments.Data.PtbXl;

/// <summary>What a binary task does with records that carry several superclasses.</summary>
public enum MultiLabelPolicy
{
    /// <summary>Negative = records whose only superclass is the negative one; positive = any record with the positive class; others dropped. SPEC §2.1 default.</summary>
    NegativeOnlyVersusAnyPositive,

    /// <summary>Negative = negative class only; positive = positive class only; every multi-label record dropped.</summary>
    NegativeOnlyVersusPositiveOnly,

    /// <summary>Records with the negative class and without the positive one versus the reverse; records with both, or neither, dropped.</summary>
    AnyNegativeVersusAnyPositiveExcludingBoth,
}

/// <summary>Options of <see cref="PtbXlDatabase.SelectBinaryTask"/>.</summary>
public sealed record BinaryTaskOptions
{
    public string PositiveClass { get; init; } = "HYP";
    public string NegativeClass { get; init; } = "NORM";
    public MultiLabelPolicy Policy { get; init; } = MultiLabelPolicy.NegativeOnlyVersusAnyPositive;
}

/// <summary>A record kept by a binary task, with its binary label and what splits need (patient, fold).</summary>
public sealed record BinaryTaskMember(int EcgId, bool IsPositive, string ClassName, int PatientId, int StratFold)
{
    public string RecordId => EcgId.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The records a binary task keeps, and an account of those it drops.</summary>
/// <param name="Options">The task's classes and multi-label policy.</param>
/// <param name="Members">Records kept, in table order.</param>
/// <param name="DroppedByLabels">Dropped records per superclass combination, e.g. "MI+STTC" → 12, "(no diagnostic statement)" → 10.</param>
public sealed record BinaryTaskSelection(BinaryTaskOptions Options, IReadOnlyList<BinaryTaskMember> Members,
    IReadOnlyDictionary<string, int> DroppedByLabels)
{
    public int PositiveCount => Members.Count(m => m.IsPositive);
    public int NegativeCount => Members.Count(m => !m.IsPositive);
    public int DroppedCount => DroppedByLabels.Values.Sum();

    /// <summary>One line for reports: counts, ratio and the policy.</summary>
    public string Describe() =>
        $"{Options.NegativeClass} vs {Options.PositiveClass} ({Options.Policy}): {NegativeCount} {Options.NegativeClass}, " +
        $"{PositiveCount} {Options.PositiveClass}, {DroppedCount} dropped" +
        (DroppedCount == 0 ? "" : $" ({string.Join(", ", DroppedByLabels.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"))})");
}
