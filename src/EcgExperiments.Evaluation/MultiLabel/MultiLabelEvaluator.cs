namespace EcgExperiments.Evaluation;

/// <summary>What <see cref="MultiLabelEvaluator.Evaluate"/> computes besides the point metrics.</summary>
/// <example><code>
/// var options = new MultiLabelEvaluationOptions
/// {
///     TrainingTargets = trainY,                                  // adds the prevalence baseline
///     Bootstrap = new BootstrapOptions { Seed = 1, Level = 0.90 },
/// };
/// </code></example>
public sealed record MultiLabelEvaluationOptions
{
    /// <summary>Training targets; when given, the label-prevalence baseline is evaluated next to the model.</summary>
    public IReadOnlyList<bool[]>? TrainingTargets { get; init; }

    /// <summary>
    /// Interval settings; null = no intervals. Resamples are drawn over test samples without strata (a sample has
    /// several labels); stratified settings are rejected.
    /// </summary>
    public BootstrapOptions? Bootstrap { get; init; }

    /// <summary>How each label's threshold is chosen on validation scores (default: best F1 of the label).</summary>
    public ThresholdRule ThresholdRule { get; init; } = ThresholdRule.BestF1;

    /// <summary>Threshold of a label whose validation scores hold one class only.</summary>
    public double FallbackThreshold { get; init; } = MultiLabelThresholds.DefaultFallback;

    /// <summary>
    /// Steps of the F-max threshold grid: thresholds k·(1/steps) for k = 0 … steps. 100 is the PTB-XL benchmark's
    /// grid (0, 0.01, …, 1).
    /// </summary>
    public int FmaxThresholds { get; init; } = 100;

    /// <summary>Throws with a message naming the bad setting.</summary>
    public void Validate()
    {
        Bootstrap?.Validate();
        if (Bootstrap is { Stratified: true })
            throw new ArgumentException("stratified bootstrap needs one class per sample; a multi-label evaluation resamples test samples unstratified (set stratified: false)");
        if (FmaxThresholds < 1) throw new ArgumentOutOfRangeException(nameof(FmaxThresholds), FmaxThresholds, "the F-max grid needs at least one step");
        if (!double.IsFinite(FallbackThreshold)) throw new ArgumentOutOfRangeException(nameof(FallbackThreshold), FallbackThreshold, "the fallback threshold must be finite");
        ArgumentNullException.ThrowIfNull(ThresholdRule);
    }
}

