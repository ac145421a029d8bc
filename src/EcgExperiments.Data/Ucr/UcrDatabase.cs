using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Data.Splits;

namespace EcgExperiments.Data.Ucr;

/// <summary>
/// What the project knows about a named UCR dataset beyond its files: class names, licence, citation, patients and
/// the sizes of the archive's files, for its card. <see cref="UcrPresets"/> lists them.
/// </summary>
/// <param name="Name">Dataset name as the archive spells it, e.g. "ECG5000".</param>
/// <param name="DataFolder">Folder under the data root that holds it by default, e.g. "ecg5000".</param>
/// <param name="ClassNames">Names of the integer labels.</param>
/// <param name="Licence">Licence of the data.</param>
/// <param name="Citation">How to cite it.</param>
/// <param name="Patients">Distinct patients, when known.</param>
/// <param name="TrainRows">Rows of the archive's TRAIN file.</param>
/// <param name="TestRows">Rows of the archive's TEST file.</param>
/// <param name="Notes">Provenance notes for the card.</param>
public sealed record UcrPreset(string Name, string DataFolder, IReadOnlyDictionary<int, string> ClassNames, string Licence, string Citation,
    int? Patients, int? TrainRows, int? TestRows, IReadOnlyList<string> Notes)
{
    /// <summary>Samples per series, when every series has the same known length.</summary>
    public int? SeriesLength { get; init; }
}

/// <summary>Named UCR datasets with their card facts.</summary>
public static class UcrPresets
{
    /// <summary>ECG5000: 140-sample beats of one patient (chf07), classes 1–5, class 1 normal.</summary>
    public static UcrPreset Ecg5000 { get; } = new("ECG5000", "ecg5000",
        new Dictionary<int, string> { [1] = "Normal", [2] = "R-on-T PVC", [3] = "PVC", [4] = "SP or EB", [5] = "UB" },
        "UCR Time Series Classification Archive terms (free for research; cite the archive)",
        "Dau H.A. et al., The UCR Time Series Classification Archive; Chen Y. et al., A general framework for never-ending " +
        "learning from time series streams, DMKD 29(6) (2015); Goldberger A.L. et al., PhysioNet (2000).",
        Patients: 1, TrainRows: 500, TestRows: 4500,
        [
            "Beats extracted from record chf07 of the BIDMC Congestive Heart Failure Database and interpolated to 140 samples; z-normalised per beat.",
            "All rows come from one patient: any split is intra-patient.",
        ]) { SeriesLength = 140 };

    /// <summary>Every preset.</summary>
    public static IReadOnlyList<UcrPreset> All { get; } = [Ecg5000];

    /// <summary>The preset named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static UcrPreset? Find(string name) => All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Any dataset in the UCR archive's format: <c>&lt;Name&gt;_TRAIN</c> and <c>&lt;Name&gt;_TEST</c> files (.tsv, .txt
/// or .arff), label first, univariate series of any length (NaN-padded variable-length sets included). YAML binds to
/// it as <c>data: { type: ucr, folder:, name: }</c>.
/// </summary>
/// <param name="Name">Dataset name, the prefix of its files, e.g. "ECG5000", "TwoLeadECG".</param>
/// <param name="Folder">Folder holding the files, or the archive root holding a <c>&lt;Name&gt;/</c> folder as the 2018 archive does; null: the preset's folder (or the name in lower case) under the data root.</param>
public sealed record UcrDatabaseOptions(string Name, string? Folder = null)
{
    /// <summary>The folder to look in once defaults are applied.</summary>
    public string ResolvedFolder => Path.GetFullPath(Folder ?? Path.Combine(ProjectPaths.DataRoot, UcrPresets.Find(Name)?.DataFolder ?? Name.ToLowerInvariant()));
}

/// <summary>
/// A UCR-format dataset on disk. Whichever of TRAIN and TEST exist are loaded; a missing part is reported in
/// <see cref="MissingParts"/> (and the card) rather than failing, so a protocol can decide what to do without it.
/// Record ids are "TRAIN/i" and "TEST/i" (row index).
/// </summary>
/// <example><code>
/// var ucr = UcrDatabase.Open(new UcrDatabaseOptions("ECG5000", "/data/ecg5000"));
/// if (ucr.Test is null) Console.WriteLine(string.Join(", ", ucr.MissingParts));   // "TEST"
/// UcrSeries first = ucr.Get("TRAIN/0");
/// </code></example>
public sealed class UcrDatabase : IEcgDatabase
{
    /// <summary>The two parts of a UCR dataset.</summary>
    public static readonly IReadOnlyList<string> PartNames = ["TRAIN", "TEST"];

