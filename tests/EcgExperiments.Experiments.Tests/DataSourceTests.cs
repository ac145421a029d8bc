using EcgExperiments.Core;
using EcgExperiments.Experiments.Sources;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Experiments.Tests;

/// <summary>
/// The real-data sources: counts against the data README (and an independent count of the PTB-XL tables),
/// schema known before loading equals what loading gives, official splits, patient groups, and the new
/// experiment files resolving every stage's shape without data.
/// </summary>
public sealed class DataSourceTests
{
    private static void AssertLoadedMatchesSchema(IDataSource source, EcgDataView data)
    {
        Assert.Equal(source.Schema.ItemShape, data.Ecg.ItemShape);
        Assert.Equal(source.Schema.SamplingRate, data.Ecg.SamplingRate);
        Assert.All(data.Examples(), e => Assert.Equal(source.Schema.ItemSize, e.Values.Length));
        Assert.All(data.Subset(Enumerable.Range(0, Math.Min(50, data.Count)).ToArray()).Examples(), e => Assert.All(e.Values, v => Assert.True(float.IsFinite(v))));
    }

    private static int[] Counts(EcgDataView data, IEnumerable<int> indices)
    {
        var c = new int[data.Ecg.ClassNames.Count];
        foreach (var i in indices) c[data.Index.Labels[i]]++;
        return c;
    }

    private static void AssertNoPatientInTwoParts(EcgDataView data, OfficialSplit split)
    {
        var parts = new[] { split.Train, split.Validation, split.Test }.Select(p => p.Select(i => data.Index.Groups[i]).ToHashSet()).ToArray();
        for (int a = 0; a < 3; a++)
            for (int b = a + 1; b < 3; b++)
                Assert.Empty(parts[a].Intersect(parts[b]));
    }

    [RealDataFact("ptbxl")]
    public void Ptbxl_norm_only_vs_any_hyp_keeps_270_records_in_strat_folds()
    {
        var source = new PtbXlSource(new PtbXlSourceOptions());
        Assert.Equal("[12 × 1000] @ 100 Hz, classes [NORM, HYP]", source.Schema.ToString());
        Assert.Contains("270 kept (NORM 238, HYP 32); 130 dropped", source.Description);   // from the tables only
        var data = source.Load();
        AssertLoadedMatchesSchema(source, data);
        Assert.Equal([238, 32], data.ClassCounts());
        var db = Data.PtbXl.PtbXlDatabase.Open(RealData.PtbXl);
        Assert.All(Enumerable.Range(0, data.Count), i => Assert.Equal(db.PatientOf(data.Index.Ids[i]), data.Index.Groups[i]));
        var split = source.Official(data)!;
        // Counted independently from ptbxl_database.csv + scp_statements.csv (Python csv/ast): train 179 + 20,
        // validation 30 + 6, test 29 + 6.
        Assert.Equal([179, 20], Counts(data, split.Train));
        Assert.Equal([30, 6], Counts(data, split.Validation));
        Assert.Equal([29, 6], Counts(data, split.Test));
        AssertNoPatientInTwoParts(data, split);
    }

    [RealDataFact("ptbxl")]
    public void Ptbxl_published_label_order_puts_hyp_first()
    {
        var source = new PtbXlSource(new PtbXlSourceOptions { Labels = PtbXlLabels.NormAndHyp("HYP", "NORM") });
        Assert.Equal(["HYP", "NORM"], source.Schema.ClassNames);
        Assert.Equal([32, 238], source.Load().ClassCounts());
    }

    [Fact]
    public void Ptbxl_missing_folder_names_it_and_where_to_download()
    {
        var folder = Path.Combine(Path.GetTempPath(), "no-ptbxl-here-" + Guid.NewGuid().ToString("N"));
        var source = new PtbXlSource(new PtbXlSourceOptions { Folder = folder });
        Assert.Equal([12L, 1000L], source.Schema.ItemShape);   // known without the data
        Assert.Contains("not found", source.Description);
        var e = Assert.Throws<EcgDataException>(() => source.Load());
        Assert.Contains(folder, e.Message);
        Assert.Contains("physionet.org/content/ptb-xl", e.Message);
    }

