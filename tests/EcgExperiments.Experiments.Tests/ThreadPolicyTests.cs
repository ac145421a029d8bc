using EcgExperiments.Core;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Tests;

/// <summary><c>threads: auto</c> follows the committed bench rows, and the README shows those rows and what they decide.</summary>
public class ThreadPolicyTests
{
    [Fact]
    public void The_readme_thread_table_is_the_policys_own_table()
    {
        var readme = File.ReadAllText(Path.Combine(ProjectPaths.RepositoryRoot ?? throw new InvalidOperationException("repository root not found"), "README.md"));
        var table = ThreadPolicy.MarkdownTable();
        Assert.True(readme.Contains(table, StringComparison.Ordinal),
            "README.md's thread table is not ThreadPolicy.MarkdownTable() (the bench rows in src/EcgExperiments.Training/ThreadPolicy.bench.json changed?); replace it with:\n" + table);
    }

    [Fact]
    public void Every_bench_row_names_the_family_its_registered_model_declares()
    {
        Assert.NotEmpty(ThreadPolicy.Measurements);
        int checkedRows = 0;
        foreach (var m in ThreadPolicy.Measurements)
        {
            if (!Components.Models.TryGet(m.Model, out var entry)) continue; // bench-only variants (se_cnn, b2i_gan)
            var build = entry.Build(Activator.CreateInstance(entry.OptionsType)!);
            Assert.True(build.Kind == m.Family, $"bench row {m.Model} says {m.Family}, its registration {build.Kind}");
            checkedRows++;
        }
        Assert.True(checkedRows >= 6, $"only {checkedRows} bench rows are registered models");
    }

    [Fact]
    public void Auto_gives_every_core_exactly_to_the_families_that_ran_faster_on_two_threads()
    {
        int cores = Math.Min(Environment.ProcessorCount, 8);
        foreach (var family in ThreadPolicy.Measurements.Select(m => m.Family).Distinct())
        {
            double speedup = ThreadPolicy.FamilySpeedup(family)!.Value;
            var decision = ThreadPolicy.Resolve("auto", family);
            Assert.Equal(speedup >= ThreadPolicy.MinimumSpeedup ? cores : 1, decision.Threads);
            Assert.Contains(speedup.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + "×", decision.Reason);
        }
        Assert.Equal(3, ThreadPolicy.Resolve("3", ComputeKind.Recurrent).Threads);
        Assert.Contains("positive integer", Assert.Throws<ArgumentException>(() => ThreadPolicy.Resolve("0", ComputeKind.Recurrent)).Message);
    }
}
