using EcgExperiments.Core;
using EcgExperiments.Data.Splits;

namespace EcgExperiments.Data.Ucr;

/// <summary>
/// UCR ECG5000: 140-sample beats from one patient's record (chf07, BIDMC CHF database), classes 1–5, class 1 normal.
/// The archive's TRAIN file has 500 rows and TEST 4,500; whichever of them (any of .txt, .tsv, .arff) the folder
/// holds are loaded. Record ids are "TRAIN/i" and "TEST/i" (row index). The <see cref="UcrPresets.Ecg5000"/> preset of
/// <see cref="UcrDatabase"/>, with ECG5000's constants.
/// </summary>
/// <example><code>
/// var ecg5000 = Ecg5000Database.Open(Path.Combine(ProjectPaths.DataRoot, "ecg5000"));
/// int normal = ecg5000.Train!.Rows.Count(r => r.Label == Ecg5000Database.NormalClass);   // 292
/// </code></example>
public sealed class Ecg5000Database : IEcgDatabase
{
    public const int NormalClass = 1;

    /// <summary>Class names of ECG5000's labels 1–5.</summary>
    public static IReadOnlyDictionary<int, string> ClassNames => UcrPresets.Ecg5000.ClassNames;

    private readonly UcrDatabase _ucr;

    private Ecg5000Database(UcrDatabase ucr) => _ucr = ucr;

    public string Name => _ucr.Name;
    public string Folder => _ucr.Folder;

    /// <summary>The TRAIN file (500 rows), or null when absent.</summary>
    public UcrDataset? Train => _ucr.Train;

    /// <summary>The TEST file (4,500 rows), or null when absent.</summary>
    public UcrDataset? Test => _ucr.Test;

    public IReadOnlyList<string> RecordIds => _ucr.RecordIds;

    public string Fingerprint => _ucr.Fingerprint;

    /// <summary>Opens ECG5000_TRAIN / ECG5000_TEST in any UCR format; at least one must exist.</summary>
    public static Ecg5000Database Open(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder)) throw new EcgDataException($"ECG5000 folder not found. {ProjectPaths.DataHelp}", folder);
        return new Ecg5000Database(UcrDatabase.Open(new UcrDatabaseOptions(UcrPresets.Ecg5000.Name, folder)));
    }

    /// <summary>The series behind a record id "TRAIN/i" or "TEST/i".</summary>
    public UcrSeries Get(string recordId) => _ucr.Get(recordId);

    /// <summary>
    /// The archive's split: "train" = TRAIN rows, "test" = TEST rows (parts whose file is absent are empty).
    /// All beats come from one patient, so every ECG5000 split is intra-patient.
    /// </summary>
    public DataSplit OfficialSplit() => _ucr.OfficialSplit();

    public DatasetCard Card => _ucr.Card with
    {
        OfficialSplits = [new OfficialSplitInfo("UCR TRAIN/TEST", "TRAIN 500 rows, TEST 4,500 rows (the publication trains on TEST and tests on TRAIN)")],
    };
}