    [Fact]
    public void Ptbxl_rejects_bad_options_before_data()
    {
        Assert.Contains("NORM and HYP", Assert.Throws<ArgumentException>(() => new PtbXlSource(new PtbXlSourceOptions { Labels = PtbXlLabels.NormAndHyp("NORM", "MI") })).Message);
        Assert.Contains("100 or 500", Assert.Throws<ArgumentException>(() => new PtbXlSource(new PtbXlSourceOptions { SamplingRate = 250 })).Message);
        Assert.Equal([12L, 5000L], new PtbXlSource(new PtbXlSourceOptions { SamplingRate = 500 }).Schema.ItemShape);
    }

    [RealDataFact("mitbih")]
    public void Mitbih_aami_beats_match_the_readme_with_and_without_paced_records()
    {
        var all = new MitBihBeatsSource(new MitBihBeatsSourceOptions());
        Assert.Equal("[1 × 428] @ 360 Hz, classes [N, S, V, F, Q]", all.Schema.ToString());
        var data = all.Load();
        AssertLoadedMatchesSchema(all, data);
        Assert.Equal([90_631, 2_781, 7_236, 803, 8_043], data.ClassCounts());   // README: AAMI table, total 109,494
        var unpaced = new MitBihBeatsSource(new MitBihBeatsSourceOptions { ExcludePaced = true }).Load();
        var paced = new MitBihBeatsSource(new MitBihBeatsSourceOptions { Records = Data.MitBih.MitBihDatabase.PacedRecordIds }).Load();
        Assert.Equal(109_494, unpaced.Count + paced.Count);
        Assert.Equal(data.ClassCounts(), unpaced.ClassCounts().Zip(paced.ClassCounts(), (a, b) => a + b));
        Assert.True(paced.ClassCounts()[4] >= 7_028, "every paced beat (/, 7,028) is in records 102, 104, 107, 217");
        Assert.True(unpaced.ClassCounts()[4] < 100, $"few Q beats are left without the paced records: {unpaced.ClassCounts()[4]}");
        Assert.All(Enumerable.Range(0, data.Count).Where(i => data.Index.Ids[i].StartsWith("202:", StringComparison.Ordinal)), i => Assert.Equal("201+202", data.Index.Groups[i]));
    }

    [RealDataFact("mitbih")]
    public void Mitbih_de_chazal_split_is_inter_patient_with_whole_validation_records()
    {
        var source = new MitBihBeatsSource(new MitBihBeatsSourceOptions { ExcludePaced = true });
        var data = source.Load();
        var split = source.Official(data)!;
        string Rec(int i) => Data.MitBih.MitBihDatabase.RecordOf(data.Index.Ids[i]);
        var val = split.Validation.Select(Rec).Distinct().ToArray();
        Assert.Equal(2, val.Length);                                      // 10 % of 22 DS1 records
        Assert.All(split.Train.Concat(split.Validation).Select(Rec), r => Assert.Contains(r, Data.MitBih.MitBihDatabase.DeChazalDs1));
        Assert.All(split.Test.Select(Rec), r => Assert.Contains(r, Data.MitBih.MitBihDatabase.DeChazalDs2));
        Assert.DoesNotContain("202", split.Test.Select(Rec));            // same patient as 201 (DS1)
        Assert.Empty(split.Train.Select(Rec).Intersect(val));
        AssertNoPatientInTwoParts(data, split);
        Assert.Equal(data.Count - data.Index.Ids.Count(id => id.StartsWith("202:", StringComparison.Ordinal)),
            split.Train.Count + split.Validation.Count + split.Test.Count);
        Assert.Equal(val, source.ValidationRecords(Data.MitBih.MitBihDatabase.DeChazalDs1));   // seeded: the same records every time
    }

