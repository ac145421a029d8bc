using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Pipeline;
using EcgExperiments.Synthetic;

namespace EcgExperiments.Experiments.Sources;

/// <summary>YAML <c>data: { type: synthetic, … }</c>: labelled 12-lead ECGSYN records (NORM vs HYP), no download needed.</summary>
public sealed record SyntheticSourceOptions : DataSourceOptions
{
    public int Records { get; init; } = 600;
    public double HypertrophyFraction { get; init; } = 0.3;
    public double SamplingRate { get; init; } = 100;
    public double DurationSeconds { get; init; } = 10;
    /// <summary>Size of the hypertrophy morphology change (1 = typical LVH voltage criteria; smaller is harder).</summary>
    public double Effect { get; init; } = 1;
    public double WhiteNoise { get; init; } = 0.01;
    public double BaselineWander { get; init; } = 0.05;
    /// <summary>Seed of the generated database (kept apart from the training seed so the data stays fixed across trials).</summary>
    public ulong Seed { get; init; } = 2024;
}

public sealed class SyntheticSource : IDataSource
{
    private const string GeneratorVersion = "ecgsyn-dipole-1";
    private readonly SyntheticEcgDatabase _db;

    public SyntheticSource(SyntheticSourceOptions o)
    {
        if (o.Records < 4) throw new ArgumentException($"data.records must be ≥ 4, got {o.Records}");
        _db = new SyntheticEcgDatabase(new SyntheticDatabaseOptions
        {
            Count = o.Records,
            HypertrophyFraction = o.HypertrophyFraction,
            Seed = o.Seed,
            Record = new SyntheticEcgOptions
            {
                SamplingRate = o.SamplingRate,
                DurationSeconds = o.DurationSeconds,
                HypertrophyStrength = o.Effect,
                WhiteNoise = o.WhiteNoise,
                BaselineWander = o.BaselineWander,
            },
        });
        _db.Options.Validate();
        var samples = _db.Options.Record.SampleCount;
        Schema = new EcgSchema([12, samples], o.SamplingRate, SyntheticEcgDatabase.ClassNames,
            ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"]);
        Description = string.Create(CultureInfo.InvariantCulture,
            $"synthetic ECGSYN 12-lead, {o.Records} records, {o.HypertrophyFraction:P0} HYP, effect {o.Effect}, {o.SamplingRate} Hz × {o.DurationSeconds} s");
        Fingerprint = StableHash.Of($"{GeneratorVersion}|{System.Text.Json.JsonSerializer.Serialize(o)}");
    }

    public string Description { get; }
    public EcgSchema Schema { get; }
    public string Fingerprint { get; }

    /// <summary>Labels come from the seeded database without generating a record; records are generated as rows are read.</summary>
    public EcgDataView Load(CancellationToken cancel = default)
    {
        var ids = Enumerable.Range(0, _db.Count).Select(SyntheticEcgDatabase.RecordId).ToArray();
        var index = new ExampleIndex(ids, ids, _db.Labels());
        var rows = Enumerable.Range(0, _db.Count).ToArray();
        return new UnitDataView(Schema, index, rows, new int[_db.Count], unit =>
        {
            var leads = _db.Record(unit).Signal.Leads;
            var values = new float[leads.Length * leads[0].Length];
            for (int l = 0; l < leads.Length; l++) leads[l].CopyTo(values, l * leads[0].Length);
            return [values];
        });
    }
}
