using EcgExperiments.Experiments;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training.Imbalance;

namespace EcgExperiments.Training.Tests;

/// <summary>YAML reaches the new models and the imbalance options through the registries and the binder.</summary>
public class ClassifierRegistrationTests
{
    private static string Write(string yaml)
    {
        var dir = Directory.CreateTempSubdirectory("ecg-imbalance-").FullName;
        var path = Path.Combine(dir, "spec.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void Yaml_binds_resnet1d_and_a_focal_imbalance_block()
    {
        var e = SpecLoader.Load(Write("""
            name: hyp-resnet
            data: { type: synthetic, records: 40 }
            model: { type: resnet1d, stem_width: 8, block_widths: [8, 16], head_hidden: 16 }
            training:
              epochs: 1
              imbalance: { strategy: focal, focal_gamma: 1.5, focal_alpha: [0.75] }
            """));
        Assert.Equal(ComputeKind.Convolutional, e.Model.Kind);
        var imbalance = e.Spec.Training.Imbalance!;
        Assert.Equal(ImbalanceStrategyKind.Focal, imbalance.Strategy);
        Assert.Equal(1.5, imbalance.FocalGamma);
        Assert.Equal([0.75], imbalance.FocalAlpha!);
        Assert.Equal("focal (γ 1.5, α [0.75])", ImbalanceStrategies.Create(imbalance).Description);
    }

    [Fact]
    public void Yaml_binds_cost_matrices_weighting_modes_and_the_lstm()
    {
        var e = SpecLoader.Load(Write("""
            name: hyp-lstm
            data: { type: synthetic, records: 40 }
            model: { type: lstm, hidden: 8, layers: 1, pooling: mean_max }
            training:
              imbalance: { strategy: cost_sensitive, cost_matrix: [[0, 1], [5, 0]], weighting: inverse_frequency, undersample_ratio: 2 }
            """));
        Assert.Equal(ComputeKind.Recurrent, e.Model.Kind);
        var o = e.Spec.Training.Imbalance!;
        Assert.Equal(ImbalanceStrategyKind.CostSensitive, o.Strategy);
        Assert.Equal(5, o.CostMatrix![1][0]);
        Assert.Equal(ClassWeightMode.InverseFrequency, o.Weighting);
        Assert.Equal(2, o.UndersampleRatio);
    }

    [Fact]
    public void Unknown_imbalance_strategy_points_at_the_yaml()
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(Write("""
            name: bad
            data: { type: synthetic, records: 40 }
            model: { type: resnet1d }
            training:
              imbalance: { strategy: focall }
            """)));
        Assert.Contains("training.imbalance.strategy", e.Message);
        Assert.Contains("focal", e.Message);
    }

    private sealed class Quiet : IRunObserver
    {
        public void Info(string message) { }
        public void Progress(TrainingProgress progress) { }
    }

    [Fact]
    public void A_yaml_experiment_trains_resnet1d_with_undersampling_end_to_end()
    {
        var e = SpecLoader.Load(Write("""
            name: resnet-undersample
            seed: 5
            data: { type: synthetic, records: 60, hypertrophy_fraction: 0.25, effect: 1.0, sampling_rate: 100, duration_seconds: 5 }
            pipeline:
              - type: zscore
            model: { type: resnet1d, stem_width: 8, stem_stride: 2, block_widths: [8, 16], head_hidden: 16 }
            training:
              epochs: 3
              batch_size: 16
              learning_rate: 0.003
              imbalance: { strategy: undersample }
            evaluation: { bootstrap_resamples: 50 }
            """));
        var output = Directory.CreateTempSubdirectory("ecg-results-").FullName;
        var outcome = ExperimentRunner.Run(e, new RunOptions { OutputDirectory = output, Device = "cpu" }, new Quiet());
        Assert.Equal("completed", outcome.Status);
        // The resolved configuration in the run record names the strategy.
        Assert.Contains("undersample", outcome.Record.ToJsonString());
    }

    [Fact]
    public void Registered_models_build_for_their_schemas_and_check_shapes_before_data()
    {
        var signals = new DataSchema([12, 1000], 100, ["NORM", "HYP"]);
        var images = new DataSchema([3, 64, 64], null, ["N", "S", "V", "F", "Q"]);
        var grey = new DataSchema([64, 64], null, ["N", "S", "V", "F", "Q"]);
        var resnet = ResNet1dSpec.Build(new ResNet1dSpec { StemWidth = 8, BlockWidths = [8, 8], HeadHidden = null });
        var lstm = LstmSpec.Build(new LstmSpec { Hidden = 4, Layers = 1 });
        var stft = StftCnnSpec.Build(new StftCnnSpec());
        Assert.Null(resnet.CheckInput(signals));
        Assert.Null(lstm.CheckInput(new DataSchema([200], 360, ["a", "b", "c"])));
        Assert.Null(stft.CheckInput(images));
        Assert.Null(stft.CheckInput(grey));
        Assert.Contains("square", stft.CheckInput(new DataSchema([64, 32], null, ["a", "b"])));
        Assert.Contains("signals", resnet.CheckInput(images));

        using var scope = torch.NewDisposeScope();
        using var r = resnet.Create(signals);
        r.eval();
        Assert.Equal([2L, 1], r.forward(torch.randn(2, 12, 1000)).shape);
        using var l = lstm.Create(new DataSchema([50], 360, ["a", "b", "c"]));
        Assert.Equal([2L, 3], l.forward(torch.randn(2, 50)).shape);
        using var s = stft.Create(images);
        Assert.Equal(244_203, s.parameter_count()); // the published RGB network
        s.eval();
        Assert.Equal([2L, 5], s.forward(torch.randn(2, 3, 64, 64)).shape);
        using var g = stft.Create(grey);
        g.eval();
        Assert.Equal([2L, 5], g.forward(torch.randn(2, 64, 64)).shape);
        Assert.Contains(Components.Models.Entries, x => x.Name == "resnet1d");
        Assert.Contains(Components.Models.Entries, x => x.Name == "lstm");
        Assert.Contains(Components.Models.Entries, x => x.Name == "stft_cnn");
    }
}
