using EcgExperiments.Core;
using EcgExperiments.Data.Splits;

namespace EcgExperiments.Data;

/// <summary>
/// A public ECG dataset on disk: its card, its record identifiers, its official split and a content
/// fingerprint (for cache keys and run records).
/// </summary>
/// <example><code>
/// IEcgDatabase db = PtbXlDatabase.Open(Path.Combine(ProjectPaths.DataRoot, "ptbxl"));
/// Console.WriteLine(db.Card.ToMarkdown());
/// DataSplit folds = db.OfficialSplit();   // strat_fold 1–8 / 9 / 10
/// </code></example>
public interface IEcgDatabase
{
    /// <summary>Short name, e.g. "PTB-XL", "MIT-BIH Arrhythmia", "ECG5000".</summary>
    string Name { get; }

    /// <summary>Folder the dataset was opened from.</summary>
    string Folder { get; }

    DatasetCard Card { get; }

    /// <summary>Identifiers of the records present, in a stable order.</summary>
    IReadOnlyList<string> RecordIds { get; }

    /// <summary>The split the dataset defines (or the literature's standard one) over <see cref="RecordIds"/>.</summary>
    DataSplit OfficialSplit();

    /// <summary>SHA-256 over the metadata that identifies this copy's content (headers with their checksums, tables, annotation files).</summary>
    string Fingerprint { get; }
}

/// <summary>An <see cref="IEcgDatabase"/> whose records are multi-lead signals with a sampling rate.</summary>
public interface ISignalDatabase : IEcgDatabase
{
    /// <summary>All leads of a record in physical units (mV).</summary>
    EcgSignal LoadSignal(string recordId);
}