/// <summary>
/// Evaluates multi-label scores (one sigmoid per label) into a <see cref="MultiLabelReport"/>. Definitions:
/// <list type="bullet">
/// <item>ROC-AUC and average precision per label with sklearn's tie rules; macro = mean over the labels where defined,
/// micro = one curve over every (sample, label) pair (sklearn <c>roc_auc_score(average="micro")</c>).</item>
/// <item>F-max (Strodthoff et al., "Deep learning for ECG analysis: benchmarks and insights from PTB-XL", 2020, after
/// CAFA): at each grid threshold t a label is predicted when its score ≥ t; precision(t) is the mean, over samples
/// with at least one prediction, of |predicted ∩ true| / |predicted|; recall(t) the mean, over samples with at least
/// one true label, of |predicted ∩ true| / |true|; F(t) = 2·P·R/(P + R); F-max = max over t. Scores must be
/// probabilities in [0, 1].</item>
/// <item>Per-label thresholds chosen on validation only (<see cref="MultiLabelThresholds.Fit"/>); at them: F1 per
/// label (0 when undefined), macro F1 = mean over labels, micro F1 over pooled decisions, Hamming loss = share of
/// wrong decisions.</item>
/// <item>Intervals: percentile bootstrap over test samples on one shared set of resamples. As in the benchmark, a
/// resample in which a label present in the test set has no positive is not admissible: every metric skips it (and
/// counts it in <see cref="ConfidenceInterval.Skipped"/>). Per-label precision and recall use Wilson intervals.</item>
/// </list>
/// </summary>
/// <example><code>
/// MultiLabelReport r = MultiLabelEvaluator.Evaluate(val, test, new MultiLabelEvaluationOptions { TrainingTargets = trainY });
/// double macroAuc = r.MacroRocAuc!.Value, prevalenceAuc = r.Baseline!.MacroRocAuc!.Value;   // … vs 0.5
/// </code></example>
public static class MultiLabelEvaluator
{
    public static MultiLabelReport Evaluate(MultiLabelScores validation, MultiLabelScores test, MultiLabelEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new MultiLabelEvaluationOptions();
        options.Validate();
        if (test.Role != SplitRole.Test) throw new ArgumentException($"test scores are tagged {test.Role}; build them with MultiLabelScores.ForTest", nameof(test));
        if (!validation.LabelNames.SequenceEqual(test.LabelNames, StringComparer.Ordinal))
            throw new ArgumentException($"validation labels [{string.Join(", ", validation.LabelNames)}] differ from test labels [{string.Join(", ", test.LabelNames)}]");

        var thresholds = MultiLabelThresholds.Fit(validation, options.ThresholdRule, options.FallbackThreshold);
        var report = EvaluateAt(thresholds, test, thresholds.ApplyToTest(test), options);
        if (options.TrainingTargets is not { } train) return report;

        var prevalence = LabelPrevalenceBaseline.Fit(train, test.LabelNames);
        var baselineValidation = prevalence.Predict(validation);
        var baselineTest = prevalence.Predict(test);
        var baselineThresholds = MultiLabelThresholds.Fit(baselineValidation, options.ThresholdRule, options.FallbackThreshold);
        var baseline = EvaluateAt(baselineThresholds, baselineTest, baselineThresholds.Apply(baselineTest), options with { Bootstrap = null });
        return report with { Baseline = baseline, BaselineKind = LabelPrevalenceBaseline.Kind };
    }

