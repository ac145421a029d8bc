using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Data.Splits;
using EcgExperiments.Data.Text;
using EcgExperiments.Data.Wfdb;
using EcgExperiments.Signals.Resampling;

namespace EcgExperiments.Data.WfdbFolder;

/// <summary>One row of the labels CSV, checked against its WFDB header.</summary>
/// <param name="RecordId">The record's path relative to the folder, as the CSV gives it (e.g. "p01/rec001").</param>
/// <param name="PatientId">Patient the recording belongs to (splits keep patients together).</param>
/// <param name="Labels">Class names of the record, in class order (one for single-label data, any number for multi-label).</param>
/// <param name="Fold">The fold column's value, or null.</param>
/// <param name="SourceLine">Line of the labels CSV.</param>
/// <param name="Header">The record's WFDB header.</param>
public sealed record WfdbFolderRecord(string RecordId, string PatientId, IReadOnlyList<string> Labels, string? Fold, int SourceLine, WfdbHeader Header);

/// <summary>
/// A researcher's folder of WFDB records with a labels CSV (see <see cref="WfdbFolderOptions"/>), with the same card,
/// patient ids, splits and fingerprint as the public databases. Opening reads the CSV and every header and checks them
/// all: a malformed or mislabelled row fails naming the CSV file and line, a listed record whose header is absent fails
/// naming the record, a record without a chosen lead or at another rate (with no target rate) fails naming it.
/// Signals are read on demand, leads by name, resampled to the target rate where a record's rate differs.
/// </summary>
/// <example><code>
/// var db = WfdbFolderDatabase.Open(new WfdbFolderOptions { Folder = "/data/my-study", Leads = ["I", "II"], TargetRate = 100 });
/// EcgSignal first = db.LoadSignal(db.RecordIds[0]);     // leads I and II at 100 Hz
/// Console.WriteLine(db.Card.ToMarkdown());
/// </code></example>
public sealed class WfdbFolderDatabase : ISignalDatabase
{
    /// <summary>Fold values that name the parts of a train/validation/test split.</summary>
    private static readonly Dictionary<string, string> PartOfFold = new(StringComparer.OrdinalIgnoreCase)
    {
        ["train"] = "train", ["training"] = "train", ["val"] = "val", ["valid"] = "val", ["validation"] = "val", ["test"] = "test",
    };

    private readonly Dictionary<string, WfdbFolderRecord> _byId;
    private readonly Lazy<string> _fingerprint;

    private WfdbFolderDatabase(WfdbFolderOptions options, string folder, IReadOnlyList<WfdbFolderRecord> records, IReadOnlyList<string> classNames,
        ClassificationKind kind, IReadOnlyList<string> leads, double samplingRate)
    {
        Options = options;
        Folder = folder;
        Records = records;
        ClassNames = classNames;
        Kind = kind;
        Leads = leads;
        SamplingRate = samplingRate;
        _byId = records.ToDictionary(r => r.RecordId, StringComparer.Ordinal);
        _fingerprint = new Lazy<string>(() => StableHash.OfSequence(
            new[] { StableHash.Of(File.ReadAllBytes(Options.LabelsPath)) }.Concat(Records.Select(r => File.ReadAllText(r.Header.SourcePath)))
                .Append(Caching.FileHashes.OfFiles(Records.SelectMany(r => r.Header.Signals.Select(s => s.FileName).Where(f => f != "~").Distinct()
                    .Select(f => Path.Combine(Path.GetDirectoryName(r.Header.SourcePath)!, f)))))));
    }

    public WfdbFolderOptions Options { get; }

    public string Name => Options.Name ?? Path.GetFileName(Folder.TrimEnd(Path.DirectorySeparatorChar));
    public string Folder { get; }

    /// <summary>Rows of the labels CSV in file order.</summary>
    public IReadOnlyList<WfdbFolderRecord> Records { get; }

    /// <summary>Classes in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Binary or multi-class for a <c>label</c> column, multi-label for a <c>labels</c> column.</summary>
    public ClassificationKind Kind { get; }

    /// <summary>Leads every signal comes back with, in order.</summary>
    public IReadOnlyList<string> Leads { get; }

    /// <summary>Rate of every signal <see cref="LoadSignal(string)"/> returns (the target rate, or the records' common rate).</summary>
    public double SamplingRate { get; }

    public IReadOnlyList<string> RecordIds => Records.Select(r => r.RecordId).ToArray();

    public string Fingerprint => _fingerprint.Value;

