using EcgExperiments.Core;
using EcgExperiments.Data.Splits;

namespace EcgExperiments.Data.Tests.Splits;

public sealed class SplitterTests
{
    private static (string[] Ids, string[] Strata) Population(int n, int seed)
    {
        var rng = new Random(seed);
        string[] classes = ["N", "N", "N", "N", "N", "N", "S", "V", "V", "F", "Q"];
        return (Enumerable.Range(0, n).Select(i => $"m{i}").ToArray(), Enumerable.Range(0, n).Select(_ => classes[rng.Next(classes.Length)]).ToArray());
    }

    [Theory]
    [InlineData(1000, 1)]
    [InlineData(997, 2)]
    [InlineData(37, 3)]
    [InlineData(5, 4)]
    public void Every_stratum_share_is_floor_or_ceiling_of_its_quota_and_part_sizes_are_exact(int n, int seed)
    {
        var (ids, strata) = Population(n, seed);
        double[] fractions = [0.7, 0.2, 0.1];
        var parts = StratifiedSplitter.SplitIndices(strata, fractions, seed);
        var expectedSizes = StratifiedSplitter.LargestRemainder(fractions.Select(f => n * f).ToArray(), n);
        Assert.Equal(expectedSizes, parts.Select(p => p.Length));
        Assert.Equal(Enumerable.Range(0, n), parts.SelectMany(p => p).Order());
        foreach (var stratum in strata.Distinct())
        {
            int size = strata.Count(s => s == stratum);
            for (int p = 0; p < parts.Length; p++)
            {
                double quota = (double)size * parts[p].Length / n;
                int actual = parts[p].Count(i => strata[i] == stratum);
                Assert.InRange(actual, Math.Floor(quota), Math.Ceiling(quota));
            }
        }
        Assert.All(parts, p => Assert.Equal(p.Order(), p)); // members keep input order
    }

    [Fact]
    public void Same_seed_same_split_other_seed_other_split_and_the_fingerprint_is_pinned()
    {
        var (ids, strata) = Population(300, 9);
        var a = StratifiedSplitter.Split(ids, strata, [("train", 0.8), ("test", 0.2)], 42, SplitProtocol.IntraPatient);
        var b = StratifiedSplitter.Split(ids, strata, [("train", 0.8), ("test", 0.2)], 42, SplitProtocol.IntraPatient);
        var c = StratifiedSplitter.Split(ids, strata, [("train", 0.8), ("test", 0.2)], 43, SplitProtocol.IntraPatient);
        Assert.Equal(a["test"].Members, b["test"].Members);
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.NotEqual(a.Fingerprint, c.Fingerprint);

        // The generator and the allocation are this project's own code, so this value only changes when they do.
        var pinned = StratifiedSplitter.Split(Enumerable.Range(0, 20).Select(i => $"r{i}").ToArray(),
            Enumerable.Range(0, 20).Select(i => i % 3 == 0 ? "A" : "B").ToArray(), [("train", 0.7), ("test", 0.3)], 7, SplitProtocol.IntraPatient);
        Assert.Equal(["r0", "r2", "r5", "r6", "r7", "r10"], pinned["test"].Members); // 2 of 7 A, 4 of 13 B
        Assert.Equal("bdeb0dd2d0d1054819d61261ba9134bce3ec7b576b67013a418bf121f9951285", pinned.Fingerprint);
    }

    [Fact]
    public void Split_by_count_hits_published_sizes_exactly()
    {
        var (ids, strata) = Population(112_599, 5);
        var split = StratifiedSplitter.SplitByCount(ids, strata, [("train", 75_441), ("val", 12_263), ("test", 24_895)], 1, SplitProtocol.IntraPatient);
        Assert.Equal([75_441, 12_263, 24_895], split.Parts.Select(p => p.Count));
        var ex = Assert.Throws<ArgumentException>(() =>
            StratifiedSplitter.SplitByCount(ids[..10], strata[..10], [("a", 5), ("b", 4)], 1, SplitProtocol.IntraPatient));
        Assert.Contains("part sizes add up to 9, but there are 10 members", ex.Message);
    }

