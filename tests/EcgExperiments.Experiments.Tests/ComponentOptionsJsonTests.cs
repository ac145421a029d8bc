using System.Text.Json;
using System.Text.Json.Nodes;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Tests;

/// <summary>
/// Every registered component's options reach the run record, the trial key and the model file whole: serialised to
/// JSON nothing turns into an empty object (as value tuples did: <c>model.pool</c> was written as <c>{}</c>, so two
/// specs differing only in pooling shared a trial key and a saved CNN could not be reloaded), and JSON → options → JSON
/// is a fixed point.
/// </summary>
public sealed class ComponentOptionsJsonTests
{
    public static TheoryData<string, string> Entries()
    {
        var data = new TheoryData<string, string>();
        foreach (var registry in new IComponentRegistry[] { Components.DataSources, Components.Transforms, Components.Models, Components.ImbalanceStrategies })
            foreach (var name in registry.Names)
                data.Add(registry.Section, name);
        return data;
    }

    private static IComponentRegistry Registry(string section) =>
        new IComponentRegistry[] { Components.DataSources, Components.Transforms, Components.Models, Components.ImbalanceStrategies }.Single(r => r.Section == section);

    [Theory]
    [MemberData(nameof(Entries))]
    public void Options_survive_the_JSON_of_run_records_and_model_files(string section, string name)
    {
        var type = Registry(section).OptionsTypeOf(name);
        var options = Activator.CreateInstance(type)!;
        var json = ExperimentRunner.OptionsJson(options);
        foreach (var (path, node) in Walk(json, $"{section}.{name}").Skip(1))   // an options record without options may be {}
            Assert.False(node is JsonObject { Count: 0 }, $"{path} is written as {{}}: its value is lost");
        var back = json.Deserialize(type, RunRecordFile.Json)!;
        Assert.Equal(json.ToJsonString(), ExperimentRunner.OptionsJson(back).ToJsonString());
    }

    [Fact]
    public void A_pool_of_one_by_four_differs_from_the_default_in_the_options_JSON()
    {
        var wide = new EcgExperiments.Models.Cnn2dOptions { Pool = (1, 4), Padding = (1, 0) };
        var json = ExperimentRunner.OptionsJson(wide);
        Assert.Equal("[1,4]", json["pool"]!.ToJsonString());
        Assert.Equal("[1,0]", json["padding"]!.ToJsonString());
        Assert.NotEqual(json.ToJsonString(), ExperimentRunner.OptionsJson(new EcgExperiments.Models.Cnn2dOptions()).ToJsonString());
    }

    private static IEnumerable<(string, JsonNode)> Walk(JsonNode? node, string path)
    {
        if (node is null) yield break;
        yield return (path, node);
        if (node is JsonObject o)
            foreach (var (k, v) in o)
                foreach (var x in Walk(v, $"{path}.{k}")) yield return x;
        if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++)
                foreach (var x in Walk(a[i], $"{path}[{i}]")) yield return x;
    }
}
