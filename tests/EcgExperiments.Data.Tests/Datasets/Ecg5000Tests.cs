using System.Globalization;
using System.Text;
using EcgExperiments.Data.Splits;
using EcgExperiments.Data.Ucr;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Datasets;

public sealed class Ecg5000Tests
{
    private static string TrainTxt => Path.Combine(RealData.Ecg5000, "ECG5000_TRAIN.txt");

    [RealDataFact("ecg5000")]
    public void Train_file_has_500_rows_of_140_samples_292_normal()
    {
        var db = Ecg5000Database.Open(RealData.Ecg5000);
        var train = db.Train!;
        Assert.Null(db.Test);
        Assert.Equal((500, 140), (train.Rows.Count, train.SeriesLength));
        Assert.Equal(new Dictionary<int, int> { [1] = 292, [2] = 177, [3] = 10, [4] = 19, [5] = 2 }, train.ClassCounts);
        Assert.Equal(292, train.Rows.Count(r => r.Label == Ecg5000Database.NormalClass));
        Assert.Equal(208, train.Rows.Count(r => r.Label != Ecg5000Database.NormalClass));
        Assert.Equal((1, -0.11252183f, -2.8272038f), (train.Rows[0].Label, train.Rows[0].Values[0], train.Rows[0].Values[1]));
        Assert.Equal(train.Rows[17].Values, db.Get("TRAIN/17").Values);

        var split = db.OfficialSplit();
        Assert.Equal((SplitProtocol.IntraPatient, 500, 0), (split.Protocol, split["train"].Count, split["test"].Count));
        var card = db.Card;
        Assert.Null(card.SamplingRate);
        Assert.Contains("| 1 (Normal) | 292 |", card.ToMarkdown());
        Assert.Contains("The 4,500-row TEST file is absent", card.ToMarkdown());
    }

    [RealDataFact("ecg5000")]
    public void Tsv_and_arff_forms_of_the_same_rows_read_identically()
    {
        var txt = UcrDataset.Load(TrainTxt);
        using var tmp = new TempFolder("ucr");
        var tsv = new StringBuilder();
        var arff = new StringBuilder("% ECG5000 in ARFF\n@relation ECG5000\n");
        for (int i = 0; i < 140; i++) arff.Append(CultureInfo.InvariantCulture, $"@attribute att{i} numeric\n");
        arff.Append("@attribute target {1,2,3,4,5}\n\n@data\n");
        foreach (var r in txt.Rows)
        {
            var values = r.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray();
            tsv.Append(r.Label).Append('\t').AppendJoin('\t', values).Append('\n');
            arff.AppendJoin(',', values).Append(',').Append(r.Label).Append('\n');
        }
        File.WriteAllText(tmp.File("ECG5000_TRAIN.tsv"), tsv.ToString());
        File.WriteAllText(tmp.File("e.arff"), arff.ToString());
        foreach (var other in new[] { UcrDataset.Load(tmp.File("ECG5000_TRAIN.tsv")), UcrDataset.Load(tmp.File("e.arff")) })
        {
            Assert.Equal(txt.Rows.Select(r => r.Label), other.Rows.Select(r => r.Label));
            for (int i = 0; i < txt.Rows.Count; i++) Assert.Equal(txt.Rows[i].Values, other.Rows[i].Values);
        }
        Assert.Equal(500, Ecg5000Database.Open(tmp.Path).Train!.Rows.Count); // .tsv found by name
    }

    [RealDataFact("ecg5000")]
    public void Stratified_five_fold_inside_the_500_rows_keeps_the_normal_share_in_every_fold()
    {
        var rows = UcrDataset.Load(TrainTxt).Rows;
        var ids = rows.Select(r => $"TRAIN/{r.Index}").ToArray();
        var labels = rows.Select(r => r.Label.ToString(CultureInfo.InvariantCulture)).ToArray();
        var folds = StratifiedKFold.Create(ids, labels, k: 5, seed: 11, SplitProtocol.IntraPatient);
        Assert.Equal(5, folds.Count);
        var tests = folds.Select(f => f["test"].Members).ToArray();
        Assert.All(tests, t => Assert.Equal(100, t.Count));
        Assert.Equal(500, tests.SelectMany(t => t).Distinct().Count());
        foreach (var t in tests)
        {
            int normal = t.Count(id => rows[int.Parse(id[6..], CultureInfo.InvariantCulture)].Label == 1);
            Assert.InRange(normal, 58, 59); // 292 / 5 = 58.4
        }
    }
}
