namespace EcgExperiments.Data.WfdbFolder;

/// <summary>
/// A researcher's own recordings: a folder of WFDB records (<c>.hea</c> + signal files) and a labels CSV. YAML binds to
/// it as <c>data: { type: wfdb_folder, folder:, labels_csv:, leads:, target_rate:, classes: }</c>.
/// </summary>
/// <remarks>
/// The labels CSV has a header row and the columns <c>record</c> (the record's path relative to the folder, without
/// <c>.hea</c>), either <c>label</c> (one class per record) or <c>labels</c> (several, separated by <c>;</c>, possibly
/// none: a multi-label task), <c>patient_id</c> (or <c>patient</c>) and optionally <c>fold</c> (<c>train</c>,
/// <c>val</c>, <c>test</c>, or fold numbers for k-fold protocols). Other columns are ignored. Column names are matched
/// without regard to case.
/// </remarks>
/// <example><code>
/// var options = new WfdbFolderOptions
/// {
///     Folder = "/data/my-study",
///     LabelsCsv = "labels.csv",
///     Leads = ["I", "II", "V1"],
///     TargetRate = 250,
///     Classes = ["control", "case"],
/// };
/// var db = WfdbFolderDatabase.Open(options);
/// </code></example>
public sealed record WfdbFolderOptions
{
    /// <summary>Folder holding the records (and by default the labels CSV).</summary>
    public required string Folder { get; init; }

    /// <summary>The labels CSV, relative to <see cref="Folder"/> or absolute.</summary>
    public string LabelsCsv { get; init; } = "labels.csv";

    /// <summary>Leads to read, by name (case-insensitive) and in this order; null = the leads of the first record, which every record must then have.</summary>
    public IReadOnlyList<string>? Leads { get; init; }

    /// <summary>Rate in Hz every record is resampled to when its own differs; null = all records must share one rate.</summary>
    public double? TargetRate { get; init; }

    /// <summary>The classes in label order; a label outside them is an error naming the row. Null = the labels found, sorted.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Name on the dataset card; default the folder's name.</summary>
    public string? Name { get; init; }

    /// <summary>Licence on the dataset card.</summary>
    public string? Licence { get; init; }

    /// <summary>Citation on the dataset card.</summary>
    public string? Citation { get; init; }

    /// <summary>The labels CSV's full path.</summary>
    public string LabelsPath => Path.GetFullPath(Path.IsPathRooted(LabelsCsv) ? LabelsCsv : Path.Combine(Folder, LabelsCsv));

    /// <summary>Checks the options alone; throws naming the setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Folder)) throw new ArgumentException("wfdb_folder needs folder, the folder holding the records");
        if (string.IsNullOrWhiteSpace(LabelsCsv)) throw new ArgumentException("wfdb_folder needs labels_csv, the CSV with record, label(s) and patient_id");
        if (TargetRate is { } r && !(r > 0 && double.IsFinite(r))) throw new ArgumentException($"target_rate must be a positive number of Hz, got {r}");
        if (Leads is { } leads)
        {
            if (leads.Count == 0) throw new ArgumentException("leads is empty; list lead names such as [I, II] or leave it out to use every lead");
            if (leads.Distinct(StringComparer.OrdinalIgnoreCase).Count() != leads.Count) throw new ArgumentException($"leads lists a lead twice: [{string.Join(", ", leads)}]");
        }
        if (Classes is { } classes && classes.Distinct(StringComparer.Ordinal).Count() != classes.Count)
            throw new ArgumentException($"classes lists a class twice: [{string.Join(", ", classes)}]");
    }
}
