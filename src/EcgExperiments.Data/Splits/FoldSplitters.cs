namespace EcgExperiments.Data.Splits;

/// <summary>Stratified k-fold cross-validation: k seeded folds of equal size (exact to rounding in every stratum).</summary>
/// <example><code>
/// IReadOnlyList&lt;DataSplit&gt; folds = StratifiedKFold.Create(rowIds, labels, k: 5, seed: 7, SplitProtocol.IntraPatient);
/// foreach (var fold in folds) Train(fold["train"], fold["test"]);
/// </code></example>
public static class StratifiedKFold
{
    /// <summary>Fold index of every member (0 … k−1).</summary>
    public static int[] FoldOf(IReadOnlyList<string> strata, int k, int seed)
    {
        if (k < 2) throw new ArgumentOutOfRangeException(nameof(k), k, "k-fold needs at least 2 folds");
        var parts = StratifiedSplitter.SplitIndices(strata, Enumerable.Repeat(1.0, k).ToArray(), seed);
        var fold = new int[strata.Count];
        for (int f = 0; f < k; f++) foreach (var i in parts[f]) fold[i] = f;
        return fold;
    }

    /// <summary>One split per fold: "test" is fold f, "train" all other folds.</summary>
    public static IReadOnlyList<DataSplit> Create(IReadOnlyList<string> members, IReadOnlyList<string> strata, int k, int seed,
        SplitProtocol protocol, string name = "stratified-kfold")
    {
        ArgumentNullException.ThrowIfNull(members);
        var fold = FoldOf(strata, k, seed);
        if (members.Count != fold.Length) throw new ArgumentException($"{members.Count} members but {fold.Length} strata labels", nameof(members));
        return Enumerable.Range(0, k).Select(f => new DataSplit($"{name}-{f}", protocol,
        [
            new SplitPart("train", members.Where((_, i) => fold[i] != f).ToArray()),
            new SplitPart("test", members.Where((_, i) => fold[i] == f).ToArray()),
        ], $"stratified {k}-fold, seed {seed}, fold {f} held out")).ToArray();
    }
}

/// <summary>
/// Contiguous folds: members kept in their given order and cut into k consecutive blocks whose sizes differ
/// by at most one (the first <c>n mod k</c> blocks are one longer, as NumPy's <c>array_split</c>).
/// BeatGAN splits normal beats this way.
/// </summary>
public static class ContiguousFolds
{
    /// <summary>Half-open index ranges [Start, End) of the k blocks.</summary>
    public static (int Start, int End)[] Ranges(int count, int k)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "at least one fold");
        var ranges = new (int, int)[k];
        int size = count / k, extra = count % k, at = 0;
        for (int f = 0; f < k; f++)
        {
            int len = size + (f < extra ? 1 : 0);
            ranges[f] = (at, at + len);
            at += len;
        }
        return ranges;
    }
}

/// <summary>
/// The anomaly-detection protocol of BeatGAN-style experiments (SPEC §2.4): normal members in k contiguous
/// folds, fold <c>testFold</c> is the normal test set and the other normals are split train/val (90/10,
/// seeded); each anomaly class goes 90 % to test and 10 % to validation. No anomaly is used for training.
/// </summary>
public static class AnomalyDetectionSplit
{
    public static DataSplit Create(IReadOnlyList<string> members, IReadOnlyList<string> classes, string normalClass, int folds,
        int testFold, int seed, SplitProtocol protocol, double normalValidationFraction = 0.1, double anomalyValidationFraction = 0.1)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(classes);
        if (members.Count != classes.Count) throw new ArgumentException($"{members.Count} members but {classes.Count} classes", nameof(classes));
        if (testFold < 0 || testFold >= folds) throw new ArgumentOutOfRangeException(nameof(testFold), testFold, $"fold must be in [0, {folds})");

        var normal = Enumerable.Range(0, members.Count).Where(i => classes[i] == normalClass).ToArray();
        var anomalies = Enumerable.Range(0, members.Count).Where(i => classes[i] != normalClass).ToArray();
        var (start, end) = ContiguousFolds.Ranges(normal.Length, folds)[testFold];
        var test = new List<int>(normal[start..end]);
        var rest = normal[..start].Concat(normal[end..]).ToArray();

        var restSplit = StratifiedSplitter.SplitIndices(new string[rest.Length], [1 - normalValidationFraction, normalValidationFraction], seed);
        var train = restSplit[0].Select(i => rest[i]).ToList();
        var val = restSplit[1].Select(i => rest[i]).ToList();

        var anomalySplit = StratifiedSplitter.SplitIndices(anomalies.Select(i => classes[i]).ToArray(),
            [1 - anomalyValidationFraction, anomalyValidationFraction], seed + 1);
        test.AddRange(anomalySplit[0].Select(i => anomalies[i]));
        val.AddRange(anomalySplit[1].Select(i => anomalies[i]));

        string[] Ids(IEnumerable<int> idx) => idx.Order().Select(i => members[i]).ToArray();
        return new DataSplit($"anomaly-fold{testFold}", protocol,
            [new SplitPart("train", Ids(train)), new SplitPart("val", Ids(val)), new SplitPart("test", Ids(test))],
            $"normal '{normalClass}' in {folds} contiguous folds, fold {testFold} tested; other normals " +
            $"{1 - normalValidationFraction:0.##}/{normalValidationFraction:0.##} train/val; anomalies " +
            $"{1 - anomalyValidationFraction:0.##}/{anomalyValidationFraction:0.##} test/val per class; seed {seed}");
    }
}
