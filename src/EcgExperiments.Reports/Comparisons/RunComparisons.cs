using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;

namespace EcgExperiments.Reports;

/// <summary>
/// Pairs runs evaluated on the same test set and compares each with its reference, metric by metric
/// (<see cref="ClassificationComparison"/>: paired-bootstrap interval of the difference, McNemar / DeLong / permutation
/// test), then corrects the p-values of each metric across the runs compared on one test set (Holm) and words a verdict
/// per run.
/// <list type="bullet">
/// <item><b>Test sets.</b> Runs are grouped by the example ids and labels of their predictions.csv (classification) or
/// scores.csv (anomaly); runs without one are grouped by data and split fingerprints and are listed but not compared.
/// Runs of different test sets are never paired.</item>
/// <item><b>Reference.</b> <see cref="ReportOptions.Reference"/> names a run (trial key prefix or experiment/trial) or a
/// parameter value (<c>training.imbalance.strategy=none</c>, or just <c>strategy=none</c>). Without it, when the sweep
/// index is there, the swept key with the most values is the comparison axis and its reference value is the one of the
/// sweep's first trial (in a grid: the spec's first value); otherwise the first run in report order. With an axis, each
/// run is compared with the reference run that matches it on every other parameter (e.g. focal vs none within each
/// architecture).</item>
/// <item><b>Settings.</b> Resamples, level and seed of the reference run's <c>evaluation</c> and <c>seed</c> (default
/// 1000, 0.95, 42); stratified by true class.</item>
/// </list>
/// </summary>
public static class RunComparisons
{
    private const int DefaultResamples = 1000;
    private const double DefaultLevel = 0.95;
    private const int FewExamples = 10;
    private static readonly string[] ThresholdFree = [MetricNames.RocAuc, MetricNames.AveragePrecision];

    /// <exception cref="EcgDataException"><see cref="ReportOptions.Reference"/> matches no run or parameter, or is ambiguous.</exception>
    public static ComparisonReport Build(IReadOnlyList<RunRecord> runs, ReportOptions options)
    {
        var sweep = SweepIndex.Read(runs);
        // Names and axes per task: what varies between classifiers says nothing about an anomaly detector's parameters.
        var spaces = runs.GroupBy(r => r.Task).ToDictionary(g => g.Key, g => ParameterSpace.Of(g.ToList(), sweep));
        string NameOf(RunRecord r) => spaces[r.Task].NameOf(r);
        var notes = new List<string>();
        var outputs = new Dictionary<RunRecord, RunOutputs>();
        foreach (var run in runs)
        {
            try
            {
                if (RunOutputs.Read(run) is { } o) outputs[run] = o;
            }
            catch (EcgDataException e)
            {
                notes.Add($"{NameOf(run)} ({run.Label}) is not compared: {e.Message}");
            }
        }

        var groups = TestSetKeys(runs, outputs);
        var reference = ReferenceSelector.Parse(options.Reference, runs, NameOf);
        var testSets = new List<TestSet>();
        var rows = new List<ComparisonRow>();
        var verdicts = new List<ComparisonVerdict>();
        var warnings = new List<string>();
        for (int g = 0; g < groups.Count; g++)
        {
            var members = groups[g].ToList();
            string label = Label(g);
            var withOutputs = members.Where(outputs.ContainsKey).ToList();
            var first = withOutputs.Count > 0 ? outputs[withOutputs[0]] : null;
            var classCounts = first is null ? [] : first.Scores.ClassNames.Zip(first.ClassCounts, KeyValuePair.Create).ToList();
            int? examples = first?.Scores.Count ?? members.Select(r => r.TestSampleCount).FirstOrDefault(n => n is not null);
            var space = spaces[members[0].Task];
            string? how = null;
            var compared = new List<(RunRecord run, RunRecord reference)>();
            if (withOutputs.Count >= 2)
            {
                var plan = reference.Pair(withOutputs, space, sweep);
                how = plan.Description;
                compared = plan.Pairs.ToList();
                notes.AddRange(plan.Notes.Select(n => $"test set {label}: {n}"));
            }
            else if (members.Count >= 2 && members[0].Task == TaskLayouts.MultiLabel)
                notes.Add($"test set {label}: multi-label runs are compared by their intervals only; paired tests (McNemar, DeLong, permutation) are defined here for one class per example");
            else if (members.Count >= 2 && members[0].Task != TaskLayouts.Reconstruction)
                notes.Add($"test set {label}: runs without per-example outputs ({RunOutputs.PredictionsFileName} or {RunOutputs.ScoresFileName}) cannot be paired: " +
                          string.Join(", ", members.Where(r => !outputs.ContainsKey(r)).Select(space.NameOf)));
            var set = new TestSet(label, members[0].Task, members, examples, classCounts, how);
            testSets.Add(set);
            if (compared.Count == 0) continue;

            var setRows = Compare(set, compared, outputs, space, notes);
            rows.AddRange(setRows);
            var group = TaskGroup.Of(members).Single();
            var keys = setRows.Select(r => r.Key).Distinct().ToList();
            var primary = keys.Contains(group.HeatmapMetric(options.HeatmapMetric)) ? group.HeatmapMetric(options.HeatmapMetric) : keys.FirstOrDefault();
            if (primary is null) continue;
            verdicts.AddRange(compared.Select(p => Verdict(set, p.run, p.reference, setRows, primary, group.Columns, space, options.Decimals)).OfType<ComparisonVerdict>());
            if (SmallTestSetWarning(set, setRows, primary, group.Columns, options.Decimals) is { } w) warnings.Add(w);
        }
        if (testSets.Count(t => t.Task != TaskLayouts.Reconstruction) > 1)
            notes.Add($"{testSets.Count} distinct test sets ({string.Join("; ", testSets.Select(t => $"{t.Label}: {string.Join(", ", t.Runs.Select(NameOf))}"))}): " +
                      "runs are compared only with runs of their own test set, never across test sets.");
        reference.ThrowIfUnused(testSets.Any(t => t.Reference is not null));
        return new ComparisonReport(spaces, testSets, rows, verdicts, warnings, notes);
    }

