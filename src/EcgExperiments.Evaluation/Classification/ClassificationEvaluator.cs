namespace EcgExperiments.Evaluation;

/// <summary>What <see cref="ClassificationEvaluator.Evaluate"/> computes besides the point metrics.</summary>
/// <example><code>
/// var options = new EvaluationOptions
/// {
///     TrainingLabels = trainY,                                    // adds the class-prior baseline
///     Bootstrap = new BootstrapOptions { Seed = 1, Level = 0.90, Stratified = true },
/// };
/// </code></example>
public sealed record EvaluationOptions
{
    /// <summary>Training labels; when given, the class-prior baseline is evaluated next to the model.</summary>
    public IReadOnlyList<int>? TrainingLabels { get; init; }

    /// <summary>
    /// Interval settings; null = no intervals. Every metric gets an interval at <see cref="BootstrapOptions.Level"/>:
    /// the proportions with a known denominator (accuracy, per-class recall, precision, specificity) the Wilson
    /// score interval (<see cref="WilsonScore"/>), the others a percentile bootstrap with these settings.
    /// Stratified resampling uses the true labels.
    /// </summary>
    public BootstrapOptions? Bootstrap { get; init; }

    /// <summary>Equal-width bins of the expected calibration error.</summary>
    public int CalibrationBins { get; init; } = CalibrationMetrics.DefaultBins;

    /// <summary>Include ROC and PR curves (one per class; binary: the positive class).</summary>
    public bool IncludeCurves { get; init; } = true;

    /// <summary>
    /// Plot resolution of the stored curves (see <see cref="RocCurve.Thinned"/>): keeps a 25k-beat
    /// report small. Null stores every threshold. Metrics are always computed from the full curves.
    /// </summary>
    public int? CurveResolution { get; init; } = 200;
}

/// <summary>
/// Evaluates classification scores into a <see cref="MetricReport"/>: confusion matrix; per-class
/// precision, recall, specificity, F1, support, ROC-AUC and average precision; macro and weighted
/// means; balanced accuracy; log loss and ECE for probabilities; curves; confidence intervals (Wilson
/// score for accuracy, recall, precision and specificity, whose bootstrap interval degenerates on small
/// counts, e.g. [1, 1] for 6 of 6 positives found; percentile bootstrap on one shared set of resamples for
/// the rest); and the class-prior baseline.
/// </summary>
/// <example><code>
/// var test = ClassificationScores.FromProbabilities(testY, probs, ["N", "S", "V", "F", "Q"]);
/// MetricReport report = ClassificationEvaluator.Evaluate(test, new EvaluationOptions { TrainingLabels = trainY });
/// double macroF1 = report.Aggregates.MacroF1;
/// </code></example>
public static class ClassificationEvaluator
{
    public static MetricReport Evaluate(ClassificationScores scores, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scores);
        options ??= new EvaluationOptions();
        if (scores.Count == 0) throw new ArgumentException("no samples to evaluate", nameof(scores));
        if (options.CalibrationBins < 1) throw new ArgumentOutOfRangeException(nameof(options), options.CalibrationBins, "CalibrationBins must be at least 1");
        if (options.CurveResolution is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.CurveResolution, "CurveResolution must be at least 1 (or null for full curves)");
        options.Bootstrap?.Validate();

        var engine = new Engine(scores, options.CalibrationBins);
        var point = engine.Compute(default);
        var report = engine.ToReport(point);

        if (options.IncludeCurves) report = report with { Curves = engine.Curves(options.CurveResolution) };
        if (scores.AreProbabilities) report = report with { Calibration = CalibrationMetrics.Compute(scores, options.CalibrationBins) };

