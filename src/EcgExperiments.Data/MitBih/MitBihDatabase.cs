using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Data.Splits;
using EcgExperiments.Data.Wfdb;

namespace EcgExperiments.Data.MitBih;

/// <summary>
/// The MIT-BIH Arrhythmia Database (48 two-lead records at 360 Hz with reference beat annotations): records,
/// leads chosen by name, beats with AAMI or BeatGAN classes, and the de Chazal DS1/DS2 inter-patient split.
/// </summary>
/// <example><code>
/// var db = MitBihDatabase.Open(Path.Combine(ProjectPaths.DataRoot, "mitbih"));
/// EcgSignal mlii = db.LoadLead("114", LeadSelection.MlIIOrV5);   // MLII, although 114 stores it second
/// var beats = db.ExtractBeats(new MitBihBeatOptions { ExcludePacedRecords = true });
/// DataSplit ds = db.OfficialSplit();                             // DS1 train / DS2 test
/// </code></example>
public sealed class MitBihDatabase : ISignalDatabase
{
    /// <summary>The 48 records of the database.</summary>
    public static readonly IReadOnlyList<string> AllRecordIds =
    [
        "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "111", "112", "113", "114", "115", "116", "117", "118",
        "119", "121", "122", "123", "124", "200", "201", "202", "203", "205", "207", "208", "209", "210", "212", "213", "214", "215",
        "217", "219", "220", "221", "222", "223", "228", "230", "231", "232", "233", "234",
    ];

    /// <summary>Records with paced beats, excluded by the usual inter-patient protocols.</summary>
    public static readonly IReadOnlyList<string> PacedRecordIds = ["102", "104", "107", "217"];

    /// <summary>de Chazal et al. (2004) training set DS1.</summary>
    public static readonly IReadOnlyList<string> DeChazalDs1 =
    [
        "101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122", "124", "201", "203", "205", "207", "208", "209",
        "215", "220", "223", "230",
    ];

    /// <summary>de Chazal et al. (2004) test set DS2.</summary>
    public static readonly IReadOnlyList<string> DeChazalDs2 =
    [
        "100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210", "212", "213", "214", "219", "221", "222", "228",
        "231", "232", "233", "234",
    ];

    private readonly Lazy<DatasetCard> _card;
    private readonly Lazy<string> _fingerprint;

    private MitBihDatabase(string folder, IReadOnlyList<string> recordIds)
    {
        Folder = folder;
        RecordIds = recordIds;
        _card = new Lazy<DatasetCard>(() => CardFor(BeatClassMapping.Aami));
        _fingerprint = new Lazy<string>(ComputeFingerprint);
    }

    public string Name => "MIT-BIH Arrhythmia";
    public string Folder { get; }

    /// <summary>Records present in the folder (those of <see cref="AllRecordIds"/> with a header), in database order.</summary>
    public IReadOnlyList<string> RecordIds { get; }

    public DatasetCard Card => _card.Value;
    public string Fingerprint => _fingerprint.Value;

    /// <summary>Opens the folder holding NNN.hea/.dat/.atr; fails clearly when it holds none of the 48 records.</summary>
    public static MitBihDatabase Open(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
            throw new EcgDataException($"MIT-BIH folder not found. {ProjectPaths.DataHelp}", folder);
        var present = AllRecordIds.Where(id => File.Exists(Path.Combine(folder, id + ".hea"))).ToArray();
        if (present.Length == 0)
            throw new EcgDataException($"no MIT-BIH record headers (100.hea … 234.hea) in this folder. {ProjectPaths.DataHelp}", folder);
        return new MitBihDatabase(Path.GetFullPath(folder), present);
    }

    /// <summary>
    /// Patient of a record. Records 201 and 202 come from the same subject, so they share a patient id
    /// ("201+202"); every other record is its own patient.
    /// </summary>
    public static string PatientOf(string recordId) => recordId is "201" or "202" ? "201+202" : recordId;

    /// <summary>Record of a beat id "record:sample" (or a record id).</summary>
    public static string RecordOf(string memberId) => memberId.Split(':')[0];