    private static readonly string[] Extensions = [".txt", ".tsv", ".arff"];
    private readonly Lazy<string> _fingerprint;

    private UcrDatabase(string name, string folder, UcrDataset? train, UcrDataset? test, UcrPreset? preset)
    {
        Name = name;
        Folder = folder;
        Train = train;
        Test = test;
        Preset = preset;
        _fingerprint = new Lazy<string>(() => StableHash.OfSequence(Parts().Select(p => StableHash.Of(File.ReadAllBytes(p.Data.SourcePath)))));
    }

    public string Name { get; }
    public string Folder { get; }

    /// <summary>The TRAIN file, or null when absent.</summary>
    public UcrDataset? Train { get; }

    /// <summary>The TEST file, or null when absent.</summary>
    public UcrDataset? Test { get; }

    /// <summary>The project's facts about this dataset when it is a known one (e.g. ECG5000), else null.</summary>
    public UcrPreset? Preset { get; }

    /// <summary>Parts whose file is absent ("TRAIN", "TEST"); empty when both are present.</summary>
    public IReadOnlyList<string> MissingParts => PartNames.Where(p => (p == "TRAIN" ? Train : Test) is null).ToArray();

    public IReadOnlyList<string> RecordIds => Parts().SelectMany(p => p.Data.Rows.Select(r => Id(p.Name, r.Index))).ToArray();

    public string Fingerprint => _fingerprint.Value;