    private static List<ComparisonRow> Compare(TestSet set, List<(RunRecord run, RunRecord reference)> pairs, Dictionary<RunRecord, RunOutputs> outputs,
        ParameterSpace space, List<string> notes)
    {
        var layout = TaskLayouts.Find(set.Task)!;
        var columns = layout.Columns(set.Runs);
        var rows = new List<(ComparisonRow row, int pair)>();
        for (int i = 0; i < pairs.Count; i++)
        {
            var (run, reference) = pairs[i];
            var (a, b) = (outputs[run], outputs[reference]);
            var keys = columns.Select(c => c.Key).ToList();
            if (!a.ReproducesConfusion || !b.ReproducesConfusion)
            {
                var which = !a.ReproducesConfusion ? a : b;
                keys = keys.Where(k => ThresholdFree.Contains(k)).ToList();
                notes.Add($"test set {set.Label}: {space.NameOf(run)} vs {space.NameOf(reference)}: only {string.Join(", ", keys)} compared — " +
                          $"thresholding the scores of {Path.GetFileName(which.File)} does not give back the run's confusion matrix (scores stored before scaling)");
            }
            if (keys.Count == 0) continue;
            var settings = Settings(reference);
            IReadOnlyList<MetricComparison> result;
            try
            {
                result = ClassificationComparison.Compare(a.Scores, b.Scores, settings with { Metrics = keys });
            }
            catch (ArgumentException e)
            {
                notes.Add($"test set {set.Label}: {space.NameOf(run)} vs {space.NameOf(reference)} not compared: {e.Message}");
                continue;
            }
            foreach (var m in result)
            {
                int open = m.Key.IndexOf('[');
                var (metric, cls) = open < 0 ? (m.Key, (string?)null) : (m.Key[..open], m.Key[(open + 1)..^1]);
                rows.Add((new ComparisonRow(run.Experiment, set.Label, run.TrialKey, space.NameOf(run), reference.TrialKey, space.NameOf(reference), metric, cls,
                    m.First, m.Second, m.Difference.Point, m.Difference.Lower, m.Difference.Upper, m.Difference.Level, m.Test?.Method, m.Test?.Statistic,
                    m.Test?.PValue, null, m.Test?.Detail ?? "no test for this metric; interval only", set.Task), i));
            }
        }
        // Holm over the runs compared on this test set, one family per metric.
        var adjusted = new Dictionary<(int, string), double?>();
        foreach (var family in rows.GroupBy(r => r.row.Key))
        {
            var list = family.ToList();
            var adj = MultipleComparisons.Holm(list.Select(r => r.row.P).ToList());
            for (int j = 0; j < list.Count; j++) adjusted[(list[j].pair, family.Key)] = adj[j];
        }
        return rows.Select(r => r.row with { AdjustedP = adjusted[(r.pair, r.row.Key)] }).ToList();
    }

