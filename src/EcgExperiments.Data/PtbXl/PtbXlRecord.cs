namespace EcgExperiments.Data.PtbXl;

/// <summary>Sex as PTB-XL codes it (0 = male, 1 = female).</summary>
public enum PtbXlSex
{
    Male = 0,
    Female = 1,
    Unknown = -1,
}

/// <summary>Which PTB-XL waveform files to read.</summary>
public enum PtbXlSamplingRate
{
    /// <summary>100 Hz records (<c>filename_lr</c>, 1000 samples).</summary>
    Hz100 = 100,

    /// <summary>500 Hz records (<c>filename_hr</c>, 5000 samples).</summary>
    Hz500 = 500,
}

/// <summary>One row of <c>scp_statements.csv</c>.</summary>
/// <param name="Code">SCP-ECG statement code, e.g. "LVH".</param>
/// <param name="Description">Statement description.</param>
/// <param name="IsDiagnostic">Column <c>diagnostic</c> is 1.</param>
/// <param name="IsForm">Column <c>form</c> is 1.</param>
/// <param name="IsRhythm">Column <c>rhythm</c> is 1.</param>
/// <param name="DiagnosticClass">Superclass (NORM, MI, STTC, CD, HYP) for diagnostic statements.</param>
/// <param name="DiagnosticSubclass">Subclass, e.g. "LVH", "IMI".</param>
public sealed record ScpStatement(string Code, string Description, bool IsDiagnostic, bool IsForm, bool IsRhythm,
    string? DiagnosticClass, string? DiagnosticSubclass);

/// <summary>
/// One row of <c>ptbxl_database.csv</c> with its labels resolved through <c>scp_statements.csv</c>:
/// every <c>scp_codes</c> key whose statement has <c>diagnostic == 1</c> contributes its
/// <c>diagnostic_class</c> (whatever the likelihood value), so a record can carry several superclasses.
/// </summary>
public sealed record PtbXlRecord
{
    public required int EcgId { get; init; }
    public required int PatientId { get; init; }

    /// <summary>Age in years, or null when missing (PTB-XL caps ages above 89 at 300 for anonymity).</summary>
    public double? Age { get; init; }

    public PtbXlSex Sex { get; init; } = PtbXlSex.Unknown;

    /// <summary>SCP codes with their likelihood (0–100), exactly as the table gives them.</summary>
    public required IReadOnlyDictionary<string, double> ScpCodes { get; init; }

    /// <summary>Recommended fold 1–10 (9 and 10 have human-validated labels; folds keep patients together).</summary>
    public required int StratFold { get; init; }

    /// <summary>Relative path of the 100 Hz record without extension, e.g. "records100/00000/00001_lr".</summary>
    public required string FilenameLowRate { get; init; }

    /// <summary>Relative path of the 500 Hz record without extension.</summary>
    public required string FilenameHighRate { get; init; }

    /// <summary>Diagnostic superclasses, sorted (e.g. ["HYP", "MI"]); empty when no diagnostic statement.</summary>
    public required IReadOnlyList<string> DiagnosticSuperclasses { get; init; }

    /// <summary>Diagnostic subclasses, sorted.</summary>
    public required IReadOnlyList<string> DiagnosticSubclasses { get; init; }

    /// <summary>Line of <c>ptbxl_database.csv</c> the row came from.</summary>
    public int SourceLine { get; init; }

    public string RecordId => EcgId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public bool HasSuperclass(string superclass) => DiagnosticSuperclasses.Contains(superclass, StringComparer.Ordinal);
}