    /// <summary>Opens the dataset <paramref name="options"/> names; fails only when neither TRAIN nor TEST is there.</summary>
    public static UcrDatabase Open(UcrDatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Name)) throw new ArgumentException("a UCR dataset needs a name, e.g. ECG5000 (the prefix of its _TRAIN/_TEST files)", nameof(options));
        var folder = options.ResolvedFolder;
        if (!Directory.Exists(folder)) throw new EcgDataException($"UCR folder for {options.Name} not found. {ProjectPaths.DataHelp}", folder);
        // the 2018 archive keeps each dataset in its own folder: <root>/<Name>/<Name>_TRAIN.tsv
        var nested = Directory.EnumerateDirectories(folder).FirstOrDefault(d => string.Equals(Path.GetFileName(d), options.Name, StringComparison.OrdinalIgnoreCase));
        if (Find(folder, options.Name, "TRAIN") is null && Find(folder, options.Name, "TEST") is null && nested is not null) folder = nested;
        var train = Find(folder, options.Name, "TRAIN");
        var test = Find(folder, options.Name, "TEST");
        if (train is null && test is null)
            throw new EcgDataException(
                $"neither {options.Name}_TRAIN nor {options.Name}_TEST (.tsv, .txt or .arff) is in this folder or in {options.Name}/ below it. {ProjectPaths.DataHelp}", folder);
        var preset = UcrPresets.Find(options.Name);
        return new UcrDatabase(preset?.Name ?? options.Name, folder, train is null ? null : UcrDataset.Load(train), test is null ? null : UcrDataset.Load(test), preset);
    }

    /// <summary>The series behind a record id "TRAIN/i" or "TEST/i".</summary>
    public UcrSeries Get(string recordId)
    {
        ArgumentNullException.ThrowIfNull(recordId);
        var slash = recordId.IndexOf('/');
        var part = slash > 0 ? Parts().FirstOrDefault(p => p.Name == recordId[..slash]) : default;
        if (part.Data is null || !int.TryParse(recordId[(slash + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
            || i < 0 || i >= part.Data.Rows.Count)
            throw new ArgumentException(
                $"'{recordId}' is not a row of this {Name} copy (ids look like {string.Join(" or ", Parts().Select(p => $"{p.Name}/0 … {p.Name}/{p.Data.Rows.Count - 1}"))})",
                nameof(recordId));
        return part.Data.Rows[i];
    }

    /// <summary>Name of a label: the preset's class name, else the label itself.</summary>
    public string ClassName(int label) =>
        Preset?.ClassNames.TryGetValue(label, out var n) == true ? n : label.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The archive's split: "train" = TRAIN rows, "test" = TEST rows (parts whose file is absent are empty; see
    /// <see cref="MissingParts"/>). UCR files carry no patient ids, so the protocol is intra-patient unless known otherwise.
    /// </summary>
    public DataSplit OfficialSplit() => new("ucr-train-test", SplitProtocol.IntraPatient,
    [
        new SplitPart("train", Train?.Rows.Select(r => Id("TRAIN", r.Index)).ToArray() ?? []),
        new SplitPart("test", Test?.Rows.Select(r => Id("TEST", r.Index)).ToArray() ?? []),
    ], Preset?.Patients == 1
        ? $"UCR archive {Name}_TRAIN / {Name}_TEST files; one patient, so intra-patient by construction"
        : $"UCR archive {Name}_TRAIN / {Name}_TEST files; no patient ids, so treated as intra-patient");

    public DatasetCard Card
    {
        get
        {
            var rows = Parts().SelectMany(p => p.Data.Rows).ToArray();
            var inv = CultureInfo.InvariantCulture;
            var notes = new List<string>(Preset?.Notes ?? ["UCR files carry no patient ids or sampling rate."])
            {
                $"Files present: {string.Join(", ", Parts().Select(p => $"{Path.GetFileName(p.Data.SourcePath)} ({p.Data.Rows.Count.ToString("N0", inv)} rows{(p.Data.IsVariableLength ? $", variable length {p.Data.MinSeriesLength}–{p.Data.SeriesLength}" : "")})"))}.",
            };
            foreach (var missing in MissingParts)
            {
                int? expected = missing == "TRAIN" ? Preset?.TrainRows : Preset?.TestRows;
                notes.Add($"The {(expected is { } n ? n.ToString("N0", inv) + "-row " : "")}{missing} file is absent; protocols that need it cannot run on this copy.");
            }
            var splits = Preset is { TrainRows: { } tr, TestRows: { } te }
                ? new OfficialSplitInfo("UCR TRAIN/TEST", $"TRAIN {tr.ToString("N0", inv)} rows, TEST {te.ToString("N0", inv)} rows")
                : new OfficialSplitInfo("UCR TRAIN/TEST", "the archive's TRAIN and TEST files");
            return new DatasetCard
            {
                Name = Preset?.Name ?? Name,
                Licence = Preset?.Licence ?? "UCR Time Series Classification Archive terms, or the licence of the dataset's source",
                Citation = Preset?.Citation ?? "Dau H.A. et al., The UCR Time Series Classification Archive (2018).",
                Records = rows.Length,
                Patients = Preset?.Patients,
                SamplingRate = null,
                Leads = ["ECG"],
                ClassBalanceUnit = "rows (series)",
                ClassBalance = rows.GroupBy(r => r.Label).OrderBy(g => g.Key)
                    .Select(g => new ClassCount(Preset is null ? g.Key.ToString(inv) : $"{g.Key.ToString(inv)} ({ClassName(g.Key)})", g.Count())).ToArray(),
                OfficialSplits = [splits],
                SamplesPerRecord = rows.Length == 0 ? null : (rows.Min(r => (long)r.Values.Length), rows.Max(r => (long)r.Values.Length)),
                Notes = notes,
            };
        }
    }

    private IEnumerable<(string Name, UcrDataset Data)> Parts()
    {
        if (Train is not null) yield return ("TRAIN", Train);
        if (Test is not null) yield return ("TEST", Test);
    }

    private static string Id(string part, int index) => $"{part}/{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The part's file, matching the name without regard to case (the archive spells names in mixed case).</summary>
    private static string? Find(string folder, string name, string part)
    {
        var files = Directory.EnumerateFiles(folder).ToArray();
        foreach (var ext in Extensions)
        {
            var wanted = $"{name}_{part}{ext}";
            var match = files.FirstOrDefault(f => Path.GetFileName(f) == wanted)
                ?? files.FirstOrDefault(f => string.Equals(Path.GetFileName(f), wanted, StringComparison.OrdinalIgnoreCase));
            if (match is not null) return match;
        }
        return null;
    }
}
