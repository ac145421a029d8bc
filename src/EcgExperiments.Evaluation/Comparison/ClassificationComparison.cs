using System.Globalization;

namespace EcgExperiments.Evaluation;

/// <summary>Settings of <see cref="ClassificationComparison.Compare"/>.</summary>
/// <example><code>
/// var options = new ComparisonOptions
/// {
///     Metrics = ["accuracy", "macro_f1", "roc_auc", "recall[HYP]"],
///     Bootstrap = new BootstrapOptions { Resamples = 1000, Level = 0.95, Seed = 42, Stratified = true },
/// };
/// </code></example>
public sealed record ComparisonOptions
{
    /// <summary>Metric keys to compare (<see cref="MetricNames"/>, per-class as "recall[HYP]"); null = accuracy, macro F1, ROC-AUC and recall of every class.</summary>
    public IReadOnlyList<string>? Metrics { get; init; }

    /// <summary>Resamples of the paired bootstrap interval of each difference (stratified resampling uses the true labels).</summary>
    public BootstrapOptions Bootstrap { get; init; } = new() { Stratified = true };

    /// <summary>Settings of the permutation test of confusion-matrix metrics such as macro F1.</summary>
    public PermutationOptions Permutation { get; init; } = new();
}

/// <summary>
/// One metric of a paired comparison: both models' values on the full set, the paired-bootstrap interval of the
/// difference first − second (<see cref="ConfidenceInterval.Point"/> is the observed difference; method
/// <see cref="ComparisonTests.PairedBootstrap"/>) and the significance test suited to the metric, null where none applies.
/// </summary>
public sealed record MetricComparison(string Key, double? First, double? Second, ConfidenceInterval Difference, SignificanceTest? Test);

/// <summary>
/// Compares two classifiers scored on the same examples (same order, same labels), metric by metric: the difference
/// with a paired percentile-bootstrap interval (both models on the same resamples, <see cref="PairedBootstrap"/>) and
/// the test suited to the metric:
/// <list type="bullet">
/// <item>accuracy: McNemar's exact test on per-example correctness (<see cref="McNemarTest"/>);</item>
/// <item>recall[c]: McNemar's exact test on the examples of class c;</item>
/// <item>ROC-AUC of a binary task, and roc_auc[c]: DeLong's test (<see cref="DeLongTest"/>); the macro ROC-AUC of a
/// multiclass task has no test here (the per-class AUCs are correlated in ways DeLong's variance does not cover);</item>
/// <item>F1, precision, specificity and their macro/weighted means, balanced accuracy: the paired permutation test
/// (<see cref="PairedPermutationTest"/>);</item>
/// <item>average precision, log loss, ECE: interval only.</item>
/// </list>
/// No multiple-comparison correction is applied here: correct across the comparisons of a family with
/// <see cref="MultipleComparisons.Holm(IReadOnlyList{double?})"/>.
/// </summary>
/// <example><code>
/// IReadOnlyList&lt;MetricComparison&gt; rows = ClassificationComparison.Compare(focal, none, new ComparisonOptions { Bootstrap = new() { Seed = 42, Stratified = true } });
/// foreach (var r in rows) Console.WriteLine($"{r.Key}: {r.Difference.Point:+0.000} [{r.Difference.Lower:0.000}, {r.Difference.Upper:0.000}] p = {r.Test?.PValue}");
/// </code></example>
public static class ClassificationComparison
{
    /// <summary>The default metrics: accuracy, macro F1, ROC-AUC and the recall of every class.</summary>
    public static IReadOnlyList<string> DefaultMetrics(IReadOnlyList<string> classNames) =>
        [MetricNames.Accuracy, MetricNames.MacroF1, MetricNames.RocAuc, .. classNames.Select(c => MetricNames.PerClass(MetricNames.Recall, c))];

    /// <summary>Compares <paramref name="first"/> with <paramref name="second"/> (differences are first − second).</summary>
    /// <exception cref="ArgumentException">The two score sets do not describe the same examples and classes, or a metric key is unknown.</exception>
    public static IReadOnlyList<MetricComparison> Compare(ClassificationScores first, ClassificationScores second, ComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        options ??= new ComparisonOptions();
        options.Bootstrap.Validate();
        options.Permutation.Validate();
        CheckPaired(first, second);
        var keys = options.Metrics ?? DefaultMetrics(first.ClassNames);
        if (keys.Count == 0) throw new ArgumentException("no metric to compare", nameof(options));

        var engineA = new ClassificationEvaluator.Engine(first, CalibrationMetrics.DefaultBins);
        var engineB = new ClassificationEvaluator.Engine(second, CalibrationMetrics.DefaultBins);
        var pointA = engineA.Compute(null);
        var pointB = engineB.Compute(null);
        foreach (var k in keys) _ = pointA.Get(k);   // unknown keys fail here with the key in the message

        var labels = first.LabelArray;
        var plan = BootstrapPlan.Create(first.Count, options.Bootstrap, options.Bootstrap.Stratified ? labels : null);
        var names = keys.ToList();
        var differences = PairedBootstrap.Differences(plan, names,
            idx => Values(engineA, idx, first.Count, names),
            idx => Values(engineB, idx, first.Count, names));

        var predA = Enumerable.Range(0, first.Count).Select(first.Predicted).ToArray();
        var predB = Enumerable.Range(0, second.Count).Select(second.Predicted).ToArray();
        return names.Select(k => new MetricComparison(k, pointA.Get(k), pointB.Get(k), differences[k].Interval(options.Bootstrap.Level) with { Method = ComparisonTests.PairedBootstrap },
            Test(k, first, second, labels, predA, predB, options.Permutation))).ToList();
    }

