using System.Globalization;
using System.Text.Json;
using EcgExperiments.Core;
using EcgExperiments.Data.Ucr;
using EcgExperiments.Pipeline;

namespace EcgExperiments.Experiments.Sources;

/// <summary>Label sets of an <see cref="Ecg5000Source"/>.</summary>
public enum Ecg5000Classes
{
    /// <summary>normal (class 1) vs abnormal (classes 2–5).</summary>
    NormalVsAbnormal,
    /// <summary>The five UCR classes in label order 1..5.</summary>
    All,
}

/// <summary>YAML <c>data: { type: ecg5000, … }</c>: the UCR ECG5000 TRAIN file (500 beats × 140 samples).</summary>
public sealed record Ecg5000SourceOptions : DataSourceOptions
{
    public Ecg5000Classes Classes { get; init; } = Ecg5000Classes.NormalVsAbnormal;
    /// <summary>Folder with ECG5000_TRAIN (.txt, .tsv or .arff); default ecg5000/ under the data root.</summary>
    public string? Folder { get; init; }
}

/// <summary>
/// ECG5000 TRAIN rows as [1 × 140] items (z-normalised beats resampled to 140 points, so no sampling rate).
/// All rows come from one patient (chf07): each row is its own group, and every split of it is intra-patient.
/// When the 4,500-row TEST file sits beside TRAIN, its rows are loaded too and the official split is the published
/// protocol of SPEC §2.5: TEST's normal rows, 75/25 train/validation (seeded), and all 500 TRAIN rows as the test
/// set (TEST's abnormal rows are not used). Without it (as in the shared data) only TRAIN is loaded and the
/// small-scale protocol is stratified k-fold inside it (<c>split.kind: kfold</c>).
/// </summary>
public sealed class Ecg5000Source : IDataSource
{
    private const string ReaderVersion = "ecg5000-source-1";
    private readonly Ecg5000SourceOptions _options;
    private readonly Lazy<string> _fingerprint;

    public Ecg5000Source(Ecg5000SourceOptions o)
    {
        _options = o;
        Folder = Path.GetFullPath(o.Folder ?? Path.Combine(ProjectPaths.DataRoot, "ecg5000"));
        string[] classes = o.Classes == Ecg5000Classes.All
            ? Enumerable.Range(1, 5).Select(i => Ecg5000Database.ClassNames[i]).ToArray()
            : ["normal", "abnormal"];
        Schema = new EcgSchema([1, 140], null, classes, ["ECG"]);
        _fingerprint = new Lazy<string>(() => StableHash.Of(
            $"{ReaderVersion}|{JsonSerializer.Serialize(o with { Folder = null })}|{(Directory.Exists(Folder) ? Ecg5000Database.Open(Folder).Fingerprint : "missing")}"));
    }

    public string Folder { get; }
    public EcgSchema Schema { get; }
    public string Fingerprint => _fingerprint.Value;

    public string Description =>
        $"ECG5000 (140-sample beats, one patient: intra-patient by construction), classes [{string.Join(", ", Schema.ClassNames)}]; " +
        (HasTestFile ? "TRAIN (500) + TEST (4,500) rows; official split: TEST normals 75/25 train/validation, TRAIN tested (SPEC §2.5)"
                     : "TRAIN file only (500 rows; the 4,500-row TEST file is absent, so no official split: use stratified k-fold, split.kind kfold)");

    private bool HasTestFile => Directory.Exists(Folder) && Ecg5000Database.Open(Folder).Test is not null;

    /// <summary>The text files hold labels and values together, so the (small) rows are read at once.</summary>
    public EcgDataView Load(CancellationToken cancel = default)
    {
        var db = Ecg5000Database.Open(Folder);
        var train = db.Train ?? throw new EcgDataException($"ECG5000_TRAIN (.txt, .tsv or .arff) not found. {ProjectPaths.DataHelp}", Folder);
        if (train.SeriesLength != 140)
            throw new EcgDataException($"ECG5000 rows should have 140 samples, this file has {train.SeriesLength}", train.SourcePath);
        var parts = db.Test is { } t ? new[] { ("TRAIN", train), ("TEST", t) } : [("TRAIN", train)];
        var ids = new List<string>();
        var labels = new List<int>();
        var rows = new List<float[]>();
        foreach (var (name, part) in parts)
        {
            if (part.SeriesLength != 140)
                throw new EcgDataException($"ECG5000 rows should have 140 samples, this file has {part.SeriesLength}", part.SourcePath);
            foreach (var r in part.Rows)
            {
                if (r.Label is < 1 or > 5) throw new EcgDataException($"class label {r.Label} is outside 1..5", part.SourcePath, r.SourceLine);
                ids.Add(name + "/" + r.Index.ToString(CultureInfo.InvariantCulture));
                labels.Add(_options.Classes == Ecg5000Classes.All ? r.Label - 1 : r.Label == Ecg5000Database.NormalClass ? 0 : 1);
                // A row shorter than the file's (its tail read as NaN padding) keeps its length with NaN, so the
                // data.non_finite policy names it or deals with it like any other missing sample.
                rows.Add(r.Values.Length == 140 ? r.Values : [.. r.Values, .. Enumerable.Repeat(float.NaN, 140 - r.Values.Length)]);
            }
        }
        return new InMemoryDataView(Schema, new ExampleIndex(ids, ids, labels), rows);
    }

    /// <summary>SPEC §2.5 published protocol: TEST normals 75/25 train/validation (seed 2005), TRAIN tested; null without TEST.</summary>
    public OfficialSplit? Official(EcgDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var ids = data.Index.Ids;
        var testRows = Enumerable.Range(0, data.Count).Where(i => ids[i].StartsWith("TRAIN/", StringComparison.Ordinal)).ToList();
        var normals = Enumerable.Range(0, data.Count).Where(i => ids[i].StartsWith("TEST/", StringComparison.Ordinal) && IsNormal(data.Index.Labels[i])).ToArray();
        if (normals.Length == 0) return null;
        var rng = new SplitMix64(2005);
        rng.Shuffle(normals);
        int nTrain = (int)Math.Round(0.75 * normals.Length);
        return new OfficialSplit("ECG5000 published: TEST normals 75/25 train/validation, TRAIN tested", normals[..nTrain].Order().ToList(), normals[nTrain..].Order().ToList(), testRows);
    }

    private bool IsNormal(int label) => _options.Classes == Ecg5000Classes.All ? label == Ecg5000Database.NormalClass - 1 : label == 0;
}
