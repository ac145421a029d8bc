using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EcgExperiments.Core;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.Data;
using EcgExperiments.Pipeline;

namespace EcgExperiments.Experiments.Sources;

/// <summary>Tasks a <see cref="PtbXlSource"/> can pose.</summary>
public enum PtbXlTask
{
    /// <summary>Records labelled by <c>data.labels</c> (SPEC §2.1's NORM vs HYP by default, or any label definition).</summary>
    NormVsHyp,
    /// <summary>Every record, one class "ecg" (SPEC §2.3 reconstruction: labels play no part).</summary>
    AllRecords,
}

/// <summary>
/// YAML <c>data: { type: ptbxl, … }</c>: PTB-XL records, 12 leads × 10 s. Written to run records and trial keys as it
/// always was for <c>labels: [NORM, HYP]</c>; with a label definition <c>task</c> (unless all_records) and <c>policy</c>,
/// which only the NORM/HYP list uses, are left out.
/// </summary>
[JsonConverter(typeof(PtbXlSourceOptionsJsonConverter))]
public sealed record PtbXlSourceOptions : DataSourceOptions
{
    /// <summary><c>norm_vs_hyp</c> (the default): records and classes as <see cref="Labels"/> says; <c>all_records</c>: every record, unlabelled.</summary>
    public PtbXlTask Task { get; init; } = PtbXlTask.NormVsHyp;
    /// <summary>With <c>labels: [NORM, HYP]</c>: what to do with multi-label records (default SPEC §2.1: NORM-only vs any-HYP, the rest dropped and counted).</summary>
    public MultiLabelPolicy Policy { get; init; } = MultiLabelPolicy.NegativeOnlyVersusAnyPositive;
    /// <summary>
    /// The classes: <c>[NORM, HYP]</c> in label order (the published protocol uses [HYP, NORM]: HYP → 0, NORM → 1), a
    /// benchmark preset (<c>superdiagnostic</c>, …) or a label definition (see <see cref="PtbXlLabels"/>).
    /// </summary>
    public PtbXlLabels Labels { get; init; } = PtbXlLabels.NormAndHyp("NORM", "HYP");
    /// <summary>100 (records100/) or 500 (records500/) Hz.</summary>
    public int SamplingRate { get; init; } = 100;
    /// <summary>Folder with ptbxl_database.csv; default ptbxl/ under the data root ($ECG_DATA_ROOT).</summary>
    public string? Folder { get; init; }
}

/// <summary>Serialises <see cref="PtbXlSourceOptions"/> through the shape its labels need (under the caller's naming, null and enum settings).</summary>
public sealed class PtbXlSourceOptionsJsonConverter : JsonConverter<PtbXlSourceOptions>
{
    /// <summary>Every option, in declaration order: the shape of the NORM/HYP list (and of every record before label definitions).</summary>
    private sealed record ListShape(PtbXlTask Task, MultiLabelPolicy Policy, PtbXlLabels Labels, int SamplingRate, string? Folder,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] NonFinitePolicy? NonFinite);

    /// <summary>A label definition's shape: no policy, and the task only when it is not the labelled one.</summary>
    private sealed record DefinitionShape(
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] PtbXlTask Task, PtbXlLabels Labels, int SamplingRate, string? Folder,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] NonFinitePolicy? NonFinite);

    /// <summary>What reading accepts: any of the options, absent ones at their defaults.</summary>
    private sealed record AnyShape
    {
        public PtbXlTask Task { get; init; } = PtbXlTask.NormVsHyp;
        public MultiLabelPolicy Policy { get; init; } = MultiLabelPolicy.NegativeOnlyVersusAnyPositive;
        public PtbXlLabels? Labels { get; init; }
        public int SamplingRate { get; init; } = 100;
        public string? Folder { get; init; }
        public NonFinitePolicy? NonFinite { get; init; }
    }

    public override PtbXlSourceOptions Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var a = JsonSerializer.Deserialize<AnyShape>(ref reader, options) ?? throw new JsonException("PTB-XL options are null");
        var o = new PtbXlSourceOptions { Task = a.Task, Policy = a.Policy, SamplingRate = a.SamplingRate, Folder = a.Folder, NonFinite = a.NonFinite };
        return a.Labels is { } labels ? o with { Labels = labels } : o;
    }

    public override void Write(Utf8JsonWriter writer, PtbXlSourceOptions o, JsonSerializerOptions options)
    {
        if (o.Labels.Definition is null) JsonSerializer.Serialize(writer, new ListShape(o.Task, o.Policy, o.Labels, o.SamplingRate, o.Folder, o.NonFinite), options);
        else JsonSerializer.Serialize(writer, new DefinitionShape(o.Task, o.Labels, o.SamplingRate, o.Folder, o.NonFinite), options);
    }
}

