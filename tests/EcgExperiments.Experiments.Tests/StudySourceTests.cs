using System.Globalization;
using System.Text;
using EcgExperiments.Core;
using EcgExperiments.Data;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.Experiments.Sources;
using EcgExperiments.Pipeline;
using EcgExperiments.Signals.Resampling;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Experiments.Tests;

/// <summary>
/// The new data sources on real data: PTB-XL label definitions (counts against the data README and the records'
/// superclasses), the NORM/HYP list still giving the binary task's records, any UCR set (ECG5000 through `ucr`, and a
/// variable-length set written at test time), and a researcher's WFDB folder built from PTB-XL records.
/// </summary>
public sealed class StudySourceTests
{
    private static PtbXlDatabase Db => WfdbStudyFolder.Ptb.Value;

    private static int[] Counts(EcgDataView data, IEnumerable<int> rows)
    {
        var c = new int[data.Ecg.ClassNames.Count];
        foreach (var i in rows)
            for (int l = 0; l < c.Length; l++) if (data.Index.LabelSets![i][l]) c[l]++;
        return c;
    }

    [RealDataFact("ptbxl")]
    public void Superdiagnostic_preset_gives_label_sets_with_the_readme_counts_and_benchmark_folds()
    {
        var source = new PtbXlSource(new PtbXlSourceOptions { Labels = PtbXlLabelDefinition.FromPreset(PtbXlLabelPreset.Superdiagnostic) });
        Assert.True(source.Schema.MultiLabel);
        Assert.Contains("10 dropped (no_class 10: (no diagnostic statement) 10)", source.Description);
        var data = source.Load();
        Assert.Equal(390, data.Count);
        Assert.Equal(["CD", "HYP", "MI", "NORM", "STTC"], data.Ecg.ClassNames);
        Assert.Equal([58, 32, 53, 243, 74], data.ClassCounts());     // README: records per superclass (multi-label)
        Assert.All(Enumerable.Range(0, data.Count), i => Assert.Equal(
            Db.Get(int.Parse(data.Index.Ids[i], CultureInfo.InvariantCulture)).DiagnosticSuperclasses.Order(StringComparer.Ordinal),
            data.Ecg.ClassNames.Where((_, l) => data.Index.LabelSets![i][l])));
        Assert.Equal(12 * 1000, data.ReadSignal(0).Length);

        var split = source.Official(data)!;
        var fold = data.Index.Ids.Select(id => Db.Get(int.Parse(id, CultureInfo.InvariantCulture)).StratFold).ToArray();
        Assert.All(split.Train, i => Assert.InRange(fold[i], 1, 8));
        Assert.All(split.Validation, i => Assert.Equal(9, fold[i]));
        Assert.All(split.Test, i => Assert.Equal(10, fold[i]));
        Assert.Equal(data.Count, split.Train.Count + split.Validation.Count + split.Test.Count);
        Assert.Equal(data.ClassCounts(), Counts(data, split.Train).Zip(Counts(data, split.Validation), (a, b) => a + b).Zip(Counts(data, split.Test), (a, b) => a + b));
    }

    [RealDataFact("ptbxl")]
    public void The_norm_hyp_list_and_a_drop_definition_give_single_label_views()
    {
        var legacy = new PtbXlSource(new PtbXlSourceOptions()).Load();
        var binary = Db.SelectBinaryTask(new BinaryTaskOptions());
        Assert.False(legacy.IsMultiLabel);
        Assert.Equal(binary.Members.Select(m => (m.RecordId, m.IsPositive ? 1 : 0, m.PatientId.ToString(CultureInfo.InvariantCulture))),
            Enumerable.Range(0, legacy.Count).Select(i => (legacy.Index.Ids[i], legacy.Index.Labels[i], legacy.Index.Groups[i])));

        var drop = new PtbXlSource(new PtbXlSourceOptions { Labels = PtbXlLabelDefinition.FromPreset(PtbXlLabelPreset.Superdiagnostic) with { Multiple = MultipleClassPolicy.Drop } });
        Assert.False(drop.Schema.MultiLabel);
        Assert.Contains("several_classes 55: CD+MI 9, HYP+STTC 9", drop.Description);
        var data = drop.Load();
        Assert.Equal([29, 6, 23, 238, 39], data.ClassCounts());
        Assert.All(Enumerable.Range(0, data.Count), i => Assert.Equal(
            [data.Ecg.ClassNames[data.Index.Labels[i]]], Db.Get(int.Parse(data.Index.Ids[i], CultureInfo.InvariantCulture)).DiagnosticSuperclasses));
    }

