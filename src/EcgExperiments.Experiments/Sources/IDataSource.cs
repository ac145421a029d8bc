using EcgExperiments.Pipeline;

namespace EcgExperiments.Experiments.Sources;

/// <summary>Where an experiment's examples come from. The schema and fingerprint are known without loading.</summary>
public interface IDataSource
{
    /// <summary>Human-readable description for logs and reports, e.g. "synthetic ECGSYN 12-lead, 600 records".</summary>
    string Description { get; }

    DataSchema Schema { get; }

    /// <summary>Identifies the exact data (source options + generator/reader version) for run records and trial keys.</summary>
    string Fingerprint { get; }

    DataView Load(CancellationToken cancel = default);
}
