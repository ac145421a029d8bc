using System.Globalization;
using System.Text.Json;
using EcgExperiments.Core;
using EcgExperiments.Data.Ucr;
using EcgExperiments.Pipeline;
using EcgExperiments.Signals.Resampling;

namespace EcgExperiments.Experiments.Sources;

/// <summary>How a UCR series whose length is not <see cref="UcrSourceOptions.Length"/> becomes that length.</summary>
public enum UcrResize
{
    /// <summary>Every series must have the length already; one that does not is an error naming its file and line.</summary>
    None,
    /// <summary>Longer series are cut at the end, shorter ones padded with zeros at the end.</summary>
    ZeroPad,
    /// <summary>Linear interpolation of each series to the length (the archive's own recipe for its equal-length versions).</summary>
    Interpolate,
}

/// <summary>
/// YAML <c>data: { type: ucr, name:, folder:, classes:, length: }</c>: any dataset in the UCR archive's format.
/// </summary>
/// <example><code>
/// data:
///   type: ucr
///   name: TwoLeadECG
///   folder: ucr/TwoLeadECG          # or the archive root holding TwoLeadECG/
///   classes: { lead_a: [1], lead_b: [2] }
///   length: 82
/// </code></example>
public sealed record UcrSourceOptions : DataSourceOptions, IValidatable
{
    /// <summary>Dataset name, the prefix of its <c>_TRAIN</c>/<c>_TEST</c> files (e.g. ECG5000, ECG200, TwoLeadECG).</summary>
    public string Name { get; init; } = "";

    /// <summary>
    /// Folder holding the files (or the archive root with a <c>&lt;Name&gt;/</c> folder), relative to the data root or
    /// absolute; default: the preset's folder, else the name in lower case, under the data root.
    /// </summary>
    public string? Folder { get; init; }

    /// <summary>
    /// Class name → the integer labels it groups, in label order (e.g. <c>{ normal: [1], abnormal: [2, 3, 4, 5] }</c>);
    /// rows with a label no class lists are an error naming the file and line. Null: a known set's labels, each its own class.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>>? Classes { get; init; }

    /// <summary>Samples per series (the item shape is [1 × length]); null: a known set's length.</summary>
    public int? Length { get; init; }

    /// <summary>What to do with series of another length (variable-length sets of the 2018 archive).</summary>
    public UcrResize Resize { get; init; } = UcrResize.None;

    /// <summary>The official split (TRAIN/TEST files): share of TRAIN rows that validate, stratified by class and seeded.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    public int ValidationSeed { get; init; } = 2018;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("data.name: the UCR dataset's name, the prefix of its _TRAIN/_TEST files (e.g. ECG200)");
        var preset = UcrPresets.Find(Name);
        if (Classes is null && preset is null)
            throw new ArgumentException($"data.classes: {Name} is not a set the framework knows, so name its classes by label, e.g. {{ normal: [1], abnormal: [-1] }}");
        if (Length is null && preset?.SeriesLength is null)
            throw new ArgumentException($"data.length: samples per {Name} series are needed before the files are read (the item shape is [1 × length])");
        if (Length is < 2) throw new ArgumentException($"data.length must be ≥ 2, got {Length}");
        if (Classes is { } classes)
        {
            if (classes.Count < 2) throw new ArgumentException($"data.classes needs at least two classes, got {classes.Count}");
            var seen = new Dictionary<int, string>();
            foreach (var (name, labels) in classes)
            {
                if (labels.Count == 0) throw new ArgumentException($"data.classes.{name} lists no label");
                foreach (var l in labels)
                    if (!seen.TryAdd(l, name)) throw new ArgumentException($"data.classes: label {l} is in both '{seen[l]}' and '{name}'");
            }
        }
        if (ValidationFraction is < 0 or >= 1) throw new ArgumentException($"data.validation_fraction must be in [0, 1), got {ValidationFraction}");
    }
}

/// <summary>
/// A UCR-format dataset (<see cref="UcrDatabase"/>) as [1 × length] items without a sampling rate. UCR files carry no
/// patient ids: each row is its own group, so splits are example-level (intra-patient where the set comes from few
/// patients, as ECG5000 does). The official split is the archive's files: TRAIN (less a stratified, seeded validation
/// share) / TEST; with one of them absent there is none, and the error says to use k-fold inside the rows present.
/// </summary>
public sealed class UcrSource : IDataSource
{
    private const string ReaderVersion = "ucr-source-1";
    private readonly UcrSourceOptions _options;
    private readonly UcrPreset? _preset;
    private readonly (string Name, int[] Labels)[] _classes;
    private readonly Lazy<string> _fingerprint;
    private string? _loaded;

    public UcrSource(UcrSourceOptions o)
    {
        o.Validate();
        _options = o;
        _preset = UcrPresets.Find(o.Name);
        _classes = o.Classes is { } given
            ? given.Select(kv => (kv.Key, kv.Value.ToArray())).ToArray()
            : _preset!.ClassNames.OrderBy(kv => kv.Key).Select(kv => (kv.Value, new[] { kv.Key })).ToArray();
        Length = o.Length ?? _preset!.SeriesLength!.Value;
        Folder = new UcrDatabaseOptions(o.Name, o.Folder is { } f && !Path.IsPathRooted(f) ? Path.Combine(ProjectPaths.DataRoot, f) : o.Folder).ResolvedFolder;
        Schema = new EcgSchema([1, Length], null, _classes.Select(c => c.Name).ToArray(), ["ECG"]);
        _fingerprint = new Lazy<string>(() => StableHash.Of(
            $"{ReaderVersion}|{JsonSerializer.Serialize(o with { Folder = null })}|{(Directory.Exists(Folder) ? Open().Fingerprint : "missing")}"));
    }

