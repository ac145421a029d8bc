using System.Globalization;
using System.Text;
using EcgExperiments.Core;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.Data.Tests.Wfdb;
using EcgExperiments.Data.WfdbFolder;
using EcgExperiments.Signals.Resampling;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Datasets;

/// <summary>
/// A researcher's own folder of WFDB records with a labels CSV, built at test time from shared PTB-XL records the way a
/// user would lay it out (records in a sub-folder, labels and patients in a CSV, one record at another rate).
/// </summary>
public sealed class WfdbFolderTests
{
    private static readonly Lazy<PtbXlDatabase> Ptb = new(() => PtbXlDatabase.Open(RealData.PtbXl));

    /// <summary>Records 1–40 copied into "ecgs/", and a labels CSV written by <paramref name="row"/> (null = leave the record out).</summary>
    private static TempFolder Study(string header, Func<PtbXlRecord, string?> row, int count = 40)
    {
        var tmp = new TempFolder("wfdb-study");
        var csv = new StringBuilder(header).Append('\n');
        foreach (var r in Ptb.Value.Records.Take(count))
        {
            var source = Ptb.Value.RecordPath(r);
            tmp.Copy(source + ".hea", Path.Combine("ecgs", Path.GetFileName(source) + ".hea"));
            tmp.Copy(source + ".dat", Path.Combine("ecgs", Path.GetFileName(source) + ".dat"));
            if (row(r) is { } line) csv.Append(line).Append('\n');
        }
        File.WriteAllText(tmp.File("labels.csv"), csv.ToString());
        return tmp;
    }

    private static string Id(PtbXlRecord r) => "ecgs/" + Path.GetFileName(r.FilenameLowRate);
    private static string Fold(PtbXlRecord r) => r.StratFold <= 8 ? "train" : r.StratFold == 9 ? "val" : "test";
    private static string? NormOrHyp(PtbXlRecord r) =>
        r.DiagnosticSuperclasses.SequenceEqual(["NORM"]) ? "NORM" : r.HasSuperclass("HYP") ? "HYP" : null;

    [RealDataFact("ptbxl")]
    public void A_single_label_study_reads_chosen_leads_with_patients_folds_and_a_card()
    {
        using var study = Study("record,label,patient_id,fold,age",
            r => NormOrHyp(r) is { } c ? $"{Id(r)},{c},{r.PatientId},{Fold(r)},{r.Age}" : null);
        var db = WfdbFolderDatabase.Open(new WfdbFolderOptions { Folder = study.Path, Leads = ["ii", "V1"], Classes = ["NORM", "HYP"] });

        var expected = Ptb.Value.Records.Take(40).Where(r => NormOrHyp(r) is not null).ToArray();
        Assert.Equal(ClassificationKind.Binary, db.Kind);
        Assert.Equal(["NORM", "HYP"], db.ClassNames);
        Assert.Equal(expected.Select(Id), db.RecordIds);
        Assert.Equal(expected.Select(r => NormOrHyp(r)!), db.Records.Select(r => r.Labels.Single()));
        Assert.Equal(expected.Select(r => NormOrHyp(r) == "HYP" ? 1 : 0), db.RecordIds.Select(id => db.ClassIndices(id).Single()));
        Assert.Equal(expected[3].PatientId.ToString(CultureInfo.InvariantCulture), db.PatientOf(Id(expected[3])));

        var signal = db.LoadSignal(Id(expected[5]));
        var original = Ptb.Value.LoadSignal(expected[5]);
        Assert.Equal((100.0, 1000), (signal.SamplingRate, signal.Length));
        Assert.Equal(["II", "V1"], signal.LeadNames);
        Assert.Equal(original.Leads[1], signal.Leads[0]);
        Assert.Equal(original.Leads[6], signal.Leads[1]);

        var split = db.OfficialSplit();
        Assert.Equal((expected.Count(r => r.StratFold <= 8), expected.Count(r => r.StratFold == 9), expected.Count(r => r.StratFold == 10)),
            (split["train"].Count, split.Parts.FirstOrDefault(p => p.Name == "val")?.Count ?? 0, split.Parts.FirstOrDefault(p => p.Name == "test")?.Count ?? 0));

        var card = db.Card;
        Assert.Equal((expected.Length, expected.Select(r => r.PatientId).Distinct().Count(), 100.0), (card.Records, card.Patients, card.SamplingRate));
        Assert.Equal(["II", "V1"], card.Leads);
        var md = card.ToMarkdown();
        Assert.Contains($"| NORM | {expected.Count(r => NormOrHyp(r) == "NORM")} |", md);
        Assert.Contains($"| HYP | {expected.Count(r => NormOrHyp(r) == "HYP")} |", md);
        Assert.Contains("| Samples per record | 1,000 |", md);
        Assert.Equal(64, db.Fingerprint.Length);
    }