    [Fact]
    public void Fingerprints_change_when_membership_or_order_changes()
    {
        var split = new DataSplit("s", SplitProtocol.InterPatient, [new SplitPart("train", ["a", "b"]), new SplitPart("test", ["c"])]);
        var moved = new DataSplit("s", SplitProtocol.InterPatient, [new SplitPart("train", ["a"]), new SplitPart("test", ["b", "c"])]);
        var reordered = new DataSplit("s", SplitProtocol.InterPatient, [new SplitPart("train", ["b", "a"]), new SplitPart("test", ["c"])]);
        var intra = new DataSplit("s", SplitProtocol.IntraPatient, [new SplitPart("train", ["a", "b"]), new SplitPart("test", ["c"])]);
        Assert.Equal(StableHash.OfSequence(["a", "b"]), split.PartFingerprints["train"]);
        Assert.Equal(4, new[] { split.Fingerprint, moved.Fingerprint, reordered.Fingerprint, intra.Fingerprint }.Distinct().Count());
        Assert.Equal("s (InterPatient): train 2, test 1", split.ToString());
        var dup = Assert.Throws<ArgumentException>(() => new DataSplit("d", SplitProtocol.InterPatient, [new SplitPart("a", ["x"]), new SplitPart("b", ["x"])]));
        Assert.Contains("member 'x' is in more than one part", dup.Message);
        Assert.Throws<KeyNotFoundException>(() => split["val"]);
    }

    [Fact]
    public void Stratified_k_fold_assigns_every_member_to_exactly_one_test_fold()
    {
        var (ids, strata) = Population(103, 8);
        var folds = StratifiedKFold.Create(ids, strata, 5, 3, SplitProtocol.IntraPatient);
        Assert.Equal(ids.Order(), folds.SelectMany(f => f["test"].Members).Order());
        Assert.All(folds, f => Assert.Equal(103, f.MemberCount));
        Assert.Equal([21, 21, 21, 20, 20], folds.Select(f => f["test"].Count).OrderDescending());
    }

    [Fact]
    public void Contiguous_folds_match_numpy_array_split()
    {
        Assert.Equal([(0, 4), (4, 7), (7, 10)], ContiguousFolds.Ranges(10, 3));
        Assert.Equal([(0, 1), (1, 2), (2, 2)], ContiguousFolds.Ranges(2, 3));
        Assert.Equal([(0, 20), (20, 40), (40, 60), (60, 80), (80, 100)], ContiguousFolds.Ranges(100, 5));
    }

    [Fact]
    public void Anomaly_split_tests_one_contiguous_normal_fold_and_never_trains_on_anomalies()
    {
        int n = 1000;
        var ids = Enumerable.Range(0, n).Select(i => $"b{i:D4}").ToArray();
        var classes = Enumerable.Range(0, n).Select(i => i % 10 == 0 ? "V" : i % 25 == 1 ? "S" : "N").ToArray();
        var split = AnomalyDetectionSplit.Create(ids, classes, "N", folds: 5, testFold: 2, seed: 4, SplitProtocol.IntraPatient);
        var normals = ids.Where((_, i) => classes[i] == "N").ToArray();
        var (start, end) = ContiguousFolds.Ranges(normals.Length, 5)[2];
        string Cls(string id) => classes[int.Parse(id[1..])];
        Assert.Equal(normals[start..end], split["test"].Members.Where(m => Cls(m) == "N"));
        Assert.All(split["train"].Members, m => Assert.Equal("N", Cls(m)));
        Assert.Equal(normals.Length - (end - start), split["train"].Count + split["val"].Members.Count(m => Cls(m) == "N"));
        foreach (var anomaly in new[] { "V", "S" })
        {
            int total = classes.Count(c => c == anomaly);
            int inVal = split["val"].Members.Count(m => Cls(m) == anomaly);
            Assert.Equal(Math.Round(total * 0.1), inVal, 0);
            Assert.Equal(total - inVal, split["test"].Members.Count(m => Cls(m) == anomaly));
        }
    }

    [Fact]
    public void Leakage_guard_reports_patients_per_part_and_allows_declared_intra_patient_splits()
    {
        string Patient(string member) => member.Split('-')[0];
        var parts = new[] { new SplitPart("train", ["p1-a", "p1-b", "p2-a"]), new SplitPart("test", ["p1-c", "p3-a"]) };
        var inter = new DataSplit("leaky", SplitProtocol.InterPatient, parts);
        var report = PatientLeakageGuard.Check(inter, Patient);
        var o = Assert.Single(report.Overlaps);
        Assert.Equal(("p1", 2, 1, 3), (o.Patient, o.MembersPerPart["train"], o.MembersPerPart["test"], report.MembersAffected));
        Assert.Equal("split 'leaky' (InterPatient): 1 of 3 patients appear in more than one part (3 members affected), e.g. patient p1 in train (2), test (1)",
            report.Describe());
        var ex = Assert.Throws<EcgDataException>(() => PatientLeakageGuard.Enforce(inter, Patient));
        Assert.StartsWith(report.Describe(), ex.Message);
        Assert.True(PatientLeakageGuard.Enforce(new DataSplit("declared", SplitProtocol.IntraPatient, parts), Patient).HasOverlap);
    }
}
