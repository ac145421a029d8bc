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
        var imbalance = Assert.IsType<FocalLossStrategy>(e.Spec.Training.Imbalance);
        var o = Assert.IsType<FocalOptions>(imbalance.Options);
        Assert.Equal(1.5, o.FocalGamma);
        Assert.Equal([0.75], o.FocalAlpha!.ByPosition!);
        Assert.Equal("focal (γ 1.5, α [0.75])", imbalance.Description);
        // The resolved configuration carries the strategy and its own options only.
        var config = ExperimentRunner.ResolvedConfig(e)["training"]!["imbalance"]!.ToJsonString();
        Assert.Equal("""{"strategy":"focal","focal_gamma":1.5,"focal_alpha":[0.75]}""", config);
    }

    [Fact]
    public void Yaml_binds_cost_matrices_and_the_lstm()
    {
        var e = SpecLoader.Load(Write("""
            name: hyp-lstm
            data: { type: synthetic, records: 40 }
            model: { type: lstm, hidden: 8, layers: 1, pooling: mean_max }
            training:
              imbalance: { strategy: cost_sensitive, cost_matrix: [[0, 1], [5, 0]] }
            """));
        Assert.Equal(ComputeKind.Recurrent, e.Model.Kind);
        var o = Assert.IsType<CostSensitiveOptions>(e.Spec.Training.Imbalance!.Options);
        Assert.Equal(5, o.CostMatrix![1][0]);
    }

    [Theory]
    [InlineData("{ strategy: none, focal_gamma: 3 }", "training.imbalance.focal_gamma", "unknown key 'focal_gamma'")]
    [InlineData("{ strategy: cost_sensitive, cost_matrix: [[0, 1], [5, 0]], undersample_ratio: 2 }", "training.imbalance.undersample_ratio", "unknown key")]
    [InlineData("{ strategy: class_weights, class_weights: { HYP: 3, MI: 1 } }", "training.imbalance.class_weights", "'MI', not a class of the data [NORM, HYP]")]
    [InlineData("{ strategy: focal, focal_alpha: [0.2, 0.3, 0.5] }", "training.imbalance.focal_alpha", "lists 3 value(s) but the data has 2 classes")]
    public void A_key_of_another_strategy_or_a_class_mismatch_is_an_error_at_the_key(string imbalance, string key, string message)
    {
        var path = Write($$"""
            name: bad
            data: { type: synthetic, records: 40 }
            model: { type: resnet1d }
            training:
              imbalance: {{imbalance}}
            """);
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(path));
        Assert.Equal(key, e.Where.Key);
        Assert.Equal(5, e.Where.Line);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void The_legacy_class_weights_key_says_where_it_moved()
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(Write("""
            name: legacy
            data: { type: synthetic, records: 40 }
            model: { type: resnet1d }
            training:
              class_weights: [1, 3]
            """)));
        Assert.Equal("training.class_weights", e.Where.Key);
        Assert.Contains("moved to `training.imbalance: { strategy: class_weights", e.Message);
    }

    [Fact]
    public void Stft_cnn_input_channels_is_a_yaml_key_left_out_of_the_resolved_config_when_unset()
    {
        const string head = """
            name: stft
            data: { type: synthetic, records: 40 }
            """;
        var bad = Assert.Throws<SpecException>(() => SpecLoader.Load(Write(head + "\nmodel: { type: stft_cnn, input_channels: 0 }\n")));
        Assert.Contains("model.input_channels must be ≥ 1", bad.Message);
        var options = new StftCnnOptions { InputChannels = 3 };
        Assert.Equal("""{"type":"stft_cnn","input_channels":3,"dropout":0.5}""", ExperimentRunner.Component("stft_cnn", options).ToJsonString());
        Assert.Equal("""{"type":"stft_cnn","dropout":0.5}""", ExperimentRunner.Component("stft_cnn", new StftCnnOptions()).ToJsonString());
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
        Assert.Equal(Experiments.Runs.TrialStatus.Completed, outcome.Status);
        // The resolved configuration in the run record names the strategy.
        Assert.Equal("undersample", outcome.Record.ResolvedConfig["training"]!["imbalance"]!["strategy"]!.GetValue<string>());
    }

    [Fact]
    public void Registered_models_build_for_their_schemas_and_check_shapes_before_data()
    {
        var signals = new EcgSchema([12, 1000], 100, ["NORM", "HYP"]);
        var images = new EcgSchema([3, 64, 64], null, ["N", "S", "V", "F", "Q"]);
        var grey = new EcgSchema([64, 64], null, ["N", "S", "V", "F", "Q"]);
        static ModelBuild Build(string name, object options) => Components.Models.TryGet(name, out var entry) ? entry.Build(options) : throw new KeyNotFoundException(name);
        var resnet = Build("resnet1d", new ResNet1dOptions { StemWidth = 8, BlockWidths = [8, 8], HeadHidden = null });
        var lstm = Build("lstm", new LstmClassifierOptions { Hidden = 4, Layers = 1 });
        var stft = Build("stft_cnn", new StftCnnOptions());
        Assert.Null(resnet.CheckInput(signals));
        Assert.Null(lstm.CheckInput(new EcgSchema([200], 360, ["a", "b", "c"])));
        Assert.Null(stft.CheckInput(images));
        Assert.Null(stft.CheckInput(grey));
        Assert.Contains("square", stft.CheckInput(new EcgSchema([64, 32], null, ["a", "b"])));
        Assert.Contains("signals", resnet.CheckInput(images));

        using var scope = torch.NewDisposeScope();
        using var r = (Module<Tensor, Tensor>)resnet.CreateNetwork(signals);
        r.eval();
        Assert.Equal([2L, 1], r.forward(torch.randn(2, 12, 1000)).shape);
        using var l = (Module<Tensor, Tensor>)lstm.CreateNetwork(new EcgSchema([50], 360, ["a", "b", "c"]));
        Assert.Equal([2L, 3], l.forward(torch.randn(2, 50)).shape);
        using var s = (Module<Tensor, Tensor>)stft.CreateNetwork(images);
        Assert.Equal(244_203, s.parameter_count()); // the published RGB network
        s.eval();
        Assert.Equal([2L, 5], s.forward(torch.randn(2, 3, 64, 64)).shape);
        using var g = (Module<Tensor, Tensor>)stft.CreateNetwork(grey);
        g.eval();
        Assert.Equal([2L, 5], g.forward(torch.randn(2, 64, 64)).shape);
        // input_channels 3 on gray images: the published network, reading the image on each of its channels.
        var published = Build("stft_cnn", new StftCnnOptions { InputChannels = 3 });
        Assert.Null(published.CheckInput(grey));
        Assert.Null(published.CheckInput(images));
        Assert.Contains("input_channels 3 needs images of 3 channels or 1", published.CheckInput(new EcgSchema([2, 64, 64], null, ["a", "b"])));
        using var p = (Module<Tensor, Tensor>)published.CreateNetwork(grey);
        Assert.Equal(244_203, p.parameter_count());
        p.eval();
        Assert.Equal([2L, 5], p.forward(torch.randn(2, 64, 64)).shape);
        Assert.Contains(Components.Models.Entries, x => x.Name == "resnet1d");
        Assert.Contains(Components.Models.Entries, x => x.Name == "lstm");
        Assert.Contains(Components.Models.Entries, x => x.Name == "stft_cnn");
    }
}
