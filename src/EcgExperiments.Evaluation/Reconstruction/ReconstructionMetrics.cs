namespace EcgExperiments.Evaluation;

/// <summary>Reconstruction quality of one lead over all records.</summary>
/// <param name="Lead">Lead name.</param>
/// <param name="Mse">Mean squared error over records × time.</param>
/// <param name="Rmse">√<paramref name="Mse"/>.</param>
/// <param name="PearsonR">Mean over records of the per-record Pearson correlation (the usual reconstruction-paper figure); records where target or prediction is constant are left out; null when all are.</param>
/// <param name="PooledPearsonR">Pearson correlation of all records × time values pooled; null when either side is constant.</param>
/// <param name="R2">Coefficient of determination of the pooled values, with sklearn <c>r2_score</c> semantics (constant target: 1 if predicted exactly, else 0).</param>
/// <param name="ConstantRecords">Records left out of <paramref name="PearsonR"/> because a series was constant.</param>
public sealed record LeadReconstructionMetrics(string Lead, double Mse, double Rmse, double? PearsonR, double? PooledPearsonR, double R2, int ConstantRecords);

/// <summary>Reconstruction metrics of a set of multi-lead signals (e.g. SPEC §2.3, 1 lead → 12 leads).</summary>
/// <example><code>
/// ReconstructionReport r = ReconstructionMetrics.Compute(targets, predictions, leadNames);
/// foreach (var lead in r.PerLead) Console.WriteLine($"{lead.Lead}: RMSE {lead.Rmse:F4} r {lead.PearsonR:F3} R² {lead.R2:F3}");
/// </code></example>
/// <param name="FormatVersion">JSON format version.</param>
/// <param name="RecordCount">Records compared.</param>
/// <param name="SampleCount">Time samples per lead and record.</param>
/// <param name="Mse">Mean squared error over records × leads × time.</param>
/// <param name="MeanRmse">Mean of the per-lead RMSE.</param>
/// <param name="MeanPearsonR">Mean of the per-lead <see cref="LeadReconstructionMetrics.PearsonR"/> over leads where defined.</param>
/// <param name="MeanR2">Mean of the per-lead R².</param>
/// <param name="PerLead">Per-lead table.</param>
/// <param name="Intervals">Bootstrap intervals over records ("mse", "mean_rmse", "mean_pearson_r", "mean_r2").</param>
/// <param name="Resamples">Resamples behind <paramref name="Intervals"/>.</param>
public sealed record ReconstructionReport(
    int FormatVersion,
    int RecordCount,
    int SampleCount,
    double Mse,
    double MeanRmse,
    double? MeanPearsonR,
    double MeanR2,
    IReadOnlyList<LeadReconstructionMetrics> PerLead,
    IReadOnlyDictionary<string, ConfidenceInterval> Intervals,
    ResampleIds? Resamples) : IVersionedReport
{
    public const int CurrentFormatVersion = 1;

    /// <inheritdoc/>
    public static int SupportedFormatVersion => CurrentFormatVersion;

    /// <summary>
    /// The tidy table of a reconstruction run (the <c>metrics_table</c> of its run record): whole-set rows
    /// <c>mse</c>, <c>mean_rmse</c>, <c>mean_pearson_r</c>, <c>mean_r2</c> (class null, with their bootstrap
    /// intervals), then per lead <c>rmse</c>, <c>pearson_r</c>, <c>r2</c> with the lead name as class.
    /// </summary>
    public IReadOnlyList<MetricEntry> ToTable()
    {
        var rows = new List<MetricEntry>();
        void Add(string metric, double? value)
        {
            Intervals.TryGetValue(metric, out var ci);
            rows.Add(new MetricEntry(metric, null, value, ci?.Lower, ci?.Upper, ci?.Level, MetricEntry.MethodOf(ci)));
        }
        Add(MetricNames.Mse, Mse);
        Add(MetricNames.MeanRmse, MeanRmse);
        Add(MetricNames.MeanPearsonR, MeanPearsonR);
        Add(MetricNames.MeanR2, MeanR2);
        foreach (var lead in PerLead)
        {
            rows.Add(new MetricEntry(MetricNames.Rmse, lead.Lead, lead.Rmse, null, null, null));
            rows.Add(new MetricEntry(MetricNames.PearsonR, lead.Lead, lead.PearsonR, null, null, null));
            rows.Add(new MetricEntry(MetricNames.R2, lead.Lead, lead.R2, null, null, null));
        }
        return rows;
    }
}

