using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace EcgExperiments.Experiments.Spec;

/// <summary>
/// A file's sweep: its configurations (sweep-value assignments, numbered from 1) and a factory that resolves the trial
/// of a configuration at any tuner budget. The numbering is deterministic (grid order, or the draw seeded by the
/// experiment seed), so a worker process that re-reads the file finds the same configuration under the same number.
/// </summary>
public sealed class SweepSpace
{
    private readonly YamlBinder _binder;
    private readonly YamlMappingNode _root;
    private readonly Func<YamlMappingNode, ExperimentSpec?, ResolvedExperiment> _resolve;
    private readonly Dictionary<(int, int?), Trial> _cache = [];
    private readonly Lock _lock = new();

    private SweepSpace(ExperimentSpec spec, SweepSettings settings, YamlBinder binder, YamlMappingNode root,
        IReadOnlyList<IReadOnlyDictionary<string, YamlNode>> configurations, Func<YamlMappingNode, ExperimentSpec?, ResolvedExperiment> resolve)
    {
        Spec = spec;
        Settings = settings;
        _binder = binder;
        _root = root;
        Configurations = configurations;
        _resolve = resolve;
        Trials = Enumerable.Range(1, configurations.Count).Select(n => Trial(n, settings.Budget?.Max)).ToList();
    }

    public string File => _binder.File;
    /// <summary>The file as written (with its sweep section).</summary>
    public ExperimentSpec Spec { get; }
    public SweepSettings Settings { get; }
    /// <summary>One assignment of dotted keys to YAML values per configuration (a single empty one without a sweep).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, YamlNode>> Configurations { get; }
    /// <summary>
    /// Every configuration resolved and shape-checked: at the file's own values (grid, random) or at the full budget
    /// (tuners). Resolving them all up front means a configuration that does not resolve fails before anything runs.
    /// </summary>
    public IReadOnlyList<Trial> Trials { get; }

    /// <param name="spec">The file bound as written.</param>
    /// <param name="binder">The binder that read it (for file:line:column errors).</param>
    /// <param name="root">Its YAML root.</param>
    /// <param name="resolve">Resolves a (possibly substituted) document; the bound spec is passed when it is already known.</param>
    public static SweepSpace Create(ExperimentSpec spec, YamlBinder binder, YamlMappingNode root, Func<YamlMappingNode, ExperimentSpec?, ResolvedExperiment> resolve)
    {
        var settings = SweepSettings.FromSpec(spec, binder, root);
        IReadOnlyList<IReadOnlyDictionary<string, YamlNode>> configurations =
            spec.Sweep is null || spec.Sweep.Parameters.Count == 0
                ? [new Dictionary<string, YamlNode>()]
                : SweepExpander.Combinations(spec.Sweep, spec.Seed, binder, root).ToList();
        var space = new SweepSpace(spec, settings, binder, root, configurations, resolve);
        if (settings.IsTuner)
            foreach (var trial in space.Trials)
                if (!trial.Experiment.ValidationMetrics.Contains(settings.Metric, StringComparer.OrdinalIgnoreCase))
                {
                    var key = spec.Sweep?.Metric is null ? "training.select_by" : "sweep.metric";
                    throw binder.ErrorAt(root, key, $"the tuner ranks trials by '{settings.Metric}', which is not a validation metric of trial {trial.Number}" +
                        $"{YamlBinder.Suggest(settings.Metric, trial.Experiment.ValidationMetrics)}; available: {string.Join(", ", trial.Experiment.ValidationMetrics)}");
                }
        return space;
    }

    /// <summary>
    /// The trial of configuration <paramref name="number"/> (1-based); with a <paramref name="budget"/>, the tuner's
    /// budget key is set to it, which makes it a different trial (its own resolved config and trial key).
    /// </summary>
    public Trial Trial(int number, int? budget = null)
    {
        if (number < 1 || number > Configurations.Count)
            throw new ArgumentOutOfRangeException(nameof(number), number, $"the sweep has configurations 1 to {Configurations.Count}");
        if (budget is not null && Settings.Budget is null)
            throw new ArgumentException($"mode {YamlBinder.SnakeCase(Settings.Mode.ToString())} has no budget key; only tuners run trials at a budget", nameof(budget));
        lock (_lock)
        {
            if (_cache.TryGetValue((number, budget), out var cached)) return cached;
            var assignment = new Dictionary<string, YamlNode>(Configurations[number - 1]);
            if (budget is { } b) assignment[Settings.Budget!.Key] = new YamlScalarNode(b.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var values = assignment.ToDictionary(a => a.Key, a => SweepExpander.Show(a.Value));
            Trial trial;
            if (assignment.Count == 0)
            {
                trial = new Trial(number, values, _resolve(_root, Spec));
            }
            else
            {
                var node = SweepExpander.Apply(_root, assignment, _binder);
                try
                {
                    trial = new Trial(number, values, _resolve(node, null));
                }
                catch (SpecException e)
                {
                    var prefix = $"{e.Where}: `{e.Where.Key}`: ";
                    var message = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
                    throw new SpecException(e.Where, $"{message} (sweep trial {number}: {string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"))})");
                }
            }
            _cache[(number, budget)] = trial;
            return trial;
        }
    }
}

