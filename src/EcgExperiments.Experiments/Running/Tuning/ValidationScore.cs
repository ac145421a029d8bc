using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running.Tuning;

/// <summary>
/// A trial's score for a tuner: the best value of a validation metric over the epochs of the run record's history
/// (<c>loss</c> reads the validation loss, anything else the validation metrics). Test metrics are never read, so
/// tuning cannot leak the test split into model choice.
/// </summary>
public static class ValidationScore
{
    /// <summary>The best validation value in <paramref name="record"/>'s history, or null when it has no such metric.</summary>
    public static double? Best(RunRecord? record, string metric, MetricDirection direction)
    {
        var values = Values(record, metric);
        if (values.Count == 0) return null;
        return direction == MetricDirection.Max ? values.Max() : values.Min();
    }

    /// <summary>The validation metric names a record's history offers (for error messages).</summary>
    public static IReadOnlyList<string> Available(RunRecord? record)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var epoch in record?.History ?? [])
        {
            if (epoch.ValidationLoss is not null) names.Add("loss");
            foreach (var k in epoch.ValidationMetrics.Keys) names.Add(k);
        }
        return names.ToList();
    }

    private static List<double> Values(RunRecord? record, string metric)
    {
        bool loss = metric.Equals("loss", StringComparison.OrdinalIgnoreCase);
        return (record?.History ?? [])
            .Select(e => loss ? e.ValidationLoss : e.ValidationMetrics.TryGetValue(metric, out var v) ? v : null)
            .Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).ToList();
    }
}
