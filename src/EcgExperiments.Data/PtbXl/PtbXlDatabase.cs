using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Data.Splits;
using EcgExperiments.Data.Text;
using EcgExperiments.Data.Wfdb;

namespace EcgExperiments.Data.PtbXl;

/// <summary>
/// PTB-XL (Wagner et al. 2020): <c>ptbxl_database.csv</c> + <c>scp_statements.csv</c> and the WFDB records they
/// point to. Opening reads both tables; signals are read on demand.
/// </summary>
/// <example><code>
/// var db = PtbXlDatabase.Open(Path.Combine(ProjectPaths.DataRoot, "ptbxl"));
/// PtbXlRecord r = db.Get(1);                       // r.DiagnosticSuperclasses == ["NORM"]
/// EcgSignal ecg = db.LoadSignal(r);                // 12 leads × 1000 samples at 100 Hz, mV
/// var task = db.SelectBinaryTask();                // NORM-only vs any-HYP, others dropped
/// DataSplit folds = db.OfficialSplit();            // strat_fold 1–8 / 9 / 10
/// </code></example>
public sealed class PtbXlDatabase : ISignalDatabase
{
    public const string DatabaseFile = "ptbxl_database.csv";
    public const string StatementsFile = "scp_statements.csv";

    /// <summary>The five diagnostic superclasses in PTB-XL's order.</summary>
    public static readonly IReadOnlyList<string> Superclasses = ["NORM", "MI", "STTC", "CD", "HYP"];

    public static readonly IReadOnlyList<string> StandardLeads = ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"];

    private readonly Dictionary<int, PtbXlRecord> _byId;
    private readonly Lazy<DatasetCard> _card;
    private readonly Lazy<string> _fingerprint;

    private PtbXlDatabase(string folder, IReadOnlyList<PtbXlRecord> records, IReadOnlyDictionary<string, ScpStatement> statements)
    {
        Folder = folder;
        Records = records;
        Statements = statements;
        _byId = records.ToDictionary(r => r.EcgId);
        _card = new Lazy<DatasetCard>(BuildCard);
        _fingerprint = new Lazy<string>(ComputeFingerprint);
    }

    public string Name => "PTB-XL";
    public string Folder { get; }

    /// <summary>Rows of the database table in file order.</summary>
    public IReadOnlyList<PtbXlRecord> Records { get; }

    /// <summary>SCP statements by code.</summary>
    public IReadOnlyDictionary<string, ScpStatement> Statements { get; }

    public IReadOnlyList<string> RecordIds => Records.Select(r => r.RecordId).ToArray();

    public DatasetCard Card => _card.Value;

    public string Fingerprint => _fingerprint.Value;

    /// <summary>Reads the two tables in <paramref name="folder"/>; problems name the file, line and ecg_id.</summary>
    public static PtbXlDatabase Open(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
            throw new EcgDataException($"PTB-XL folder not found. {ProjectPaths.DataHelp}", folder);
        var statements = ReadStatements(Path.Combine(folder, StatementsFile));
        var records = ReadDatabase(Path.Combine(folder, DatabaseFile), statements);
        return new PtbXlDatabase(Path.GetFullPath(folder), records, statements);
    }