    public string RecordPath(string recordId) => Path.Combine(Folder, RequireKnown(recordId));

    public WfdbHeader Header(string recordId) => WfdbHeader.Load(RecordPath(recordId));

    /// <summary>Raw samples of a record (checksums verified).</summary>
    public WfdbRecord ReadRecord(string recordId, WfdbReadOptions? options = null) => WfdbReader.Read(RecordPath(recordId), options);

    /// <inheritdoc/>
    public EcgSignal LoadSignal(string recordId) => ReadRecord(recordId).ToEcgSignal();

    /// <summary>Picks the lead by name; records lacking the preferred lead use the first fallback present, with a note.</summary>
    public LeadChoice ChooseLead(string recordId, LeadSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var h = Header(recordId);
        int i = h.IndexOfSignal(selection.Lead);
        if (i >= 0) return new LeadChoice(recordId, i, h.Signals[i].Description, false, null);
        foreach (var fallback in selection.Fallbacks)
        {
            i = h.IndexOfSignal(fallback);
            if (i >= 0)
                return new LeadChoice(recordId, i, h.Signals[i].Description, true,
                    $"record {recordId} has no {selection.Lead}; using {h.Signals[i].Description} (signal {i}) instead");
        }
        throw new EcgDataException(
            $"record has no lead {selection.Lead}" + (selection.Fallbacks.Count > 0 ? $" nor {string.Join(", ", selection.Fallbacks)}" : "") +
            $" (its leads: {string.Join(", ", h.Signals.Select(s => s.Description))}); add a fallback lead or leave the record out",
            h.SourcePath, record: recordId);
    }

    /// <summary>The chosen lead of a record as a one-lead signal in mV.</summary>
    public EcgSignal LoadLead(string recordId, LeadSelection selection, long from = 0, long? to = null)
    {
        var choice = ChooseLead(recordId, selection);
        return ReadRecord(recordId, new WfdbReadOptions { From = from, To = to, Signals = [choice.LeadName] }).ToEcgSignal();
    }

    /// <summary>Reference annotations (<c>.atr</c>) of a record.</summary>
    public IReadOnlyList<WfdbAnnotation> Annotations(string recordId) => WfdbAnnotationReader.Read(RecordPath(recordId));

    /// <summary>Mapped beats of one record, in time order, with neighbouring R peaks.</summary>
    public IReadOnlyList<MitBihBeat> Beats(string recordId, BeatClassMapping mapping) =>
        BeatsOf(recordId, Annotations(recordId), mapping, null, out _);

    /// <summary>Beats of several records with counts of what the mapping leaves out.</summary>
    public MitBihBeatSet ExtractBeats(MitBihBeatOptions? options = null)
    {
        options ??= new MitBihBeatOptions();
        var records = (options.Records is { } selection ? ResolveRecords(selection) : RecordIds).Where(id => !options.ExcludePacedRecords || !PacedRecordIds.Contains(id)).ToArray();
        var beats = new List<MitBihBeat>();
        var unmapped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int nonBeats = 0;
        foreach (var id in records)
        {
            beats.AddRange(BeatsOf(id, Annotations(id), options.Mapping, unmapped, out int n));
            nonBeats += n;
        }
        return new MitBihBeatSet(options.Mapping, records, beats, unmapped, nonBeats);
    }

    /// <summary>de Chazal DS1 (train) / DS2 (test): inter-patient, paced records excluded, over records present.</summary>
    public DataSplit OfficialSplit() => DeChazalSplit(RecordIds, id => id);

    /// <summary>
    /// de Chazal DS1/DS2 over arbitrary members (e.g. beat ids) via <paramref name="recordOf"/>; members of other
    /// records (the paced ones) are left out.
    /// </summary>
    public static DataSplit DeChazalSplit(IEnumerable<string> members, Func<string, string> recordOf)
    {
        var list = members.ToList();
        return new DataSplit("de-chazal", SplitProtocol.InterPatient,
        [
            new SplitPart("train", list.Where(m => DeChazalDs1.Contains(recordOf(m))).ToArray()),
            new SplitPart("test", list.Where(m => DeChazalDs2.Contains(recordOf(m))).ToArray()),
        ], "de Chazal et al. 2004: DS1 train, DS2 test; paced records 102, 104, 107, 217 excluded");
    }