    /// <summary>Reads and checks the labels CSV and every record header (no signal is read).</summary>
    public static WfdbFolderDatabase Open(WfdbFolderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var folder = Path.GetFullPath(options.Folder);
        if (!Directory.Exists(folder)) throw new EcgDataException("WFDB record folder not found; check data.folder", folder);
        var csvPath = options.LabelsPath;
        if (!File.Exists(csvPath))
            throw new EcgDataException("labels CSV not found; it needs the columns record, label (or labels), patient_id and optionally fold", csvPath);
        var table = CsvTable.Load(csvPath);

        int Column(params string[] names) =>
            Array.FindIndex(table.Header, h => names.Any(n => string.Equals(h.Trim(), n, StringComparison.OrdinalIgnoreCase)));
        int record = Column("record"), label = Column("label"), labels = Column("labels"), patient = Column("patient_id", "patient"), fold = Column("fold");
        string columns = string.Join(", ", table.Header);
        if (record < 0) throw new EcgDataException($"no 'record' column (columns: {columns}); it names each record's header, e.g. rec001 for rec001.hea", csvPath, 1);
        if (label < 0 == labels < 0)
            throw new EcgDataException(
                $"the CSV needs exactly one of 'label' (one class per record) or 'labels' (several, separated by ';') (columns: {columns})", csvPath, 1);
        if (patient < 0)
            throw new EcgDataException(
                $"no 'patient_id' column (columns: {columns}); splits keep each patient's records together. If every record is its own patient, repeat the record name",
                csvPath, 1);
        bool multiLabel = labels >= 0;
        var declared = options.Classes?.ToHashSet(StringComparer.Ordinal);

        var rows = new List<(string Id, string Patient, string[] Labels, string? Fold, int Line)>();
        var lineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            var f = row.Fields;
            var id = f[record].Trim();
            if (id.Length == 0) throw new EcgDataException("record is empty", csvPath, row.Line);
            if (id.EndsWith(".hea", StringComparison.OrdinalIgnoreCase)) id = id[..^4];
            if (lineOf.TryGetValue(id, out var first))
                throw new EcgDataException($"record '{id}' is listed twice (first on line {first})", csvPath, row.Line, id);
            lineOf[id] = row.Line;
            var patientId = f[patient].Trim();
            if (patientId.Length == 0) throw new EcgDataException("patient_id is empty; every record needs the patient it belongs to", csvPath, row.Line, id);

            string[] set;
            if (multiLabel)
            {
                set = f[labels].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var twice = set.GroupBy(s => s, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
                if (twice is not null) throw new EcgDataException($"label '{twice.Key}' appears twice in labels '{f[labels]}'", csvPath, row.Line, id);
            }
            else
            {
                var one = f[label].Trim();
                if (one.Length == 0) throw new EcgDataException("label is empty; every record of a single-label CSV needs its class", csvPath, row.Line, id);
                if (one.Contains(';'))
                    throw new EcgDataException($"label '{one}' holds several classes; name the column 'labels' for a multi-label task", csvPath, row.Line, id);
                set = [one];
            }
            if (declared is not null && set.FirstOrDefault(s => !declared.Contains(s)) is { } unknown)
                throw new EcgDataException($"label '{unknown}' is not one of the classes [{string.Join(", ", options.Classes!)}]; fix the row or add the class",
                    csvPath, row.Line, id);
            var foldValue = fold >= 0 && f[fold].Trim() is { Length: > 0 } fv ? fv : null;
            rows.Add((id, patientId, set, foldValue, row.Line));
        }
        if (rows.Count == 0) throw new EcgDataException("the labels CSV lists no record", csvPath);

        var classNames = options.Classes?.ToArray()
            ?? rows.SelectMany(r => r.Labels).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        int needed = multiLabel ? 1 : 2;
        if (classNames.Length < needed)
            throw new EcgDataException(
                $"the labels name {classNames.Length} class(es) [{string.Join(", ", classNames)}]; a {(multiLabel ? "multi-label" : "single-label")} task needs at least {needed}",
                csvPath);
        var order = classNames.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);