/// <summary>
/// PTB-XL labelled by a <see cref="PtbXlLabelDefinition"/> (SPEC §2.1's NORM vs HYP by default): binary, multi-class or,
/// when records keep every class they match, multi-label (the view carries label sets). The schema ([12 × 1000] at
/// 100 Hz, [12 × 5000] at 500 Hz) is known from the options; class names too, except that a preset's or definition's
/// labels that no record of the copy carries are removed (as the benchmark does) once the tables can be read. Tables
/// and waveforms are read on <see cref="Load"/>. Group = patient_id; the official split is strat_fold 1–8 / 9 / 10
/// (patient-safe by construction). The description says what the labelling dropped and why.
/// </summary>
public sealed class PtbXlSource : IDataSource
{
    private const string ReaderVersion = "ptbxl-source-1";
    private readonly PtbXlSourceOptions _options;
    private readonly PtbXlLabelDefinition _definition;
    private readonly Lazy<PtbXlLabelling?> _labelling;
    private readonly Lazy<EcgSchema> _schema;
    private readonly Lazy<string> _fingerprint;
    private readonly ConcurrentDictionary<string, int> _foldOf = new(StringComparer.Ordinal);

    public PtbXlSource(PtbXlSourceOptions o)
    {
        _options = o;
        if (o.SamplingRate is not (100 or 500)) throw new ArgumentException($"data.sampling_rate must be 100 or 500 (the rates PTB-XL ships), got {o.SamplingRate}");
        var want = new[] { "NORM", "HYP" };
        if (o.Task == PtbXlTask.NormVsHyp && o.Labels.NormAndHypOrder is { } order && (order.Count != 2 || want.Any(w => !order.Contains(w, StringComparer.Ordinal))))
            throw new ArgumentException(
                $"data.labels as a list must list NORM and HYP once each, in label order (e.g. [HYP, NORM]); got [{string.Join(", ", order)}]. " +
                "For other classes write a preset (labels: superdiagnostic) or classes (labels: { classes: { MI: [MI], NORM: { codes: [NORM], only: true } } })");
        if (o.Labels.Definition is not null && o.Policy != MultiLabelPolicy.NegativeOnlyVersusAnyPositive)
            throw new ArgumentException("data.policy applies to labels: [NORM, HYP]; a label definition says what happens to records with several classes or none with multiple: and none:");
        _definition = o.Labels.Resolve(o.Policy);
        _definition.Validate();
        Folder = Path.GetFullPath(o.Folder ?? Path.Combine(ProjectPaths.DataRoot, "ptbxl"));
        _labelling = new Lazy<PtbXlLabelling?>(() => Directory.Exists(Folder) && o.Task == PtbXlTask.NormVsHyp ? Open().Label(_definition) : null);
        _schema = new Lazy<EcgSchema>(() => new EcgSchema([12, 10 * o.SamplingRate], o.SamplingRate, ClassNames(), PtbXlDatabase.StandardLeads)
        {
            MultiLabel = o.Task == PtbXlTask.NormVsHyp && _definition.IsMultiLabel,
        });
        _fingerprint = new Lazy<string>(() => StableHash.Of(
            $"{ReaderVersion}|{JsonSerializer.Serialize(o with { Folder = null })}|{(Directory.Exists(Folder) ? Open().Fingerprint : "missing")}"));
    }

    /// <summary>
    /// The list form's classes as given; a definition's from the labelling when the tables are there (labels no record
    /// carries are removed), else its nominal ones.
    /// </summary>
    private IReadOnlyList<string> ClassNames() =>
        _options.Task == PtbXlTask.AllRecords ? ["ecg"]
        : _options.Labels.NormAndHypOrder ?? _labelling.Value?.ClassNames ?? _definition.NominalClassNames();

    /// <summary>Resolved data folder.</summary>
    public string Folder { get; }

    /// <summary>The label definition records are labelled by (the NORM vs HYP list becomes the equivalent free definition).</summary>
    public PtbXlLabelDefinition LabelDefinition => _definition;

    public EcgSchema Schema => _schema.Value;

    public string Fingerprint => _fingerprint.Value;

