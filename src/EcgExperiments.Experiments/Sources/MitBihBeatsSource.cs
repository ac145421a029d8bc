using System.Text.Json;
using EcgExperiments.Core;
using EcgExperiments.Data.MitBih;
using EcgExperiments.Pipeline;
using EcgExperiments.Signals.Beats;
using EcgExperiments.Signals.Filtering;

namespace EcgExperiments.Experiments.Sources;

/// <summary>Named beat-symbol → class mappings of a <see cref="MitBihBeatsSource"/> (see <see cref="BeatMapping"/> for custom ones).</summary>
public enum BeatMappingName
{
    /// <summary>AAMI N, S, V, F, Q (SPEC §2.2).</summary>
    Aami,
    /// <summary>BeatGAN's variant (SPEC §2.4): N = {N, L, R}; e and j count as S.</summary>
    BeatGan,
    /// <summary>AAMI N {N, L, R, e, j} versus AAMI V {V, E}; other beats left out and counted (YAML <c>n_vs_v</c>).</summary>
    NormalVersusVentricular,
    /// <summary>Every QRS annotation versus artifact, noise and blocked-P annotations (YAML <c>beat_vs_non_beat</c>).</summary>
    BeatVersusNonBeat,
}

/// <summary>Beat window of a <see cref="MitBihBeatsSource"/>.</summary>
public enum BeatWindowName
{
    /// <summary>SPEC §2.2: halfway to the neighbouring R peaks, cropped or zero-padded to 428 samples.</summary>
    Midpoint428,
    /// <summary>SPEC §2.4: [R − 140, R + 180), 320 samples; beats too near the record edge are dropped.</summary>
    Fixed320,
}

/// <summary>What the official split does with the one patient behind records 201 (DS1) and 202 (DS2).</summary>
public enum SharedPatientPolicy
{
    /// <summary>Leave record 202 out of the test part, so train and test share no patient (default).</summary>
    DropFromTest,
    /// <summary>Keep de Chazal's lists as published (needs <c>split.allow_patient_overlap: true</c>).</summary>
    Keep,
}

/// <summary>YAML <c>data: { type: mitbih_beats, … }</c>: annotated beats of MIT-BIH Arrhythmia at 360 Hz.</summary>
public sealed record MitBihBeatsSourceOptions : DataSourceOptions
{
    /// <summary>Symbol → class: a preset (aami, beat_gan, n_vs_v, beat_vs_non_beat) or a custom map (see <see cref="BeatMapping"/>).</summary>
    public BeatMapping Mapping { get; init; } = BeatMappingName.Aami;
    public BeatWindowName Window { get; init; } = BeatWindowName.Midpoint428;
    /// <summary>Lead by name; records without it use <see cref="FallbackLeads"/> (102 and 104 have V5, no MLII).</summary>
    public string Lead { get; init; } = "MLII";
    public IReadOnlyList<string> FallbackLeads { get; init; } = ["V5"];
    /// <summary>Leave out the paced records 102, 104, 107, 217.</summary>
    public bool ExcludePaced { get; init; }
    /// <summary>Records to use, by number or by set name (DS1, DS2 — de Chazal's —, paced, all); null: all 48 present.</summary>
    public IReadOnlyList<string>? Records { get; init; }
    /// <summary>SPEC §2.4: FIR 3–45 Hz (109 taps at 360 Hz, filtfilt) over the whole lead before windowing.</summary>
    public bool Bandpass { get; init; }
    /// <summary>Share of the DS1 records (whole records, so whole patients) held out for validation in the official split.</summary>
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>Seed of the choice of validation records.</summary>
    public int ValidationSeed { get; init; } = 2004;
    public SharedPatientPolicy SharedPatient { get; init; } = SharedPatientPolicy.DropFromTest;
    /// <summary>Folder with NNN.hea/.dat/.atr; default mitbih/ under the data root ($ECG_DATA_ROOT).</summary>
    public string? Folder { get; init; }
}

/// <summary>
/// MIT-BIH beats as [1 × 428] (midpoint) or [1 × 320] (fixed) windows of one lead at 360 Hz, labelled by the
/// mapping's classes. Group = patient (records 201 and 202 are one patient, "201+202"). The official split is
/// de Chazal's inter-patient DS1 → train (less a seeded share of whole DS1 records for validation) / DS2 → test.
/// </summary>
public sealed class MitBihBeatsSource : IDataSource
{
    private const string ReaderVersion = "mitbih-beats-source-1";
    private readonly MitBihBeatsSourceOptions _options;
    private readonly BeatClassMapping _mapping;
    private readonly Lazy<string> _fingerprint;
    private string? _loadedSummary;