/// <summary>
/// MSE, per-lead RMSE, Pearson r and R² of reconstructed signals shaped [record][lead][time].
/// </summary>
/// <example><code>
/// ReconstructionReport r = ReconstructionMetrics.Compute(targets, predictions, EcgLeads);
/// Console.WriteLine($"mean r {r.MeanPearsonR:F3}, lead V1 RMSE {r.PerLead[6].Rmse:F4} mV");
/// </code></example>
public static class ReconstructionMetrics
{
    public static ReconstructionReport Compute(float[][][] target, float[][][] predicted, IReadOnlyList<string>? leadNames = null, BootstrapOptions? bootstrap = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(predicted);
        var (n, leads, t) = Shape(target, predicted);
        leadNames ??= Enumerable.Range(0, leads).Select(l => $"lead{l}").ToArray();
        if (leadNames.Count != leads) throw new ArgumentException($"{leadNames.Count} lead names for {leads} leads", nameof(leadNames));

        var stats = new RecordStats(target, predicted, n, leads, t);
        var report = stats.Report(null, leadNames, t);
        if (bootstrap is null) return report;

        bootstrap.Validate();
        if (bootstrap.Stratified) throw new ArgumentException("reconstruction bootstrap resamples records without strata; set Stratified = false", nameof(bootstrap));
        var plan = BootstrapPlan.Create(n, bootstrap);
        string[] names = [MetricNames.Mse, MetricNames.MeanRmse, MetricNames.MeanPearsonR, MetricNames.MeanR2];
        var dists = plan.Distributions(names, idx =>
        {
            var r = stats.Report(BootstrapPlan.Counts(idx, n), leadNames, t);
            return [r.Mse, r.MeanRmse, r.MeanPearsonR, r.MeanR2];
        });
        return report with
        {
            Intervals = dists.ToDictionary(kv => kv.Key, kv => kv.Value.Interval(bootstrap.Level)),
            Resamples = plan.Ids,
        };
    }

    private static (int N, int Leads, int T) Shape(float[][][] target, float[][][] predicted)
    {
        if (target.Length == 0) throw new ArgumentException("no records", nameof(target));
        if (predicted.Length != target.Length) throw new ArgumentException($"{target.Length} target records but {predicted.Length} predictions");
        int leads = target[0].Length, t = leads == 0 ? 0 : target[0][0].Length;
        if (leads == 0 || t == 0) throw new ArgumentException("records need at least one lead and one sample", nameof(target));
        for (int i = 0; i < target.Length; i++)
        {
            if (target[i].Length != leads || predicted[i].Length != leads)
                throw new ArgumentException($"record {i}: {target[i].Length} target leads and {predicted[i].Length} predicted leads, expected {leads}");
            for (int l = 0; l < leads; l++)
                if (target[i][l].Length != t || predicted[i][l].Length != t)
                    throw new ArgumentException($"record {i}, lead {l}: {target[i][l].Length} target and {predicted[i][l].Length} predicted samples, expected {t}");
        }
        return (target.Length, leads, t);
    }

    /// <summary>
    /// Per record and lead: squared error, sums of the target (shifted by the lead's global mean so
    /// the pooled variance does not cancel catastrophically) and the record's Pearson r. Every pooled
    /// metric is a weighted sum of these, so a bootstrap resample costs O(records × leads).
    /// </summary>
    private sealed class RecordStats
    {
        private readonly int _n, _leads;
        private readonly long _t;
        private readonly double[,] _sse, _sy, _syy, _sp, _spp, _syp;
        private readonly double?[,] _r;
        private readonly double[] _exactR2;
        private readonly double?[] _exactPooledR;

