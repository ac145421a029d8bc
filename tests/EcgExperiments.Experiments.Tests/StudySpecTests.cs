using System.Text.Json;
using EcgExperiments.Data;
using EcgExperiments.Data.MitBih;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Sources;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Tests;

/// <summary>
/// The YAML of studies nobody prepared for — PTB-XL label definitions, MIT-BIH maps and record sets, any UCR set, a
/// WFDB folder, multi-label tasks and their imbalance rules — resolved without data; and the forms earlier experiment
/// files use written exactly as before, so their trial keys (and the reference runs keyed on them) stay.
/// </summary>
public sealed class StudySpecTests
{
    private static string Spec(string data, string model = "{ type: resnet1d, stem_width: 8, block_widths: [8], head_hidden: 8 }", string training = "{ epochs: 1 }") =>
        $"name: study\ndata: {data}\nsplit: {{ kind: official }}\nmodel: {model}\ntraining: {training}\n";

    private static ResolvedExperiment Load(string yaml) => SpecLoader.Load(SpecFiles.Write(yaml));

    private static string Message(string yaml) => Assert.Throws<SpecException>(() => Load(yaml)).Message;

    /// <summary>
    /// The resolved configuration (run records, trial keys) and the options text the data fingerprint hashes, as the
    /// shipped NORM/HYP and MIT-BIH files gave them before label definitions and beat maps existed.
    /// </summary>
    [Fact]
    public void Earlier_forms_are_written_exactly_as_before()
    {
        var ptb = SpecLoader.Load(Path.Combine(AppContext.BaseDirectory, "experiments", "ptbxl-hyp-honest-small.yaml"));
        Assert.Equal("""{"type":"ptbxl","task":"norm_vs_hyp","policy":"negative_only_versus_any_positive","labels":["NORM","HYP"],"sampling_rate":100}""",
            ExperimentRunner.ResolvedConfig(ptb)["data"]!.ToJsonString());
        Assert.Equal("""{"Task":0,"Policy":0,"Labels":["NORM","HYP"],"SamplingRate":100,"Folder":null}""",
            JsonSerializer.Serialize((PtbXlSourceOptions)ptb.ComponentOptions["data"] with { Folder = null }));

        var gan = SpecLoader.Load(Path.Combine(AppContext.BaseDirectory, "experiments", "mitbih-beatgan-small.yaml"));
        var ganJson = ExperimentRunner.ResolvedConfig(gan)["data"]!.ToJsonString();
        Assert.Contains("\"mapping\":\"beat_gan\"", ganJson);
        Assert.StartsWith("{\"Mapping\":1,", JsonSerializer.Serialize((MitBihBeatsSourceOptions)gan.ComponentOptions["data"] with { Folder = null }));
        var stft = SpecLoader.Load(Path.Combine(AppContext.BaseDirectory, "experiments", "mitbih-stft-small.yaml"));
        Assert.Contains("\"mapping\":\"aami\"", ExperimentRunner.ResolvedConfig(stft)["data"]!.ToJsonString());
    }

    [Fact]
    public void Ptbxl_labels_bind_as_a_preset_a_mapping_or_free_classes_and_round_trip_through_run_records()
    {
        var preset = (PtbXlSource)Load(Spec("{ type: ptbxl, labels: superdiagnostic, folder: /nonexistent }")).Source;
        Assert.Equal(PtbXlLabelPreset.Superdiagnostic, preset.LabelDefinition.Preset);
        Assert.True(preset.Schema.MultiLabel);
        Assert.Equal(["CD", "HYP", "MI", "NORM", "STTC"], preset.Schema.ClassNames);   // PTB-XL's superclasses, known without data

        var e = Load(Spec("""
            type: ptbxl
              folder: /nonexistent
              labels:
                classes:
                  NORM: { codes: [NORM], only: true }
                  MI: [MI]
                  STTC: [superclass:STTC]
                  AF: AFIB
                multiple: drop
                none: keep_as:OTHER
                min_likelihood: 50
            """.Replace("type: ptbxl\n", "\n  type: ptbxl\n")));
        var free = ((PtbXlSource)e.Source).LabelDefinition;
        Assert.Equal(["NORM", "MI", "STTC", "AF"], free.Classes!.Select(c => c.Name));
        Assert.True(free.Classes![0].Only);
        Assert.Equal(["AFIB"], free.Classes[3].Codes);
        Assert.Equal((MultipleClassPolicy.Drop, NoClassPolicy.KeepAs, "OTHER", 50.0), (free.EffectiveMultiple, free.None, free.NoneClass!, free.MinLikelihood!.Value));
        Assert.Equal(["NORM", "MI", "STTC", "AF", "OTHER"], e.Source.Schema.ClassNames);
        Assert.False(e.Source.Schema.MultiLabel);
        Assert.Equal(TaskKind.Classification, e.Task.Kind);

        // the run record writes the definition with its defaults and without the NORM/HYP policy; it reads back the same
        var json = ExperimentRunner.ResolvedConfig(e)["data"]!.ToJsonString();
        Assert.Equal("""{"type":"ptbxl","labels":{"classes":{"NORM":{"codes":["NORM"],"only":true},"MI":{"codes":["MI"],"only":false},"STTC":{"codes":["superclass:STTC"],"only":false},"AF":{"codes":["AFIB"],"only":false}},"multiple":"drop","none":"keep_as:OTHER","min_likelihood":50,"min_count":1},"sampling_rate":100,"folder":"/nonexistent"}""", json);
        var back = JsonSerializer.Deserialize<PtbXlSourceOptions>(ExperimentRunner.OptionsJson(e.ComponentOptions["data"]), RunRecordFile.Json)!;
        Assert.Equal(free.Describe(), back.Labels.Definition!.Describe());
        Assert.Equal(json, ExperimentRunner.Component("ptbxl", back).ToJsonString());

        var multi = Load(Spec("{ type: ptbxl, folder: /nonexistent, labels: { preset: subdiagnostic } }"));
        Assert.Equal(TaskKind.MultiLabel, multi.Task.Kind);
        Assert.Equal(23, multi.ModelInput.ClassNames.Count);
        Assert.Contains("macro_roc_auc", multi.ValidationMetrics);
    }