    public MitBihBeatsSource(MitBihBeatsSourceOptions o)
    {
        _options = o;
        if (o.ValidationFraction is < 0 or >= 1) throw new ArgumentException($"data.validation_fraction must be in [0, 1), got {o.ValidationFraction}");
        if (o.Records is { } rs)
        {
            try { MitBihDatabase.ResolveRecords(rs); }
            catch (ArgumentException e) when (e.ParamName is not null) { throw new ArgumentException($"data.records: {e.Message.Replace($" (Parameter '{e.ParamName}')", "")}"); }
        }
        _mapping = o.Mapping.Build();
        Folder = Path.GetFullPath(o.Folder ?? Path.Combine(ProjectPaths.DataRoot, "mitbih"));
        int length = o.Window == BeatWindowName.Fixed320 ? new FixedBeatWindowOptions().Length : new MidpointBeatWindowOptions().Length;
        Schema = new EcgSchema([1, length], SamplingRate, _mapping.Classes, [o.Lead]);
        _fingerprint = new Lazy<string>(() => StableHash.Of(
            $"{ReaderVersion}|{JsonSerializer.Serialize(o with { Folder = null })}|{(Directory.Exists(Folder) ? MitBihDatabase.Open(Folder).Fingerprint : "missing")}"));
    }

    /// <summary>MIT-BIH's sampling rate.</summary>
    public const double SamplingRate = 360;

    public string Folder { get; }
    public EcgSchema Schema { get; }
    public string Fingerprint => _fingerprint.Value;

    public string Description =>
        $"MIT-BIH beats, {_mapping.Name} classes [{string.Join(", ", _mapping.Classes)}], " +
        $"{(_options.Window == BeatWindowName.Fixed320 ? "fixed [R−140, R+180)" : "midpoint window 428")} of {_options.Lead}" +
        $"{(_options.Bandpass ? ", FIR 3–45 Hz filtfilt" : ", unfiltered")}, " +
        $"{(_options.Records is { } r ? $"records {string.Join(",", r)}" : "all records")}{(_options.ExcludePaced ? ", paced excluded" : "")}" +
        (_loadedSummary is null ? "" : $"; {_loadedSummary}");

    /// <summary>
    /// The beat index comes from the annotations and headers alone (which beats a window keeps depends only on R
    /// positions and the record length); a record's lead is read, filtered and cut into windows when one of its beats is read.
    /// </summary>
    public EcgDataView Load(CancellationToken cancel = default)
    {
        var db = MitBihDatabase.Open(Folder);
        var set = db.ExtractBeats(new MitBihBeatOptions { Mapping = _mapping, ExcludePacedRecords = _options.ExcludePaced, Records = _options.Records });
        var selection = new LeadSelection(_options.Lead, _options.FallbackLeads);
        var byRecord = set.Beats.GroupBy(b => b.RecordId).ToDictionary(g => g.Key, g => g.ToArray());
        var filter = _options.Bandpass ? FilterPresets.BeatGanBandPass(SamplingRate) : null;
        var midpoint = new MidpointBeatWindowOptions();
        var fixedWindow = new FixedBeatWindowOptions();
        var perRecord = new (MitBihBeat[] Kept, int[] Qrs)[set.Records.Count];
        int dropped = 0;
        for (int k = 0; k < set.Records.Count; k++)
        {
            cancel.ThrowIfCancellationRequested();
            var record = set.Records[k];
            var beats = byRecord.GetValueOrDefault(record, []);
            if (_options.Window == BeatWindowName.Midpoint428)
            {
                // Neighbours are all QRS annotations of the record (mapped or not), as SPEC §2.2 asks.
                var qrs = db.Annotations(record).Where(a => a.IsBeat).Select(a => (int)a.Sample).ToArray();
                var kept = BeatWindows.Select(qrs, midpoint).Kept.Select(i => qrs[i]).ToHashSet();
                perRecord[k] = (beats.Where(b => kept.Contains(b.RPeak)).ToArray(), qrs);
            }
            else
            {
                long length = db.Header(record).SampleCount ?? db.LoadLead(record, selection).Length;
                var kept = BeatWindows.Select(checked((int)length), beats.Select(b => b.RPeak).ToArray(), fixedWindow).Kept;
                perRecord[k] = (kept.Select(i => beats[i]).ToArray(), []);
            }
            dropped += beats.Length - perRecord[k].Kept.Length;
        }
        var rows = perRecord.SelectMany((r, k) => r.Kept.Select((b, i) => (Beat: b, Unit: k, Row: i))).ToArray();
        var index = new ExampleIndex(
            rows.Select(r => r.Beat.Id).ToArray(),
            rows.Select(r => MitBihDatabase.PatientOf(r.Beat.RecordId)).ToArray(),
            rows.Select(r => r.Beat.ClassIndex).ToArray());
        var counts = new int[_mapping.Classes.Count];
        foreach (var r in rows) counts[r.Beat.ClassIndex]++;
        _loadedSummary = $"{set.Records.Count} records, {rows.Length} beats ({string.Join(", ", _mapping.Classes.Select((c, i) => $"{c} {counts[i]}"))})" +
                         $"{(dropped > 0 ? $", {dropped} beats too near a record edge dropped" : "")}" +
                         $"{(set.UnmappedBeatSymbols.Count > 0 ? $", unmapped beat symbols left out: {string.Join(", ", set.UnmappedBeatSymbols.Select(kv => $"{kv.Key} {kv.Value}"))}" : "")}";
        return new UnitDataView(Schema, index, rows.Select(r => r.Unit).ToArray(), rows.Select(r => r.Row).ToArray(), unit =>
        {
            var record = set.Records[unit];
            var (kept, qrs) = perRecord[unit];
            var lead = db.LoadLead(record, selection).Leads[0];
            if (filter is not null) lead = Filter.FiltFilt(filter, lead);
            if (_options.Window == BeatWindowName.Midpoint428)
            {
                var windows = BeatWindows.Midpoint(lead, qrs, midpoint, record);
                var position = new Dictionary<int, int>(qrs.Length);
                for (int i = 0; i < windows.Count; i++) position[qrs[windows.BeatIndices[i]]] = i;
                return kept.Select(b => windows.Window(position[b.RPeak]).ToArray()).ToArray();
            }
            var cut = BeatWindows.Fixed(lead, kept.Select(b => b.RPeak).ToArray(), fixedWindow, record);
            if (cut.Count != kept.Length)
                throw new EcgDataException($"record {record} is shorter than its header says: {kept.Length - cut.Count} beat windows leave the signal", Path.Combine(Folder, record));
            return Enumerable.Range(0, cut.Count).Select(i => cut.Window(i).ToArray()).ToArray();
        });
    }