        public RecordStats(float[][][] y, float[][][] p, int n, int leads, int t)
        {
            _n = n; _leads = leads; _t = t;
            _sse = new double[n, leads]; _sy = new double[n, leads]; _syy = new double[n, leads];
            _sp = new double[n, leads]; _spp = new double[n, leads]; _syp = new double[n, leads];
            _r = new double?[n, leads];
            _exactR2 = new double[leads];
            _exactPooledR = new double?[leads];
            for (int l = 0; l < leads; l++)
            {
                double my = 0, mp = 0;
                for (int i = 0; i < n; i++) for (int j = 0; j < t; j++) { my += y[i][l][j]; mp += p[i][l][j]; }
                my /= (double)n * t; mp /= (double)n * t;
                double sst = 0, sse = 0, cyp = 0, cpp = 0;
                for (int i = 0; i < n; i++)
                {
                    double a = 0, b = 0, aa = 0, bb = 0, ab = 0, e = 0;
                    for (int j = 0; j < t; j++)
                    {
                        double dy = y[i][l][j] - my, dp = p[i][l][j] - mp, d = (double)y[i][l][j] - p[i][l][j];
                        a += dy; b += dp; aa += dy * dy; bb += dp * dp; ab += dy * dp; e += d * d;
                    }
                    _sse[i, l] = e; _sy[i, l] = a; _syy[i, l] = aa; _sp[i, l] = b; _spp[i, l] = bb; _syp[i, l] = ab;
                    sst += aa; sse += e; cyp += ab; cpp += bb;
                    _r[i, l] = Pearson(y[i][l], p[i][l]);
                }
                // two-pass values for the full set: exact to rounding, compared with sklearn at 1e-9
                _exactR2[l] = R2(sse, sst);
                _exactPooledR[l] = sst > 0 && cpp > 0 ? cyp / Math.Sqrt(sst * cpp) : null;
            }
        }

        public ReconstructionReport Report(int[]? w, IReadOnlyList<string> names, int t)
        {
            var perLead = new LeadReconstructionMetrics[_leads];
            double totalSse = 0, weightSum = 0;
            for (int l = 0; l < _leads; l++)
            {
                double sse = 0, sy = 0, syy = 0, sp = 0, spp = 0, syp = 0, rSum = 0, wn = 0;
                int rCount = 0, constant = 0;
                for (int i = 0; i < _n; i++)
                {
                    double wi = w is null ? 1 : w[i];
                    if (wi == 0) continue;
                    wn += wi;
                    sse += wi * _sse[i, l]; sy += wi * _sy[i, l]; syy += wi * _syy[i, l];
                    sp += wi * _sp[i, l]; spp += wi * _spp[i, l]; syp += wi * _syp[i, l];
                    if (_r[i, l] is { } r) { rSum += wi * r; rCount += (int)wi; } else constant++;
                }
                double count = wn * _t;
                double sst = syy - sy * sy / count, ssp = spp - sp * sp / count, cov = syp - sy * sp / count;
                double r2 = w is null ? _exactR2[l] : R2(sse, sst);
                double? pooled = w is null ? _exactPooledR[l] : sst > 0 && ssp > 0 ? cov / Math.Sqrt(sst * ssp) : null;
                double mse = sse / count;
                perLead[l] = new LeadReconstructionMetrics(names[l], mse, Math.Sqrt(mse), rCount > 0 ? rSum / rCount : null, pooled, r2, constant);
                totalSse += sse;
                weightSum = wn;
            }
            var rs = perLead.Where(x => x.PearsonR.HasValue).Select(x => x.PearsonR!.Value).ToArray();
            return new ReconstructionReport(ReconstructionReport.CurrentFormatVersion, _n, t, totalSse / (weightSum * _t * _leads),
                perLead.Average(x => x.Rmse), rs.Length > 0 ? rs.Average() : null, perLead.Average(x => x.R2), perLead,
                new Dictionary<string, ConfidenceInterval>(), null);
        }

        private static double R2(double sse, double sst)
        {
            if (sst > 0) return 1 - sse / sst;
            return sse == 0 ? 1 : 0; // sklearn force_finite: constant target
        }
    }

    /// <summary>Pearson correlation of two series; null when either is constant.</summary>
    public static double? Pearson(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"series lengths differ ({a.Length} vs {b.Length})");
        if (a.Length < 2) return null;
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.Length; mb /= b.Length;
        double saa = 0, sbb = 0, sab = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            saa += da * da; sbb += db * db; sab += da * db;
        }
        if (saa == 0 || sbb == 0) return null;
        return Math.Clamp(sab / Math.Sqrt(saa * sbb), -1, 1);
    }
}