    private static List<MitBihBeat> BeatsOf(string recordId, IReadOnlyList<WfdbAnnotation> annotations, BeatClassMapping mapping,
        IDictionary<string, int>? unmapped, out int nonBeats)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var qrs = annotations.Where(a => a.IsBeat).ToArray();
        nonBeats = annotations.Count - qrs.Length;
        bool nonBeatMembers = mapping.MapsNonBeatSymbols;
        var beats = new List<MitBihBeat>(qrs.Length);
        int k = 0; // QRS annotations seen so far
        foreach (var a in annotations)
        {
            int cls = mapping.ClassIndexOf(a.Symbol);
            if (a.IsBeat)
            {
                if (cls < 0)
                {
                    if (unmapped is not null) unmapped[a.Symbol] = unmapped.TryGetValue(a.Symbol, out var n) ? n + 1 : 1;
                }
                else
                {
                    beats.Add(Member(a, cls, k > 0 ? qrs[k - 1] : null, k + 1 < qrs.Length ? qrs[k + 1] : null));
                }
                k++;
            }
            else if (nonBeatMembers && cls >= 0)
            {
                // a non-QRS member sits between the QRS annotations before and after it
                beats.Add(Member(a, cls, k > 0 ? qrs[k - 1] : null, k < qrs.Length ? qrs[k] : null));
            }
        }
        return beats;