    [RealDataFact("mitbih")]
    public void Mitbih_beatgan_fixed_windows_after_bandpass()
    {
        var source = new MitBihBeatsSource(new MitBihBeatsSourceOptions
        {
            Mapping = BeatMappingName.BeatGan, Window = BeatWindowName.Fixed320, Bandpass = true, Records = ["100", "208"],
        });
        Assert.Equal("[1 × 320] @ 360 Hz, classes [N, S, V, F, Q]", source.Schema.ToString());
        var data = source.Load();
        AssertLoadedMatchesSchema(source, data);
        var raw = new MitBihBeatsSource(new MitBihBeatsSourceOptions { Mapping = BeatMappingName.BeatGan, Records = ["100", "208"] }).Load();
        Assert.InRange(raw.Count - data.Count, 0, 4);                    // only beats within 140/180 samples of a record end are lost
        // a 3–45 Hz band-pass leaves no baseline: every window averages near zero
        Assert.True(data.Examples().Average(e => Math.Abs(e.Values.Average())) < 0.05);
        Assert.True(raw.Examples().Average(e => Math.Abs(e.Values.Average())) > 0.1);
    }

    [RealDataFact("ecg5000")]
    public void Ecg5000_train_file_has_292_normal_and_208_abnormal()
    {
        var binary = new Ecg5000Source(new Ecg5000SourceOptions());
        var data = binary.Load();
        AssertLoadedMatchesSchema(binary, data);
        Assert.Equal(["normal", "abnormal"], data.Ecg.ClassNames);
        Assert.Equal([292, 208], data.ClassCounts());
        Assert.Null(((IDataSource)binary).Official(data));
        Assert.Contains("k-fold", binary.Description);
        Assert.Equal(500, data.Index.Groups.Distinct().Count());
        var five = new Ecg5000Source(new Ecg5000SourceOptions { Classes = Ecg5000Classes.All }).Load();
        Assert.Equal([292, 177, 10, 19, 2], five.ClassCounts());
    }

    [Fact]
    public void Source_fingerprints_depend_on_options()
    {
        Assert.NotEqual(new MitBihBeatsSource(new MitBihBeatsSourceOptions()).Fingerprint,
                        new MitBihBeatsSource(new MitBihBeatsSourceOptions { Bandpass = true }).Fingerprint);
        Assert.Equal(new Ecg5000Source(new Ecg5000SourceOptions()).Fingerprint, new Ecg5000Source(new Ecg5000SourceOptions()).Fingerprint);
    }

    [Theory]
    [InlineData("ptbxl-hyp-honest-small.yaml", "[12 × 1000] @ 100 Hz, classes [NORM, HYP]")]
    [InlineData("mitbih-stft-small.yaml", "[1 × 64 × 64], classes [N, S, V, F, Q]")]
    public void Experiment_files_resolve_every_shape_without_data(string file, string finalSchema)
    {
        var e = SpecLoader.Load(Path.Combine(AppContext.BaseDirectory, "experiments", file));
        Assert.Equal(finalSchema, e.Trace[^1].Schema.ToString());
        Assert.Equal(SplitKind.Official, e.Spec.Split.Kind);
    }

    [Fact]
    public void Every_registered_transform_can_be_saved_and_loaded()
    {
        var missing = Components.Transforms.Entries.Select(x => x.Name).Where(n => !Pipeline.Transforms.TransformStates.Names.Contains(n)).ToArray();
        Assert.True(missing.Length == 0, $"registered transforms without a state loader: {string.Join(", ", missing)}");
    }

    [Fact]
    public void A_pipeline_stage_that_cannot_take_its_input_fails_the_dry_run_at_its_yaml_line()
    {
        var path = SpecFiles.Write("""
            name: bad
            data: { type: ptbxl }
            pipeline:
              - type: stft_image
                recipe: stft_cnn_mitbih
            model: { type: stft_cnn }
            """);
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(path));
        Assert.Contains("stage `stft_image`: input has 12 leads", e.Message);
        Assert.Contains(":4:", e.Message);
    }
}
