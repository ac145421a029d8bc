using EcgExperiments.Core;
using EcgExperiments.Pipeline;

namespace EcgExperiments.Experiments.Running;

/// <summary>Train/validation/test parts with their fingerprint and the patient-overlap check result.</summary>
public sealed record DataSplit(EcgDataView Train, EcgDataView Validation, EcgDataView Test, string Fingerprint, int OverlappingGroups)
{
    /// <summary>
    /// Seeded split stratified by label (the data layer's <see cref="Data.Splits.StratifiedSplitter"/>). At patient
    /// level every group goes to exactly one part, so the split is patient-disjoint by construction (a group is
    /// stratified by its first example's label); at example level groups may straddle parts, which the runner's
    /// leakage guard then reports.
    /// </summary>
    public static DataSplit RandomStratified(EcgDataView data, IReadOnlyList<double> fractions, ulong seed, bool byPatient = true)
    {
        int intSeed = unchecked((int)(seed ^ (seed >> 32)));
        if (!byPatient)
        {
            var parts = Data.Splits.StratifiedSplitter.SplitIndices(data.Index.Labels.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), fractions, intSeed);
            return Create(data, parts[0], parts[1], parts[2]);
        }
        var groups = new List<string>();
        var members = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < data.Count; i++)
        {
            var g = data.Index.Groups[i];
            if (!members.TryGetValue(g, out var list)) { members[g] = list = []; groups.Add(g); }
            list.Add(i);
        }
        var strata = groups.Select(g => data.Index.Labels[members[g][0]].ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var groupParts = Data.Splits.StratifiedSplitter.SplitIndices(strata, fractions, intSeed);
        var expanded = groupParts.Select(p => p.SelectMany(gi => members[groups[gi]]).Order().ToList()).ToArray();
        return Create(data, expanded[0], expanded[1], expanded[2]);
    }

    /// <summary>
    /// Stratified k-fold: fold <paramref name="fold"/> is the test set; a stratified, seeded <paramref name="validationFraction"/>
    /// of the other folds validates. Example-level (each example its own stratum member): for data where every
    /// example is its own patient or where the protocol is intra-patient by construction (ECG5000).
    /// </summary>
    public static DataSplit KFold(EcgDataView data, int folds, int fold, double validationFraction, ulong seed)
    {
        int intSeed = unchecked((int)(seed ^ (seed >> 32)));
        var strata = data.Index.Labels.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var foldOf = Data.Splits.StratifiedKFold.FoldOf(strata, folds, intSeed);
        var test = Enumerable.Range(0, data.Count).Where(i => foldOf[i] == fold).ToList();
        var rest = Enumerable.Range(0, data.Count).Where(i => foldOf[i] != fold).ToArray();
        if (validationFraction <= 0) return Create(data, rest, [], test);
        var parts = Data.Splits.StratifiedSplitter.SplitIndices(rest.Select(i => strata[i]).ToList(), [1 - validationFraction, validationFraction], intSeed + 1);
        return Create(data, parts[0].Select(i => rest[i]).Order().ToList(), parts[1].Select(i => rest[i]).Order().ToList(), test);
    }

    /// <summary>SPEC §2.4 anomaly-detection protocol (<see cref="Data.Splits.AnomalyDetectionSplit"/>), in the data's order.</summary>
    public static DataSplit AnomalyFolds(EcgDataView data, int normalClass, int folds, int fold, double normalValidation, double anomalyValidation, ulong seed)
    {
        int intSeed = unchecked((int)(seed ^ (seed >> 32)));
        var members = Enumerable.Range(0, data.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var classes = data.Index.Labels.Select(l => data.Ecg.ClassNames[l]).ToList();
        var split = Data.Splits.AnomalyDetectionSplit.Create(members, classes, data.Ecg.ClassNames[normalClass], folds, fold, intSeed,
            Data.Splits.SplitProtocol.IntraPatient, normalValidation, anomalyValidation);
        IReadOnlyList<int> Part(string name) => split.Parts.First(p => p.Name == name).Members.Select(m => int.Parse(m, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        return Create(data, Part("train"), Part("val"), Part("test"));
    }

    public static DataSplit Create(EcgDataView data, IReadOnlyList<int> train, IReadOnlyList<int> validation, IReadOnlyList<int> test)
    {
        var groupsOf = (IReadOnlyList<int> idx) => idx.Select(i => data.Index.Groups[i]).ToHashSet(StringComparer.Ordinal);
        var g = new[] { groupsOf(train), groupsOf(validation), groupsOf(test) };
        int overlap = g[0].Intersect(g[1]).Union(g[0].Intersect(g[2])).Union(g[1].Intersect(g[2])).Count();
        var fingerprint = StableHash.OfSequence(
            new[] { train, validation, test }.Select((p, k) => $"{k}:{string.Join(",", p.Select(i => data.Index.Ids[i]))}"));
        return new DataSplit(data.Subset(train), data.Subset(validation), data.Subset(test), fingerprint, overlap);
    }
}
