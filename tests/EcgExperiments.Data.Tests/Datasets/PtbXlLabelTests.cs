using System.Text.Json;
using EcgExperiments.Core;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Datasets;

/// <summary>
/// PTB-XL label definitions on the shared 400-record copy: the benchmark presets against the benchmark's own
/// aggregation (Golden/ptbxl_label_goldens.json, tools/golden/make_ptbxl_label_goldens.py), the data README's counts,
/// the SPEC §2.1 binary task as a free definition, and the policies for several or no classes.
/// </summary>
public sealed class PtbXlLabelTests
{
    private static readonly Lazy<PtbXlDatabase> Db = new(() => PtbXlDatabase.Open(RealData.PtbXl));
    private static readonly JsonElement Golden =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "ptbxl_label_goldens.json"))).RootElement;

    [RealDataFact("ptbxl")]
    public void Superdiagnostic_preset_gives_the_README_superclass_counts_and_drops_the_10_records_without_a_diagnostic_statement()
    {
        var s = Db.Value.Label(PtbXlLabelDefinition.FromPreset(PtbXlLabelPreset.Superdiagnostic));
        Assert.Equal(ClassificationKind.MultiLabel, s.Kind);
        Assert.Equal(["CD", "HYP", "MI", "NORM", "STTC"], s.ClassNames);
        Assert.Equal(["CD 58", "HYP 32", "MI 53", "NORM 243", "STTC 74"], s.Report.ClassCounts.Select(c => $"{c.Label} {c.Count}"));
        Assert.Equal((400, 390, 10), (s.Report.RecordsIn, s.Report.RecordsKept, s.Report.DroppedCount));
        Assert.Equal(new Dictionary<string, int> { ["(no diagnostic statement)"] = 10 }, s.Report.DroppedDetail[DropReasons.NoClass]);
        Assert.Equal(s.Records.Count(r => r.Record.DiagnosticSuperclasses.Count > 1), s.Report.MultiLabelRecords);
        Assert.All(s.Records, r => Assert.Equal(r.Record.DiagnosticSuperclasses, s.NamesOf(r)));
        Assert.Contains("390 kept (CD 58, HYP 32, MI 53, NORM 243, STTC 74)", s.Describe());
        Assert.Contains("10 dropped (no_class 10: (no diagnostic statement) 10)", s.Describe());
        var split = s.OfficialSplit();
        Assert.Equal(390, split["train"].Count + split["val"].Count + split["test"].Count);
    }

    public static TheoryData<string> Presets() => new() { "all", "diagnostic", "subdiagnostic", "superdiagnostic", "form", "rhythm" };

    [RealDataTheory("ptbxl")]
    [MemberData(nameof(Presets))]
    public void Every_preset_gives_the_benchmark_aggregation_record_by_record(string preset)
    {
        var g = Golden.GetProperty("presets").GetProperty(preset);
        var s = Db.Value.Label(PtbXlLabelDefinition.FromPreset(PtbXlLabelDefinition.ParsePreset(preset)));

        Assert.Equal(g.GetProperty("labels").EnumerateArray().Select(x => x.GetString()), s.ClassNames);
        Assert.Equal(g.GetProperty("counts").EnumerateArray().Select(x => x.GetInt32()), s.Report.ClassCounts.Select(c => c.Count));
        Assert.Equal(g.GetProperty("dropped").GetInt32(), s.Report.DroppedCount);
        var expected = g.GetProperty("records").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(x => x.GetString()!).ToArray());
        Assert.Equal(expected.Keys.Order(), s.Records.Select(r => r.RecordId).Order());
        Assert.All(s.Records, r => Assert.Equal(expected[r.RecordId], s.NamesOf(r)));
        // the statements that exist in scp_statements.csv but no record of this copy carries are removed and reported
        var allClasses = PtbXlLabeler.PresetClasses(PtbXlLabelDefinition.ParsePreset(preset), Db.Value.Statements);
        Assert.Equal(allClasses.Count - s.ClassNames.Count, s.Report.RemovedClasses.Count);
        Assert.All(s.Report.RemovedClasses, c => Assert.Equal(0, c.Count));
    }

    /// <summary>The class names a preset has before any data is read are those scp_statements.csv gives it.</summary>
    [RealDataFact("ptbxl")]
    public void Every_presets_nominal_labels_are_those_of_the_statements_table()
    {
        foreach (var preset in Enum.GetValues<PtbXlLabelPreset>())
            Assert.Equal(PtbXlLabeler.PresetClasses(preset, Db.Value.Statements).Select(c => c.Name), PtbXlLabelDefinition.FromPreset(preset).NominalClassNames());
    }

    public static TheoryData<MultiLabelPolicy> Policies() => new()
    {
        MultiLabelPolicy.NegativeOnlyVersusAnyPositive, MultiLabelPolicy.NegativeOnlyVersusPositiveOnly, MultiLabelPolicy.AnyNegativeVersusAnyPositiveExcludingBoth,
    };

    [RealDataTheory("ptbxl")]
    [MemberData(nameof(Policies))]
    public void The_NORM_versus_HYP_task_is_a_free_definition_with_identical_records_and_labels(MultiLabelPolicy policy)
    {
        var db = Db.Value;
        var binary = db.SelectBinaryTask(new BinaryTaskOptions { Policy = policy });
        var free = db.Label(PtbXlLabelDefinition.NormVersusHyp(policy, ["HYP", "NORM"]));

        Assert.Equal(ClassificationKind.Binary, free.Kind);
        Assert.Equal(["HYP", "NORM"], free.ClassNames);
        Assert.Equal(binary.Members.Select(m => (m.RecordId, m.ClassName, m.PatientId, m.StratFold)),
            free.Records.Select(r => (r.RecordId, Assert.Single(free.NamesOf(r)), r.Record.PatientId, r.Record.StratFold)));
        Assert.Equal(binary.DroppedCount, free.Report.DroppedCount);
        var droppedByCombination = free.Report.DroppedDetail.Values.SelectMany(d => d)
            .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        Assert.Equal(binary.DroppedByLabels.OrderBy(kv => kv.Key, StringComparer.Ordinal), droppedByCombination.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    [RealDataFact("ptbxl")]
    public void A_three_class_definition_drops_and_counts_records_with_several_or_no_class()
    {
        var db = Db.Value;
        var s = db.Label(new PtbXlLabelDefinition
        {
            Classes = [new("NORM", ["NORM"]) { Only = true }, new("MI", ["MI"]), new("STTC", ["superclass:STTC"])],
            Multiple = MultipleClassPolicy.Drop,
        });
        // the same selection computed directly from the records' superclasses
        var sets = db.Records.Select(r => (r, set: new[] { "NORM", "MI", "STTC" }.Where(c =>
            c == "NORM" ? r.DiagnosticSuperclasses.SequenceEqual(["NORM"]) : r.HasSuperclass(c)).ToArray())).ToList();
        Assert.Equal(ClassificationKind.MultiClass, s.Kind);
        Assert.Equal(sets.Where(x => x.set.Length == 1).Select(x => (x.r.RecordId, x.set[0])), s.Records.Select(r => (r.RecordId, s.NamesOf(r).Single())));
        Assert.Equal(sets.Count(x => x.set.Length == 0), s.Report.DroppedByReason[DropReasons.NoClass]);
        Assert.Equal(sets.Count(x => x.set.Length > 1), s.Report.DroppedByReason[DropReasons.SeveralClasses]);
        Assert.Equal(sets.Count(x => x.set.SequenceEqual(["MI", "STTC"])), s.Report.DroppedDetail[DropReasons.SeveralClasses]["MI+STTC"]);
        Assert.Equal(238, s.Report.ClassCounts[0].Count);

        var multi = db.Label(new PtbXlLabelDefinition { Classes = s.Definition.Classes, Multiple = MultipleClassPolicy.MultiLabel });
        Assert.Equal(ClassificationKind.MultiLabel, multi.Kind);
        Assert.Equal(sets.Count(x => x.set.Length > 0), multi.Report.RecordsKept);
        Assert.Equal(sets.Count(x => x.set.Length > 1), multi.Report.MultiLabelRecords);
    }

    [RealDataFact("ptbxl")]
    public void Likelihood_threshold_filters_diagnostic_statements_only()
    {
        var db = Db.Value;
        var s = db.Label(PtbXlLabelDefinition.FromPreset(PtbXlLabelPreset.Superdiagnostic) with { MinLikelihood = 100 });
        int Expected(string superclass) => db.Records.Count(r => r.ScpCodes.Any(kv =>
            db.Statements[kv.Key].IsDiagnostic && db.Statements[kv.Key].DiagnosticClass == superclass && kv.Value >= 100));
        Assert.Equal(s.ClassNames.Select(Expected), s.Report.ClassCounts.Select(c => c.Count));
        Assert.True(s.Report.ClassCounts.Single(c => c.Label == "MI").Count < 53);

        // rhythm statements carry likelihood 0 in PTB-XL; a likelihood threshold leaves them alone
        var rhythm = db.Label(PtbXlLabelDefinition.FromPreset(PtbXlLabelPreset.Rhythm) with { MinLikelihood = 100 });
        var plain = db.Label(PtbXlLabelDefinition.FromPreset(PtbXlLabelPreset.Rhythm));
        Assert.Equal(plain.Report.ClassCounts, rhythm.Report.ClassCounts);
        Assert.Equal(plain.Report.DroppedCount, rhythm.Report.DroppedCount);
    }

    [RealDataFact("ptbxl")]
    public void Records_without_a_class_can_be_kept_empty_or_as_their_own_class_and_rare_classes_are_removed()
    {
        var db = Db.Value;
        var super = PtbXlLabelDefinition.FromPreset(PtbXlLabelPreset.Superdiagnostic);
        var empty = db.Label(super with { None = NoClassPolicy.KeepEmpty });
        Assert.Equal((400, 10, 0), (empty.Report.RecordsKept, empty.Report.EmptyRecords, empty.Report.DroppedCount));

        var other = db.Label(super with { None = NoClassPolicy.KeepAs, NoneClass = "OTHER" });
        Assert.Equal(["CD", "HYP", "MI", "NORM", "STTC", "OTHER"], other.ClassNames);
        Assert.Equal(10, other.Report.ClassCounts[^1].Count);

        var common = db.Label(super with { MinCount = 40 });
        Assert.Equal(["CD", "MI", "NORM", "STTC"], common.ClassNames);
        Assert.Equal([new ClassCount("HYP", 32)], common.Report.RemovedClasses);
        Assert.Equal(10 + 6, common.Report.DroppedByReason[DropReasons.NoClass]);   // the 6 HYP-only records lose their only label
        Assert.Contains("classes removed for too few records: HYP 32", common.Describe());
    }

    [RealDataFact("ptbxl")]
    public void Codes_resolve_by_level_and_bad_definitions_fail_naming_the_class()
    {
        var st = Db.Value.Statements;
        Assert.Equal(["ILMI", "IMI", "INJIL", "INJIN", "IPLMI", "IPMI"], PtbXlLabeler.Resolve(new("inferior", ["subclass:IMI"]), st).Statements);
        Assert.Equal(["IMI"], PtbXlLabeler.Resolve(new("imi", ["statement:IMI"]), st).Statements);
        Assert.Equal(["LVH"], PtbXlLabeler.Resolve(new("lvh", ["LVH"]), st).Statements);   // subclass LVH = statement LVH: not ambiguous
        Assert.Equal(["AFIB", "AFLT"], PtbXlLabeler.Resolve(new("af", ["AFIB", "AFLT"]), st).Statements);
        Assert.Equal(["LAO/LAE", "LVH", "RAO/RAE", "RVH", "SEHYP"], PtbXlLabeler.Resolve(new("hyp", ["HYP"]), st).Statements);

        ArgumentException Fails(PtbXlLabelDefinition d) => Assert.ThrowsAny<ArgumentException>(() => Db.Value.Label(d));
        Assert.Contains("'IMI' is both a diagnostic subclass", Fails(new() { Classes = [new("a", ["IMI"]), new("b", ["NORM"])] }).Message);
        Assert.Contains("class 'b': 'NROM' is no PTB-XL superclass", Fails(new() { Classes = [new("a", ["MI"]), new("b", ["NROM"])] }).Message);
        Assert.Contains("either a preset", Fails(new() { Preset = PtbXlLabelPreset.Form, Classes = [new("a", ["MI"]), new("b", ["HYP"])] }).Message);
        Assert.Contains("at least two classes", Fails(new() { Classes = [new("a", ["MI"])] }).Message);
        Assert.Contains("keep_empty", Fails(new() { Classes = [new("a", ["MI"]), new("b", ["HYP"])], None = NoClassPolicy.KeepEmpty }).Message);
        Assert.Contains("none_class", Fails(new() { Preset = PtbXlLabelPreset.Form, None = NoClassPolicy.KeepAs }).Message);
        Assert.Contains("unknown PTB-XL label preset 'superdiag'", Assert.Throws<ArgumentException>(() => PtbXlLabelDefinition.ParsePreset("superdiag")).Message);

        var tooFew = Assert.Throws<EcgDataException>(() => Db.Value.Label(new() { Classes = [new("a", ["WPW"]), new("b", ["NORM"])], MinCount = 300 }));
        Assert.Contains("needs 2", tooFew.Message);
    }

    [RealDataFact("ptbxl")]
    public void Card_for_a_definition_shows_its_class_balance_and_what_it_drops()
    {
        var md = Db.Value.CardFor(PtbXlLabelDefinition.FromPreset(PtbXlLabelPreset.Superdiagnostic)).ToMarkdown();
        Assert.Contains("### Class balance (records, multi-label classes of the chosen definition)", md);
        Assert.Contains("| NORM | 243 |", md);
        Assert.Contains("| HYP | 32 |", md);
        Assert.Contains("Dropped (no_class): 10 — (no diagnostic statement) 10.", md);
        Assert.Contains("Labels: superdiagnostic preset, multi-label, no-class records dropped; task: MultiLabel.", md);
        Assert.Contains("HYP = {LAO/LAE, LVH, RAO/RAE, RVH, SEHYP}", md);
    }
}
