namespace EcgExperiments.Reports;

/// <summary>
/// One parameter that varies between runs, as a sweep sets it: a swept key (<c>model</c>, <c>training.imbalance</c>,
/// <c>training.learning_rate</c>) with every flattened config key under it. Two runs hold the same value when all those
/// keys agree (<see cref="IdentityOf"/>); <see cref="ValueOf"/> is the short form for tables and charts: the
/// <c>type</c> or <c>strategy</c> of an object (<c>cnn2d</c>, <c>focal</c>), the value of a scalar, or the differing
/// keys spelled out where the short form would hide a difference.
/// </summary>
public sealed class ParameterAxis
{
    private readonly Dictionary<string, string> _identity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _short = new(StringComparer.Ordinal);

    internal ParameterAxis(string name, IReadOnlyList<string> keys, IReadOnlyList<RunRecord> runs, int? declaredAt)
    {
        Name = name;
        Keys = keys;
        DeclaredAt = declaredAt;
        string? label = keys.FirstOrDefault(k => k == name + ".type") ?? keys.FirstOrDefault(k => k == name + ".strategy");
        foreach (var r in runs) _identity[r.Folder] = string.Join("; ", keys.Select(k => $"{Last(k, name)}={ParameterDiff.ValueOf(r, k)}"));
        // The short label only where it tells every distinct value apart (focal γ 1 and focal γ 2 both read "focal").
        foreach (var group in runs.GroupBy(r => label is null ? _identity[r.Folder] : ParameterDiff.ValueOf(r, label)))
        {
            bool unique = group.Select(r => _identity[r.Folder]).Distinct().Count() == 1;
            foreach (var r in group)
                _short[r.Folder] = keys.Count == 1 ? ParameterDiff.ValueOf(r, keys[0]) : unique && label is not null ? group.Key : _identity[r.Folder];
        }
        Values = runs.Select(r => _identity[r.Folder]).Distinct().ToList();
    }

    /// <summary>The swept key, e.g. "training.imbalance", or one flattened key.</summary>
    public string Name { get; }

    /// <summary>The flattened config keys under <see cref="Name"/> that differ between runs.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Position among the spec's swept keys (from the sweep index), or null for a parameter found by diffing configs.</summary>
    public int? DeclaredAt { get; }

    /// <summary>Distinct value identities, in run order.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>Full identity of <paramref name="run"/>'s value: every key under the axis with its value.</summary>
    public string IdentityOf(RunRecord run) => _identity[run.Folder];

    /// <summary>Short form of <paramref name="run"/>'s value ("focal", "0.003").</summary>
    public string ValueOf(RunRecord run) => _short[run.Folder];

    /// <summary>True when <paramref name="key"/> is this axis's name or lies under it.</summary>
    public bool Covers(string key) => key == Name || key.StartsWith(Name + ".", StringComparison.Ordinal);

    private static string Last(string key, string prefix) => key.Length > prefix.Length && key.StartsWith(prefix + ".", StringComparison.Ordinal) ? key[(prefix.Length + 1)..] : key;
}

/// <summary>
/// The parameters that vary across a set of runs, grouped into <see cref="ParameterAxis"/>es, and a short name per run
/// ("resnet1d · focal") for legends, tables and verdicts. With a sweep index the axes are the spec's swept keys in
/// declaration order; without one, an object whose <c>type</c> or <c>strategy</c> differs is one axis (all its keys)
/// and every other differing key is its own. Labels (<c>name</c>, <c>description</c>) are not parameters.
/// </summary>
public sealed class ParameterSpace
{
    private static readonly HashSet<string> NotParameters = ["name", "description"];
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    private ParameterSpace(IReadOnlyList<ParameterAxis> axes, IReadOnlyList<RunRecord> runs)
    {
        Axes = axes;
        bool experiments = runs.Select(r => r.Experiment).Distinct().Count() > 1;
        foreach (var r in runs)
        {
            var parts = new List<string>();
            if (experiments) parts.Add(r.Experiment);
            parts.AddRange(axes.Select(a => a.ValueOf(r)));
            _names[r.Folder] = parts.Count == 0 ? r.TrialKey : string.Join(" · ", parts);
        }
        foreach (var clash in runs.GroupBy(r => _names[r.Folder]).Where(g => g.Count() > 1))
            foreach (var r in clash) _names[r.Folder] = $"{clash.Key} ({r.TrialKey})";
    }

    /// <summary>The varying parameters, swept keys first in declaration order.</summary>
    public IReadOnlyList<ParameterAxis> Axes { get; }

    /// <summary>Short unique name of a run: its values of the varying parameters (with the experiment when several are mixed).</summary>
    public string NameOf(RunRecord run) => _names.TryGetValue(run.Folder, out var n) ? n : run.Label;

    /// <summary>The axis that covers <paramref name="key"/>, or null.</summary>
    public ParameterAxis? AxisOf(string key) => Axes.FirstOrDefault(a => a.Covers(key));

    /// <summary>Finds the varying parameters of <paramref name="runs"/>; <paramref name="sweep"/> holds their sweep trials where known.</summary>
    public static ParameterSpace Of(IReadOnlyList<RunRecord> runs, IReadOnlyDictionary<string, SweepTrial>? sweep = null)
    {
        var differing = ParameterDiff.DifferingKeys(runs).Where(k => !NotParameters.Contains(k)).ToList();
        var axes = new List<ParameterAxis>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        // Swept keys from the index, in the order the spec declares them.
        var swept = runs.Select(r => sweep is not null && sweep.TryGetValue(r.Folder, out var t) ? t : null).OfType<SweepTrial>()
            .SelectMany(t => t.Values.Select((v, i) => (v.Key, i))).GroupBy(x => x.Key).Select(g => (key: g.Key, at: g.Min(x => x.i))).OrderBy(x => x.at).ToList();
        foreach (var (key, at) in swept)
        {
            var keys = differing.Where(k => k == key || k.StartsWith(key + ".", StringComparison.Ordinal)).ToList();
            if (keys.Count == 0) continue;
            axes.Add(new ParameterAxis(key, keys, runs, at));
            covered.UnionWith(keys);
        }
        // The rest: an object with a differing type/strategy is one axis, other keys one each.
        var rest = differing.Where(k => !covered.Contains(k)).ToList();
        var objects = rest.Where(k => k.EndsWith(".type", StringComparison.Ordinal) || k.EndsWith(".strategy", StringComparison.Ordinal))
            .Select(k => k[..k.LastIndexOf('.')]).Distinct().ToList();
        foreach (var prefix in objects)
        {
            var keys = rest.Where(k => k.StartsWith(prefix + ".", StringComparison.Ordinal) && !covered.Contains(k)).ToList();
            axes.Add(new ParameterAxis(prefix, keys, runs, null));
            covered.UnionWith(keys);
        }
        foreach (var k in rest.Where(k => !covered.Contains(k))) axes.Add(new ParameterAxis(k, [k], runs, null));
        return new ParameterSpace(axes, runs);
    }
}