    private static double?[] Values(ClassificationEvaluator.Engine engine, int[] idx, int n, List<string> names)
    {
        var s = engine.Compute(BootstrapPlan.Counts(idx, n));
        return names.Select(s.Get).ToArray();
    }

    private static SignificanceTest? Test(string key, ClassificationScores a, ClassificationScores b, int[] labels, int[] predA, int[] predB, PermutationOptions permutation)
    {
        var (metric, cls) = Split(key);
        int c = cls is null ? -1 : ClassIndex(a, cls);
        switch (metric)
        {
            case MetricNames.Accuracy:
                return McNemar(labels, predA, predB, _ => true, "");
            case MetricNames.Recall when c >= 0:
                return McNemar(labels, predA, predB, y => y == c, $" among the {labels.Count(y => y == c)} {cls} example(s)");
            case MetricNames.RocAuc:
                int target = c >= 0 ? c : a.PositiveClass ?? -1;
                return target < 0 ? null : DeLong(a, b, labels, target);
        }
        var confusionMetric = ConfusionMetric(metric, c);
        if (confusionMetric is null) return null;
        var r = PairedPermutationTest.Run(labels, predA, predB, a.ClassCount, confusionMetric, permutation);
        var how = r.Exact ? $"exact over all 2^{r.Discordant} swaps" : $"{r.Permutations.ToString("N0", CultureInfo.InvariantCulture)} random swap patterns";
        return new SignificanceTest(ComparisonTests.PairedPermutation, r.Observed, r.PValue, $"{r.Discordant} example(s) predicted differently; {how}");
    }

    private static SignificanceTest McNemar(int[] labels, int[] predA, int[] predB, Func<int, bool> include, string among)
    {
        long onlyA = 0, onlyB = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (!include(labels[i])) continue;
            bool okA = predA[i] == labels[i], okB = predB[i] == labels[i];
            if (okA && !okB) onlyA++; else if (okB && !okA) onlyB++;
        }
        var r = McNemarTest.Exact(onlyA, onlyB);
        return new SignificanceTest(ComparisonTests.McNemarExact, Math.Min(onlyA, onlyB), r.PValue,
            $"{onlyA} right only by the first, {onlyB} only by the second{among}");
    }

    private static SignificanceTest? DeLong(ClassificationScores a, ClassificationScores b, int[] labels, int c)
    {
        var isPos = labels.Select(y => y == c).ToArray();
        if (isPos.All(p => p) || !isPos.Any(p => p)) return null;
        var sa = Enumerable.Range(0, a.Count).Select(i => a.RankingScore(i, c)).ToArray();
        var sb = Enumerable.Range(0, b.Count).Select(i => b.RankingScore(i, c)).ToArray();
        var r = DeLongTest.Compare(isPos, sa, sb);
        return new SignificanceTest(ComparisonTests.DeLong, r.Z, r.PValue,
            string.Create(CultureInfo.InvariantCulture, $"AUC {r.FirstAuc:0.000} vs {r.SecondAuc:0.000}, SE {r.StandardError:0.000}; {r.Positives} positive, {r.Negatives} negative"));
    }

    /// <summary>The confusion-matrix function of a metric the permutation test applies to, or null.</summary>
    private static Func<ConfusionMatrix, double>? ConfusionMetric(string metric, int c) => (metric, c >= 0) switch
    {
        (MetricNames.MacroF1, false) => cm => cm.MacroF1,
        (MetricNames.MacroPrecision, false) => cm => cm.MacroPrecision,
        (MetricNames.MacroRecall, false) => cm => cm.MacroRecall,
        (MetricNames.MacroSpecificity, false) => cm => cm.MacroSpecificity,
        (MetricNames.WeightedF1, false) => cm => cm.WeightedF1,
        (MetricNames.WeightedPrecision, false) => cm => cm.WeightedPrecision,
        (MetricNames.WeightedRecall, false) => cm => cm.WeightedRecall,
        (MetricNames.BalancedAccuracy, false) => cm => cm.BalancedAccuracy,
        (MetricNames.F1, true) => cm => cm.F1(c),
        (MetricNames.Precision, true) => cm => cm.Precision(c),
        (MetricNames.Specificity, true) => cm => cm.Specificity(c),
        _ => null,
    };

    private static (string metric, string? cls) Split(string key)
    {
        int open = key.IndexOf('[');
        return open < 0 ? (key, null) : (key[..open], key[(open + 1)..^1]);
    }

    private static int ClassIndex(ClassificationScores s, string cls)
    {
        for (int c = 0; c < s.ClassCount; c++) if (s.ClassNames[c] == cls) return c;
        throw new ArgumentException($"unknown class '{cls}'; the classes are {string.Join(", ", s.ClassNames)}");
    }

    private static void CheckPaired(ClassificationScores a, ClassificationScores b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"the first model scored {a.Count} examples, the second {b.Count}; a paired comparison needs the same examples");
        if (!a.ClassNames.SequenceEqual(b.ClassNames))
            throw new ArgumentException($"class names differ: [{string.Join(", ", a.ClassNames)}] vs [{string.Join(", ", b.ClassNames)}]");
        if (a.PositiveClass != b.PositiveClass) throw new ArgumentException("one score set is binary (one positive column) and the other is not, or their positive classes differ");
        var la = a.LabelArray;
        var lb = b.LabelArray;
        for (int i = 0; i < la.Length; i++)
            if (la[i] != lb[i]) throw new ArgumentException($"example {i} has label {a.ClassNames[la[i]]} for the first model and {b.ClassNames[lb[i]]} for the second; align both on the same examples first");
    }
}
