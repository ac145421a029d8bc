using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Data.Splits;

namespace EcgExperiments.Data.Ucr;

/// <summary>
/// UCR ECG5000: 140-sample beats from one patient's record (chf07, BIDMC CHF database), classes 1–5, class 1 normal.
/// The archive's TRAIN file has 500 rows and TEST 4,500; whichever of them (any of .txt, .tsv, .arff) the folder
/// holds are loaded. Record ids are "TRAIN/i" and "TEST/i" (row index).
/// </summary>
/// <example><code>
/// var ecg5000 = Ecg5000Database.Open(Path.Combine(ProjectPaths.DataRoot, "ecg5000"));
/// int normal = ecg5000.Train!.Rows.Count(r => r.Label == Ecg5000Database.NormalClass);   // 292
/// </code></example>
public sealed class Ecg5000Database : IEcgDatabase
{
    public const int NormalClass = 1;

    /// <summary>Class names of ECG5000's labels 1–5.</summary>
    public static readonly IReadOnlyDictionary<int, string> ClassNames = new Dictionary<int, string>
    {
        [1] = "Normal", [2] = "R-on-T PVC", [3] = "PVC", [4] = "SP or EB", [5] = "UB",
    };

    private readonly Lazy<string> _fingerprint;

    private Ecg5000Database(string folder, UcrDataset? train, UcrDataset? test)
    {
        Folder = folder;
        Train = train;
        Test = test;
        _fingerprint = new Lazy<string>(() => StableHash.OfSequence(Parts().Select(p => StableHash.Of(File.ReadAllBytes(p.Data.SourcePath)))));
    }

    public string Name => "ECG5000";
    public string Folder { get; }

    /// <summary>The TRAIN file (500 rows), or null when absent.</summary>
    public UcrDataset? Train { get; }

    /// <summary>The TEST file (4,500 rows), or null when absent.</summary>
    public UcrDataset? Test { get; }

    public IReadOnlyList<string> RecordIds => Parts().SelectMany(p => p.Data.Rows.Select(r => Id(p.Name, r.Index))).ToArray();

    public string Fingerprint => _fingerprint.Value;

    /// <summary>Opens ECG5000_TRAIN / ECG5000_TEST in any UCR format; at least one must exist.</summary>
    public static Ecg5000Database Open(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder)) throw new EcgDataException($"ECG5000 folder not found. {ProjectPaths.DataHelp}", folder);
        var train = Find(folder, "ECG5000_TRAIN");
        var test = Find(folder, "ECG5000_TEST");
        if (train is null && test is null)
            throw new EcgDataException($"neither ECG5000_TRAIN nor ECG5000_TEST (.txt, .tsv or .arff) is in this folder. {ProjectPaths.DataHelp}", folder);
        return new Ecg5000Database(Path.GetFullPath(folder), train is null ? null : UcrDataset.Load(train), test is null ? null : UcrDataset.Load(test));
    }

    /// <summary>The series behind a record id "TRAIN/i" or "TEST/i".</summary>
    public UcrSeries Get(string recordId)
    {
        ArgumentNullException.ThrowIfNull(recordId);
        var slash = recordId.IndexOf('/');
        var part = slash > 0 ? Parts().FirstOrDefault(p => p.Name == recordId[..slash]) : default;
        if (part.Data is null || !int.TryParse(recordId[(slash + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
            || i < 0 || i >= part.Data.Rows.Count)
            throw new ArgumentException($"'{recordId}' is not a row of this ECG5000 copy (ids look like TRAIN/0 … TRAIN/{(Train?.Rows.Count ?? 0) - 1})", nameof(recordId));
        return part.Data.Rows[i];
    }

    /// <summary>
    /// The archive's split: "train" = TRAIN rows, "test" = TEST rows (parts whose file is absent are empty).
    /// All beats come from one patient, so every ECG5000 split is intra-patient.
    /// </summary>
    public DataSplit OfficialSplit() => new("ucr-train-test", SplitProtocol.IntraPatient,
    [
        new SplitPart("train", Train?.Rows.Select(r => Id("TRAIN", r.Index)).ToArray() ?? []),
        new SplitPart("test", Test?.Rows.Select(r => Id("TEST", r.Index)).ToArray() ?? []),
    ], "UCR archive TRAIN/TEST files; one patient (chf07), so intra-patient by construction");

    public DatasetCard Card
    {
        get
        {
            var rows = Parts().SelectMany(p => p.Data.Rows).ToArray();
            var notes = new List<string>
            {
                "Beats extracted from record chf07 of the BIDMC Congestive Heart Failure Database and interpolated to 140 samples; z-normalised per beat.",
                "All rows come from one patient: any split is intra-patient.",
                $"Files present: {string.Join(", ", Parts().Select(p => $"{Path.GetFileName(p.Data.SourcePath)} ({p.Data.Rows.Count} rows)"))}.",
            };
            if (Test is null) notes.Add("The 4,500-row TEST file is absent; the published protocol (train on TEST, test on TRAIN) needs it.");
            return new DatasetCard
            {
                Name = Name,
                Licence = "UCR Time Series Classification Archive terms (free for research; cite the archive)",
                Citation = "Dau H.A. et al., The UCR Time Series Classification Archive; Chen Y. et al., A general framework for never-ending " +
                           "learning from time series streams, DMKD 29(6) (2015); Goldberger A.L. et al., PhysioNet (2000).",
                Records = rows.Length,
                Patients = 1,
                SamplingRate = null,
                Leads = ["ECG"],
                ClassBalanceUnit = "rows (beats)",
                ClassBalance = rows.GroupBy(r => r.Label).OrderBy(g => g.Key)
                    .Select(g => new ClassCount($"{g.Key} ({ClassNames.GetValueOrDefault(g.Key, "?")})", g.Count())).ToArray(),
                OfficialSplits = [new OfficialSplitInfo("UCR TRAIN/TEST", "TRAIN 500 rows, TEST 4,500 rows (the publication trains on TEST and tests on TRAIN)")],
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

    private static string? Find(string folder, string stem) =>
        new[] { ".txt", ".tsv", ".arff" }.Select(ext => Path.Combine(folder, stem + ext)).FirstOrDefault(File.Exists);
}
