using EcgExperiments.Core;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.Data.Splits;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Datasets;

public sealed class PtbXlDatabaseTests
{
    private static readonly Lazy<PtbXlDatabase> Db = new(() => PtbXlDatabase.Open(RealData.PtbXl));

    [RealDataFact("ptbxl")]
    public void Superclass_counts_equal_the_data_README()
    {
        var db = Db.Value;
        Assert.Equal(400, db.Records.Count);
        Assert.Equal(Enumerable.Range(1, 400), db.Records.Select(r => r.EcgId));
        int Count(string c) => db.Records.Count(r => r.HasSuperclass(c));
        Assert.Equal((243, 74, 58, 53, 32), (Count("NORM"), Count("STTC"), Count("CD"), Count("MI"), Count("HYP")));
        Assert.Equal(10, db.Records.Count(r => r.DiagnosticSuperclasses.Count == 0));
        Assert.Equal(238, db.Records.Count(r => r.DiagnosticSuperclasses.SequenceEqual(["NORM"])));

        // HYP combinations and statements listed in the README.
        var hyp = db.Records.Where(r => r.HasSuperclass("HYP")).ToList();
        var combos = hyp.GroupBy(r => string.Join("+", r.DiagnosticSuperclasses)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int>
        {
            ["HYP"] = 6, ["HYP+STTC"] = 9, ["HYP+MI+STTC"] = 7, ["CD+HYP"] = 3, ["HYP+MI"] = 3, ["CD+HYP+MI+STTC"] = 2, ["CD+HYP+STTC"] = 2,
        }.OrderBy(kv => kv.Key, StringComparer.Ordinal), combos.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        int Statement(string code) => hyp.Count(r => r.ScpCodes.ContainsKey(code));
        Assert.Equal((28, 3, 3, 2, 1), (Statement("LVH"), Statement("LAO/LAE"), Statement("RAO/RAE"), Statement("RVH"), Statement("SEHYP")));
        Assert.Equal(Enumerable.Range(1, 10).Select(k => db.Records.Count(r => r.StratFold == k)), [37, 40, 30, 35, 36, 28, 35, 35, 70, 54]);
    }

    [RealDataFact("ptbxl")]
    public void Record_1_fields_come_from_its_csv_row()
    {
        var r = Db.Value.Get(1);
        Assert.Equal((15709, 56.0, PtbXlSex.Female, 3, 2), (r.PatientId, r.Age!.Value, r.Sex, r.StratFold, r.SourceLine));
        Assert.Equal(new Dictionary<string, double> { ["NORM"] = 100, ["LVOLT"] = 0, ["SR"] = 0 }, r.ScpCodes);
        Assert.Equal(["NORM"], r.DiagnosticSuperclasses);
        Assert.Equal(["NORM"], r.DiagnosticSubclasses);
        Assert.Equal(("records100/00000/00001_lr", "records500/00000/00001_hr"), (r.FilenameLowRate, r.FilenameHighRate));
        var lvh = Db.Value.Statements["LVH"];
        Assert.Equal((true, "HYP", "LVH"), (lvh.IsDiagnostic, lvh.DiagnosticClass, lvh.DiagnosticSubclass));
        Assert.Equal(71, Db.Value.Statements.Count);
    }

    [RealDataFact("ptbxl")]
    public void Signals_load_at_100_Hz_and_a_missing_500_Hz_copy_is_explained()
    {
        var db = Db.Value;
        var ecg = db.LoadSignal("400");
        Assert.Equal((100.0, 12, 1000, "400_lr"), (ecg.SamplingRate, ecg.LeadCount, ecg.Length, ecg.RecordId!.TrimStart('0')));
        Assert.Equal(PtbXlDatabase.StandardLeads, ecg.LeadNames);
        Assert.Equal(0.034f, ecg.Leads[0][0], 6); // header initial value 34 / gain 1000
        var ex = Assert.Throws<EcgDataException>(() => db.LoadSignal(db.Get(1), PtbXlSamplingRate.Hz500));
        Assert.Contains("500 Hz waveform for ecg_id 1 not found", ex.Message);
        Assert.Contains("00001_hr.hea", ex.Message);
    }

    [RealDataFact("ptbxl")]
    public void Binary_task_NORM_only_versus_any_HYP_drops_and_counts_the_rest()
    {
        var task = Db.Value.SelectBinaryTask();
        Assert.Equal((238, 32, 130), (task.NegativeCount, task.PositiveCount, task.DroppedCount));
        Assert.Equal(10, task.DroppedByLabels["(no diagnostic statement)"]);
        Assert.All(task.Members.Where(m => m.IsPositive), m => Assert.True(Db.Value.Get(m.EcgId).HasSuperclass("HYP")));
        Assert.StartsWith("NORM vs HYP (NegativeOnlyVersusAnyPositive): 238 NORM, 32 HYP, 130 dropped (", task.Describe());

        var strict = Db.Value.SelectBinaryTask(new BinaryTaskOptions { Policy = MultiLabelPolicy.NegativeOnlyVersusPositiveOnly });
        Assert.Equal((238, 6, 156), (strict.NegativeCount, strict.PositiveCount, strict.DroppedCount));
        var excluding = Db.Value.SelectBinaryTask(new BinaryTaskOptions { Policy = MultiLabelPolicy.AnyNegativeVersusAnyPositiveExcludingBoth });
        Assert.Equal((243, 32), (excluding.NegativeCount, excluding.PositiveCount)); // no record here is both NORM and HYP
    }

    [RealDataFact("ptbxl")]
    public void Strat_fold_split_is_patient_safe_and_a_random_record_split_leaks()
    {
        var db = Db.Value;
        var official = db.OfficialSplit();
        Assert.Equal((276, 70, 54), (official["train"].Count, official["val"].Count, official["test"].Count));
        var report = PatientLeakageGuard.Enforce(official, db.PatientOf);
        Assert.False(report.HasOverlap);
        Assert.Equal(369, report.Patients);

        // The published protocol: random stratified record-level 7:2:1. PTB-XL has several records per patient.
        var task = db.SelectBinaryTask();
        var ids = task.Members.Select(m => m.RecordId).ToArray();
        var labels = task.Members.Select(m => m.ClassName).ToArray();
        var declaredInter = StratifiedSplitter.Split(ids, labels, [("train", 0.7), ("val", 0.2), ("test", 0.1)], 42, SplitProtocol.InterPatient, "random-7-2-1");
        Assert.Equal((189, 54, 27), (declaredInter["train"].Count, declaredInter["val"].Count, declaredInter["test"].Count));
        var leak = PatientLeakageGuard.Check(declaredInter, db.PatientOf);
        if (leak.HasOverlap)
        {
            var ex = Assert.Throws<EcgDataException>(() => PatientLeakageGuard.Enforce(declaredInter, db.PatientOf));
            Assert.Contains("appear in more than one part", ex.Message);
            Assert.Contains("SplitProtocol.IntraPatient", ex.Message);
        }
        var all = StratifiedSplitter.Split(db.RecordIds, db.Records.Select(r => r.StratFold.ToString()).ToArray(),
            [("train", 0.7), ("val", 0.2), ("test", 0.1)], 1, SplitProtocol.IntraPatient);
        var intra = PatientLeakageGuard.Enforce(all, db.PatientOf);
        Assert.True(intra.HasOverlap); // patient 13619 alone has 8 records
        Assert.Contains(intra.Overlaps, o => o.Patient == "13619");
        Assert.Equal(intra.Overlaps.Sum(o => o.MembersPerPart.Values.Sum()), intra.MembersAffected);
    }

    [RealDataFact("ptbxl")]
    public void Card_reports_counts_balance_and_folds()
    {
        var card = Db.Value.Card;
        Assert.Equal(("PTB-XL", "CC BY 4.0", 400, 369, 100.0), (card.Name, card.Licence, card.Records, card.Patients!.Value, card.SamplingRate!.Value));
        Assert.Equal(["NORM 243", "MI 53", "STTC 74", "CD 58", "HYP 32", "no diagnostic statement 10"], card.ClassBalance.Select(c => $"{c.Label} {c.Count}"));
        var md = card.ToMarkdown();
        Assert.Contains("## PTB-XL 1.0.3", md);
        Assert.Contains("| HYP | 32 |", md);
        Assert.Contains("Records per strat_fold 1-10: 37, 40, 30, 35, 36, 28, 35, 35, 70, 54.", md);
        Assert.Contains("Waveforms present: 400 of 400 at 100 Hz, 0 at 500 Hz.", md);
        Assert.Equal(64, Db.Value.Fingerprint.Length);
    }
}