    /// <summary>
    /// The threshold-free metrics of one set of scores — macro and micro ROC-AUC, macro average precision and F-max —
    /// computed exactly as <see cref="Evaluate"/> computes them, without thresholds or intervals: what a trainer's
    /// per-epoch validation reports (no threshold is fitted, so validation stays a model-selection set only).
    /// </summary>
    /// <example><code>
    /// MultiLabelRanking r = MultiLabelEvaluator.Ranking(MultiLabelScores.ForValidation(targets, probabilities, labels));
    /// double auc = r.MacroRocAuc ?? double.NaN;
    /// </code></example>
    public static MultiLabelRanking Ranking(MultiLabelScores scores, int fmaxThresholds = 100)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (fmaxThresholds < 1) throw new ArgumentOutOfRangeException(nameof(fmaxThresholds), fmaxThresholds, "the F-max grid needs at least one step");
        var engine = new Engine(scores, new bool[scores.Count * scores.LabelCount], fmaxThresholds);
        var p = engine.Compute(null);
        var definedAuc = Enumerable.Range(0, scores.LabelCount).Where(l => p.Auc[l].HasValue).ToArray();
        var present = Enumerable.Range(0, scores.LabelCount).Where(l => p.Support[l] > 0).ToArray();
        return new MultiLabelRanking(Snapshot.MeanOver(p.Auc, definedAuc), p.MicroAuc, Snapshot.MeanOver(p.Ap, present), p.Fmax.Value);
    }

    private static MultiLabelReport EvaluateAt(MultiLabelThresholds thresholds, MultiLabelScores test, bool[] predicted, MultiLabelEvaluationOptions options)
    {
        var engine = new Engine(test, predicted, options.FmaxThresholds);
        var point = engine.Compute(null);
        var report = engine.ToReport(point, thresholds, options.FmaxThresholds);
        if (options.Bootstrap is not { } b) return report;

        var plan = BootstrapPlan.Create(test.Count, b);
        var keys = engine.BootstrapKeys();
        var present = Enumerable.Range(0, test.LabelCount).Where(l => point.Support[l] > 0).ToArray();
        var definedAuc = Enumerable.Range(0, test.LabelCount).Where(l => point.Auc[l].HasValue).ToArray();
        var dists = plan.Distributions(keys, idx =>
        {
            var s = engine.Compute(BootstrapPlan.Counts(idx, test.Count));
            // the benchmark's rule: a resample that loses every positive of a label present in the test set is redrawn; here it is skipped
            if (present.Any(l => s.Support[l] == 0)) return new double?[keys.Count];
            return keys.Select(k => s.Get(k, definedAuc, present)).ToArray();
        });
        var intervals = dists.ToDictionary(kv => kv.Key, kv => kv.Value.Interval(b.Level));
        foreach (var l in report.PerLabel)
        {
            intervals[MetricNames.PerClass(MetricNames.Precision, l.Name)] = WilsonScore.Interval(l.TruePositives, l.TruePositives + l.FalsePositives, b.Level);
            intervals[MetricNames.PerClass(MetricNames.Recall, l.Name)] = WilsonScore.Interval(l.TruePositives, l.Support, b.Level);
        }
        return report with { Intervals = intervals, Resamples = plan.Ids };
    }

    /// <summary>Every metric of one (possibly weighted) evaluation.</summary>
    private sealed class Snapshot
    {
        public required IReadOnlyList<string> LabelNames { get; init; }
        public required double[] Support { get; init; }
        public required double?[] Auc { get; init; }
        public required double?[] Ap { get; init; }
        public double? MicroAuc { get; init; }
        public required FmaxResult Fmax { get; init; }
        public required double[] Tp { get; init; }
        public required double[] Fp { get; init; }
        public required double[] Fn { get; init; }
        public double HammingLoss { get; init; }

        public double F1(int l) => 2 * Tp[l] + Fp[l] + Fn[l] is var d && d > 0 ? 2 * Tp[l] / d : 0;

        public double MacroF1 => Enumerable.Range(0, LabelNames.Count).Average(F1);

        public double MicroF1
        {
            get
            {
                double tp = Tp.Sum(), d = 2 * tp + Fp.Sum() + Fn.Sum();
                return d > 0 ? 2 * tp / d : 0;
            }
        }

        /// <summary>Mean over <paramref name="labels"/>; null when any of them is undefined here or there are none.</summary>
        public static double? MeanOver(double?[] values, int[] labels)
        {
            if (labels.Length == 0) return null;
            double sum = 0;
            foreach (int l in labels)
            {
                if (values[l] is not { } v) return null;
                sum += v;
            }
            return sum / labels.Length;
        }

        public double? Get(string key, int[] definedAuc, int[] present)
        {
            switch (key)
            {
                case MetricNames.MacroRocAuc: return MeanOver(Auc, definedAuc);
                case MetricNames.MicroRocAuc: return MicroAuc;
                case MetricNames.MacroAveragePrecision: return MeanOver(Ap, present);
                case MetricNames.Fmax: return Fmax.Value;
                case MetricNames.MacroF1: return MacroF1;
                case MetricNames.MicroF1: return MicroF1;
                case MetricNames.HammingLoss: return HammingLoss;
            }
            int open = key.IndexOf('[');
            string metric = key[..open], label = key[(open + 1)..^1];
            int l = IndexOf(label);
            return metric switch
            {
                MetricNames.RocAuc => Auc[l],
                MetricNames.AveragePrecision => Ap[l],
                // a label absent from a resample has undefined recall and F1; skip it rather than count 0
                MetricNames.F1 => Support[l] > 0 ? F1(l) : null,
                _ => throw new ArgumentException($"unknown metric key '{key}'"),
            };
        }

        private int IndexOf(string label)
        {
            for (int l = 0; l < LabelNames.Count; l++) if (LabelNames[l] == label) return l;
            throw new ArgumentException($"unknown label '{label}'");
        }
    }

    /// <summary>Precomputes orderings and per-sample F-max terms once; evaluates any sample weighting cheaply.</summary>
    private sealed class Engine
    {
        private readonly MultiLabelScores _s;
        private readonly bool[] _predicted;
        private readonly int _n, _k;
        private readonly bool[][] _isPos;
        private readonly RankedScores[] _ranked;
        private readonly RankedScores _rankedAll;
        private readonly double[] _grid;
        private readonly double[] _precision; // [grid, sample], NaN where nothing is predicted
        private readonly double[] _recall;    // [grid, sample], NaN where the sample has no label
        private readonly bool[] _hasTrue;

        public Engine(MultiLabelScores s, bool[] predicted, int steps)
        {
            _s = s;
            _predicted = predicted;
            _n = s.Count;
            _k = s.LabelCount;
            _isPos = new bool[_k][];
            _ranked = new RankedScores[_k];
            var targets = s.TargetSpan;
            var scores = s.ScoreSpan;
            for (int l = 0; l < _k; l++)
            {
                _isPos[l] = new bool[_n];
                var col = new double[_n];
                for (int i = 0; i < _n; i++) { _isPos[l][i] = targets[i * _k + l]; col[i] = scores[i * _k + l]; }
                _ranked[l] = RankedScores.Create(col);
            }
            _rankedAll = RankedScores.Create(scores);

            for (int j = 0; j < scores.Length; j++)
                if (scores[j] is < 0 or > 1)
                    throw new ArgumentException(
                        $"score of sample {j / _k}, label '{s.LabelNames[j % _k]}' is {scores[j]}; F-max thresholds probabilities on 0 … 1, so pass sigmoid outputs, not logits");
            // thresholds k·(1/steps): the same doubles as numpy's arange(0, 1.01, 0.01) for 100 steps
            double step = 1.0 / steps;
            _grid = Enumerable.Range(0, steps + 1).Select(g => g * step).ToArray();
            _precision = new double[_grid.Length * _n];
            _recall = new double[_grid.Length * _n];
            _hasTrue = new bool[_n];
            for (int i = 0; i < _n; i++)
            {
                int trueCount = 0;
                for (int l = 0; l < _k; l++) if (targets[i * _k + l]) trueCount++;
                _hasTrue[i] = trueCount > 0;
                for (int g = 0; g < _grid.Length; g++)
                {
                    int predictedCount = 0, hits = 0;
                    for (int l = 0; l < _k; l++)
                    {
                        if (scores[i * _k + l] < _grid[g]) continue;
                        predictedCount++;
                        if (targets[i * _k + l]) hits++;
                    }
                    _precision[g * _n + i] = predictedCount == 0 ? double.NaN : (double)hits / predictedCount;
                    _recall[g * _n + i] = trueCount == 0 ? double.NaN : (double)hits / trueCount;
                }
            }
        }

        public Snapshot Compute(int[]? weights)
        {
            var w = weights is null ? ReadOnlySpan<int>.Empty : weights.AsSpan();
            var targets = _s.TargetSpan;
            var support = new double[_k];
            var auc = new double?[_k];
            var ap = new double?[_k];
            var tp = new double[_k];
            var fp = new double[_k];
            var fn = new double[_k];
            double wrong = 0, total = 0;
            for (int i = 0; i < _n; i++)
            {
                double wi = w.IsEmpty ? 1 : w[i];
                if (wi == 0) continue;
                total += wi;
                for (int l = 0; l < _k; l++)
                {
                    bool y = targets[i * _k + l], p = _predicted[i * _k + l];
                    if (y) support[l] += wi;
                    if (y && p) tp[l] += wi;
                    else if (p) { fp[l] += wi; wrong += wi; }
                    else if (y) { fn[l] += wi; wrong += wi; }
                }
            }
            for (int l = 0; l < _k; l++) (auc[l], ap[l]) = _ranked[l].Both(_isPos[l], w);

            double? micro;
            if (w.IsEmpty) micro = _rankedAll.Auc(targets, default);
            else
            {
                var expanded = new int[_n * _k];
                for (int i = 0; i < _n; i++) expanded.AsSpan(i * _k, _k).Fill(w[i]);
                micro = _rankedAll.Auc(targets, expanded);
            }

            return new Snapshot
            {
                LabelNames = _s.LabelNames, Support = support, Auc = auc, Ap = ap, MicroAuc = micro, Fmax = Fmax(w),
                Tp = tp, Fp = fp, Fn = fn, HammingLoss = wrong / (total * _k),
            };
        }

        private FmaxResult Fmax(ReadOnlySpan<int> w)
        {
            double best = double.NaN;
            int bestAt = -1;
            double bestP = 0, bestR = 0, bestCoverage = 0;
            for (int g = 0; g < _grid.Length; g++)
            {
                double pSum = 0, pCount = 0, rSum = 0, rCount = 0, all = 0;
                for (int i = 0; i < _n; i++)
                {
                    double wi = w.IsEmpty ? 1 : w[i];
                    if (wi == 0) continue;
                    all += wi;
                    double p = _precision[g * _n + i];
                    if (!double.IsNaN(p)) { pSum += wi * p; pCount += wi; }
                    if (_hasTrue[i]) { rSum += wi * _recall[g * _n + i]; rCount += wi; }
                }
                if (pCount == 0 || rCount == 0) continue;
                double precision = pSum / pCount, recall = rSum / rCount;
                if (precision + recall == 0) continue;
                double f = 2 * precision * recall / (precision + recall);
                if (double.IsNaN(best) || f > best) { best = f; bestAt = g; bestP = precision; bestR = recall; bestCoverage = pCount / all; }
            }
            return bestAt < 0 ? new FmaxResult(0, null, null, null, null) : new FmaxResult(best, _grid[bestAt], bestP, bestR, bestCoverage);
        }

        public IReadOnlyList<string> BootstrapKeys()
        {
            var keys = new List<string>
            {
                MetricNames.MacroRocAuc, MetricNames.MicroRocAuc, MetricNames.MacroAveragePrecision, MetricNames.Fmax,
                MetricNames.MacroF1, MetricNames.MicroF1, MetricNames.HammingLoss,
            };
            foreach (var name in _s.LabelNames)
                foreach (var m in new[] { MetricNames.RocAuc, MetricNames.AveragePrecision, MetricNames.F1 })
                    keys.Add(MetricNames.PerClass(m, name));
            return keys;
        }

        public MultiLabelReport ToReport(Snapshot p, MultiLabelThresholds thresholds, int steps)
        {
            var perLabel = new LabelMetrics[_k];
            for (int l = 0; l < _k; l++)
            {
                long tp = (long)p.Tp[l], fp = (long)p.Fp[l], fn = (long)p.Fn[l];
                int support = (int)p.Support[l];
                perLabel[l] = new LabelMetrics(_s.LabelNames[l], support, p.Auc[l], p.Ap[l], thresholds.Labels[l], tp, fp, fn,
                    tp + fp == 0 ? 0 : (double)tp / (tp + fp), support == 0 ? 0 : (double)tp / support, p.F1(l));
            }
            var definedAuc = Enumerable.Range(0, _k).Where(l => p.Auc[l].HasValue).ToArray();
            var present = Enumerable.Range(0, _k).Where(l => p.Support[l] > 0).ToArray();
            return new MultiLabelReport
            {
                LabelNames = _s.LabelNames,
                SampleCount = _n,
                MacroRocAuc = Snapshot.MeanOver(p.Auc, definedAuc),
                MicroRocAuc = p.MicroAuc,
                MacroAveragePrecision = Snapshot.MeanOver(p.Ap, present),
                Fmax = p.Fmax,
                FmaxThresholds = steps,
                MacroF1 = p.MacroF1,
                MicroF1 = p.MicroF1,
                HammingLoss = p.HammingLoss,
                PerLabel = perLabel,
                UndefinedAucLabels = Enumerable.Range(0, _k).Where(l => !p.Auc[l].HasValue).Select(l => _s.LabelNames[l]).ToArray(),
                ThresholdRule = thresholds.Rule,
            };
        }
    }
}
