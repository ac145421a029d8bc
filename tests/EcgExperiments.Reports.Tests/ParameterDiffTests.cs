using System.Text.Json.Nodes;

namespace EcgExperiments.Reports.Tests;

public class ParameterDiffTests
{
    [Fact]
    public void Flattens_objects_with_dots_scalar_arrays_as_one_value_and_object_arrays_by_index()
    {
        var config = JsonNode.Parse("""
            { "seed": 3, "model": { "type": "cnn2d", "widths": [4, 8], "se": true, "gradient_clip": null },
              "pipeline": [ { "type": "zscore", "epsilon": 1e-06 }, { "type": "stft" } ], "training": { "learning_rate": 0.003 } }
            """)!.AsObject();
        var flat = ConfigFlattener.Flatten(config);
        Assert.Equal("3", flat["seed"]);
        Assert.Equal("cnn2d", flat["model.type"]);
        Assert.Equal("[4,8]", flat["model.widths"]);
        Assert.Equal("true", flat["model.se"]);
        Assert.Equal("null", flat["model.gradient_clip"]);
        Assert.Equal("zscore", flat["pipeline[0].type"]);
        Assert.Equal("1E-06", flat["pipeline[0].epsilon"]);
        Assert.Equal("stft", flat["pipeline[1].type"]);
        Assert.Equal("0.003", flat["training.learning_rate"]);
    }

    [Fact]
    public void Keeps_only_keys_that_differ_including_keys_missing_from_some_runs()
    {
        IReadOnlyDictionary<string, string> a = new Dictionary<string, string> { ["seed"] = "3", ["lr"] = "0.1", ["model"] = "cnn" };
        IReadOnlyDictionary<string, string> b = new Dictionary<string, string> { ["seed"] = "3", ["lr"] = "0.2", ["model"] = "cnn", ["extra"] = "x" };
        Assert.Equal(["extra", "lr"], ParameterDiff.DifferingKeys([a, b]));
        Assert.Empty(ParameterDiff.DifferingKeys([a]));
    }

    [Fact]
    public void Fixture_runs_differ_in_model_strategy_and_learning_rate_but_not_in_shared_settings()
    {
        var runs = RunLoader.Discover([Fixture.RunsRoot]);
        var keys = ParameterDiff.DifferingKeys(runs);
        Assert.Contains("model.type", keys);
        Assert.Contains("training.learning_rate", keys);
        Assert.Contains("training.imbalance.strategy", keys);
        Assert.Contains("training.epochs", keys);   // resnet run trained 3 epochs, the others 4
        Assert.Contains("name", keys);
        foreach (var same in new[] { "seed", "data.records", "data.type", "training.batch_size", "pipeline[0].type", "evaluation.bootstrap_resamples", "split.kind" })
        {
            Assert.True(runs.All(r => r.FlatConfig.ContainsKey(same)), $"{same} should exist in every run");
            Assert.DoesNotContain(same, keys);
        }
        var plain = runs.Single(r => r.Experiment == "tiny_cnn");
        Assert.Equal(ParameterDiff.Missing, ParameterDiff.ValueOf(plain, "training.imbalance.strategy"));
    }
}