    [RealDataFact("ptbxl")]
    public void A_multi_label_study_keeps_every_label_and_records_without_one()
    {
        using var study = Study("Record,Labels,Patient",
            r => $"{Id(r)},{string.Join(";", r.DiagnosticSuperclasses)},{r.PatientId}");
        var db = WfdbFolderDatabase.Open(new WfdbFolderOptions { Folder = study.Path });

        var records = Ptb.Value.Records.Take(40).ToArray();
        Assert.Equal(ClassificationKind.MultiLabel, db.Kind);
        Assert.Equal(records.SelectMany(r => r.DiagnosticSuperclasses).Distinct().Order(StringComparer.Ordinal), db.ClassNames);
        Assert.Equal(records.Select(r => r.DiagnosticSuperclasses), db.Records.Select(r => r.Labels));
        Assert.Equal(12, db.Leads.Count);
        var md = db.Card.ToMarkdown();
        Assert.Contains($"| (no label) | {records.Count(r => r.DiagnosticSuperclasses.Count == 0)} |", md);
        Assert.Contains($"{records.Count(r => r.DiagnosticSuperclasses.Count > 1)} records with several labels", md);
        Assert.Contains("has no fold column", Assert.Throws<EcgDataException>(() => db.OfficialSplit()).Message);
    }

    [RealDataFact("ptbxl")]
    public void A_record_stored_at_500_Hz_is_resampled_to_the_target_rate_and_matches_its_100_Hz_original()
    {
        using var study = Study("record,label,patient_id", r => $"{Id(r)},{NormOrHyp(r) ?? "OTHER"},{r.PatientId}", count: 20);
        // record 31 upsampled 5× and stored as a 500 Hz record of its own, the way another device would have written it
        var source = Ptb.Value.LoadSignal(Ptb.Value.Get(31));
        var adc = source.Leads.Select(lead => Resample.Poly(lead, 5, 1).Select(v => (int)Math.Round(v * 1000)).ToArray()).ToArray();
        var path = WfdbTestFiles.WriteRecord(Path.Combine(study.Path, "device2"), "rec500", 16, adc, gain: 1000, leadNames: [.. source.LeadNames]);
        var hea = File.ReadAllLines(path + ".hea");
        hea[0] = "rec500 12 500 5000";
        File.WriteAllLines(path + ".hea", hea);
        File.AppendAllText(study.File("labels.csv"), "device2/rec500,NORM,p31\n");

        var ex = Assert.Throws<EcgDataException>(() => WfdbFolderDatabase.Open(new WfdbFolderOptions { Folder = study.Path }));
        Assert.Contains("records differ in sampling rate: ecgs/00001_lr at 100 Hz, device2/rec500 at 500 Hz; set target_rate", ex.Message);

        var db = WfdbFolderDatabase.Open(new WfdbFolderOptions { Folder = study.Path, TargetRate = 100, Leads = ["I", "V2"] });
        Assert.Equal(["device2/rec500"], db.ResampledRecords);
        var back = db.LoadSignal("device2/rec500");
        Assert.Equal((100.0, 1000), (back.SamplingRate, back.Length));
        for (int k = 0; k < 2; k++)
        {
            var original = source.Leads[source.IndexOfLead(back.LeadNames[k])];
            double err = 0, power = 0;
            for (int t = 20; t < 980; t++) { err += Math.Pow(back.Leads[k][t] - original[t], 2); power += original[t] * original[t]; }
            Assert.True(Math.Sqrt(err / power) < 0.005, $"lead {back.LeadNames[k]}: relative RMS error {Math.Sqrt(err / power):F4} after 100 → 500 → 100 Hz");
        }
        Assert.Contains("1 of 21 records resampled to 100 Hz (from 500 Hz)", db.Card.ToMarkdown());
        Assert.Equal(["NORM", "OTHER"], db.ClassNames);   // records 1–20 hold no HYP
        Assert.Equal(ClassificationKind.Binary, db.Kind);
    }

