using System.Text.Json;

namespace EcgExperiments.Evaluation.Tests;

/// <summary>
/// The tests of a paired model comparison against values computed independently by scipy and statsmodels
/// (Golden/comparison_goldens.json, written by tools/golden/make_comparison_goldens.py): McNemar's exact test
/// (statsmodels <c>mcnemar(exact=True)</c>), Holm's adjustment (statsmodels <c>multipletests</c>), DeLong's test (the
/// 1988 pairwise-kernel definition in numpy, AUCs cross-checked with scipy's Mann–Whitney U), the exact paired
/// permutation test of a macro-F1 difference (scipy <c>permutation_test</c>) and Student t quantiles (scipy).
/// </summary>
public sealed class PairedComparisonGoldenTests
{
    private static readonly JsonElement Doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "comparison_goldens.json"))).RootElement;

    private static double[] D(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();
    private static int[] I(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    private static void Close(double expected, double? actual, double tolerance, string what)
    {
        Assert.True(actual.HasValue, $"{what}: expected {expected:R}, got null");
        Assert.True(Math.Abs(expected - actual!.Value) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");
    }

    public static TheoryData<int> Cases(string section) => new(Enumerable.Range(0, Doc.GetProperty(section).GetArrayLength()));

    [Theory]
    [MemberData(nameof(Cases), "mcnemar")]
    public void McNemar_exact_matches_statsmodels(int index)
    {
        var c = Doc.GetProperty("mcnemar")[index];
        long b = c.GetProperty("first_only").GetInt64(), d = c.GetProperty("second_only").GetInt64();
        var r = McNemarTest.Exact(b, d);
        Close(c.GetProperty("p").GetDouble(), r.PValue, 1e-12, $"McNemar p for b = {b}, c = {d}");
        Assert.Equal((double)Math.Min(b, d), c.GetProperty("statistic").GetDouble());
        // The same counts from per-example correctness (concordant pairs added, which must not matter).
        var first = Enumerable.Repeat(true, (int)b).Concat(Enumerable.Repeat(false, (int)d)).Concat([true, true, false]).ToArray();
        var second = Enumerable.Repeat(false, (int)b).Concat(Enumerable.Repeat(true, (int)d)).Concat([true, true, false]).ToArray();
        Assert.Equal(r, McNemarTest.Exact(first, second));
    }

    [Theory]
    [MemberData(nameof(Cases), "holm")]
    public void Holm_matches_statsmodels_multipletests(int index)
    {
        var c = Doc.GetProperty("holm")[index];
        var adjusted = MultipleComparisons.Holm(D(c.GetProperty("p")));
        var expected = D(c.GetProperty("adjusted"));
        Assert.Equal(expected.Length, adjusted.Length);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], adjusted[i], 1e-14, $"Holm-adjusted p[{i}]");
    }

    [Theory]
    [MemberData(nameof(Cases), "delong")]
    public void DeLong_matches_the_pairwise_definition_computed_with_numpy_and_scipy(int index)
    {
        var c = Doc.GetProperty("delong")[index];
        var isPositive = I(c.GetProperty("labels")).Select(y => y == 1).ToArray();
        var first = D(c.GetProperty("first"));
        var second = D(c.GetProperty("second"));
        var r = DeLongTest.Compare(isPositive, first, second);
        string name = c.GetProperty("name").GetString()!;
        Close(c.GetProperty("first_auc").GetDouble(), r.FirstAuc, 1e-12, $"{name}: first AUC");
        Close(c.GetProperty("second_auc").GetDouble(), r.SecondAuc, 1e-12, $"{name}: second AUC");
        Close(c.GetProperty("standard_error").GetDouble(), r.StandardError, 1e-10, $"{name}: standard error");
        Close(c.GetProperty("z").GetDouble(), r.Z, 1e-9, $"{name}: z");
        Close(c.GetProperty("p").GetDouble(), r.PValue, 1e-9, $"{name}: p");
        // The AUCs are the evaluator's own (sklearn-checked) ROC-AUC.
        Assert.Equal(RankingMetrics.RocAuc(isPositive, first)!.Value, r.FirstAuc, 12);
    }

    [Theory]
    [MemberData(nameof(Cases), "permutation")]
    public void Exact_permutation_test_of_macro_f1_matches_scipy(int index)
    {
        var c = Doc.GetProperty("permutation")[index];
        int k = c.GetProperty("classes").GetInt32();
        var r = PairedPermutationTest.Run(I(c.GetProperty("labels")), I(c.GetProperty("first")), I(c.GetProperty("second")), k, cm => cm.MacroF1);
        string name = c.GetProperty("name").GetString()!;
        Assert.True(r.Exact, $"{name}: {r.Discordant} discordant examples should be enumerated exactly");
        Close(c.GetProperty("observed").GetDouble(), r.Observed, 1e-12, $"{name}: observed macro-F1 difference");
        // scipy enumerates all 2^n swaps of n examples, this test only the 2^d that change a prediction: same p.
        Close(c.GetProperty("p").GetDouble(), r.PValue, 1e-12, $"{name}: p");
        Assert.Equal(1L << r.Discordant, r.Permutations);
    }

    [Theory]
    [MemberData(nameof(Cases), "student_t")]
    public void Student_t_quantiles_match_scipy(int index)
    {
        var c = Doc.GetProperty("student_t")[index];
        Close(c.GetProperty("quantile").GetDouble(), MeanInterval.StudentTQuantile(c.GetProperty("p").GetDouble(), c.GetProperty("df").GetDouble()), 1e-9,
            $"t quantile p = {c.GetProperty("p")}, df = {c.GetProperty("df")}");
    }
}
