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
public sealed record Ecg5000SourceOptions
{
    public Ecg5000Classes Classes { get; init; } = Ecg5000Classes.NormalVsAbnormal;
    /// <summary>Folder with ECG5000_TRAIN (.txt, .tsv or .arff); default ecg5000/ under the data root.</summary>
    public string? Folder { get; init; }
}

/// <summary>
/// ECG5000 TRAIN rows as [1 × 140] items (z-normalised beats resampled to 140 points, so no sampling rate).
/// All rows come from one patient (chf07): each row is its own group, and every split of it is intra-patient.
/// No official split here: the 4,500-row TEST file the published protocol trains on is not available (SPEC §3);
/// the small-scale protocol is stratified k-fold inside TRAIN.
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
        Schema = new DataSchema([1, 140], null, classes, ["ECG"]);
        _fingerprint = new Lazy<string>(() => StableHash.Of(
            $"{ReaderVersion}|{JsonSerializer.Serialize(o with { Folder = null })}|{(Directory.Exists(Folder) ? Ecg5000Database.Open(Folder).Fingerprint : "missing")}"));
    }

    public string Folder { get; }
    public DataSchema Schema { get; }
    public string Fingerprint => _fingerprint.Value;

    public string Description =>
        $"ECG5000 TRAIN file (500 × 140, one patient: intra-patient by construction), classes [{string.Join(", ", Schema.ClassNames)}]; " +
        "no official split (the 4,500-row TEST file is not available); small-scale protocol: stratified k-fold inside TRAIN (k-fold not wired yet, use random_stratified)";

    public DataView Load(CancellationToken cancel = default)
    {
        var db = Ecg5000Database.Open(Folder);
        var train = db.Train ?? throw new EcgDataException($"ECG5000_TRAIN (.txt, .tsv or .arff) not found. {ProjectPaths.DataHelp}", Folder);
        if (train.SeriesLength != 140)
            throw new EcgDataException($"ECG5000 rows should have 140 samples, this file has {train.SeriesLength}", train.SourcePath);
        var examples = train.Rows.Select(r =>
        {
            if (r.Label is < 1 or > 5) throw new EcgDataException($"class label {r.Label} is outside 1..5", train.SourcePath, r.SourceLine);
            int label = _options.Classes == Ecg5000Classes.All ? r.Label - 1 : r.Label == Ecg5000Database.NormalClass ? 0 : 1;
            var id = "TRAIN/" + r.Index.ToString(CultureInfo.InvariantCulture);
            return new Example(id, id, r.Values, label);
        }).ToArray();
        return new DataView(Schema, examples);
    }
}