        // headers: presence, leads, rates
        var records = new List<WfdbFolderRecord>(rows.Count);
        IReadOnlyList<string>? leads = options.Leads;
        (string Record, double Rate)? firstRate = null;
        foreach (var r in rows)
        {
            var path = Path.Combine(folder, r.Id.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(path + ".hea"))
                throw new EcgDataException($"record '{r.Id}' is listed in {Path.GetFileName(csvPath)} (line {r.Line}) but {path}.hea does not exist; " +
                    "check the record column (a path relative to the folder, without .hea)", path + ".hea", record: r.Id);
            var header = WfdbHeader.Load(path);
            leads ??= header.Signals.Select(s => s.Description).ToArray();
            var missing = leads.Where(l => header.IndexOfSignal(l) < 0).ToArray();
            if (missing.Length > 0)
                throw new EcgDataException(
                    $"record has no lead {string.Join(", ", missing)} (its leads: {string.Join(", ", header.Signals.Select(s => s.Description))}); " +
                    (options.Leads is null ? "without data.leads every record needs the leads of the first record; choose leads all records share" : "choose leads every record has"),
                    header.SourcePath, record: r.Id);
            // lead names as the records spell them (options may write "ii" for "II")
            if (records.Count == 0) leads = leads.Select(l => header.Signals[header.IndexOfSignal(l)].Description).ToArray();
            double rate = header.SamplingFrequency * header.Signals[header.IndexOfSignal(leads[0])].SamplesPerFrame;
            firstRate ??= (r.Id, rate);
            if (options.TargetRate is null && rate != firstRate.Value.Rate)
                throw new EcgDataException(
                    $"records differ in sampling rate: {firstRate.Value.Record} at {Hz(firstRate.Value.Rate)}, {r.Id} at {Hz(rate)}; set target_rate to resample them to one rate",
                    header.SourcePath, record: r.Id);
            records.Add(new WfdbFolderRecord(r.Id, r.Patient, r.Labels.OrderBy(l => order[l]).ToArray(), r.Fold, r.Line, header));
        }
        var kind = multiLabel ? ClassificationKind.MultiLabel : classNames.Length == 2 ? ClassificationKind.Binary : ClassificationKind.MultiClass;
        return new WfdbFolderDatabase(options, folder, records, classNames, kind, leads!, options.TargetRate ?? firstRate!.Value.Rate);
    }

    /// <summary>The row of <paramref name="recordId"/>.</summary>
    public WfdbFolderRecord Get(string recordId) =>
        _byId.TryGetValue(recordId, out var r) ? r
        : throw new ArgumentException($"'{recordId}' is not listed in {Path.GetFileName(Options.LabelsPath)}", nameof(recordId));

    /// <summary>Class indices of a record's labels (ascending).</summary>
    public IReadOnlyList<int> ClassIndices(string recordId)
    {
        var labels = Get(recordId).Labels;
        return labels.Select(l => ClassNames.Select((c, i) => (c, i)).First(x => x.c == l).i).ToArray();
    }

    /// <summary>Patient of a record (for <see cref="PatientLeakageGuard"/> and grouped splits).</summary>
    public string PatientOf(string recordId) => Get(recordId).PatientId;

    /// <summary>The chosen leads of a record in physical units at <see cref="SamplingRate"/> (resampled when the record's own rate differs).</summary>
    public EcgSignal LoadSignal(string recordId)
    {
        var r = Get(recordId);
        var signal = WfdbReader.Read(r.Header, new WfdbReadOptions { Signals = Leads }).ToEcgSignal();
        return signal.SamplingRate == SamplingRate ? signal : Resample.ToRate(signal, SamplingRate);
    }

    /// <summary>Records whose own rate is not <see cref="SamplingRate"/> (they are resampled on load).</summary>
    public IReadOnlyList<string> ResampledRecords => Records.Where(r => RateOf(r) != SamplingRate).Select(r => r.RecordId).ToArray();

    /// <summary>
    /// The split the fold column gives when its values are train, val (validation) and test; patients may not span
    /// parts (checked). Fails with what to do when there is no fold column or its values are fold numbers.
    /// </summary>
    public DataSplit OfficialSplit()
    {
        var csv = Path.GetFileName(Options.LabelsPath);
        if (Records.All(r => r.Fold is null))
            throw new EcgDataException($"{csv} has no fold column; use a random or k-fold split grouped by patient, or add a fold column with train, val and test");
        var unnamed = Records.FirstOrDefault(r => r.Fold is null || !PartOfFold.ContainsKey(r.Fold));
        if (unnamed is not null)
            throw new EcgDataException(
                $"fold '{unnamed.Fold}' is not train, val or test; fold numbers define k-fold protocols (FoldSplit), not an official train/val/test split",
                Options.LabelsPath, unnamed.SourceLine, unnamed.RecordId);
        var parts = new[] { "train", "val", "test" }
            .Select(p => new SplitPart(p, Records.Where(r => PartOfFold[r.Fold!] == p).Select(r => r.RecordId).ToArray()))
            .Where(p => p.Count > 0).ToArray();
        var split = new DataSplit("fold-column", SplitProtocol.InterPatient, parts, $"{csv} fold column: {string.Join(", ", parts.Select(p => $"{p.Name} {p.Count}"))}");
        PatientLeakageGuard.Enforce(split, PatientOf);
        return split;
    }

    /// <summary>Train / val / test from fold values: records whose fold is in <paramref name="testFolds"/> test, in <paramref name="validationFolds"/> validation, the rest train.</summary>
    public DataSplit FoldSplit(IReadOnlyCollection<string> testFolds, IReadOnlyCollection<string> validationFolds)
    {
        ArgumentNullException.ThrowIfNull(testFolds);
        ArgumentNullException.ThrowIfNull(validationFolds);
        var known = Records.Select(r => r.Fold).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (testFolds.Concat(validationFolds).FirstOrDefault(f => !known.Contains(f)) is { } bad)
            throw new ArgumentException($"fold '{bad}' does not occur in the fold column (folds: {string.Join(", ", known.Order(StringComparer.Ordinal))})");
        string[] Part(Func<string?, bool> inPart) => Records.Where(r => inPart(r.Fold)).Select(r => r.RecordId).ToArray();
        var split = new DataSplit("fold-column", SplitProtocol.InterPatient,
        [
            new SplitPart("train", Part(f => f is null || (!testFolds.Contains(f) && !validationFolds.Contains(f)))),
            new SplitPart("val", Part(f => f is not null && validationFolds.Contains(f))),
            new SplitPart("test", Part(f => f is not null && testFolds.Contains(f))),
        ], $"fold column: test {string.Join(", ", testFolds)}, validation {string.Join(", ", validationFolds)}, the rest train");
        PatientLeakageGuard.Enforce(split, PatientOf);
        return split;
    }

    public DatasetCard Card
    {
        get
        {
            var inv = CultureInfo.InvariantCulture;
            var lengths = Records.Select(r => (long)Resample.OutputLength(checked((int)(r.Header.SampleCount ?? 0)), RateOf(r), SamplingRate)).ToArray();
            var balance = ClassNames.Select(c => new ClassCount(c, Records.Count(r => r.Labels.Contains(c)))).ToList();
            if (Kind == ClassificationKind.MultiLabel) balance.Add(new ClassCount("(no label)", Records.Count(r => r.Labels.Count == 0)));
            var notes = new List<string>
            {
                $"Labels from {Path.GetFileName(Options.LabelsPath)}: {Kind}" + (Kind == ClassificationKind.MultiLabel
                    ? $", {Records.Count(r => r.Labels.Count > 1).ToString(inv)} records with several labels." : "."),
                $"Leads read: {string.Join(", ", Leads)}.",
            };
            var resampled = ResampledRecords;
            if (resampled.Count > 0)
                notes.Add($"{resampled.Count.ToString(inv)} of {Records.Count.ToString(inv)} records resampled to {Hz(SamplingRate)} " +
                          $"(from {string.Join(", ", Records.Where(r => RateOf(r) != SamplingRate).Select(RateOf).Distinct().Order().Select(Hz))}).");
            var perPatient = Records.GroupBy(r => r.PatientId).Where(g => g.Count() > 1).ToArray();
            if (perPatient.Length > 0)
                notes.Add($"{perPatient.Length.ToString(inv)} patients have several records; splits must keep them together.");
            var folds = Records.Where(r => r.Fold is not null).GroupBy(r => r.Fold!).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
            return new DatasetCard
            {
                Name = Name,
                Licence = Options.Licence ?? "not stated (the researcher's own data)",
                Citation = Options.Citation ?? "not stated",
                Records = Records.Count,
                Patients = Records.Select(r => r.PatientId).Distinct().Count(),
                SamplingRate = SamplingRate,
                Leads = Leads,
                ClassBalanceUnit = Kind == ClassificationKind.MultiLabel ? "records, multi-label" : "records",
                ClassBalance = balance,
                ShareOf = Records.Count,
                OfficialSplits = folds.Length == 0 ? []
                    : [new OfficialSplitInfo("fold column", string.Join(", ", folds.Select(g => $"{g.Key} {g.Count().ToString(inv)}")))],
                SamplesPerRecord = lengths.Length == 0 ? null : (lengths.Min(), lengths.Max()),
                TotalDurationSeconds = lengths.Sum() / SamplingRate,
                Notes = notes,
            };
        }
    }

    private double RateOf(WfdbFolderRecord r) => r.Header.SamplingFrequency * r.Header.Signals[r.Header.IndexOfSignal(Leads[0])].SamplesPerFrame;

    private static string Hz(double rate) => rate.ToString("0.###", CultureInfo.InvariantCulture) + " Hz";
}
