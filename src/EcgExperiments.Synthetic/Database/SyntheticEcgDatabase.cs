using EcgExperiments.Core;

namespace EcgExperiments.Synthetic;

/// <summary>Settings of a <see cref="SyntheticEcgDatabase"/>.</summary>
/// <example><code>
/// var options = new SyntheticDatabaseOptions { Count = 500, HypertrophyFraction = 0.2, Seed = 7,
///     Record = new SyntheticEcgOptions { HypertrophyStrength = 0.6, HeartRateSpread = 10 } };
/// </code></example>
public sealed record SyntheticDatabaseOptions
{
    /// <summary>Number of records.</summary>
    public int Count { get; init; } = 200;

    /// <summary>Fraction of <see cref="SyntheticCondition.Hypertrophy"/> records (PTB-XL NORM:HYP is about 0.22).</summary>
    public double HypertrophyFraction { get; init; } = 0.25;

    /// <summary>Database seed; record i's seed and label are derived from it and i alone.</summary>
    public ulong Seed { get; init; }

    /// <summary>Options of every record (its <see cref="SyntheticEcgOptions.Condition"/> is set per record).</summary>
    public SyntheticEcgOptions Record { get; init; } = new();

    /// <summary>Throws with a message naming the bad setting.</summary>
    public void Validate()
    {
        if (Count is < 0 or > 10_000_000) throw new ArgumentOutOfRangeException(nameof(Count), Count, "must be in [0, 10 000 000]");
        if (HypertrophyFraction is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(HypertrophyFraction), HypertrophyFraction, "must be in [0, 1]");
        ArgumentNullException.ThrowIfNull(Record);
        Record.Validate();
    }
}

/// <summary>Dataset card of a synthetic database (datasets carry their card).</summary>
/// <example><code>
/// SyntheticDatasetCard card = new SyntheticEcgDatabase(new SyntheticDatabaseOptions { Count = 100 }).Card;
/// Console.WriteLine($"{card.Name} ({card.Source}): {card.ClassCounts["NORM"]} NORM, {card.ClassCounts["HYP"]} HYP");
/// </code></example>
/// <param name="Name">Dataset name.</param>
/// <param name="Source">Always "synthetic, generated".</param>
/// <param name="Generator">Model and version that produced the records.</param>
/// <param name="Citation">What the generator is based on.</param>
/// <param name="Licence">Licence of the generated data.</param>
/// <param name="RecordCount">Records.</param>
/// <param name="ClassCounts">Records per class name ("NORM", "HYP").</param>
/// <param name="SamplingRate">Hz.</param>
/// <param name="SamplesPerRecord">Samples per lead.</param>
/// <param name="Leads">Lead names.</param>
/// <param name="Seed">Database seed.</param>
public sealed record SyntheticDatasetCard(
    string Name,
    string Source,
    string Generator,
    string Citation,
    string Licence,
    int RecordCount,
    IReadOnlyDictionary<string, int> ClassCounts,
    double SamplingRate,
    int SamplesPerRecord,
    IReadOnlyList<string> Leads,
    ulong Seed);

/// <summary>
/// N labelled synthetic 12-lead records, NORM vs HYP, generated on demand. Record i depends only on
/// (seed, i, record options): the same for any <see cref="SyntheticDatabaseOptions.Count"/>. Labels
/// are block-randomised (blocks of 20 with a shuffled, Bresenham-rounded number of HYP records), so
/// every prefix keeps the requested class balance to within one block and there is no periodic
/// pattern a split by index could pick up.
/// </summary>
/// <example><code>
/// var db = new SyntheticEcgDatabase(new SyntheticDatabaseOptions { Count = 100, Seed = 1 });
/// SyntheticEcg r = db.Record(42);                     // r.Signal.RecordId == "syn-000042"
/// int[] labels = db.Labels();                          // 0 = NORM, 1 = HYP
/// Console.WriteLine(db.Card.ClassCounts["HYP"]);
/// </code></example>
public sealed class SyntheticEcgDatabase
{
    public const string DatasetName = "synthetic-ecgsyn-12lead";