    /// <summary>Records of the official validation part: a seeded share of the DS1 records present (at least one).</summary>
    public IReadOnlyList<string> ValidationRecords(IEnumerable<string> ds1RecordsPresent)
    {
        var ds1 = ds1RecordsPresent.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (_options.ValidationFraction == 0 || ds1.Length < 2) return [];
        int n = Math.Max(1, (int)Math.Round(_options.ValidationFraction * ds1.Length));
        var rng = new EcgExperiments.Core.SplitMix64(unchecked((ulong)_options.ValidationSeed));
        return ds1.OrderBy(_ => rng.NextUInt64()).Take(n).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>de Chazal DS1 (train, less the validation records) / DS1 validation records / DS2 (test).</summary>
    public OfficialSplit? Official(EcgDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var recordOf = data.Index.Ids.Select(MitBihDatabase.RecordOf).ToArray();
        var validation = ValidationRecords(recordOf.Where(MitBihDatabase.DeChazalDs1.Contains)).ToHashSet();
        var train = new List<int>();
        var val = new List<int>();
        var test = new List<int>();
        for (int i = 0; i < recordOf.Length; i++)
        {
            var r = recordOf[i];
            if (MitBihDatabase.DeChazalDs1.Contains(r)) (validation.Contains(r) ? val : train).Add(i);
            else if (MitBihDatabase.DeChazalDs2.Contains(r) && !(r == "202" && _options.SharedPatient == SharedPatientPolicy.DropFromTest)) test.Add(i);
        }
        if (train.Count == 0 || test.Count == 0)
            throw new EcgDataException(
                $"the de Chazal split needs beats from DS1 records (train) and DS2 records (test); these records give {train.Count} train and {test.Count} test beats. " +
                $"DS1: {string.Join(",", MitBihDatabase.DeChazalDs1)}; DS2: {string.Join(",", MitBihDatabase.DeChazalDs2)}", Folder);
        var name = $"de Chazal DS1/DS2 inter-patient (validation records {string.Join(",", validation.Order(StringComparer.Ordinal))} of DS1" +
                   $"{(_options.SharedPatient == SharedPatientPolicy.DropFromTest ? "; record 202 left out of test: same patient as 201 in DS1" : "")})";
        return new OfficialSplit(name, train, val, test);
    }
}
