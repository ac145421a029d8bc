using EcgExperiments.Core;
using EcgExperiments.Pipeline;

namespace EcgExperiments.Experiments.Running;

/// <summary>Train/validation/test parts with their fingerprint and the patient-overlap check result.</summary>
public sealed record DataSplit(DataView Train, DataView Validation, DataView Test, string Fingerprint, int OverlappingGroups)
{
    /// <summary>
    /// Seeded split stratified by label, at the level of groups (patients): every group goes to exactly one part,
    /// so the split is patient-disjoint by construction. Group labels are the majority label of their examples.
    /// </summary>
    public static DataSplit RandomStratified(DataView data, IReadOnlyList<double> fractions, ulong seed)
    {
        var groups = data.Examples.Select((e, i) => (e.Group, i)).GroupBy(x => x.Group, x => x.i).ToList();
        var rng = new Random(unchecked((int)(seed * 2654435761UL)));
        var parts = new List<int>[] { [], [], [] };
        foreach (var byLabel in groups.GroupBy(g => data.Examples[g.First()].Label).OrderBy(g => g.Key))
        {
            var members = byLabel.OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
            rng.Shuffle(members);
            int n = members.Length;
            int nTrain = (int)Math.Round(n * fractions[0]);
            int nVal = (int)Math.Round(n * fractions[1]);
            if (nTrain + nVal > n) nVal = n - nTrain;
            for (int i = 0; i < n; i++)
                parts[i < nTrain ? 0 : i < nTrain + nVal ? 1 : 2].AddRange(members[i]);
        }
        foreach (var p in parts) p.Sort();
        return Create(data, parts[0], parts[1], parts[2]);
    }

    public static DataSplit Create(DataView data, IReadOnlyList<int> train, IReadOnlyList<int> validation, IReadOnlyList<int> test)
    {
        var groupsOf = (IReadOnlyList<int> idx) => idx.Select(i => data.Examples[i].Group).ToHashSet(StringComparer.Ordinal);
        var g = new[] { groupsOf(train), groupsOf(validation), groupsOf(test) };
        int overlap = g[0].Intersect(g[1]).Union(g[0].Intersect(g[2])).Union(g[1].Intersect(g[2])).Count();
        var fingerprint = StableHash.OfSequence(
            new[] { train, validation, test }.Select((p, k) => $"{k}:{string.Join(",", p.Select(i => data.Examples[i].Id))}"));
        return new DataSplit(data.Subset(train), data.Subset(validation), data.Subset(test), fingerprint, overlap);
    }
}
