using EcgExperiments.Data.MitBih;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Datasets;

/// <summary>Beat class mappings as data and record selection by set name, on all 48 MIT-BIH records.</summary>
public sealed class MitBihMappingTests
{
    private static readonly Lazy<MitBihDatabase> Db = new(() => MitBihDatabase.Open(RealData.MitBih));

    private static string Counts(MitBihBeatSet set) => string.Join(", ", set.ClassCounts.Select(c => $"{c.Label} {c.Count}"));

    [RealDataFact("mitbih")]
    public void Custom_maps_spelling_out_the_AAMI_and_BeatGAN_symbols_give_the_presets_beats_exactly()
    {
        foreach (var preset in new[] { BeatClassMapping.Aami, BeatClassMapping.BeatGan })
        {
            var custom = new BeatClassMappingOptions
            {
                Name = "spelled-out",
                Classes = preset.Classes.Select((c, i) => new BeatClassDefinition(c, preset.Symbols[i])).ToArray(),
            }.Build();
            var a = Db.Value.ExtractBeats(new MitBihBeatOptions { Mapping = preset });
            var b = Db.Value.ExtractBeats(new MitBihBeatOptions { Mapping = custom });
            Assert.Equal(a.Beats, b.Beats);
            Assert.Equal(a.UnmappedBeatSymbols, b.UnmappedBeatSymbols);
            Assert.Equal(a.NonBeatAnnotations, b.NonBeatAnnotations);
        }
        // the README's AAMI totals and the BeatGAN variant, through the options record
        var aami = Db.Value.ExtractBeats(new MitBihBeatOptions { Mapping = new BeatClassMappingOptions { Preset = BeatMappingPreset.Aami }.Build() });
        Assert.Equal("N 90631, S 2781, V 7236, F 803, Q 8043", Counts(aami));
        var beatGan = Db.Value.ExtractBeats(new MitBihBeatOptions { Mapping = new BeatClassMappingOptions { Preset = BeatClassMappingOptions.ParsePreset("beatgan") }.Build() });
        Assert.Equal("N 90386, S 3026, V 7236, F 803, Q 8043", Counts(beatGan));
    }

    [RealDataFact("mitbih")]
    public void N_versus_V_keeps_the_AAMI_N_and_V_beats_and_counts_the_rest_as_unmapped()
    {
        var set = Db.Value.ExtractBeats(new MitBihBeatOptions { Mapping = BeatClassMapping.FromPreset(BeatClassMappingOptions.ParsePreset("n_vs_v")) });
        // README symbol counts: N 75,052 + L 8,075 + R 7,259 + e 16 + j 229; V 7,130 + E 106
        Assert.Equal("N 90631, V 7236", Counts(set));
        Assert.Equal(new Dictionary<string, int>
        {
            ["!"] = 472, ["/"] = 7028, ["A"] = 2546, ["F"] = 803, ["J"] = 83, ["Q"] = 33, ["S"] = 2, ["a"] = 150, ["f"] = 982,
        }, set.UnmappedBeatSymbols);
    }

    [RealDataFact("mitbih")]
    public void Beat_versus_non_beat_yields_every_QRS_annotation_and_the_artifact_noise_and_blocked_P_annotations()
    {
        var set = Db.Value.ExtractBeats(new MitBihBeatOptions { Mapping = BeatClassMapping.BeatVersusNonBeat });
        // every QRS annotation of the README (109,494 AAMI-mapped + 472 '!') and '|' 132 + '~' 616 + 'x' 193
        Assert.Equal("beat 109966, non_beat 941", Counts(set));
        Assert.Empty(set.UnmappedBeatSymbols);
        Assert.Equal(set.Beats.Count, set.Beats.Select(b => b.Id).Distinct().Count());

        // a non-beat member lies between the QRS annotations around it
        var record = set.Beats.Where(b => b.RecordId == "105").ToList();
        var noise = record.First(b => b.Class == "non_beat");
        var qrs = Db.Value.Annotations("105").Where(a => a.IsBeat).Select(a => (int)a.Sample).ToArray();
        Assert.Equal(qrs.Where(s => s < noise.RPeak).DefaultIfEmpty().Max(), noise.PreviousR ?? 0);
        Assert.Equal(qrs.First(s => s >= noise.RPeak), noise.NextR);
        // QRS members keep the neighbours the AAMI extraction gives them
        var aami = Db.Value.Beats("105", BeatClassMapping.Aami).ToDictionary(b => b.RPeak);
        Assert.All(record.Where(b => b.Class == "beat" && aami.ContainsKey(b.RPeak)),
            b => Assert.Equal((aami[b.RPeak].PreviousR, aami[b.RPeak].NextR), (b.PreviousR, b.NextR)));
    }