    /// <summary>The reference run's interval settings: its bootstrap resamples, level and seed.</summary>
    private static ComparisonOptions Settings(RunRecord reference)
    {
        int resamples = int.TryParse(ParameterDiff.ValueOf(reference, "evaluation.bootstrap_resamples"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultResamples;
        double level = double.TryParse(ParameterDiff.ValueOf(reference, "evaluation.confidence_level"), NumberStyles.Float, CultureInfo.InvariantCulture, out var l) && l is > 0 and < 1 ? l : DefaultLevel;
        ulong seed = ulong.TryParse(ParameterDiff.ValueOf(reference, "seed"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 42;
        return new ComparisonOptions
        {
            Bootstrap = new BootstrapOptions { Resamples = resamples, Level = level, Seed = seed, Stratified = true },
            Permutation = new PermutationOptions { Seed = seed },
        };
    }

    private static ComparisonVerdict? Verdict(TestSet set, RunRecord run, RunRecord reference, List<ComparisonRow> rows, string primary,
        IReadOnlyList<HeadlineColumn> columns, ParameterSpace space, int decimals)
    {
        var mine = rows.Where(r => r.Run == run.TrialKey && r.Reference == reference.TrialKey && r.Experiment == run.Experiment).ToList();
        var main = mine.FirstOrDefault(r => r.Key == primary);
        if (main is null) return null;
        string header = Header(columns, primary);
        string name = space.NameOf(run), refName = space.NameOf(reference);
        bool lowerBetter = MetricNames.LowerIsBetter(main.Metric);
        string test = main.Test is null ? "no test" : $"{ComparisonTests.Describe(main.Test)} {CiFormatter.FormatPWithName("p", main.P)}, Holm-adjusted {CiFormatter.FormatP(main.AdjustedP)}";
        string conclusion;
        if (main.Significant)
        {
            bool better = main.Difference > 0 != lowerBetter;
            conclusion = $"significant: {(better ? name : refName)} is better ({test})";
        }
        else conclusion = main.Test is null ? $"no test for this metric ({CiFormatter.FormatDifference(main.Difference, main.Lower, main.Upper, decimals)} is the interval)" : $"not significant ({test})";
        var text = $"{name} vs {refName}: {header} {CiFormatter.FormatDifference(main.Difference, main.Lower, main.Upper, decimals)}, {conclusion}";
        var others = mine.Where(r => r != main && r.Significant).ToList();
        if (others.Count > 0)
            text += "; significant on " + string.Join(", ", others.Select(o => $"{Header(columns, o.Key)} {CiFormatter.FormatSigned(o.Difference, decimals)} ({ComparisonTests.Describe(o.Test!)}, Holm-adjusted p {CiFormatter.FormatP(o.AdjustedP)})"));
        if (Minority(set) is { } few) text += $"; {few.Value} {few.Key} test example{(few.Value == 1 ? "" : "s")}";
        return new ComparisonVerdict(set.Label, run.TrialKey, reference.TrialKey, text, main.Significant);
    }

    /// <summary>
    /// A warning when the test set cannot resolve the differences seen: no difference of the primary metric is
    /// significant after Holm and either a class has fewer than 10 test examples or the typical (median) half-width of
    /// the paired intervals is at least the largest difference observed.
    /// </summary>
    private static string? SmallTestSetWarning(TestSet set, List<ComparisonRow> rows, string primary, IReadOnlyList<HeadlineColumn> columns, int decimals)
    {
        var main = rows.Where(r => r.Key == primary && r.Difference is not null).ToList();
        if (main.Count == 0 || main.Any(r => r.Significant)) return null;
        var halves = main.Where(r => r.Lower is not null && r.Upper is not null).Select(r => (r.Upper!.Value - r.Lower!.Value) / 2).Order().ToList();
        double? median = halves.Count == 0 ? null : halves.Count % 2 == 1 ? halves[halves.Count / 2] : (halves[halves.Count / 2 - 1] + halves[halves.Count / 2]) / 2;
        double largest = main.Max(r => Math.Abs(r.Difference!.Value));
        var few = Minority(set);
        bool tinyClass = few is { Value: < FewExamples };
        bool noisy = median is { } m && m >= largest;
        if (!tinyClass && !noisy) return null;
        string header = Header(columns, primary);
        string level = $"{Math.Round(main[0].Level * 100, 1).ToString(CultureInfo.InvariantCulture)} %";
        var text = $"Test set {set.Label} is too small for the differences between its runs to mean much: " +
                   $"{set.ExampleCount} examples" + (few is { } f ? $", only {f.Value} {f.Key}" + (tinyClass ? $" (one {f.Key} example moves recall {f.Key} by {CiFormatter.FormatPoint(1.0 / f.Value, decimals)})" : "") : "") + ". " +
                   (median is { } med ? $"The {level} paired intervals of the {header} differences are ±{CiFormatter.FormatPoint(med, decimals)} wide (median); " : "") +
                   $"the largest difference seen is {CiFormatter.FormatPoint(largest, decimals)}, and none of the {main.Count} comparison{(main.Count == 1 ? "" : "s")} is significant after Holm correction. " +
                   "Read the ranking of these runs as unresolved; a larger test set (or the full dataset) is needed to tell them apart.";
        return text;
    }

    /// <summary>The class with the fewest test examples (the positive class of a binary task when tied).</summary>
    private static KeyValuePair<string, int>? Minority(TestSet set) =>
        set.ClassCounts.Count == 0 ? null : set.ClassCounts.OrderBy(c => c.Value).ThenByDescending(c => set.ClassCounts.ToList().IndexOf(c)).First();

    private static string Header(IReadOnlyList<HeadlineColumn> columns, string key) => columns.FirstOrDefault(c => c.Key == key)?.Header ?? key;

    /// <summary>
    /// Runs grouped by test set: the (id, label) fingerprint of their outputs; a run without outputs joins the runs whose
    /// data and split fingerprints it shares, or else forms a test set with the runs of the same fingerprints.
    /// </summary>
    private static List<IGrouping<string, RunRecord>> TestSetKeys(IReadOnlyList<RunRecord> runs, Dictionary<RunRecord, RunOutputs> outputs)
    {
        var split = runs.ToDictionary(r => r, SplitFingerprint);
        var byFingerprint = runs.Where(r => outputs.ContainsKey(r) && split[r] is not null).GroupBy(r => split[r]!)
            .Select(g => (g.Key, keys: g.Select(r => outputs[r].TestSetKey).Distinct().ToList())).Where(x => x.keys.Count == 1)
            .ToDictionary(x => x.Key, x => x.keys[0]);
        string Key(RunRecord r) =>
            $"{r.Task}:" + (outputs.TryGetValue(r, out var o) ? o.TestSetKey
                : split[r] is { } f ? byFingerprint.GetValueOrDefault(f, $"fingerprints:{f}")
                : $"run:{r.Folder}");
        return runs.GroupBy(Key).ToList();
    }

    /// <summary>Data and split fingerprints of the run record ("data:split"), or null when it has none.</summary>
    private static string? SplitFingerprint(RunRecord run) =>
        run.DataFingerprint is { } data && run.SplitFingerprint is { } split ? $"{data}:{split}" : null;

    private static string Label(int index) => index < 26 ? ((char)('A' + index)).ToString() : $"T{index + 1}";
}
