using System.Globalization;
using System.Text;
using EcgExperiments.Core;
using EcgExperiments.Data.Ucr;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Datasets;

/// <summary>Any UCR-format dataset by folder and name; ECG5000 as a preset; variable-length series; missing parts.</summary>
public sealed class UcrDatabaseTests
{
    private static readonly Lazy<UcrDataset> Ecg5000Train = new(() => UcrDataset.Load(Path.Combine(RealData.Ecg5000, "ECG5000_TRAIN.txt")));

    private static string Row(int label, IEnumerable<float> values, char separator) =>
        label.ToString(CultureInfo.InvariantCulture) + separator + string.Join(separator, values.Select(v => float.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture)));

    [RealDataFact("ecg5000")]
    public void ECG5000_opens_as_a_preset_by_name_and_its_missing_TEST_file_is_reported_not_thrown()
    {
        var ucr = UcrDatabase.Open(new UcrDatabaseOptions("ecg5000", RealData.Ecg5000));
        Assert.Equal(UcrPresets.Ecg5000, ucr.Preset);
        Assert.Equal(["TEST"], ucr.MissingParts);
        Assert.Null(ucr.Test);
        Assert.Equal(500, ucr.RecordIds.Count);
        Assert.Equal(Ecg5000Train.Value.Rows[42].Values, ucr.Get("TRAIN/42").Values);
        Assert.Equal("R-on-T PVC", ucr.ClassName(2));
        var md = ucr.Card.ToMarkdown();
        Assert.Contains("| 2 (R-on-T PVC) | 177 |", md);
        Assert.Contains("The 4,500-row TEST file is absent", md);
        Assert.Equal(Ecg5000Database.Open(RealData.Ecg5000).Fingerprint, ucr.Fingerprint);
        Assert.Contains("TRAIN/0 … TRAIN/499", Assert.Throws<ArgumentException>(() => ucr.Get("TEST/3")).Message);
    }

    [RealDataFact("ecg5000")]
    public void A_NaN_padded_variable_length_set_in_the_2018_archive_layout_comes_back_with_each_series_at_its_own_length()
    {
        using var root = new TempFolder("ucr-2018");
        var rows = Ecg5000Train.Value.Rows;
        var lengths = new Dictionary<string, int[]>();
        foreach (var (part, offset, count) in new[] { ("TRAIN", 0, 60), ("TEST", 60, 40) })
        {
            var text = new StringBuilder();
            lengths[part] = new int[count];
            for (int i = 0; i < count; i++)
            {
                var r = rows[offset + i];
                int length = 90 + (i * 7) % 51;   // 90 … 140 samples
                lengths[part][i] = length;
                text.Append(Row(r.Label, r.Values.Take(length).Concat(Enumerable.Repeat(float.NaN, 140 - length)), '\t')).Append('\n');
            }
            Directory.CreateDirectory(Path.Combine(root.Path, "ShortBeats"));
            File.WriteAllText(Path.Combine(root.Path, "ShortBeats", $"ShortBeats_{part}.tsv"), text.ToString());
        }

        var ucr = UcrDatabase.Open(new UcrDatabaseOptions("ShortBeats", root.Path));   // finds ShortBeats/ below the root
        Assert.Null(ucr.Preset);
        Assert.Empty(ucr.MissingParts);
        Assert.True(ucr.Train!.IsVariableLength);
        Assert.Equal((90, 140), (ucr.Train.MinSeriesLength, ucr.Train.SeriesLength));
        for (int i = 0; i < 40; i++)
        {
            var s = ucr.Get($"TEST/{i}");
            Assert.Equal(rows[60 + i].Values.Take(lengths["TEST"][i]), s.Values);
            Assert.Equal(rows[60 + i].Label, s.Label);
        }
        var split = ucr.OfficialSplit();
        Assert.Equal((60, 40), (split["train"].Count, split["test"].Count));
        var card = ucr.Card;
        Assert.Equal(((long)90, (long)140), card.SamplesPerRecord);
        Assert.Contains("| 1 | ", card.ToMarkdown());
        Assert.Contains("ShortBeats_TRAIN.tsv (60 rows, variable length 90–140)", card.ToMarkdown());
    }

    [RealDataFact("ecg5000")]
    public void Malformed_rows_fail_naming_file_and_line_and_absent_files_are_explained()
    {
        using var tmp = new TempFolder("ucr-bad-rows");
        var rows = Ecg5000Train.Value.Rows.Take(5).ToArray();
        string Write(string name, IEnumerable<string> lines)
        {
            var path = tmp.File(name);
            File.WriteAllLines(path, lines);
            return path;
        }
        var good = rows.Select(r => Row(r.Label, r.Values, ' ')).ToArray();

        // a gap (NaN followed by numbers) is not padding
        var gap = good.ToArray();
        gap[3] = Row(rows[3].Label, rows[3].Values.Select((v, j) => j == 10 ? float.NaN : v), ' ');
        var path = Write("Gap_TRAIN.txt", gap);
        var ex = Assert.Throws<EcgDataException>(() => UcrDatabase.Open(new UcrDatabaseOptions("Gap", tmp.Path)));
        Assert.StartsWith($"{path}:4: value in column 12 is NaN", ex.Message);
        Assert.Contains("only as trailing padding", ex.Message);

        var ragged = good.ToArray();
        ragged[1] = ragged[1][..ragged[1].LastIndexOf(' ')];
        path = Write("Ragged_TRAIN.txt", ragged);
        Assert.StartsWith($"{path}:2: row has 139 values but earlier rows have 140", Assert.Throws<EcgDataException>(() => UcrDatabase.Open(new UcrDatabaseOptions("Ragged", tmp.Path))).Message);

        var label = good.ToArray();
        label[4] = "N " + label[4][(label[4].IndexOf(' ') + 1)..];
        path = Write("Label_TRAIN.txt", label);
        Assert.StartsWith($"{path}:5: class label 'N' is not a whole number", Assert.Throws<EcgDataException>(() => UcrDatabase.Open(new UcrDatabaseOptions("Label", tmp.Path))).Message);

        Write("OnlyTest_TEST.txt", good);
        var onlyTest = UcrDatabase.Open(new UcrDatabaseOptions("OnlyTest", tmp.Path));
        Assert.Equal(["TRAIN"], onlyTest.MissingParts);
        Assert.Equal(5, onlyTest.Test!.Rows.Count);

        var none = Assert.Throws<EcgDataException>(() => UcrDatabase.Open(new UcrDatabaseOptions("Absent", tmp.Path)));
        Assert.Contains("neither Absent_TRAIN nor Absent_TEST", none.Message);
    }
}
