using EcgExperiments.Core;

namespace EcgExperiments.Signals.Normalisation;

/// <summary>
/// Per-lead mean and standard deviation learned from training signals; applying them is
/// (x − mean) / std. Leads are matched by name, so signals with the leads in another order work.
/// </summary>
/// <example><code>
/// ZScoreStatistics stats = ZScore.Fit(trainingSignals);   // fit on the training split only
/// EcgSignal normalised = stats.Apply(testSignal);
/// </code></example>
public sealed record ZScoreStatistics(IReadOnlyList<string> LeadNames, double[] Mean, double[] StandardDeviation, long[] SampleCount)
{
    /// <summary>Normalises every lead of <paramref name="signal"/> with the statistics of the lead of the same name.</summary>
    public EcgSignal Apply(EcgSignal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var leads = new float[signal.LeadCount][];
        for (int l = 0; l < leads.Length; l++)
        {
            int s = IndexOf(signal.LeadNames[l]);
            if (s < 0)
                throw new EcgDataException(
                    $"z-score: lead '{signal.LeadNames[l]}' was not in the training data (fitted on {string.Join(", ", LeadNames)})",
                    record: signal.RecordId);
            leads[l] = new float[signal.Length];
            Apply(s, signal.Leads[l], leads[l]);
        }
        return signal.With(leads);
    }

    /// <summary>Normalises <paramref name="source"/> with the statistics of lead <paramref name="lead"/> (an index into <see cref="LeadNames"/>).</summary>
    public void Apply(int lead, ReadOnlySpan<float> source, Span<float> destination)
    {
        if ((uint)lead >= (uint)LeadNames.Count) throw new ArgumentOutOfRangeException(nameof(lead), lead, $"{LeadNames.Count} leads were fitted");
        if (destination.Length != source.Length) throw new ArgumentException($"z-score: destination has {destination.Length} values for {source.Length} inputs", nameof(destination));
        double mean = Mean[lead], inverse = 1.0 / StandardDeviation[lead];
        for (int i = 0; i < source.Length; i++) destination[i] = (float)((source[i] - mean) * inverse);
    }

    public int IndexOf(string leadName)
    {
        for (int i = 0; i < LeadNames.Count; i++)
            if (string.Equals(LeadNames[i], leadName, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}

/// <summary>Z-score normalisation fitted on training data (fit once, apply to every split).</summary>
/// <example><code>
/// var stats = ZScore.Fit(train);
/// var testNormalised = test.Select(stats.Apply).ToList();
/// </code></example>
public static class ZScore
{
    /// <summary>
    /// Pools all samples of each lead over <paramref name="training"/> (every signal must have the
    /// same lead names) and computes the mean and the population standard deviation (ddof 0, like
    /// sklearn's StandardScaler). A lead with zero spread gets std 1 — it is only centred — as in
    /// sklearn, so a flat training lead never divides by zero.
    /// </summary>
    public static ZScoreStatistics Fit(IEnumerable<EcgSignal> training)
    {
        ArgumentNullException.ThrowIfNull(training);
        IReadOnlyList<string>? names = null;
        double[] mean = [], m2 = [];
        long[] count = [];
        foreach (var signal in training)
        {
            if (names is null)
            {
                names = signal.LeadNames.ToArray();
                mean = new double[names.Count];
                m2 = new double[names.Count];
                count = new long[names.Count];
            }
            else if (!names.SequenceEqual(signal.LeadNames, StringComparer.OrdinalIgnoreCase))
                throw new EcgDataException($"z-score: leads {string.Join(", ", signal.LeadNames)} differ from the first training signal's {string.Join(", ", names)}", record: signal.RecordId);
            for (int l = 0; l < names.Count; l++)
            {
                var x = signal.Leads[l];
                if (x.Length == 0) continue;
                // two-pass statistics of this signal, merged with Chan et al.'s parallel update
                double sum = 0;
                foreach (float v in x) sum += v;
                double localMean = sum / x.Length, localM2 = 0;
                foreach (float v in x) localM2 += (v - localMean) * (v - localMean);
                long n = count[l] + x.Length;
                double delta = localMean - mean[l];
                mean[l] += delta * x.Length / n;
                m2[l] += localM2 + delta * delta * count[l] * x.Length / n;
                count[l] = n;
            }
        }
        if (names is null) throw new ArgumentException("z-score: no training signals to fit on", nameof(training));
        var std = new double[names.Count];
        for (int l = 0; l < std.Length; l++)
        {
            if (count[l] == 0) throw new ArgumentException($"z-score: lead '{names[l]}' has no samples in the training data", nameof(training));
            double s = Math.Sqrt(m2[l] / count[l]);
            std[l] = s > 0 ? s : 1.0;
        }
        return new ZScoreStatistics(names, mean, std, count);
    }
}