    /// <summary>Class names, index = label: 0 NORM, 1 HYP (PTB-XL superclass names).</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["NORM", "HYP"];

    private const int Block = 20;
    private const ulong LabelStream = 0x4C4142454CUL, RecordStream = 0x5245434F5244UL;

    /// <summary>Keeps the options; nothing is generated until a record is asked for.</summary>
    public SyntheticEcgDatabase(SyntheticDatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    public SyntheticDatabaseOptions Options { get; }
    public int Count => Options.Count;

    /// <summary>"syn-000042" style id of record <paramref name="index"/>.</summary>
    public static string RecordId(int index) => $"syn-{index:D6}";

    /// <summary>Condition of record <paramref name="index"/> (depends on seed and index only).</summary>
    public SyntheticCondition ConditionOf(int index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "record index must be ≥ 0");
        int block = index / Block, slot = index % Block;
        double perBlock = Options.HypertrophyFraction * Block;
        int hyp = (int)(Math.Floor((block + 1) * perBlock + 1e-9) - Math.Floor(block * perBlock + 1e-9));
        // Fisher–Yates over the block's slots with the block's own stream; the first `hyp` slots are HYP
        var rng = SplitMix64.ForStream(Options.Seed ^ LabelStream, (ulong)block);
        var order = Enumerable.Range(0, Block).ToArray();
        for (int i = Block - 1; i > 0; i--)
        {
            int j = (int)(rng.NextDouble() * (i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return Array.IndexOf(order, slot) < hyp ? SyntheticCondition.Hypertrophy : SyntheticCondition.Normal;
    }

    /// <summary>Label of record <paramref name="index"/>: 0 NORM, 1 HYP.</summary>
    public int LabelOf(int index) => ConditionOf(index) == SyntheticCondition.Hypertrophy ? 1 : 0;

    /// <summary>Seed of record <paramref name="index"/>.</summary>
    public ulong SeedOf(int index) => SplitMix64.ForStream(Options.Seed ^ RecordStream, (ulong)index).NextUInt64();

    /// <summary>Generates record <paramref name="index"/> (any index ≥ 0; those ≥ Count exist too, for "more of the same").</summary>
    public SyntheticEcg Record(int index)
    {
        var options = Options.Record with { Condition = ConditionOf(index) };
        return SyntheticEcgGenerator.Generate(options, SeedOf(index), RecordId(index));
    }

    /// <summary>Records 0..Count−1, generated lazily in order.</summary>
    public IEnumerable<SyntheticEcg> Records()
    {
        for (int i = 0; i < Count; i++) yield return Record(i);
    }

    /// <summary>Labels of records 0..Count−1 without generating signals.</summary>
    public int[] Labels() => Enumerable.Range(0, Count).Select(LabelOf).ToArray();

    public SyntheticDatasetCard Card
    {
        get
        {
            var labels = Labels();
            return new SyntheticDatasetCard(
                DatasetName,
                "synthetic, generated",
                "EcgExperiments.Synthetic dipole-ECGSYN v1",
                "McSharry PE, Clifford GD, Tarassenko L, Smith LA. A dynamical model for generating synthetic electrocardiogram signals. IEEE Trans Biomed Eng 50(3):289-294, 2003; multi-lead dipole after Sameni R et al., IEEE Trans Biomed Eng 54(12), 2007; leads by the inverse Dower transform (Dower et al. 1980).",
                "generated data, no restrictions",
                Count,
                new Dictionary<string, int> { [ClassNames[0]] = labels.Count(l => l == 0), [ClassNames[1]] = labels.Count(l => l == 1) },
                Options.Record.SamplingRate,
                Options.Record.SampleCount,
                SyntheticEcgGenerator.LeadNames,
                Options.Seed);
        }
    }
}
