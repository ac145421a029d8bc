namespace EcgExperiments.Evaluation;

/// <summary>
/// A significance test of the difference between two models on the same examples: which test
/// (<see cref="ComparisonTests"/>), its statistic where it has one, the two-sided p-value (null when the test is
/// undefined, e.g. DeLong with a single positive) and a short account of the counts it used.
/// </summary>
public sealed record SignificanceTest(string Method, double? Statistic, double? PValue, string Detail);

/// <summary>The tests a paired comparison uses, by metric, as written in reports (<see cref="SignificanceTest.Method"/>).</summary>
public static class ComparisonTests
{
    /// <summary>McNemar's exact test (<see cref="McNemarTest"/>): accuracy, and per-class recall on that class's examples.</summary>
    public const string McNemarExact = "mcnemar_exact";

    /// <summary>DeLong's test of correlated ROC-AUCs (<see cref="DeLongTest"/>): ROC-AUC of a binary task or of one class.</summary>
    public const string DeLong = "delong";

    /// <summary>Paired permutation (approximate randomisation) test (<see cref="PairedPermutationTest"/>): F1, precision and other metrics of the confusion matrix.</summary>
    public const string PairedPermutation = "paired_permutation";

    /// <summary>Percentile bootstrap of the difference over shared resamples (<see cref="PairedBootstrap"/>).</summary>
    public const string PairedBootstrap = "paired_percentile_bootstrap";

    /// <summary>Short wording for reports: "McNemar", "DeLong", "permutation"; other values as they are.</summary>
    public static string Describe(string method) => method switch
    {
        McNemarExact => "McNemar",
        DeLong => "DeLong",
        PairedPermutation => "permutation",
        PairedBootstrap => "paired bootstrap",
        _ => method,
    };
}
