using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Experiments.Tests;

/// <summary>
/// Every number carries its true protocol and strategy. Two labels used to lie: an official split without a
/// `protocol:` text was captioned "random stratified, patient-disjoint", and the published §2.1 specs weighted classes
/// through a side key that left the strategy "none" in every report.
/// </summary>
public sealed class LabelRegressionTests
{
    [RealDataFact("ptbxl")]
    public void An_official_split_without_protocol_text_is_labelled_by_the_split_itself()
    {
        var spec = SpecFiles.Write("""
            name: official-label
            seed: 1
            threads: 1
            data: { type: ptbxl }
            split: { kind: official }
            model: { type: resnet1d, stem_width: 4, stem_stride: 4, block_widths: [4], head_hidden: 4 }
            training: { epochs: 1, batch_size: 64 }
            evaluation: { bootstrap_resamples: 0 }
            """);
        var e = SpecLoader.Load(spec);
        var results = Directory.CreateTempSubdirectory("ecg-protocol-").FullName;
        var outcome = ExperimentRunner.Run(e, new RunOptions { OutputDirectory = results, Device = "cpu" }, new Quiet());
        Assert.Equal(TrialStatus.Completed, outcome.Status);
        Assert.Equal("PTB-XL strat_fold 1–8/9/10", outcome.Record.Split!.Protocol);
        Assert.Equal("PTB-XL strat_fold 1–8/9/10", RunRecordFile.Read(outcome.RunDirectory).Protocol);
        Assert.Contains("Protocol: PTB-XL strat_fold 1–8/9/10.", File.ReadAllText(Path.Combine(outcome.RunDirectory, "metrics.md")));
        Assert.Contains(",PTB-XL strat_fold 1–8/9/10,model,", File.ReadAllText(Path.Combine(outcome.RunDirectory, "metrics.csv")));
    }

    [Theory]
    [InlineData("random_stratified", "random stratified, patient-disjoint")]
    [InlineData("kfold", "stratified 5-fold, fold 0 tested")]
    public void A_split_without_protocol_text_names_what_it_is(string kind, string expected)
    {
        var e = SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal + $"\nsplit: {{ kind: {kind} }}\n"));
        Assert.Null(e.Spec.Split.Protocol);
        Assert.Equal(expected, ExperimentRunner.Protocol(e.Spec.Split, null));
    }

    [Theory]
    [InlineData("ptbxl-hyp-published.yaml")]
    [InlineData("ptbxl-hyp-honest.yaml")]
    [InlineData("ptbxl-hyp-honest-small.yaml")]
    public void The_weighted_section_2_1_specs_record_the_class_weights_strategy(string file)
    {
        var e = SpecLoader.Load(Path.Combine(AppContext.BaseDirectory, "experiments", file));
        var imbalance = ExperimentRunner.ResolvedConfig(e)["training"]!["imbalance"]!;
        Assert.Equal("class_weights", imbalance["strategy"]!.GetValue<string>());
        // The weights are given by class name, so they follow the labels whatever their order.
        Assert.Equal(file.Contains("small", StringComparison.Ordinal) ? 7 : 3, imbalance["class_weights"]!["HYP"]!.GetValue<double>());
    }
}