    [RealDataFact("ptbxl")]
    public void Corrupt_or_mislabelled_rows_and_absent_records_fail_naming_the_file_line_or_record()
    {
        string Message(string csv, WfdbFolderOptions? options = null)
        {
            using var study = Study("record,label,patient_id", r => null, count: 3);
            File.WriteAllText(study.File("labels.csv"), csv);
            return Assert.Throws<EcgDataException>(() => WfdbFolderDatabase.Open((options ?? new WfdbFolderOptions { Folder = "" }) with { Folder = study.Path })).Message;
        }
        const string head = "record,label,patient_id\n";
        Assert.Contains("labels.csv:3: row has 4 fields but the header has 3", Message(head + "ecgs/00001_lr,NORM,1\necgs/00002_lr,NORM,2,extra\n"));
        Assert.Contains("labels.csv:3, record ecgs/00002_lr: label 'NROM' is not one of the classes [NORM, HYP]",
            Message(head + "ecgs/00001_lr,NORM,1\necgs/00002_lr,NROM,2\n", new WfdbFolderOptions { Folder = "", Classes = ["NORM", "HYP"] }));
        Assert.Contains("labels.csv:2, record ecgs/00001_lr: label 'NORM;HYP' holds several classes; name the column 'labels'", Message(head + "ecgs/00001_lr,NORM;HYP,1\n"));
        Assert.Contains("labels.csv:3, record ecgs/00001_lr: record 'ecgs/00001_lr' is listed twice (first on line 2)", Message(head + "ecgs/00001_lr,NORM,1\necgs/00001_lr,HYP,1\n"));
        Assert.Contains("labels.csv:2, record ecgs/00001_lr: patient_id is empty", Message(head + "ecgs/00001_lr,NORM,\n"));
        Assert.Contains("labels.csv:2, record ecgs/00001_lr: label is empty", Message(head + "ecgs/00001_lr,,1\n"));
        Assert.Contains("labels.csv:1: no 'patient_id' column", Message("record,label\necgs/00001_lr,NORM\n"));
        Assert.Contains("exactly one of 'label'", Message("record,label,labels,patient_id\necgs/00001_lr,NORM,NORM,1\n"));
        var absent = Message(head + "ecgs/00001_lr,NORM,1\necgs/00009_lr,HYP,9\n");
        Assert.Contains("record ecgs/00009_lr: record 'ecgs/00009_lr' is listed in labels.csv (line 3) but", absent);
        Assert.Contains("00009_lr.hea does not exist", absent);
        var lead = Message(head + "ecgs/00001_lr,NORM,1\necgs/00002_lr,HYP,2\n", new WfdbFolderOptions { Folder = "", Leads = ["II", "MLII"] });
        Assert.Contains("record ecgs/00001_lr: record has no lead MLII (its leads: I, II, III, AVR, AVL, AVF, V1, V2, V3, V4, V5, V6)", lead);
        Assert.Contains("a single-label task needs at least 2", Message(head + "ecgs/00001_lr,NORM,1\necgs/00002_lr,NORM,2\n"));
    }

    [RealDataFact("ptbxl")]
    public void A_fold_column_that_puts_one_patient_in_two_parts_is_refused_by_the_leakage_guard()
    {
        using var study = Study("record,label,patient_id,fold", r => null, count: 4);
        File.WriteAllText(study.File("labels.csv"),
            "record,label,patient_id,fold\necgs/00001_lr,NORM,7,train\necgs/00002_lr,HYP,8,train\necgs/00003_lr,NORM,7,test\necgs/00004_lr,HYP,9,test\n");
        var db = WfdbFolderDatabase.Open(new WfdbFolderOptions { Folder = study.Path });
        var ex = Assert.Throws<EcgDataException>(() => db.OfficialSplit());
        Assert.Contains("appear in more than one part", ex.Message);

        File.WriteAllText(study.File("labels.csv"),
            "record,label,patient_id,fold\necgs/00001_lr,NORM,7,1\necgs/00002_lr,HYP,8,2\necgs/00003_lr,NORM,7,1\necgs/00004_lr,HYP,9,3\n");
        db = WfdbFolderDatabase.Open(new WfdbFolderOptions { Folder = study.Path });
        Assert.Contains("fold '1' is not train, val or test", Assert.Throws<EcgDataException>(() => db.OfficialSplit()).Message);
        var folds = db.FoldSplit(testFolds: ["3"], validationFolds: ["2"]);
        Assert.Equal(["ecgs/00001_lr", "ecgs/00003_lr"], folds["train"].Members);
        Assert.Equal(["ecgs/00002_lr"], folds["val"].Members);
        Assert.Equal(["ecgs/00004_lr"], folds["test"].Members);
    }
}
