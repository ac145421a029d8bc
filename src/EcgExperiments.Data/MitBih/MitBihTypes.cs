namespace EcgExperiments.Data.MitBih;

/// <summary>
/// Which lead to use, by signal name, with fallbacks for records that lack it (MIT-BIH 102 and 104 have no
/// MLII). Choosing by name, not position, also handles record 114, whose MLII is stored second.
/// </summary>
/// <param name="Lead">Preferred signal name, e.g. "MLII".</param>
/// <param name="Fallbacks">Names tried in order when the preferred lead is absent.</param>
public sealed record LeadSelection(string Lead, IReadOnlyList<string> Fallbacks)
{
    /// <summary>MLII, falling back to V5 (SPEC §2.2).</summary>
    public static LeadSelection MlIIOrV5 { get; } = new("MLII", ["V5"]);

    /// <summary>MLII only: records without it are an error.</summary>
    public static LeadSelection MlIIOnly { get; } = new("MLII", []);
}

/// <summary>The lead chosen for a record and why.</summary>
/// <param name="RecordId">MIT-BIH record, e.g. "102".</param>
/// <param name="SignalIndex">Position of the lead in the record's header.</param>
/// <param name="LeadName">Name of the lead chosen.</param>
/// <param name="IsFallback">True when the preferred lead was absent.</param>
/// <param name="Note">Human note for reports when a fallback was used.</param>
public sealed record LeadChoice(string RecordId, int SignalIndex, string LeadName, bool IsFallback, string? Note);

/// <summary>
/// One annotated beat: where its R peak is, its reference symbol and class, and the neighbouring R peaks that
/// beat-window transforms need (halfway to the previous/next R). Neighbours are the adjacent QRS annotations of
/// the record (WFDB <c>isqrs</c>), mapped or not; null at the record's ends. A mapping that classes non-QRS annotations
/// (<see cref="BeatClassMapping.BeatVersusNonBeat"/>) yields those as members too: their "R peak" is the annotation's
/// sample and their neighbours the QRS annotations around it.
/// </summary>
/// <param name="RecordId">MIT-BIH record, e.g. "100".</param>
/// <param name="RPeak">Sample index of the annotation (the R peak).</param>
/// <param name="Symbol">Reference annotation symbol, e.g. "N", "V".</param>
/// <param name="Class">Class under the mapping used, e.g. "N", "S".</param>
/// <param name="ClassIndex">Index of <paramref name="Class"/> in the mapping's classes.</param>
/// <param name="PreviousR">Sample index of the previous QRS annotation, or null for the first beat.</param>
/// <param name="NextR">Sample index of the next QRS annotation, or null for the last beat.</param>
public sealed record MitBihBeat(string RecordId, int RPeak, string Symbol, string Class, int ClassIndex, int? PreviousR, int? NextR)
{
    /// <summary>Unique id for splits and run records: "record:sample".</summary>
    public string Id => $"{RecordId}:{RPeak}";
}

/// <summary>What beats to extract from MIT-BIH.</summary>
public sealed record MitBihBeatOptions
{
    public BeatClassMapping Mapping { get; init; } = BeatClassMapping.Aami;

    /// <summary>Leave out the paced records 102, 104, 107 and 217 (the usual inter-patient practice).</summary>
    public bool ExcludePacedRecords { get; init; }

    /// <summary>Records to use (null: all present), in the order wanted: record names and the sets DS1, DS2, paced, all (<see cref="MitBihDatabase.ResolveRecords"/>).</summary>
    public IReadOnlyList<string>? Records { get; init; }
}

/// <summary>Beats extracted from a set of records, with the counts a report needs.</summary>
/// <param name="Mapping">Mapping used to classify symbols.</param>
/// <param name="Records">Records the beats come from, in order.</param>
/// <param name="Beats">Mapped beats in record order, then time order.</param>
/// <param name="UnmappedBeatSymbols">QRS annotations the mapping leaves out, by symbol (e.g. "!" → 472).</param>
/// <param name="NonBeatAnnotations">Annotations that are not QRS complexes (rhythm, noise, comments), never mapped.</param>
public sealed record MitBihBeatSet(BeatClassMapping Mapping, IReadOnlyList<string> Records, IReadOnlyList<MitBihBeat> Beats,
    IReadOnlyDictionary<string, int> UnmappedBeatSymbols, int NonBeatAnnotations)
{
    /// <summary>Beats per class in mapping order.</summary>
    public IReadOnlyList<ClassCount> ClassCounts =>
        Mapping.Classes.Select((c, i) => new ClassCount(c, Beats.Count(b => b.ClassIndex == i))).ToArray();
}
