namespace EcgExperiments.Reports;

/// <summary>
/// The diff-only parameter table: the flattened config keys whose values are not the same in every run.
/// A key missing from some runs counts as differing (shown as "—" there). With one run nothing differs.
/// </summary>
/// <example><code>
/// IReadOnlyList&lt;string&gt; keys = ParameterDiff.DifferingKeys(runs);   // e.g. ["model.type", "training.learning_rate"]
/// </code></example>
public static class ParameterDiff
{
    /// <summary>Shown for a key a run does not have.</summary>
    public const string Missing = "—";

    /// <param name="runs">The runs compared.</param>
    /// <param name="ignoreMissing">Count a key as differing only when two runs that have it disagree (a key only some runs have is then not a difference).</param>
    public static IReadOnlyList<string> DifferingKeys(IReadOnlyList<RunRecord> runs, bool ignoreMissing = false) =>
        DifferingKeys(runs.Select(r => r.FlatConfig).ToList(), ignoreMissing);

    public static IReadOnlyList<string> DifferingKeys(IReadOnlyList<IReadOnlyDictionary<string, string>> configs, bool ignoreMissing = false)
    {
        if (configs.Count < 2) return [];
        var keys = new SortedSet<string>(configs.SelectMany(c => c.Keys), StringComparer.Ordinal);
        return keys.Where(k => configs.Select(c => c.TryGetValue(k, out var v) ? v : null)
            .Where(v => !ignoreMissing || v is not null).Distinct().Count() > 1).ToList();
    }

    /// <summary>The value of <paramref name="key"/> in <paramref name="run"/>, or <see cref="Missing"/>.</summary>
    public static string ValueOf(RunRecord run, string key) => run.FlatConfig.TryGetValue(key, out var v) ? v : Missing;
}