    /// <summary>The record with <paramref name="ecgId"/>.</summary>
    public PtbXlRecord Get(int ecgId) =>
        _byId.TryGetValue(ecgId, out var r) ? r
        : throw new EcgDataException($"ecg_id {ecgId} is not in this copy of {DatabaseFile} ({Records.Count} records)",
            Path.Combine(Folder, DatabaseFile), record: ecgId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Path of a record's WFDB header (without extension) at the chosen rate.</summary>
    public string RecordPath(PtbXlRecord record, PtbXlSamplingRate rate = PtbXlSamplingRate.Hz100)
    {
        ArgumentNullException.ThrowIfNull(record);
        var relative = rate == PtbXlSamplingRate.Hz500 ? record.FilenameHighRate : record.FilenameLowRate;
        return Path.Combine(Folder, relative.Replace('/', Path.DirectorySeparatorChar));
    }

    /// <summary>The 12 leads of a record in mV (checksums verified).</summary>
    public EcgSignal LoadSignal(PtbXlRecord record, PtbXlSamplingRate rate = PtbXlSamplingRate.Hz100)
    {
        var path = RecordPath(record, rate);
        if (!File.Exists(path + ".hea"))
        {
            // The other rate's folder alone means this copy holds only that rate; otherwise one record is missing.
            var folder = rate == PtbXlSamplingRate.Hz500 ? "records500" : "records100";
            var otherOnly = !Directory.Exists(Path.Combine(Folder, folder));
            throw new EcgDataException(otherOnly
                    ? $"{(int)rate} Hz waveform for ecg_id {record.EcgId} not found: this copy of PTB-XL has no {folder}/ folder (only the " +
                      $"{(rate == PtbXlSamplingRate.Hz500 ? "100 Hz" : "500 Hz")} files?). {ProjectPaths.DataHelp}"
                    : $"ecg_id {record.EcgId} is listed in {DatabaseFile} but its {(int)rate} Hz header is missing; restore the record's files " +
                      $"(.hea and .dat) from PTB-XL 1.0.3, or remove its row",
                path + ".hea", record: record.RecordId);
        }
        return WfdbReader.ReadSignal(path);
    }

    /// <inheritdoc/>
    public EcgSignal LoadSignal(string recordId) => LoadSignal(Get(ParseId(recordId)));

    /// <summary>The recommended folds: train = strat_fold 1–8, val = 9, test = 10 (patient-safe by construction).</summary>
    public DataSplit OfficialSplit() => FoldSplit(Records.Select(r => (r.RecordId, r.StratFold)));

    /// <summary>strat_fold 1–8 / 9 / 10 over a subset (e.g. a binary task's members).</summary>
    public static DataSplit FoldSplit(IEnumerable<(string RecordId, int StratFold)> members)
    {
        var list = members.ToList();
        string[] Part(Func<int, bool> inPart) => list.Where(m => inPart(m.StratFold)).Select(m => m.RecordId).ToArray();
        return new DataSplit("ptbxl-strat-fold", SplitProtocol.InterPatient,
            [new SplitPart("train", Part(f => f <= 8)), new SplitPart("val", Part(f => f == 9)), new SplitPart("test", Part(f => f == 10))],
            "PTB-XL strat_fold 1-8 train, 9 validation, 10 test");
    }

    /// <summary>Patient of a record id (for <see cref="PatientLeakageGuard"/>).</summary>
    public string PatientOf(string recordId) => Get(ParseId(recordId)).PatientId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A binary task on diagnostic superclasses (SPEC §2.1 default: NORM-only vs any-HYP, the rest dropped and counted).
    /// </summary>
    public BinaryTaskSelection SelectBinaryTask(BinaryTaskOptions? options = null)
    {
        options ??= new BinaryTaskOptions();
        var members = new List<BinaryTaskMember>();
        var dropped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in Records)
        {
            bool pos = r.HasSuperclass(options.PositiveClass), neg = r.HasSuperclass(options.NegativeClass);
            bool only = r.DiagnosticSuperclasses.Count == 1;
            bool? label = options.Policy switch
            {
                MultiLabelPolicy.NegativeOnlyVersusAnyPositive => pos ? true : neg && only ? false : null,
                MultiLabelPolicy.NegativeOnlyVersusPositiveOnly => pos && only ? true : neg && only ? false : null,
                MultiLabelPolicy.AnyNegativeVersusAnyPositiveExcludingBoth => pos && !neg ? true : neg && !pos ? false : null,
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.Policy, "unknown multi-label policy"),
            };
            if (label is { } isPositive)
                members.Add(new BinaryTaskMember(r.EcgId, isPositive, isPositive ? options.PositiveClass : options.NegativeClass, r.PatientId, r.StratFold));
            else
            {
                var key = r.DiagnosticSuperclasses.Count == 0 ? "(no diagnostic statement)" : string.Join("+", r.DiagnosticSuperclasses);
                dropped[key] = dropped.GetValueOrDefault(key) + 1;
            }
        }
        return new BinaryTaskSelection(options, members, dropped);
    }

    /// <summary>
    /// Labels the records by <paramref name="definition"/> (a benchmark preset or free classes); what is dropped is
    /// counted per reason in the result's report.
    /// </summary>
    /// <example><code>
    /// var super = db.Label(PtbXlLabelDefinition.FromPreset(PtbXlLabelPreset.Superdiagnostic));
    /// var normHyp = db.Label(PtbXlLabelDefinition.NormVersusHyp());   // the records and classes of SelectBinaryTask()
    /// </code></example>
    public PtbXlLabelling Label(PtbXlLabelDefinition definition) => PtbXlLabeler.Label(Records, Statements, definition);

    /// <summary>The dataset card with the class balance of a label definition and what it drops.</summary>
    public DatasetCard CardFor(PtbXlLabelDefinition definition)
    {
        var labelling = Label(definition);
        var r = labelling.Report;
        var notes = new List<string>
        {
            $"Labels: {labelling.Definition.Describe()}; task: {labelling.Kind}.",
            $"Classes: {string.Join("; ", labelling.Classes.Select(c => c.Statements.Count == 0 ? $"{c.Name} = records matching no class" : $"{c.Name}{(c.Only ? " (only)" : "")} = {{{string.Join(", ", c.Statements)}}}"))}.",
            $"Kept {r.RecordsKept} of {r.RecordsIn} records" + (r.MultiLabelRecords > 0 ? $", {r.MultiLabelRecords} with several labels" : "") +
                (r.EmptyRecords > 0 ? $", {r.EmptyRecords} with none" : "") + ".",
        };
        foreach (var (reason, count) in r.DroppedByReason)
            notes.Add($"Dropped ({reason}): {count}" + (r.DroppedDetail.TryGetValue(reason, out var d) && d.Count > 0
                ? " — " + string.Join(", ", d.OrderByDescending(x => x.Value).ThenBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key} {x.Value}")) : "") + ".");
        if (r.RemovedClasses.Count > 0)
            notes.Add($"Classes removed (fewer than {definition.MinCount} records): {string.Join(", ", r.RemovedClasses.Select(c => $"{c.Label} {c.Count}"))}.");
        var card = Card;
        return card with
        {
            ClassBalanceUnit = $"records, {(labelling.Kind == ClassificationKind.MultiLabel ? "multi-label " : "")}classes of the chosen definition",
            ClassBalance = r.ClassCounts,
            ShareOf = r.RecordsKept,
            Notes = notes.Concat(card.Notes.Where(n => !n.StartsWith("Superclasses:", StringComparison.Ordinal))).ToArray(),
        };
    }

    private static int ParseId(string recordId) =>
        int.TryParse(recordId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id
        : throw new ArgumentException($"PTB-XL record ids are ecg_id numbers, got '{recordId}'", nameof(recordId));

    private static Dictionary<string, ScpStatement> ReadStatements(string path)
    {
        var table = CsvTable.Load(path);
        // The code column has an empty header in the official file.
        int code = Array.IndexOf(table.Header, "") is var c && c >= 0 ? c : 0;
        int desc = table.Column("description"), diag = table.Column("diagnostic"), form = table.Column("form"), rhythm = table.Column("rhythm");
        int cls = table.Column("diagnostic_class"), sub = table.Column("diagnostic_subclass");
        var result = new Dictionary<string, ScpStatement>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            var f = row.Fields;
            var key = f[code].Trim();
            if (key.Length == 0) throw new EcgDataException("statement code (first column) is empty", path, row.Line);
            bool Flag(int col, string name)
            {
                var v = f[col].Trim();
                if (v.Length == 0) return false;
                if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                    throw new EcgDataException($"column '{name}' of statement '{key}' is '{v}', expected 1.0 or empty", path, row.Line);
                return d == 1;
            }
            var statement = new ScpStatement(key, f[desc], Flag(diag, "diagnostic"), Flag(form, "form"), Flag(rhythm, "rhythm"),
                NullIfEmpty(f[cls]), NullIfEmpty(f[sub]));
            if (!result.TryAdd(key, statement)) throw new EcgDataException($"statement '{key}' is listed twice", path, row.Line);
        }
        return result;
    }

    private static List<PtbXlRecord> ReadDatabase(string path, Dictionary<string, ScpStatement> statements)
    {
        var table = CsvTable.Load(path);
        int id = table.Column("ecg_id"), patient = table.Column("patient_id"), age = table.Column("age"), sex = table.Column("sex");
        int scp = table.Column("scp_codes"), fold = table.Column("strat_fold"), lr = table.Column("filename_lr"), hr = table.Column("filename_hr");
        var records = new List<PtbXlRecord>(table.Rows.Count);
        var seen = new HashSet<int>();
        foreach (var row in table.Rows)
        {
            var f = row.Fields;
            if (!int.TryParse(f[id], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ecgId) || ecgId <= 0)
                throw new EcgDataException($"ecg_id '{f[id]}' is not a positive integer", path, row.Line);
            var rec = ecgId.ToString(CultureInfo.InvariantCulture);
            if (!seen.Add(ecgId)) throw new EcgDataException("ecg_id appears twice", path, row.Line, rec);

            double Number(int col, string name)
            {
                if (!double.TryParse(f[col], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || double.IsNaN(v))
                    throw new EcgDataException($"column '{name}' is '{f[col]}', expected a number", path, row.Line, rec);
                return v;
            }
            double patientValue = Number(patient, "patient_id");
            if (patientValue != Math.Floor(patientValue) || patientValue < 0 || patientValue > int.MaxValue)
                throw new EcgDataException($"patient_id '{f[patient]}' is not a whole number", path, row.Line, rec);
            double? ageValue = f[age].Length == 0 ? null : Number(age, "age");
            var sexValue = f[sex] switch
            {
                "0" or "0.0" => PtbXlSex.Male,
                "1" or "1.0" => PtbXlSex.Female,
                "" => PtbXlSex.Unknown,
                _ => throw new EcgDataException($"sex is '{f[sex]}', expected 0 (male) or 1 (female)", path, row.Line, rec),
            };
            double foldValue = Number(fold, "strat_fold");
            if (foldValue != Math.Floor(foldValue) || foldValue < 1 || foldValue > 10)
                throw new EcgDataException($"strat_fold is '{f[fold]}', expected an integer 1-10", path, row.Line, rec);

            IReadOnlyDictionary<string, double> codes;
            try { codes = PythonDictLiteral.ParseStringToNumber(f[scp]); }
            catch (FormatException e)
            {
                throw new EcgDataException($"scp_codes '{f[scp]}' is not a dict literal like {{'NORM': 100.0}}: {e.Message}", path, row.Line, rec, e);
            }
            var superclasses = new SortedSet<string>(StringComparer.Ordinal);
            var subclasses = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var code in codes.Keys)
            {
                if (!statements.TryGetValue(code, out var st))
                    throw new EcgDataException($"scp code '{code}' is not in {StatementsFile}; use the statements table of the same PTB-XL release",
                        path, row.Line, rec);
                if (!st.IsDiagnostic) continue;
                if (st.DiagnosticClass is { } c) superclasses.Add(c);
                if (st.DiagnosticSubclass is { } s) subclasses.Add(s);
            }
            if (f[lr].Length == 0 || f[hr].Length == 0)
                throw new EcgDataException("filename_lr or filename_hr is empty", path, row.Line, rec);

            records.Add(new PtbXlRecord
            {
                EcgId = ecgId,
                PatientId = (int)patientValue,
                Age = ageValue,
                Sex = sexValue,
                ScpCodes = codes,
                StratFold = (int)foldValue,
                FilenameLowRate = f[lr],
                FilenameHighRate = f[hr],
                DiagnosticSuperclasses = superclasses.ToArray(),
                DiagnosticSubclasses = subclasses.ToArray(),
                SourceLine = row.Line,
            });
        }
        return records;
    }

    private static string? NullIfEmpty(string s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private DatasetCard BuildCard()
    {
        var balance = Superclasses.Select(c => new ClassCount(c, Records.Count(r => r.HasSuperclass(c)))).ToList();
        balance.Add(new ClassCount("no diagnostic statement", Records.Count(r => r.DiagnosticSuperclasses.Count == 0)));
        int present100 = Records.Count(r => File.Exists(RecordPath(r) + ".hea"));
        int present500 = Records.Count(r => File.Exists(RecordPath(r, PtbXlSamplingRate.Hz500) + ".hea"));
        var folds = string.Join(", ", Enumerable.Range(1, 10).Select(k => Records.Count(r => r.StratFold == k)));
        var lengths = Records.Select(r => RecordPath(r) + ".hea").Where(File.Exists)
            .Select(h => WfdbHeader.Load(h).SampleCount ?? 0).ToArray();
        var notes = new List<string>
        {
            "Superclasses: each scp_codes key with diagnostic == 1 maps to its diagnostic_class, whatever its likelihood; a record can have several.",
            $"Records per strat_fold 1-10: {folds}.",
            $"Waveforms present: {present100} of {Records.Count} at 100 Hz, {present500} at 500 Hz.",
        };
        if (Records.Count < 21_799)
            notes.Add($"This copy holds {Records.Count} of the 21,799 records of PTB-XL 1.0.3; full-scale results need the full download.");
        return new DatasetCard
        {
            Name = Name,
            Version = "1.0.3",
            Licence = "CC BY 4.0",
            Citation = "Wagner P., Strodthoff N., Bousseljot R.-D., Kreiseler D., Lunze F.I., Samek W., Schaeffter T. PTB-XL, a large publicly " +
                       "available electrocardiography dataset. Scientific Data 7, 154 (2020). PhysioNet.",
            Records = Records.Count,
            Patients = Records.Select(r => r.PatientId).Distinct().Count(),
            SamplingRate = 100,
            Leads = StandardLeads,
            ClassBalanceUnit = "records, multi-label diagnostic superclasses",
            ClassBalance = balance,
            ShareOf = Records.Count,
            OfficialSplits = [new OfficialSplitInfo("strat_fold", "folds 1-8 train, 9 validation, 10 test; patients never span folds")],
            SamplesPerRecord = lengths.Length == 0 ? null : (lengths.Min(), lengths.Max()),
            TotalDurationSeconds = lengths.Length == 0 ? null : lengths.Sum() / 100.0,
            Notes = notes,
        };
    }

    private string ComputeFingerprint()
    {
        // The tables plus every 100 Hz header (which carries each signal's checksum) identify the content.
        var items = new List<string>
        {
            StableHash.Of(File.ReadAllBytes(Path.Combine(Folder, DatabaseFile))),
            StableHash.Of(File.ReadAllBytes(Path.Combine(Folder, StatementsFile))),
        };
        foreach (var r in Records)
        {
            var hea = RecordPath(r) + ".hea";
            items.Add(File.Exists(hea) ? File.ReadAllText(hea) : "(missing)");
        }
        // The waveforms' content too (remembered by size and time): a changed .dat is a different dataset.
        items.Add(Caching.FileHashes.OfFiles(Records.Select(r => RecordPath(r) + ".dat")));
        return StableHash.OfSequence(items);
    }
}
