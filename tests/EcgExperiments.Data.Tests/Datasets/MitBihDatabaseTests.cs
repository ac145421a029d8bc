using EcgExperiments.Core;
using EcgExperiments.Data.MitBih;
using EcgExperiments.Data.Splits;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Datasets;

public sealed class MitBihDatabaseTests
{
    private static readonly Lazy<MitBihDatabase> Db = new(() => MitBihDatabase.Open(RealData.MitBih));
    private static readonly Lazy<MitBihBeatSet> AamiBeats = new(() => Db.Value.ExtractBeats());

    [RealDataFact("mitbih")]
    public void AAMI_class_totals_over_48_records_equal_the_data_README()
    {
        var set = AamiBeats.Value;
        Assert.Equal(48, set.Records.Count);
        Assert.Equal(["N 90631", "S 2781", "V 7236", "F 803", "Q 8043"], set.ClassCounts.Select(c => $"{c.Label} {c.Count}"));
        Assert.Equal(109_494, set.Beats.Count);
        // '!' (flutter wave) is a QRS annotation that AAMI leaves out; non-beat annotations are never mapped to Q.
        Assert.Equal(new Dictionary<string, int> { ["!"] = 472 }, set.UnmappedBeatSymbols);
        Assert.Equal(1291 + 616 + 437 + 193 + 132 + 6 + 6, set.NonBeatAnnotations);
    }

    [RealDataFact("mitbih")]
    public void BeatGAN_mapping_moves_escape_beats_to_S_and_paced_records_can_be_excluded()
    {
        var set = Db.Value.ExtractBeats(new MitBihBeatOptions { Mapping = BeatClassMapping.BeatGan });
        Assert.Equal(["N 90386", "S 3026", "V 7236", "F 803", "Q 8043"], set.ClassCounts.Select(c => $"{c.Label} {c.Count}"));

        var unpaced = Db.Value.ExtractBeats(new MitBihBeatOptions { Mapping = BeatClassMapping.BeatGan, ExcludePacedRecords = true });
        Assert.Equal(44, unpaced.Records.Count);
        Assert.DoesNotContain(unpaced.Beats, b => MitBihDatabase.PacedRecordIds.Contains(b.RecordId));
        Assert.DoesNotContain(unpaced.Beats, b => b.Symbol == "/");
    }

    [RealDataFact("mitbih")]
    public void Beats_carry_their_neighbouring_R_peaks()
    {
        var beats = Db.Value.Beats("100", BeatClassMapping.Aami);
        Assert.Equal(2273, beats.Count);
        Assert.Equal(new MitBihBeat("100", 77, "N", "N", 0, null, 370), beats[0]); // the '+' at sample 18 is not a beat
        Assert.Equal(new MitBihBeat("100", 370, "N", "N", 0, 77, 662), beats[1]);
        Assert.Null(beats[^1].NextR);
        Assert.Equal("100:77", beats[0].Id);
        Assert.All(beats.Skip(1), (b, i) => Assert.Equal(beats[i].RPeak, b.PreviousR));
    }

    [RealDataFact("mitbih")]
    public void Leads_are_chosen_by_name_with_a_reported_fallback()
    {
        var db = Db.Value;
        Assert.Equal(new LeadChoice("100", 0, "MLII", false, null), db.ChooseLead("100", LeadSelection.MlIIOrV5));
        Assert.Equal(new LeadChoice("114", 1, "MLII", false, null), db.ChooseLead("114", LeadSelection.MlIIOrV5));
        foreach (var id in new[] { "102", "104" })
        {
            var choice = db.ChooseLead(id, LeadSelection.MlIIOrV5);
            Assert.Equal((0, "V5", true), (choice.SignalIndex, choice.LeadName, choice.IsFallback));
            Assert.Equal($"record {id} has no MLII; using V5 (signal 0) instead", choice.Note);
        }
        var ex = Assert.Throws<EcgDataException>(() => db.ChooseLead("102", LeadSelection.MlIIOnly));
        Assert.Contains("record 102: record has no lead MLII (its leads: V5, V2)", ex.Message);

        var mlii114 = db.LoadLead("114", LeadSelection.MlIIOrV5, 0, 2);
        Assert.Equal(["MLII"], mlii114.LeadNames);
        Assert.Equal((1027 - 1024) / 200f, mlii114.Leads[0][0], 6); // 114's second signal, not its first (1015)
    }

