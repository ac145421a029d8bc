using System.Globalization;
using System.Text.Json;
using EcgExperiments.Core;
using EcgExperiments.Data;
using EcgExperiments.Data.WfdbFolder;
using EcgExperiments.Pipeline;

namespace EcgExperiments.Experiments.Sources;

/// <summary>
/// YAML <c>data: { type: wfdb_folder, … }</c>: the researcher's own folder of WFDB records with a labels CSV (columns
/// <c>record</c>, <c>label</c> — or <c>labels</c>, <c>;</c>-separated, for a multi-label study —, <c>patient_id</c> and
/// optionally <c>fold</c>; see <see cref="WfdbFolderOptions"/>). Leads, rate, length and classes are given here because
/// the item shape and the model's outputs are known before any file is read.
/// </summary>
/// <example><code>
/// data:
///   type: wfdb_folder
///   folder: my-study               # relative to the data root ($ECG_DATA_ROOT), or absolute
///   labels_csv: labels.csv
///   classes: [NORM, MI]
///   leads: [I, II, V1, V2, V3, V4, V5, V6]
///   target_rate: 100               # records at other rates are resampled
///   seconds: 10                    # longer records are cut, shorter ones zero-padded
///   test_folds: ["10"]             # fold column of numbers; with train/val/test words leave these out
///   validation_folds: ["9"]
/// </code></example>
public sealed record WfdbFolderSourceOptions : DataSourceOptions, IValidatable
{
    /// <summary>Folder holding the records; a relative path is taken from the data root.</summary>
    public string Folder { get; init; } = "";

    /// <summary>The labels CSV, relative to <see cref="Folder"/> or absolute.</summary>
    public string LabelsCsv { get; init; } = "labels.csv";

    /// <summary>The classes in label order; a CSV label outside them is an error naming the row.</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>The CSV has a <c>labels</c> column (any number of labels per record): a multi-label study.</summary>
    public bool MultiLabel { get; init; }

    /// <summary>Leads to read, by name (case-insensitive), in this order; every record must have them.</summary>
    public IReadOnlyList<string> Leads { get; init; } = [];

    /// <summary>Sampling rate of the items in Hz; records stored at another rate are resampled to it.</summary>
    public double TargetRate { get; init; }

    /// <summary>Length of the items in seconds: longer records keep their first <c>seconds</c>, shorter ones are zero-padded at the end.</summary>
    public double Seconds { get; init; } = 10;

    /// <summary>Official split from a fold column of numbers: the folds that test (e.g. ["10"]); null when the column holds train/val/test.</summary>
    public IReadOnlyList<string>? TestFolds { get; init; }

    /// <summary>Official split from a fold column of numbers: the folds that validate (e.g. ["9"]).</summary>
    public IReadOnlyList<string>? ValidationFolds { get; init; }

    /// <summary>Name, licence and citation on the dataset card.</summary>
    public string? Name { get; init; }
    public string? Licence { get; init; }
    public string? Citation { get; init; }

    /// <summary>Samples per item: <see cref="Seconds"/> at <see cref="TargetRate"/>.</summary>
    public int Samples => (int)Math.Round(Seconds * TargetRate);

    /// <summary>The folder once the data root is applied.</summary>
    public string ResolvedFolder => Path.GetFullPath(Path.IsPathRooted(Folder) ? Folder : Path.Combine(ProjectPaths.DataRoot, Folder));

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Folder)) throw new ArgumentException("data.folder: the folder holding your WFDB records (relative to the data root, or absolute)");
        if (Classes.Count < (MultiLabel ? 1 : 2))
            throw new ArgumentException($"data.classes: list the {(MultiLabel ? "labels" : "classes")} in label order (e.g. [NORM, MI]); a {(MultiLabel ? "multi-label study needs one" : "single-label study needs two")} or more");
        if (Leads.Count == 0) throw new ArgumentException("data.leads: list the leads to read by name, e.g. [I, II, V1]");
        if (!(TargetRate > 0 && double.IsFinite(TargetRate))) throw new ArgumentException($"data.target_rate: the items' sampling rate in Hz (records at other rates are resampled), got {TargetRate}");
        if (!(Seconds > 0 && double.IsFinite(Seconds)) || Samples < 2) throw new ArgumentException($"data.seconds must give at least 2 samples at {TargetRate} Hz, got {Seconds}");
        if (ValidationFolds is not null && TestFolds is null) throw new ArgumentException("data.validation_folds needs data.test_folds (the folds that test)");
        new WfdbFolderOptions { Folder = Folder, LabelsCsv = LabelsCsv, Leads = Leads, TargetRate = TargetRate, Classes = Classes }.Validate();
    }
}

/// <summary>
/// A researcher's WFDB folder (<see cref="WfdbFolderDatabase"/>) as [leads × samples] items at the target rate, labelled
/// by its CSV: one class per record, or label sets. Group = patient_id, so random and k-fold splits keep a patient's
/// records together and the runner's leakage guard checks every split; the official split is the CSV's fold column
/// (train/val/test words, or fold numbers with <c>test_folds</c>/<c>validation_folds</c>), refused by the data layer's
/// guard when a patient spans parts. Signals are read when their rows are; the description says what was resampled,
/// cut or padded.
/// </summary>
public sealed class WfdbFolderSource : IDataSource
{
    private const string ReaderVersion = "wfdb-folder-source-1";
    private readonly WfdbFolderSourceOptions _options;
    private readonly Lazy<string> _fingerprint;
    private string? _loaded;