    public string Folder { get; }

    /// <summary>Samples per item.</summary>
    public int Length { get; }

    public EcgSchema Schema { get; }

    public string Fingerprint => _fingerprint.Value;

    public string Description =>
        $"UCR {_options.Name} ([1 × {Length}] series{(_options.Resize == UcrResize.None ? "" : $", {JsonNamingPolicy.SnakeCaseLower.ConvertName(_options.Resize.ToString())} to {Length}")}; " +
        $"no patient ids, so every split is example-level), classes [{string.Join(", ", _classes.Select(c => $"{c.Name} = {{{string.Join(", ", c.Labels)}}}"))}]" +
        (_loaded is null ? "" : $"; {_loaded}");

    private UcrDatabase Open() => UcrDatabase.Open(new UcrDatabaseOptions(_options.Name, Folder));

    /// <summary>The text files hold labels and values together, so the rows are read at once.</summary>
    public EcgDataView Load(CancellationToken cancel = default)
    {
        var db = Open();
        var classOf = new Dictionary<int, int>();
        for (int c = 0; c < _classes.Length; c++)
            foreach (var l in _classes[c].Labels) classOf[l] = c;
        var ids = new List<string>();
        var labels = new List<int>();
        var rows = new List<float[]>();
        int resized = 0;
        foreach (var (part, data) in new[] { ("TRAIN", db.Train), ("TEST", db.Test) })
        {
            if (data is null) continue;
            foreach (var r in data.Rows)
            {
                cancel.ThrowIfCancellationRequested();
                if (!classOf.TryGetValue(r.Label, out var c))
                    throw new EcgDataException(
                        $"label {r.Label} is in no class of data.classes [{string.Join(", ", _classes.Select(x => $"{x.Name} = {{{string.Join(", ", x.Labels)}}}"))}]; add it to a class",
                        data.SourcePath, r.SourceLine);
                var values = r.Values;
                if (values.Length != Length)
                {
                    values = _options.Resize switch
                    {
                        UcrResize.ZeroPad => ZeroPad(values, Length),
                        UcrResize.Interpolate => Interpolate.LinearToLength(values, Length),
                        _ => throw new EcgDataException(
                            $"series has {values.Length} samples, data.length is {Length}; set data.length to the set's length or data.resize to zero_pad or interpolate",
                            data.SourcePath, r.SourceLine),
                    };
                    resized++;
                }
                ids.Add($"{part}/{r.Index.ToString(CultureInfo.InvariantCulture)}");
                labels.Add(c);
                rows.Add(values);
            }
        }
        var counts = _classes.Select((c, i) => $"{c.Name} {labels.Count(l => l == i).ToString(CultureInfo.InvariantCulture)}");
        _loaded = $"{rows.Count} rows ({string.Join(", ", counts)}); " +
                  (db.MissingParts.Count == 0 ? "TRAIN and TEST files" : $"{string.Join(" and ", db.MissingParts)} file absent") +
                  (resized > 0 ? $"; {resized} series resized to {Length}" : "");
        return new InMemoryDataView(Schema, new ExampleIndex(ids, ids, labels), rows);
    }

    private static float[] ZeroPad(float[] values, int length)
    {
        var result = new float[length];
        values.AsSpan(0, Math.Min(length, values.Length)).CopyTo(result);
        return result;
    }

    /// <summary>The archive's files: TRAIN (less a stratified validation share) / TEST. Refused when either file is absent.</summary>
    public OfficialSplit? Official(EcgDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var train = Enumerable.Range(0, data.Count).Where(i => data.Index.Ids[i].StartsWith("TRAIN/", StringComparison.Ordinal)).ToArray();
        var test = Enumerable.Range(0, data.Count).Where(i => data.Index.Ids[i].StartsWith("TEST/", StringComparison.Ordinal)).ToList();
        if (train.Length == 0 || test.Count == 0)
            throw new EcgDataException(
                $"the archive's TRAIN/TEST split needs both files; {(train.Length == 0 ? $"{_options.Name}_TRAIN" : $"{_options.Name}_TEST")} is absent here. " +
                "Bring the missing file, or use split.kind: kfold (stratified folds inside the rows present)", Folder);
        var strata = train.Select(i => data.Index.Labels[i].ToString(CultureInfo.InvariantCulture)).ToList();
        var parts = Data.Splits.StratifiedSplitter.SplitIndices(strata, [1 - _options.ValidationFraction, _options.ValidationFraction], _options.ValidationSeed);
        return new OfficialSplit($"UCR {_options.Name} TRAIN/TEST files ({_options.ValidationFraction:0.##} of TRAIN validates)",
            parts[0].Select(i => train[i]).Order().ToList(), parts[1].Select(i => train[i]).Order().ToList(), test);
    }
}
