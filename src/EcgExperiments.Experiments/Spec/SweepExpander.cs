using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace EcgExperiments.Experiments.Spec;

/// <summary>Expands a <see cref="SweepSpec"/> into concrete YAML documents, one per trial.</summary>
public static class SweepExpander
{
    /// <summary>Grid: the full cross product in file order. Random: distinct combinations drawn with the experiment seed.</summary>
    public static IEnumerable<IReadOnlyDictionary<string, YamlNode>> Combinations(SweepSpec sweep, ulong seed, YamlBinder binder, YamlMappingNode root)
    {
        var keys = sweep.Parameters.Keys.ToList();
        foreach (var k in keys)
            if (sweep.Parameters[k].Count == 0) throw binder.Error(root, $"sweep.parameters.{k}", "needs at least one value");
        var sizes = keys.Select(k => sweep.Parameters[k].Count).ToArray();
        long total = sizes.Aggregate(1L, (a, b) => a * b);
        IEnumerable<long> indices;
        if (sweep.Mode == SweepMode.Grid) indices = Enumerable.Range(0, (int)Math.Min(total, int.MaxValue)).Select(i => (long)i);
        else
        {
            if (sweep.Trials < 1) throw binder.Error(root, "sweep.trials", "must be ≥ 1");
            var rng = Core.SplitMix64.ForStream(seed, 0x5EE9);
            var chosen = new List<long>();
            var seen = new HashSet<long>();
            while (chosen.Count < Math.Min(sweep.Trials, total))
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