    public WfdbFolderSource(WfdbFolderSourceOptions o)
    {
        o.Validate();
        _options = o;
        Folder = o.ResolvedFolder;
        Schema = new EcgSchema([o.Leads.Count, o.Samples], o.TargetRate, o.Classes.ToArray(), o.Leads.ToArray()) { MultiLabel = o.MultiLabel };
        _fingerprint = new Lazy<string>(() => StableHash.Of(
            $"{ReaderVersion}|{JsonSerializer.Serialize(o with { Folder = "" })}|{(Directory.Exists(Folder) ? Open().Fingerprint : "missing")}"));
    }

    public string Folder { get; }
    public EcgSchema Schema { get; }
    public string Fingerprint => _fingerprint.Value;

    public string Description =>
        $"WFDB folder {_options.Name ?? Path.GetFileName(Folder.TrimEnd(Path.DirectorySeparatorChar))} ({_options.LabelsCsv}), " +
        $"{(_options.MultiLabel ? "multi-label" : "classes")} [{string.Join(", ", _options.Classes)}], leads [{string.Join(", ", _options.Leads)}] " +
        $"at {_options.TargetRate.ToString("0.###", CultureInfo.InvariantCulture)} Hz × {_options.Seconds.ToString("0.###", CultureInfo.InvariantCulture)} s" +
        (_loaded is null ? "" : $"; {_loaded}");

    private WfdbFolderDatabase Open() => WfdbFolderDatabase.Open(new WfdbFolderOptions
    {
        Folder = Folder,
        LabelsCsv = _options.LabelsCsv,
        Leads = _options.Leads,
        TargetRate = _options.TargetRate,
        Classes = _options.Classes,
        Name = _options.Name,
        Licence = _options.Licence,
        Citation = _options.Citation,
    });

    /// <summary>Reads and checks the CSV and every header now; each record's signal when its row is read.</summary>
    public EcgDataView Load(CancellationToken cancel = default)
    {
        var db = Open();
        var csv = Path.GetFileName(db.Options.LabelsPath);
        if (db.Kind == ClassificationKind.MultiLabel != _options.MultiLabel)
            throw new EcgDataException(_options.MultiLabel
                ? $"data.multi_label is true but {csv} has a 'label' column (one class per record); name the column 'labels' or set multi_label: false"
                : $"{csv} has a 'labels' column (several labels per record): set data.multi_label: true for a multi-label study", db.Options.LabelsPath, 1);
        var records = db.Records;
        var ids = records.Select(r => r.RecordId).ToArray();
        var groups = records.Select(r => r.PatientId).ToArray();
        int k = _options.Classes.Count;
        var index = _options.MultiLabel
            ? ExampleIndex.ForLabelSets(ids, groups, ids.Select(id =>
            {
                var set = new bool[k];
                foreach (var c in db.ClassIndices(id)) set[c] = true;
                return set;
            }).ToArray())
            : new ExampleIndex(ids, groups, ids.Select(id => db.ClassIndices(id).Single()).ToArray());

        int samples = _options.Samples, leads = _options.Leads.Count;
        var lengths = records.Select(r => r.Header.SampleCount is { } n
            ? Signals.Resampling.Resample.OutputLength(checked((int)n), r.Header.SamplingFrequency * r.Header.Signals[r.Header.IndexOfSignal(db.Leads[0])].SamplesPerFrame, db.SamplingRate)
            : (int?)null).ToArray();
        int cut = lengths.Count(n => n > samples), padded = lengths.Count(n => n < samples);
        var counts = db.ClassNames.Select((c, i) => $"{c} {ids.Count(id => db.ClassIndices(id).Contains(i)).ToString(CultureInfo.InvariantCulture)}");
        _loaded = $"{records.Count} records of {records.Select(r => r.PatientId).Distinct().Count()} patients ({string.Join(", ", counts)})" +
                  (_options.MultiLabel ? $", {records.Count(r => r.Labels.Count > 1)} with several labels, {records.Count(r => r.Labels.Count == 0)} with none" : "") +
                  (db.ResampledRecords.Count > 0 ? $"; {db.ResampledRecords.Count} resampled to {db.SamplingRate.ToString("0.###", CultureInfo.InvariantCulture)} Hz" : "") +
                  (cut > 0 ? $"; {cut} cut to {_options.Seconds.ToString("0.###", CultureInfo.InvariantCulture)} s" : "") +
                  (padded > 0 ? $"; {padded} zero-padded to {_options.Seconds.ToString("0.###", CultureInfo.InvariantCulture)} s" : "");

        var units = Enumerable.Range(0, records.Count).ToArray();
        return new UnitDataView(Schema, index, units, new int[records.Count], unit =>
        {
            var signal = db.LoadSignal(ids[unit]);
            var values = new float[leads * samples];
            for (int l = 0; l < leads; l++)
                signal.Leads[l].AsSpan(0, Math.Min(samples, signal.Length)).CopyTo(values.AsSpan(l * samples, samples));
            return [values];
        }, keep: 64);
    }

    /// <summary>The fold column: train/val/test words, or fold numbers with <c>test_folds</c>/<c>validation_folds</c>; patients may not span parts.</summary>
    public OfficialSplit? Official(EcgDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var db = Open();
        var split = _options.TestFolds is { } test ? db.FoldSplit(test, _options.ValidationFolds ?? []) : db.OfficialSplit();
        var row = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < data.Count; i++) row[data.Index.Ids[i]] = i;
        IReadOnlyList<int> Part(string name) => split.Parts.FirstOrDefault(p => p.Name == name)?.Members.Select(m => row[m]).Order().ToList() ?? [];
        return new OfficialSplit(split.Description ?? "fold column", Part("train"), Part("val"), Part("test"));
    }
}