    public static TheoryData<string, string, string[]> BadStudies => new()
    {
        { "unknown preset", "{ type: ptbxl, labels: superdiagnostc }", ["spec.yaml:2:", "data.labels", "unknown PTB-XL label preset 'superdiagnostc'", "subdiagnostic"] },
        { "misspelt definition key", "{ type: ptbxl, labels: { preset: form, multipl: drop } }", ["data.labels.multipl", "did you mean 'multiple'"] },
        { "bad none policy", "{ type: ptbxl, labels: { preset: form, none: keep } }", ["data.labels.none", "drop, keep_empty or keep_as:NAME"] },
        { "one free class", "{ type: ptbxl, labels: { classes: { MI: [MI] } } }", ["data.labels", "at least two classes"] },
        { "class without codes", "{ type: ptbxl, labels: { classes: { MI: { only: true }, NORM: [NORM] } } }", ["data.labels.classes.MI", "needs codes"] },
        { "keep_empty without multi-label", "{ type: ptbxl, labels: { classes: { MI: [MI], NORM: [NORM] }, none: keep_empty } }", ["data.labels", "only a multi-label task allows"] },
        { "a list of other classes", "{ type: ptbxl, labels: [NORM, MI] }", ["`data`", "must list NORM and HYP", "labels: superdiagnostic"] },
        { "the NORM/HYP policy with a definition", "{ type: ptbxl, labels: superdiagnostic, policy: negative_only_versus_positive_only }", ["`data`", "data.policy applies to labels: [NORM, HYP]"] },
        { "unknown beat symbol", "{ type: mitbih_beats, mapping: { classes: { N: [N, L], X: [Z] } } }", ["data.mapping", "'Z' is not a WFDB annotation symbol"] },
        { "symbol in two classes", "{ type: mitbih_beats, mapping: { classes: { N: [N, V], V: [V] } } }", ["data.mapping", "symbol 'V' is in both 'N' and 'V'"] },
        { "unknown mapping preset", "{ type: mitbih_beats, mapping: aamii }", ["data.mapping", "unknown beat mapping 'aamii'", "n_vs_v"] },
        { "unknown record set", "{ type: mitbih_beats, records: [DS1, DS3] }", ["`data`", "'DS3' is neither an MIT-BIH Arrhythmia record", "DS1, DS2"] },
        { "UCR set without classes", "{ type: ucr, name: ECG200, length: 96 }", ["`data`", "data.classes", "ECG200 is not a set the framework knows"] },
        { "UCR set without a length", "{ type: ucr, name: ECG200, classes: { normal: [1], abnormal: [-1] } }", ["`data`", "data.length"] },
        { "UCR label in two classes", "{ type: ucr, name: ECG200, length: 96, classes: { normal: [1], abnormal: [1, -1] } }", ["`data`", "label 1 is in both 'normal' and 'abnormal'"] },
        { "WFDB folder without leads", "{ type: wfdb_folder, folder: study, classes: [a, b], target_rate: 100 }", ["`data`", "data.leads"] },
        { "WFDB folder without a rate", "{ type: wfdb_folder, folder: study, classes: [a, b], leads: [I] }", ["`data`", "data.target_rate"] },
    };