    [RealDataFact("ecg5000")]
    public void Ecg5000_through_the_ucr_source_matches_the_readme_and_refuses_the_archive_split_without_test()
    {
        var source = new UcrSource(new UcrSourceOptions
        {
            Name = "ECG5000",
            Folder = RealData.Ecg5000,
            Classes = new Dictionary<string, IReadOnlyList<int>> { ["normal"] = [1], ["abnormal"] = [2, 3, 4, 5] },
        });
        Assert.Equal("[1 × 140], classes [normal, abnormal]", source.Schema.ToString());
        var data = source.Load();
        Assert.Equal([292, 208], data.ClassCounts());
        Assert.Contains("TEST file absent", source.Description);
        var e = Assert.Throws<EcgDataException>(() => source.Official(data));
        Assert.Contains("ECG5000_TEST is absent here", e.Message);
        Assert.Contains("split.kind: kfold", e.Message);
        // the preset's five classes when none are given
        Assert.Equal(["Normal", "R-on-T PVC", "PVC", "SP or EB", "UB"], new UcrSource(new UcrSourceOptions { Name = "ECG5000", Folder = RealData.Ecg5000 }).Schema.ClassNames);
    }

    /// <summary>A UCR-format set of the 2018 archive's kind: tab-separated, labels −1/1, series NaN-padded to the longest.</summary>
    private static string WriteUcr(string folder, int[] lengths, int[] labels, string part)
    {
        var text = new StringBuilder();
        int width = lengths.Max();
        for (int i = 0; i < lengths.Length; i++)
        {
            text.Append(labels[i].ToString(CultureInfo.InvariantCulture));
            for (int t = 0; t < width; t++) text.Append('\t').Append(t < lengths[i] ? (i + t * 0.5).ToString(CultureInfo.InvariantCulture) : "NaN");
            text.Append('\n');
        }
        var path = Path.Combine(folder, $"Toy_{part}.tsv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void Any_ucr_set_by_name_with_classes_by_label_resized_series_and_the_archive_split()
    {
        var folder = Directory.CreateTempSubdirectory("ecg-ucr-").FullName;
        try
        {
            var trainLabels = Enumerable.Range(0, 20).Select(i => i % 4 == 0 ? 1 : -1).ToArray();
            WriteUcr(folder, Enumerable.Range(0, 20).Select(i => 8 + i % 5).ToArray(), trainLabels, "TRAIN");
            WriteUcr(folder, [12, 10, 9, 12], [1, -1, -1, 1], "TEST");
            UcrSourceOptions Options(UcrResize resize) => new()
            {
                Name = "Toy", Folder = folder, Length = 12, Resize = resize, ValidationFraction = 0.25,
                Classes = new Dictionary<string, IReadOnlyList<int>> { ["minus"] = [-1], ["plus"] = [1] },
            };

            var strict = new UcrSource(Options(UcrResize.None));
            var e = Assert.Throws<EcgDataException>(() => strict.Load());
            Assert.Contains("Toy_TRAIN.tsv:1", e.Message);
            Assert.Contains("series has 8 samples, data.length is 12", e.Message);

            var interpolated = new UcrSource(Options(UcrResize.Interpolate)).Load();
            Assert.Equal(24, interpolated.Count);
            Assert.Equal(Interpolate.LinearToLength(Enumerable.Range(0, 9).Select(t => (float)(1 + t * 0.5)).ToArray(), 12), interpolated.ReadSignal(1));
            var padded = new UcrSource(Options(UcrResize.ZeroPad)).Load();
            Assert.Equal([.. Enumerable.Range(0, 9).Select(t => (float)(1 + t * 0.5)), 0f, 0f, 0f], padded.ReadSignal(1));
            Assert.Equal([15, 5], padded.ClassCounts().Select((c, i) => c - (i == 0 ? 2 : 2)));    // 20 TRAIN (15 minus, 5 plus) + 4 TEST (2, 2)

            var source = new UcrSource(Options(UcrResize.ZeroPad));
            var data = source.Load();
            var split = source.Official(data)!;
            Assert.Equal(["TEST/0", "TEST/1", "TEST/2", "TEST/3"], split.Test.Select(i => data.Index.Ids[i]));
            Assert.Equal(20, split.Train.Count + split.Validation.Count);
            Assert.Equal((4, 1), (split.Validation.Count(i => data.Index.Labels[i] == 0), split.Validation.Count(i => data.Index.Labels[i] == 1)));   // stratified quarter

            var unmapped = new UcrSource(Options(UcrResize.ZeroPad) with { Classes = new Dictionary<string, IReadOnlyList<int>> { ["minus"] = [-1], ["two"] = [2] } });
            var bad = Assert.Throws<EcgDataException>(() => unmapped.Load());
            Assert.Contains("Toy_TRAIN.tsv:1", bad.Message);
            Assert.Contains("label 1 is in no class of data.classes", bad.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [RealDataFact("ptbxl")]
    public void A_wfdb_folder_study_reads_label_sets_resamples_other_rates_cuts_to_length_and_splits_by_fold()
    {
        using var study = new WfdbStudyFolder("record,labels,patient_id,fold",
            (r, id) => $"{id},{string.Join(";", r.DiagnosticSuperclasses)},{r.PatientId},{WfdbStudyFolder.Fold(r)}",
            count: 60, at500Hz: r => r.EcgId % 10 == 3);
        var options = new WfdbFolderSourceOptions
        {
            Folder = study.Path, Classes = ["CD", "HYP", "MI", "NORM", "STTC"], MultiLabel = true, Leads = ["II", "V1"], TargetRate = 100, Seconds = 8,
            TestFolds = ["10"], ValidationFolds = ["9"],
        };
        var source = new WfdbFolderSource(options);
        Assert.Equal("[2 × 800] @ 100 Hz, labels [CD, HYP, MI, NORM, STTC] (multi-label)", source.Schema.ToString());
        var data = source.Load();
        var records = Db.Records.Take(60).ToArray();
        Assert.Equal(60, data.Count);
        Assert.Equal(records.Select(r => r.DiagnosticSuperclasses.Order(StringComparer.Ordinal)),
            Enumerable.Range(0, 60).Select(i => options.Classes.Where((_, l) => data.Index.LabelSets![i][l])));
        Assert.Equal(records.Select(r => r.PatientId.ToString(CultureInfo.InvariantCulture)), data.Index.Groups);
        Assert.Contains("6 resampled to 100 Hz; 60 cut to 8 s", source.Description);
        Assert.Contains($"{records.Count(r => r.DiagnosticSuperclasses.Count == 0)} with none", source.Description);

        // a copy at 100 Hz reads exactly its first 8 s of leads II and V1; a 500 Hz copy comes back within 0.5 % RMS
        var original = Db.LoadSignal(records[0]);
        var row = data.ReadSignal(0);
        Assert.Equal(original.Leads[1][..800], row[..800]);
        Assert.Equal(original.Leads[6][..800], row[800..]);
        int resampled = Array.FindIndex(records, r => r.EcgId % 10 == 3);
        Assert.StartsWith("device2/", data.Index.Ids[resampled]);
        var back = data.ReadSignal(resampled);
        var lead = Db.LoadSignal(records[resampled]).Leads[1];
        double err = 0, power = 0;
        for (int t = 20; t < 780; t++) { err += Math.Pow(back[t] - lead[t], 2); power += lead[t] * lead[t]; }
        Assert.True(Math.Sqrt(err / power) < 0.005, $"relative RMS error {Math.Sqrt(err / power):F4}");

        var split = source.Official(data)!;
        Assert.Equal(records.Count(r => r.StratFold == 10), split.Test.Count);
        Assert.Equal(records.Count(r => r.StratFold == 9), split.Validation.Count);
        Assert.Equal(records.Count(r => r.StratFold <= 8), split.Train.Count);

        // 12 s: every record is zero-padded past its 10 s
        var longer = new WfdbFolderSource(options with { Seconds = 12 });
        var tail = longer.Load().ReadSignal(0);
        Assert.All(tail[1000..1200], v => Assert.Equal(0f, v));
        Assert.Contains("60 zero-padded to 12 s", longer.Description);

        // the CSV decides the kind: a `labels` column is refused for a single-label study, and the guard refuses leaking folds
        var e = Assert.Throws<EcgDataException>(() => new WfdbFolderSource(options with { MultiLabel = false }).Load());
        Assert.Contains("labels.csv:1: labels.csv has a 'labels' column", e.Message);
        using var leaking = new WfdbStudyFolder("record,labels,patient_id,fold",
            (r, id) => $"{id},{string.Join(";", r.DiagnosticSuperclasses)},{(r.EcgId <= 2 ? "shared" : r.PatientId.ToString(CultureInfo.InvariantCulture))},{(r.EcgId == 1 ? "10" : WfdbStudyFolder.Fold(r))}",
            count: 20);
        var leakingSource = new WfdbFolderSource(options with { Folder = leaking.Path });
        var leak = Assert.Throws<EcgDataException>(() => leakingSource.Official(leakingSource.Load()));
        Assert.Contains("appear in more than one part", leak.Message);
    }
}
