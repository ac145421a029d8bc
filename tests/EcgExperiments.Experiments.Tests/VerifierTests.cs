using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Tests;

public class VerifierTests
{
    // 8 examples, 6 right: accuracy 0.75; HYP (class 1) has 2 of 3 found.
    private static MetricReport Report() => ClassificationEvaluator.Evaluate(
        ClassificationScores.Binary([0, 0, 0, 0, 0, 1, 1, 1], new double[] { 0.1, 0.2, 0.3, 0.4, 0.7, 0.8, 0.9, 0.2 }, ["NORM", "HYP"], positiveClass: 1),
        new EvaluationOptions { IncludeCurves = false });

    [Fact]
    public void Targets_tolerances_minimums_and_missing_metrics_get_the_right_verdicts()
    {
        var rows = Verifier.Check(
        [
            new ExpectSpec { Metric = "accuracy", Target = 0.7457, Tolerance = 0.005 },     // |0.75 − 0.7457| = 0.0043: pass
            new ExpectSpec { Metric = "accuracy", Target = 0.7400, Tolerance = 0.005 },     // 0.01 off: fail
            new ExpectSpec { Metric = "recall", Class = "HYP", Minimum = 0.6 },             // 0.667 ≥ 0.6: pass
            new ExpectSpec { Metric = "recall", Class = "HYP", Minimum = 0.7 },             // fail
            new ExpectSpec { Metric = "auprc_typo", Target = 0.9, Tolerance = 0.1 },        // not in the report: fail
        ], Report());
        Assert.Equal([true, false, true, false, false], rows.Select(r => r.Pass));
        Assert.Equal(0.75, rows[0].Measured!.Value, 12);
        Assert.Equal(2.0 / 3, rows[2].Measured!.Value, 12);
        Assert.Null(rows[4].Measured);
        Assert.Contains("'auprc_typo' is not in the report", rows[4].Note);
        Assert.Equal("≥ 0.6", rows[2].Rule);
    }
}
