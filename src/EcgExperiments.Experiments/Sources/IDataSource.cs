using EcgExperiments.Pipeline;

namespace EcgExperiments.Experiments.Sources;

/// <summary>Where an experiment's examples come from. The schema and fingerprint are known without loading.</summary>
public interface IDataSource
{
    /// <summary>Human-readable description for logs and reports, e.g. "synthetic ECGSYN 12-lead, 600 records".</summary>
    string Description { get; }

    /// <summary>Item shape, sampling rate, lead and class names, known before any data is read.</summary>
    EcgSchema Schema { get; }

    /// <summary>Identifies the exact data (source options + generator/reader version) for run records and trial keys.</summary>
    string Fingerprint { get; }

    /// <summary>
    /// The data as a lazy ML.NET view: its index (ids, patients, labels) is read now, its signals when rows are read
    /// (the runner caches them in memory when they fit).
    /// </summary>
    EcgDataView Load(CancellationToken cancel = default);

    /// <summary>
    /// The database's official train/validation/test split of a loaded view (indices into it), e.g. PTB-XL
    /// strat_fold 1–8 / 9 / 10 or de Chazal DS1/DS2; null when the source has none.
    /// </summary>
    OfficialSplit? Official(EcgDataView data) => null;
}

/// <summary>Index lists of an official split and its name for reports (e.g. "PTB-XL strat_fold 1–8/9/10").</summary>
public sealed record OfficialSplit(string Name, IReadOnlyList<int> Train, IReadOnlyList<int> Validation, IReadOnlyList<int> Test);