    [Theory]
    [MemberData(nameof(BadStudies))]
    public void A_bad_study_fails_at_its_key_with_what_to_do(string name, string data, string[] fragments)
    {
        var message = Message(Spec(data));
        Assert.All(fragments, f => Assert.True(message.Contains(f, StringComparison.Ordinal), $"{name}: '{f}' not in: {message}"));
    }

    public static TheoryData<string, string[]> MultiLabelImbalance => new()
    {
        { "{ strategy: weighted_sampler }", ["training.imbalance.strategy", "weighted_sampler", "no class to draw by"] },
        { "{ strategy: undersample }", ["training.imbalance.strategy", "belongs to several labels"] },
        { "{ strategy: cost_sensitive, cost_matrix: [[0, 1], [1, 0]] }", ["training.imbalance.cost_matrix", "give false_negative_cost and false_positive_cost instead"] },
        { "{ strategy: focal, focal_alpha: [0.2, 0.3] }", ["training.imbalance.focal_alpha", "2 value(s) but the data has 5 classes", "one α for every label"] },
        { "{ strategy: class_weights, class_weights: { HYP: 3, XX: 1 } }", ["training.imbalance.class_weights", "'XX', not a class of the data", "one positive weight per label"] },
    };

    [Theory]
    [MemberData(nameof(MultiLabelImbalance))]
    public void Imbalance_strategies_without_a_per_label_meaning_are_refused_for_multi_label_tasks(string imbalance, string[] fragments)
    {
        var message = Message(Spec("{ type: ptbxl, folder: /nonexistent, labels: superdiagnostic }", training: $"{{ epochs: 1, imbalance: {imbalance} }}"));
        Assert.All(fragments, f => Assert.True(message.Contains(f, StringComparison.Ordinal), $"'{f}' not in: {message}"));
        Assert.Contains("spec.yaml:5:", message);
    }

    [Fact]
    public void Per_label_imbalance_strategies_resolve_for_multi_label_tasks()
    {
        foreach (var imbalance in new[]
                 {
                     "{ strategy: class_weights }", "{ strategy: class_weights, class_weights: { CD: 2, HYP: 5, MI: 2, NORM: 1, STTC: 2 } }",
                     "{ strategy: focal, focal_gamma: 2, focal_alpha: [0.25] }", "{ strategy: cost_sensitive, false_negative_cost: 3, false_positive_cost: 1 }",
                 })
        {
            var e = Load(Spec("{ type: ptbxl, folder: /nonexistent, labels: superdiagnostic }", training: $"{{ epochs: 1, imbalance: {imbalance}, select_by: f_max }}"));
            Assert.Equal(TaskKind.MultiLabel, e.Task.Kind);
        }
        // an anomaly detector cannot take label sets
        var message = Message(Spec("{ type: ptbxl, folder: /nonexistent, labels: superdiagnostic }", "{ type: lstm_ae, embedding: 4 }")
            .Replace("split: { kind: official }", "split: { kind: official }\npipeline: [ { type: select_leads, leads: [II] } ]"));
        Assert.Contains("label sets", message);
    }

    [Fact]
    public void Mitbih_maps_and_record_sets_resolve_without_data()
    {
        var nv = Load(Spec("{ type: mitbih_beats, mapping: n_vs_v, records: [DS1], folder: /nonexistent }"));
        Assert.Equal(["N", "V"], nv.Source.Schema.ClassNames);
        Assert.Equal("\"normal_versus_ventricular\"", ExperimentRunner.ResolvedConfig(nv)["data"]!["mapping"]!.ToJsonString());
        var custom = Load(Spec("{ type: mitbih_beats, mapping: { name: three, classes: { N: [N, L, R], SVEB: [A, a, J, S], VEB: [V, E] } }, folder: /nonexistent }"));
        Assert.Equal(["N", "SVEB", "VEB"], custom.Source.Schema.ClassNames);
        var json = ExperimentRunner.ResolvedConfig(custom)["data"]!["mapping"]!.ToJsonString();
        Assert.Equal("""{"name":"three","classes":{"N":["N","L","R"],"SVEB":["A","a","J","S"],"VEB":["V","E"]}}""", json);
        var back = JsonSerializer.Deserialize<MitBihBeatsSourceOptions>(ExperimentRunner.OptionsJson(custom.ComponentOptions["data"]), RunRecordFile.Json)!;
        Assert.Equal(BeatClassMapping.Aami.ClassOf("e"), back.Mapping.Build().ClassOf("N"));
        Assert.Equal("SVEB", back.Mapping.Build().ClassOf("a"));
        Assert.Null(back.Mapping.Build().ClassOf("F"));
    }
}