        MitBihBeat Member(WfdbAnnotation a, int cls, WfdbAnnotation? previous, WfdbAnnotation? next) =>
            new(recordId, checked((int)a.Sample), a.Symbol, mapping.Classes[cls], cls,
                previous is { } p ? checked((int)p.Sample) : null, next is { } n ? checked((int)n.Sample) : null);
    }

    /// <summary>
    /// Record ids of a selection: record names ("100") and the set names "DS1", "DS2" (de Chazal), "paced" and "all",
    /// in the order given, duplicates removed.
    /// </summary>
    /// <example><code>
    /// MitBihDatabase.ResolveRecords(["DS1"]);           // the 22 training records
    /// MitBihDatabase.ResolveRecords(["DS2", "102"]);    // DS2 plus a paced record
    /// </code></example>
    /// <exception cref="ArgumentException">An entry that is neither a record of the database nor a set name.</exception>
    public static IReadOnlyList<string> ResolveRecords(IEnumerable<string> selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var result = new List<string>();
        foreach (var raw in selection)
        {
            var entry = (raw ?? "").Trim();
            IReadOnlyList<string> ids = entry.ToUpperInvariant() switch
            {
                "DS1" => DeChazalDs1,
                "DS2" => DeChazalDs2,
                "PACED" => PacedRecordIds,
                "ALL" => AllRecordIds,
                _ when AllRecordIds.Contains(entry) => [entry],
                _ => throw new ArgumentException(
                    $"'{raw}' is neither an MIT-BIH Arrhythmia record (100-234, 48 records) nor a record set (DS1, DS2, paced, all)", nameof(selection)),
            };
            foreach (var id in ids) if (!result.Contains(id)) result.Add(id);
        }
        if (result.Count == 0) throw new ArgumentException("the record selection is empty; list records or a set such as DS1", nameof(selection));
        return result;
    }

    private string RequireKnown(string recordId)
    {
        ArgumentNullException.ThrowIfNull(recordId);
        if (!AllRecordIds.Contains(recordId))
            throw new ArgumentException($"'{recordId}' is not an MIT-BIH Arrhythmia record (100-234, 48 records)", nameof(recordId));
        return recordId;
    }

    /// <summary>The dataset card with the class balance of <paramref name="mapping"/> (the plain <see cref="Card"/> uses AAMI).</summary>
    public DatasetCard CardFor(BeatClassMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var set = ExtractBeats(new MitBihBeatOptions { Mapping = mapping });
        var headers = RecordIds.Select(Header).ToArray();
        var leads = headers.SelectMany(h => h.Signals.Select(s => s.Description)).Distinct(StringComparer.Ordinal)
            .OrderBy(l => l == "MLII" ? 0 : 1).ThenBy(l => l, StringComparer.Ordinal).ToArray();
        var lengths = headers.Select(h => h.SampleCount ?? 0).ToArray();
        var inv = CultureInfo.InvariantCulture;
        var notes = new List<string>
        {
            $"Beat classes use the {set.Mapping.Name} mapping: {set.Mapping}. " + (set.Mapping.MapsNonBeatSymbols
                ? $"Non-QRS annotations the mapping names are members too ({set.NonBeatAnnotations.ToString("N0", inv)} non-QRS annotations in all)."
                : $"Non-beat annotations ({set.NonBeatAnnotations.ToString("N0", inv)}) are not mapped to Q."),
            "Records without MLII: " + string.Join(", ", headers.Where(h => h.IndexOfSignal("MLII") < 0)
                .Select(h => $"{h.RecordName} ({string.Join("/", h.Signals.Select(s => s.Description))})")) + "; use a fallback lead such as V5.",
            "Record 114 stores MLII as its second signal; choose leads by name.",
            "Records 102, 104, 107 and 217 contain paced beats; inter-patient protocols exclude them.",
            "Records 201 and 202 come from the same subject (one patient across DS1/DS2 in de Chazal's split).",
        };
        if (set.UnmappedBeatSymbols.Count > 0)
            notes.Add("QRS annotations outside the mapping: " + string.Join(", ", set.UnmappedBeatSymbols.Select(kv => $"{kv.Key} {kv.Value.ToString("N0", inv)}")) + ".");
        if (RecordIds.Count < AllRecordIds.Count)
            notes.Add($"This copy holds {RecordIds.Count} of the 48 records.");
        return new DatasetCard
        {
            Name = Name,
            Version = "1.0.0",
            Licence = "ODC-BY 1.0",
            Citation = "Moody G.B., Mark R.G. The impact of the MIT-BIH Arrhythmia Database. IEEE Eng Med Biol 20(3):45-50 (2001). PhysioNet.",
            Records = RecordIds.Count,
            Patients = RecordIds.Select(PatientOf).Distinct().Count(),
            SamplingRate = headers[0].SamplingFrequency,
            Leads = leads,
            ClassBalanceUnit = set.Mapping.MapsNonBeatSymbols ? $"annotations, {set.Mapping.Name} classes" : $"beats, {set.Mapping.Name} classes",
            ClassBalance = set.ClassCounts,
            OfficialSplits =
            [
                new OfficialSplitInfo("de Chazal DS1/DS2", $"train DS1 ({string.Join(", ", DeChazalDs1)}); test DS2 ({string.Join(", ", DeChazalDs2)}); paced records excluded"),
            ],
            SamplesPerRecord = (lengths.Min(), lengths.Max()),
            TotalDurationSeconds = lengths.Sum() / headers[0].SamplingFrequency,
            Notes = notes,
        };
    }

    private string ComputeFingerprint()
    {
        // Headers, annotations and the signal files' content: a changed waveform is a different dataset.
        var items = new List<string>();
        foreach (var id in RecordIds)
        {
            var path = RecordPath(id);
            items.Add(id);
            items.Add(File.ReadAllText(path + ".hea"));
            items.Add(File.Exists(path + ".atr") ? StableHash.Of(File.ReadAllBytes(path + ".atr")) : "(no atr)");
        }
        items.Add(Caching.FileHashes.OfFiles(RecordIds.SelectMany(id => Header(id).Signals.Select(s => s.FileName).Where(f => f != "~").Distinct().Select(f => Path.Combine(Folder, f)))));
        return StableHash.OfSequence(items);
    }
}
