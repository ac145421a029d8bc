using EcgExperiments.Evaluation;

namespace EcgExperiments.Training;

/// <summary>Validation of anomaly detectors: mean score of the normal rows as the loss; ROC-AUC and AP when both kinds are present.</summary>
public static class AnomalyValidation
{
    public static ValidationResult Of(double[] scores, IReadOnlyList<int> labels, int normalClass)
    {
        var isAnomaly = labels.Select(l => l != normalClass).ToArray();
        var normalScores = scores.Where((_, i) => !isAnomaly[i]).ToArray();
        var metrics = new Dictionary<string, double>();
        if (normalScores.Length > 0 && normalScores.Length < scores.Length)
        {
            metrics[MetricNames.RocAuc] = RankingMetrics.RocAuc(isAnomaly, scores) ?? double.NaN;
            metrics[MetricNames.AveragePrecision] = RankingMetrics.AveragePrecision(isAnomaly, scores) ?? double.NaN;
        }
        return new ValidationResult(normalScores.Length > 0 ? normalScores.Average() : scores.Average(), metrics);
    }
}
