using EcgExperiments.Core;

namespace EcgExperiments.Data.Splits;

/// <summary>Whether a split keeps each patient in one part (inter-patient) or knowingly lets patients span parts.</summary>
public enum SplitProtocol
{
    /// <summary>No patient may appear in two parts; <see cref="PatientLeakageGuard.Enforce"/> throws on overlap.</summary>
    InterPatient,

    /// <summary>Patients may span parts (e.g. random beat-level splits as published); overlap is reported, not refused.</summary>
    IntraPatient,
}

/// <summary>One named part of a split (e.g. "train") with its members in a stable order.</summary>
public sealed record SplitPart(string Name, IReadOnlyList<string> Members)
{
    public int Count => Members.Count;

    /// <summary>SHA-256 of the ordered member ids.</summary>
    public string Fingerprint => StableHash.OfSequence(Members);
}

/// <summary>
/// A partition of member ids (records, beats, rows) into named parts, with the protocol it claims and a
/// fingerprint for run records. Members are ids the caller chooses, e.g. "100" for an MIT-BIH record or
/// "100:1234" for a beat.
/// </summary>
/// <example><code>
/// var split = new DataSplit("de Chazal", SplitProtocol.InterPatient,
///     [new SplitPart("train", ds1), new SplitPart("test", ds2)]);
/// string id = StableHash.Short(split.Fingerprint);
/// </code></example>
public sealed class DataSplit
{
    public DataSplit(string name, SplitProtocol protocol, IReadOnlyList<SplitPart> parts, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(parts);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var members = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            if (!names.Add(part.Name)) throw new ArgumentException($"split '{name}' has two parts named '{part.Name}'", nameof(parts));
            foreach (var m in part.Members)
                if (!members.Add(m))
                    throw new ArgumentException($"split '{name}': member '{m}' is in more than one part (found again in '{part.Name}')", nameof(parts));
        }
        Name = name;
        Protocol = protocol;
        Parts = parts;
        Description = description;
    }

    public string Name { get; }
    public SplitProtocol Protocol { get; }
    public IReadOnlyList<SplitPart> Parts { get; }

    /// <summary>How the split was made (source, seed, fractions), for reports.</summary>
    public string? Description { get; }

    public int MemberCount => Parts.Sum(p => p.Count);

    /// <summary>The part called <paramref name="partName"/>.</summary>
    public SplitPart this[string partName] =>
        Parts.FirstOrDefault(p => p.Name == partName)
        ?? throw new KeyNotFoundException($"split '{Name}' has no part '{partName}' (parts: {string.Join(", ", Parts.Select(p => p.Name))})");

    /// <summary>Fingerprint of each part: SHA-256 of its ordered member ids.</summary>
    public IReadOnlyDictionary<string, string> PartFingerprints => Parts.ToDictionary(p => p.Name, p => p.Fingerprint);

    /// <summary>SHA-256 over the protocol and every part's name, size and fingerprint, in part order.</summary>
    public string Fingerprint =>
        StableHash.OfSequence(Parts.SelectMany(p => new[] { p.Name, p.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Fingerprint })
            .Prepend(Protocol.ToString()));

    public override string ToString() =>
        $"{Name} ({Protocol}): {string.Join(", ", Parts.Select(p => $"{p.Name} {p.Count}"))}";
}