    [RealDataFact("mitbih")]
    public void Records_are_selected_by_list_or_by_the_de_Chazal_set_names()
    {
        Assert.Equal(MitBihDatabase.DeChazalDs1, MitBihDatabase.ResolveRecords(["DS1"]));
        Assert.Equal(MitBihDatabase.DeChazalDs2.Append("102"), MitBihDatabase.ResolveRecords(["ds2", "102", "100"]));
        Assert.Equal(48, MitBihDatabase.ResolveRecords(["all", "DS1"]).Count);

        var ds2 = Db.Value.ExtractBeats(new MitBihBeatOptions { Records = ["DS2"] });
        Assert.Equal(MitBihDatabase.DeChazalDs2, ds2.Records);
        var perRecord = MitBihDatabase.DeChazalDs2.Sum(r => Db.Value.Beats(r, BeatClassMapping.Aami).Count);
        Assert.Equal(perRecord, ds2.Beats.Count);

        Assert.Contains("'DS3' is neither an MIT-BIH Arrhythmia record", Assert.Throws<ArgumentException>(() => MitBihDatabase.ResolveRecords(["DS3"])).Message);
        Assert.Contains("'110' is neither", Assert.Throws<ArgumentException>(() => MitBihDatabase.ResolveRecords(["110"])).Message);
    }

    [RealDataFact("mitbih")]
    public void Card_for_a_mapping_shows_its_classes()
    {
        var md = Db.Value.CardFor(BeatClassMapping.NormalVersusVentricular).ToMarkdown();
        Assert.Contains("### Class balance (beats, N-vs-V classes)", md);
        Assert.Contains("| N | 90,631 |", md);
        Assert.Contains("| V | 7,236 |", md);
        Assert.Contains("annotations, beat-vs-non-beat classes", Db.Value.CardFor(BeatClassMapping.BeatVersusNonBeat).ToMarkdown());
    }

    [Fact]
    public void Custom_maps_with_unknown_or_repeated_symbols_fail_naming_them()
    {
        ArgumentException Fails(BeatClassMappingOptions o) => Assert.Throws<ArgumentException>(() => o.Build());
        Assert.Contains("beat class 'X': 'Z' is not a WFDB annotation symbol",
            Fails(new() { Classes = [new("N", ["N"]), new("X", ["Z"])] }).Message);
        Assert.Contains("symbol 'V' is in both 'A' and 'B'", Fails(new() { Classes = [new("A", ["V"]), new("B", ["V", "E"])] }).Message);
        Assert.Contains("at least two classes", Fails(new() { Classes = [new("A", ["V"])] }).Message);
        Assert.Contains("either a preset", Fails(new() { Preset = BeatMappingPreset.Aami, Classes = [new("A", ["V"]), new("B", ["N"])] }).Message);
        Assert.Contains("unknown beat mapping 'aamii'", Assert.Throws<ArgumentException>(() => BeatClassMappingOptions.ParsePreset("aamii")).Message);
        Assert.True(BeatClassMapping.BeatVersusNonBeat.MapsNonBeatSymbols);
        Assert.False(BeatClassMapping.Aami.MapsNonBeatSymbols);
    }
}