/// <summary>Expands a <see cref="SweepSpec"/> into concrete YAML documents, one per trial.</summary>
public static class SweepExpander
{
    /// <summary>
    /// Grid: the full cross product in file order. Random (and tuners with <c>trials:</c> set): distinct combinations
    /// drawn with the experiment seed. Both orders are deterministic, so configuration numbers are stable.
    /// </summary>
    public static IEnumerable<IReadOnlyDictionary<string, YamlNode>> Combinations(SweepSpec sweep, ulong seed, YamlBinder binder, YamlMappingNode root)
    {
        var keys = sweep.Parameters.Keys.ToList();
        foreach (var k in keys)
            if (sweep.Parameters[k].Count == 0) throw binder.Error(root, $"sweep.parameters.{k}", "needs at least one value");
        var sizes = keys.Select(k => sweep.Parameters[k].Count).ToArray();
        long total = sizes.Aggregate(1L, (a, b) => a * b);
        IEnumerable<long> indices;
        bool random = sweep.Mode == SweepMode.Random || (sweep.Mode != SweepMode.Grid && sweep.Trials is not null);
        if (!random) indices = Enumerable.Range(0, (int)Math.Min(total, int.MaxValue)).Select(i => (long)i);
        else
        {
            int wanted = sweep.Trials ?? 10;
            if (wanted < 1) throw binder.Error(root, "sweep.trials", "must be ≥ 1");
            var rng = Core.SplitMix64.ForStream(seed, 0x5EE9);
            var chosen = new List<long>();
            var seen = new HashSet<long>();
            while (chosen.Count < Math.Min(wanted, total))
            {
                long pick = (long)(rng.NextUInt64() % (ulong)total);
                if (seen.Add(pick)) chosen.Add(pick);
            }
            indices = chosen;
        }
        foreach (var flat in indices)
        {
            var assignment = new Dictionary<string, YamlNode>();
            long rest = flat;
            for (int i = keys.Count - 1; i >= 0; i--)
            {
                assignment[keys[i]] = sweep.Parameters[keys[i]][(int)(rest % sizes[i])];
                rest /= sizes[i];
            }
            yield return keys.ToDictionary(k => k, k => assignment[k]);
        }
    }

    /// <summary>A copy of <paramref name="root"/> with each dotted key set to its value (missing mappings are created); the sweep section is removed.</summary>
    public static YamlMappingNode Apply(YamlMappingNode root, IReadOnlyDictionary<string, YamlNode> assignment, YamlBinder binder)
    {
        var copy = (YamlMappingNode)Clone(root);
        copy.Children.Remove(new YamlScalarNode("sweep"));
        foreach (var (key, value) in assignment)
        {
            var parts = key.Split('.');
            var map = copy;
            for (int i = 0; i < parts.Length - 1; i++)
            {
                var k = new YamlScalarNode(parts[i]);
                if (!map.Children.TryGetValue(k, out var next))
                {
                    next = new YamlMappingNode();
                    map.Children[k] = next;
                }
                map = next as YamlMappingNode
                    ?? throw binder.Error(next, string.Join('.', parts[..(i + 1)]), $"sweep key '{key}' goes through a value that is not a mapping");
            }
            map.Children[new YamlScalarNode(parts[^1])] = Clone(value);
        }
        return copy;
    }

    /// <summary>Compact one-line YAML of a value, for trial listings.</summary>
    public static string Show(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value ?? "null",
        YamlSequenceNode q => "[" + string.Join(", ", q.Children.Select(Show)) + "]",
        YamlMappingNode m => "{" + string.Join(", ", m.Children.Select(p => $"{Show(p.Key)}: {Show(p.Value)}")) + "}",
        _ => node.ToString(),
    };

    // Deep copy that keeps source positions, so errors in a trial still point into the file.
    private static YamlNode Clone(YamlNode node) => node switch
    {
        YamlScalarNode s => CopyMarks(new YamlScalarNode(s.Value) { Style = s.Style, Tag = s.Tag }, s),
        YamlSequenceNode q => CopyMarks(new YamlSequenceNode(q.Children.Select(Clone)) { Style = q.Style }, q),
        YamlMappingNode m => CopyMarks(new YamlMappingNode(m.Children.Select(p => new KeyValuePair<YamlNode, YamlNode>(Clone(p.Key), Clone(p.Value)))) { Style = m.Style }, m),
        _ => node,
    };

    private static T CopyMarks<T>(T target, YamlNode source) where T : YamlNode
    {
        typeof(YamlNode).GetProperty(nameof(YamlNode.Start))!.SetValue(target, source.Start);
        typeof(YamlNode).GetProperty(nameof(YamlNode.End))!.SetValue(target, source.End);
        return target;
    }
}
