using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using EcgExperiments.Core;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.Pipeline;

namespace EcgExperiments.Experiments.Sources;

/// <summary>Tasks a <see cref="PtbXlSource"/> can pose.</summary>
public enum PtbXlTask
{
    /// <summary>SPEC §2.1: NORM vs HYP diagnostic superclass.</summary>
    NormVsHyp,
    /// <summary>Every record, one class "ecg" (SPEC §2.3 reconstruction: labels play no part).</summary>
    AllRecords,
}

/// <summary>YAML <c>data: { type: ptbxl, … }</c>: PTB-XL records, 12 leads × 10 s.</summary>
public sealed record PtbXlSourceOptions : DataSourceOptions
{
    public PtbXlTask Task { get; init; } = PtbXlTask.NormVsHyp;
    /// <summary>What to do with multi-label records (default SPEC §2.1: NORM-only vs any-HYP, the rest dropped and counted).</summary>
    public MultiLabelPolicy Policy { get; init; } = MultiLabelPolicy.NegativeOnlyVersusAnyPositive;
    /// <summary>Class order = label index. The published protocol uses [HYP, NORM] (HYP → 0, NORM → 1).</summary>
    public IReadOnlyList<string> Labels { get; init; } = ["NORM", "HYP"];
    /// <summary>100 (records100/) or 500 (records500/) Hz.</summary>
    public int SamplingRate { get; init; } = 100;
    /// <summary>Folder with ptbxl_database.csv; default ptbxl/ under the data root ($ECG_DATA_ROOT).</summary>
    public string? Folder { get; init; }
}

/// <summary>
/// PTB-XL for a binary superclass task. The schema ([12 × 1000] at 100 Hz, [12 × 5000] at 500 Hz) is known from the
/// options; tables and waveforms are read on <see cref="Load"/>. Group = patient_id; the official split is
/// strat_fold 1–8 / 9 / 10 (patient-safe by construction).
/// </summary>
public sealed class PtbXlSource : IDataSource
{
    private const string ReaderVersion = "ptbxl-source-1";
    private readonly PtbXlSourceOptions _options;
    private readonly Lazy<BinaryTaskSelection?> _selection;
    private readonly Lazy<string> _fingerprint;
    private readonly ConcurrentDictionary<string, int> _foldOf = new(StringComparer.Ordinal);

    public PtbXlSource(PtbXlSourceOptions o)
    {
        _options = o;
        if (o.SamplingRate is not (100 or 500)) throw new ArgumentException($"data.sampling_rate must be 100 or 500 (the rates PTB-XL ships), got {o.SamplingRate}");
        var want = new[] { "NORM", "HYP" };
        if (o.Task == PtbXlTask.NormVsHyp && (o.Labels.Count != 2 || want.Any(w => !o.Labels.Contains(w, StringComparer.Ordinal))))
            throw new ArgumentException($"data.labels must list NORM and HYP once each, in label order (e.g. [HYP, NORM]); got [{string.Join(", ", o.Labels)}]");
        Folder = Path.GetFullPath(o.Folder ?? Path.Combine(ProjectPaths.DataRoot, "ptbxl"));
        Schema = new EcgSchema([12, 10 * o.SamplingRate], o.SamplingRate, o.Task == PtbXlTask.AllRecords ? ["ecg"] : o.Labels.ToArray(), PtbXlDatabase.StandardLeads);
        _selection = new Lazy<BinaryTaskSelection?>(() => Directory.Exists(Folder) && o.Task == PtbXlTask.NormVsHyp ? Open().SelectBinaryTask(TaskOptions) : null);
        _fingerprint = new Lazy<string>(() => StableHash.Of(
            $"{ReaderVersion}|{JsonSerializer.Serialize(o with { Folder = null })}|{(Directory.Exists(Folder) ? Open().Fingerprint : "missing")}"));
    }

    /// <summary>Resolved data folder.</summary>
    public string Folder { get; }

    private BinaryTaskOptions TaskOptions => new() { PositiveClass = "HYP", NegativeClass = "NORM", Policy = _options.Policy };

    public EcgSchema Schema { get; }

    public string Fingerprint => _fingerprint.Value;

    /// <summary>Counts come from the metadata table (no waveform is read); dropped multi-label records are reported.</summary>
    public string Description
    {
        get
        {
            var labels = string.Join(", ", Schema.ClassNames.Select((c, i) => $"{c}={i}"));
            if (_options.Task == PtbXlTask.AllRecords) return $"PTB-XL {_options.SamplingRate} Hz, 12 leads × 10 s, every record (labels unused)";
            var head = $"PTB-XL {_options.SamplingRate} Hz, 12 leads × 10 s, labels {labels}";
            return _selection.Value is { } s ? $"{head}; {s.Describe()}" : $"{head}; folder {Folder} not found";
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
        var selection = _options.Task == PtbXlTask.AllRecords
            ? db.Records.Select(r => new BinaryTaskMember(r.EcgId, false, "ecg", r.PatientId, r.StratFold)).ToList()
            : (_selection.Value ?? db.SelectBinaryTask(TaskOptions)).Members;
        var rate = _options.SamplingRate == 500 ? PtbXlSamplingRate.Hz500 : PtbXlSamplingRate.Hz100;
        int samples = (int)Schema.ItemShape[1];
        foreach (var m in selection) _foldOf[m.RecordId] = m.StratFold;
        var index = new ExampleIndex(
            selection.Select(m => m.RecordId).ToArray(),
            selection.Select(m => m.PatientId.ToString(CultureInfo.InvariantCulture)).ToArray(),
            selection.Select(m => IndexOf(m.ClassName)).ToArray());
        var units = Enumerable.Range(0, selection.Count).ToArray();
        return new UnitDataView(Schema, index, units, new int[selection.Count], unit =>
        {
            var m = selection[unit];
            var signal = db.LoadSignal(db.Get(m.EcgId), rate);
            if (signal.LeadCount != 12 || signal.Length != samples)
                throw new EcgDataException($"expected 12 leads × {samples} samples, got {signal.LeadCount} × {signal.Length}", db.RecordPath(db.Get(m.EcgId), rate), record: m.RecordId);
            var values = new float[12 * samples];
            for (int l = 0; l < 12; l++)
            {
                int from = signal.IndexOfLead(PtbXlDatabase.StandardLeads[l]);
                signal.Leads[from < 0 ? l : from].CopyTo(values, l * samples);
            }
            return [values];
        }, keep: 64);
    }

    private int IndexOf(string className)
    {
        for (int i = 0; i < Schema.ClassNames.Count; i++)
            if (Schema.ClassNames[i] == className) return i;
        throw new InvalidOperationException($"class {className} is not in data.labels");
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