    [RealDataFact("mitbih")]
    public void De_Chazal_split_is_inter_patient_by_record_and_the_guard_finds_the_shared_subject_of_201_and_202()
    {
        var db = Db.Value;
        var split = db.OfficialSplit();
        Assert.Equal((22, 22), (split["train"].Count, split["test"].Count));
        Assert.Empty(split["train"].Members.Concat(split["test"].Members).Intersect(MitBihDatabase.PacedRecordIds));
        Assert.False(PatientLeakageGuard.Enforce(split, id => id).HasOverlap);

        // By subject, records 201 (DS1) and 202 (DS2) are one patient.
        var bySubject = PatientLeakageGuard.Check(split, MitBihDatabase.PatientOf);
        var overlap = Assert.Single(bySubject.Overlaps);
        Assert.Equal("201+202", overlap.Patient);
        Assert.Equal(new Dictionary<string, int> { ["train"] = 1, ["test"] = 1 }, overlap.MembersPerPart);

        var beats = AamiBeats.Value.Beats;
        var beatSplit = MitBihDatabase.DeChazalSplit(beats.Select(b => b.Id), MitBihDatabase.RecordOf);
        Assert.Equal(beats.Count(b => MitBihDatabase.DeChazalDs1.Contains(b.RecordId)), beatSplit["train"].Count);
        Assert.Equal(beats.Count(b => MitBihDatabase.DeChazalDs2.Contains(b.RecordId)), beatSplit["test"].Count);
    }

    [RealDataFact("mitbih")]
    public void Published_beat_level_random_split_is_exact_stratified_and_flagged_as_intra_patient()
    {
        var beats = AamiBeats.Value.Beats;
        var ids = beats.Select(b => b.Id).ToArray();
        var classes = beats.Select(b => b.Class).ToArray();
        // Same 67:11:22 proportions as the published 75,441 / 12,263 / 24,895 (which also counted non-beats).
        double total = 75_441 + 12_263 + 24_895;
        var split = StratifiedSplitter.Split(ids, classes, [("train", 75_441 / total), ("val", 12_263 / total), ("test", 24_895 / total)],
            seed: 2024, SplitProtocol.InterPatient, "published-beat-level");
        Assert.Equal(109_494, split.MemberCount);
        double testQuota = 109_494.0 * 24_895 / total; // 24,208.6: largest-remainder rounding gives the spare unit to val (11,924.8)
        Assert.Equal([73_361, 11_925, 24_208], split.Parts.Select(p => p.Count));
        Assert.InRange(split["test"].Count, Math.Floor(testQuota), Math.Ceiling(testQuota));
        var classOf = beats.ToDictionary(b => b.Id, b => b.Class);
        foreach (var part in split.Parts)
            foreach (var c in BeatClassMapping.Aami.Classes)
            {
                double quota = (double)classes.Count(x => x == c) * part.Count / 109_494;
                int actual = part.Members.Count(m => classOf[m] == c);
                Assert.InRange(actual, Math.Floor(quota), Math.Ceiling(quota));
            }
        var ex = Assert.Throws<EcgDataException>(() => PatientLeakageGuard.Enforce(split, MitBihDatabase.RecordOf));
        Assert.Contains("split 'published-beat-level' (InterPatient): 48 of 48 patients appear in more than one part", ex.Message);
    }

    [RealDataFact("mitbih")]
    public void Fingerprint_follows_content_not_location()
    {
        using var a = new TempFolder("fp-a");
        using var b = new TempFolder("fp-b");
        foreach (var ext in new[] { ".hea", ".dat", ".atr" })
        {
            a.Copy(Path.Combine(RealData.MitBih, "100" + ext));
            b.Copy(Path.Combine(RealData.MitBih, "100" + ext));
        }
        Assert.Equal(MitBihDatabase.Open(a.Path).Fingerprint, MitBihDatabase.Open(b.Path).Fingerprint);
        File.WriteAllText(b.File("100.hea"), File.ReadAllText(b.File("100.hea")).Replace("-22131", "-22130", StringComparison.Ordinal));
        Assert.NotEqual(MitBihDatabase.Open(a.Path).Fingerprint, MitBihDatabase.Open(b.Path).Fingerprint);
        Assert.NotEqual(Db.Value.Fingerprint, MitBihDatabase.Open(a.Path).Fingerprint);
    }

    [RealDataFact("mitbih")]
    public void Card_summarises_records_beats_and_lead_notes()
    {
        var card = Db.Value.Card;
        Assert.Equal(("MIT-BIH Arrhythmia", 48, 47, 360.0), (card.Name, card.Records, card.Patients!.Value, card.SamplingRate!.Value));
        Assert.Equal((650_000L, 650_000L), card.SamplesPerRecord!.Value);
        Assert.Equal("MLII", card.Leads[0]);
        var md = card.ToMarkdown();
        Assert.Contains("| N | 90,631 |", md);
        Assert.Contains("Records without MLII: 102 (V5/V2), 104 (V5/V2)", md);
        Assert.Contains("QRS annotations outside the mapping: ! 472.", md);
        Assert.Contains("de Chazal DS1/DS2", md);
    }
}
