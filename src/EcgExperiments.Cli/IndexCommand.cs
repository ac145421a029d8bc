using System.CommandLine;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Running;

namespace EcgExperiments.Cli;

/// <summary><c>ecg index &lt;results&gt;</c>: rebuilds each experiment's index.sqlite from its run.json files (the source of truth).</summary>
internal static class IndexCommand
{
    public static Command Create(Func<Func<int>, int> guarded)
    {
        var results = new Argument<string>("results") { Description = "a results root (e.g. results) or one experiment's folder (results/<experiment>)" };
        var command = new Command("index", "Rebuild index.sqlite from the run.json files (after trials ran on a cluster, or when the index is damaged or lost)") { results };
        command.SetAction(p => guarded(() => Rebuild(p.GetValue(results)!)));
        return command;
    }

    private static int Rebuild(string results)
    {
        var folders = RunIndexRebuild.ExperimentFolders(results);
        if (folders.Count == 0) throw new ArgumentException($"{results}: no experiment folders with run records (run.json) here");
        int problems = 0;
        foreach (var folder in folders)
        {
            // A run writing this folder holds its lock and has the index open: it is refused (exit 5, naming that run)
            // rather than swapped under it. A controller that was killed held no lock any more.
            using var held = FolderLock.Acquire(folder, $"ecg index {results}");
            var r = RunIndexRebuild.Rebuild(folder);
            Console.WriteLine($"{r.Path}: {r.Runs} run(s) indexed{(r.Unplaced > 0 ? $", {r.Unplaced} without a known place in their sweep (no earlier index row or Slurm manifest)" : "")}");
            foreach (var u in r.Unreadable) Console.Error.WriteLine($"  not indexed: {u}");
            problems += r.Unreadable.Count;
        }
        return problems == 0 ? 0 : 1;
    }
}