    /// <summary>Counts come from the metadata table (no waveform is read); what the labelling dropped is reported with its reason.</summary>
    public string Description
    {
        get
        {
            if (_options.Task == PtbXlTask.AllRecords) return $"PTB-XL {_options.SamplingRate} Hz, 12 leads × 10 s, every record (labels unused)";
            var labels = string.Join(", ", Schema.ClassNames.Select((c, i) => $"{c}={i}"));
            var head = $"PTB-XL {_options.SamplingRate} Hz, 12 leads × 10 s, {(Schema.MultiLabel ? "multi-label" : "labels")} {labels}";
            return _labelling.Value is { } s ? $"{head}; {s.Describe()}" : $"{head}; {_definition.Describe()}; folder {Folder} not found";
        }
    }

    private PtbXlDatabase Open()
    {
        if (!Directory.Exists(Folder) || !File.Exists(Path.Combine(Folder, PtbXlDatabase.DatabaseFile)))
            throw new EcgDataException(
                $"PTB-XL not found: the folder needs {PtbXlDatabase.DatabaseFile}, {PtbXlDatabase.StatementsFile} and records{_options.SamplingRate}/. " +
                $"Download PTB-XL 1.0.3 from https://physionet.org/content/ptb-xl/1.0.3/ and set data.folder, or {ProjectPaths.DataRootVariable} to the folder holding ptbxl/.",
                Folder);
        return PtbXlDatabase.Open(Folder);
    }

    /// <summary>The selection comes from the metadata table; each record's waveform is read when its row is.</summary>
    public EcgDataView Load(CancellationToken cancel = default)
    {
        var db = Open();
        var rate = _options.SamplingRate == 500 ? PtbXlSamplingRate.Hz500 : PtbXlSamplingRate.Hz100;
        int samples = (int)Schema.ItemShape[1];
        IReadOnlyList<PtbXlRecord> records;
        ExampleIndex index;
        if (_options.Task == PtbXlTask.AllRecords)
        {
            records = db.Records;
            var ids = records.Select(r => r.RecordId).ToArray();
            index = new ExampleIndex(ids, records.Select(r => r.PatientId.ToString(CultureInfo.InvariantCulture)).ToArray(), new int[records.Count]);
        }
        else
        {
            var labelling = _labelling.Value ?? db.Label(_definition);
            if (!labelling.ClassNames.SequenceEqual(Schema.ClassNames, StringComparer.Ordinal))
                throw new InvalidOperationException($"the labelling's classes [{string.Join(", ", labelling.ClassNames)}] differ from the schema's [{string.Join(", ", Schema.ClassNames)}]");
            records = labelling.Records.Select(r => r.Record).ToArray();
            var ids = records.Select(r => r.RecordId).ToArray();
            var groups = records.Select(r => r.PatientId.ToString(CultureInfo.InvariantCulture)).ToArray();
            int k = labelling.ClassNames.Count;
            index = Schema.MultiLabel
                ? ExampleIndex.ForLabelSets(ids, groups, labelling.Records.Select(r =>
                {
                    var set = new bool[k];
                    foreach (var c in r.Classes) set[c] = true;
                    return set;
                }).ToArray())
                : new ExampleIndex(ids, groups, labelling.Records.Select(r => r.Classes.Single()).ToArray());
        }
        foreach (var r in records) _foldOf[r.RecordId] = r.StratFold;
        var units = Enumerable.Range(0, records.Count).ToArray();
        return new UnitDataView(Schema, index, units, new int[records.Count], unit =>
        {
            var record = records[unit];
            var signal = db.LoadSignal(record, rate);
            if (signal.LeadCount != 12 || signal.Length != samples)
                throw new EcgDataException($"expected 12 leads × {samples} samples, got {signal.LeadCount} × {signal.Length}", db.RecordPath(record, rate), record: record.RecordId);
            var values = new float[12 * samples];
            for (int l = 0; l < 12; l++)
            {
                int from = signal.IndexOfLead(PtbXlDatabase.StandardLeads[l]);
                signal.Leads[from < 0 ? l : from].CopyTo(values, l * samples);
            }
            return [values];
        }, keep: 64);
    }

    /// <summary>strat_fold 1–8 train, 9 validation, 10 test.</summary>
    public OfficialSplit? Official(EcgDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var train = new List<int>();
        var val = new List<int>();
        var test = new List<int>();
        for (int i = 0; i < data.Count; i++)
        {
            if (!_foldOf.TryGetValue(data.Index.Ids[i], out var fold))
                throw new InvalidOperationException($"example {data.Index.Ids[i]} was not loaded by this PTB-XL source; its strat_fold is unknown");
            (fold <= 8 ? train : fold == 9 ? val : test).Add(i);
        }
        return new OfficialSplit("PTB-XL strat_fold 1–8/9/10", train, val, test);
    }
}