        if (options.Bootstrap is { } b)
        {
            var plan = BootstrapPlan.Create(scores.Count, b, b.Stratified ? scores.Labels : null);
            var proportions = ProportionIntervals(point.Confusion, b.Level);
            var names = engine.MetricKeys(point).Where(k => !proportions.ContainsKey(k)).ToList();
            var dists = plan.Distributions(names, idx =>
            {
                var r = engine.Compute(BootstrapPlan.Counts(idx, scores.Count));
                return names.Select(r.Get).ToArray();
            });
            var intervals = dists.ToDictionary(kv => kv.Key, kv => kv.Value.Interval(b.Level));
            foreach (var (key, ci) in proportions) intervals[key] = ci;
            report = report with { Intervals = intervals, Resamples = plan.Ids };
        }

        if (options.TrainingLabels is { } train)
        {
            var prior = ClassPriorBaseline.Fit(train, scores.ClassNames).PredictLike(scores);
            var baseline = Evaluate(prior, new EvaluationOptions { CalibrationBins = options.CalibrationBins, IncludeCurves = false });
            report = report with { Baseline = baseline, BaselineKind = ClassPriorBaseline.Kind };
        }
        return report;
    }

    /// <summary>
    /// Wilson score intervals of the metrics that are binomial proportions of a known count: accuracy (correct of
    /// all samples), recall[c] (true positives of the class support), specificity[c] (true negatives of the
    /// negatives) and precision[c] (true positives of the predicted positives). An empty denominator gives no bounds.
    /// </summary>
    internal static Dictionary<string, ConfidenceInterval> ProportionIntervals(ConfusionMatrix cm, double level)
    {
        var result = new Dictionary<string, ConfidenceInterval> { [MetricNames.Accuracy] = WilsonScore.Interval(cm.Correct, cm.Total, level) };
        for (int c = 0; c < cm.ClassCount; c++)
        {
            string name = cm.ClassNames[c];
            long tp = cm.TruePositives(c), support = cm.Support(c);
            result[MetricNames.PerClass(MetricNames.Recall, name)] = WilsonScore.Interval(tp, support, level);
            result[MetricNames.PerClass(MetricNames.Specificity, name)] = WilsonScore.Interval(cm.TrueNegatives(c), cm.Total - support, level);
            result[MetricNames.PerClass(MetricNames.Precision, name)] = WilsonScore.Interval(tp, tp + cm.FalsePositives(c), level);
        }
        return result;
    }

    /// <summary>All metrics of one (possibly weighted) evaluation, addressable by metric key.</summary>
    internal sealed class Snapshot
    {
        public required ConfusionMatrix Confusion { get; init; }
        public required double?[] Auc { get; init; }
        public required double?[] Ap { get; init; }
        public double? LogLoss { get; init; }
        public double? Ece { get; init; }
        public required bool IsBinary { get; init; }
        public int Positive { get; init; }

        public double? MeanDefined(double?[] v)
        {
            if (IsBinary) return v[Positive];
            var d = v.Where(x => x.HasValue).Select(x => x!.Value).ToArray();
            return d.Length == 0 ? null : d.Average();
        }

        public double? Get(string key)
        {
            var cm = Confusion;
            switch (key)
            {
                case MetricNames.Accuracy: return cm.Accuracy;
                case MetricNames.BalancedAccuracy: return cm.BalancedAccuracy;
                case MetricNames.MacroPrecision: return cm.MacroPrecision;
                case MetricNames.MacroRecall: return cm.MacroRecall;
                case MetricNames.MacroSpecificity: return cm.MacroSpecificity;
                case MetricNames.MacroF1: return cm.MacroF1;
                case MetricNames.WeightedPrecision: return cm.WeightedPrecision;
                case MetricNames.WeightedRecall: return cm.WeightedRecall;
                case MetricNames.WeightedF1: return cm.WeightedF1;
                case MetricNames.RocAuc: return MeanDefined(Auc);
                case MetricNames.AveragePrecision: return MeanDefined(Ap);
                case MetricNames.LogLoss: return LogLoss;
                case MetricNames.Ece: return Ece;
            }
            int open = key.IndexOf('[');
            string metric = key[..open], cls = key[(open + 1)..^1];
            int c = IndexOf(cls);
            // a class absent from a resample has undefined recall; report it as skipped, not as 0
            bool present = cm.Support(c) > 0;
            return metric switch
            {
                MetricNames.Precision => cm.TruePositives(c) + cm.FalsePositives(c) > 0 ? cm.Precision(c) : null,
                MetricNames.Recall => present ? cm.Recall(c) : null,
                MetricNames.Specificity => cm.Total - cm.Support(c) > 0 ? cm.Specificity(c) : null,
                MetricNames.F1 => present ? cm.F1(c) : null,
                MetricNames.RocAuc => Auc[c],
                MetricNames.AveragePrecision => Ap[c],
                _ => throw new ArgumentException($"unknown metric key '{key}'"),
            };
        }

        private int IndexOf(string cls)
        {
            for (int c = 0; c < Confusion.ClassCount; c++) if (Confusion.ClassNames[c] == cls) return c;
            throw new ArgumentException($"unknown class '{cls}'");
        }
    }

    /// <summary>Precomputes predictions and per-class score orderings once; evaluates any sample weighting in O(n·k).</summary>
    internal sealed class Engine
    {
        private readonly ClassificationScores _s;
        private readonly int _bins;
        private readonly int[] _pred;
        private readonly bool[][] _isPos;
        private readonly RankedScores[] _ranked;
        private readonly double[]? _nll;
        private readonly double[]? _confidence;
        private readonly bool[]? _hit;
        private readonly CalibrationTarget _target;

        public Engine(ClassificationScores s, int bins)
        {
            _s = s;
            _bins = bins;
            int n = s.Count, k = s.ClassCount;
            _pred = new int[n];
            for (int i = 0; i < n; i++) _pred[i] = s.Predicted(i);
            _isPos = new bool[k][];
            _ranked = new RankedScores[k];
            var labels = s.LabelArray;
            for (int c = 0; c < k; c++)
            {
                _isPos[c] = new bool[n];
                var col = new double[n];
                for (int i = 0; i < n; i++) { _isPos[c][i] = labels[i] == c; col[i] = s.RankingScore(i, c); }
                _ranked[c] = RankedScores.Create(col);
            }
            if (s.AreProbabilities)
            {
                _nll = new double[n];
                for (int i = 0; i < n; i++) _nll[i] = NegativeLogLikelihood(i);
                (_confidence, _hit, _target) = CalibrationMetrics.Confidence(s);
            }
        }

        /// <summary>
        /// sklearn's log_loss per sample: clip to [eps, 1 − eps] (eps = double machine epsilon), renormalise
        /// the row, take −log of the true class.
        /// </summary>
        private double NegativeLogLikelihood(int i)
        {
            const double eps = 2.220446049250313e-16;
            double sum = 0, truth = 0;
            int y = _s.LabelArray[i];
            for (int c = 0; c < _s.ClassCount; c++)
            {
                double p = Math.Clamp(_s.Probability(i, c), eps, 1 - eps);
                sum += p;
                if (c == y) truth = p;
            }
            return -Math.Log(truth / sum);
        }

        public Snapshot Compute(int[]? weights)
        {
            int n = _s.Count, k = _s.ClassCount;
            var w = weights is null ? ReadOnlySpan<int>.Empty : weights.AsSpan();
            var c = new long[k, k];
            var labels = _s.LabelArray;
            for (int i = 0; i < n; i++) c[labels[i], _pred[i]] += w.IsEmpty ? 1 : w[i];
            var auc = new double?[k];
            var ap = new double?[k];
            for (int j = 0; j < k; j++) (auc[j], ap[j]) = _ranked[j].Both(_isPos[j], w);
            double? logLoss = null, ece = null;
            if (_nll is not null)
            {
                double total = 0, count = 0;
                for (int i = 0; i < n; i++)
                {
                    double wi = w.IsEmpty ? 1 : w[i];
                    total += wi * _nll[i];
                    count += wi;
                }
                logLoss = total / count;
                ece = CalibrationMetrics.FromConfidence(_confidence!, _hit!, _bins, w, _target).Ece;
            }
            return new Snapshot
            {
                Confusion = ConfusionMatrix.FromCounts(_s.ClassNames, c),
                Auc = auc, Ap = ap, LogLoss = logLoss, Ece = ece,
                IsBinary = _s.IsBinary, Positive = _s.PositiveClass ?? 0,
            };
        }

        public IReadOnlyList<string> MetricKeys(Snapshot point)
        {
            var keys = new List<string>
            {
                MetricNames.Accuracy, MetricNames.BalancedAccuracy, MetricNames.MacroPrecision, MetricNames.MacroRecall,
                MetricNames.MacroSpecificity, MetricNames.MacroF1, MetricNames.WeightedPrecision, MetricNames.WeightedRecall,
                MetricNames.WeightedF1, MetricNames.RocAuc, MetricNames.AveragePrecision,
            };
            if (point.LogLoss.HasValue) { keys.Add(MetricNames.LogLoss); keys.Add(MetricNames.Ece); }
            foreach (var name in _s.ClassNames)
                foreach (var m in new[] { MetricNames.Precision, MetricNames.Recall, MetricNames.Specificity, MetricNames.F1, MetricNames.RocAuc, MetricNames.AveragePrecision })
                    keys.Add(MetricNames.PerClass(m, name));
            return keys;
        }

        public MetricReport ToReport(Snapshot p)
        {
            var cm = p.Confusion;
            var perClass = new ClassMetrics[_s.ClassCount];
            for (int c = 0; c < perClass.Length; c++)
                perClass[c] = new ClassMetrics(_s.ClassNames[c], cm.Support(c), cm.TruePositives(c), cm.FalsePositives(c), cm.FalseNegatives(c),
                    cm.TrueNegatives(c), cm.Precision(c), cm.Recall(c), cm.Specificity(c), cm.F1(c), p.Auc[c], p.Ap[c]);
            var agg = new AggregateMetrics(cm.Accuracy, cm.BalancedAccuracy, cm.MacroPrecision, cm.MacroRecall, cm.MacroSpecificity, cm.MacroF1,
                cm.WeightedPrecision, cm.WeightedRecall, cm.WeightedF1, p.MeanDefined(p.Auc), p.MeanDefined(p.Ap), p.LogLoss, p.Ece);
            return new MetricReport
            {
                Task = _s.IsBinary ? "binary" : "multiclass",
                ClassNames = _s.ClassNames,
                PositiveClass = _s.PositiveClass is { } pos ? _s.ClassNames[pos] : null,
                DecisionThreshold = _s.IsBinary ? _s.Threshold : null,
                SampleCount = _s.Count,
                Confusion = cm,
                PerClass = perClass,
                Aggregates = agg,
            };
        }

        public IReadOnlyList<ClassCurves> Curves(int? resolution)
        {
            var classes = _s.PositiveClass is { } pos ? new[] { pos } : Enumerable.Range(0, _s.ClassCount).ToArray();
            var list = new List<ClassCurves>();
            foreach (int c in classes)
            {
                var col = new double[_s.Count];
                for (int i = 0; i < col.Length; i++) col[i] = _s.RankingScore(i, c);
                var roc = RankingMetrics.Roc(_isPos[c], col);
                var pr = RankingMetrics.PrecisionRecall(_isPos[c], col);
                if (resolution is { } r)
                {
                    roc = roc?.Thinned(r);
                    pr = pr?.Thinned(r);
                }
                list.Add(new ClassCurves(_s.ClassNames[c], roc, pr));
            }
            return list;
        }
    }
}
