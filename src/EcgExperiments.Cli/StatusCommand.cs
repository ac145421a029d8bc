using System.CommandLine;
using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Running;

namespace EcgExperiments.Cli;

/// <summary>
/// <c>ecg status &lt;results&gt;</c>: where each experiment's trials stand — run records by status, failures with their reason,
/// and the trials of Slurm submissions that have not recorded their end (pending, running, or ended without a record).
/// </summary>
internal static class StatusCommand
{
    public static Command Create(Func<Func<int>, int> guarded)
    {
        var results = new Argument<string>("results") { Description = "a results root (e.g. results) or one experiment's folder (results/<experiment>)" };
        var command = new Command("status", "Show where a sweep's trials stand: completed, failed (why), and Slurm array tasks still pending, running or ended without a record") { results };
        command.SetAction(p => guarded(() => Show(p.GetValue(results)!)));
        return command;
    }

    private static int Show(string results)
    {
        var folders = RunIndexRebuild.ExperimentFolders(results);
        if (folders.Count == 0) throw new ArgumentException($"{results}: no experiment folders with run records (run.json) here");
        foreach (var folder in folders)
        {
            var s = SweepStatus.Of(folder);
            var counts = string.Join(", ", s.Counts.OrderBy(c => c.Key).Select(c => $"{c.Value} {c.Key.Text()}"));
            Console.WriteLine($"{folder}: {s.Runs.Count} run record(s){(counts.Length > 0 ? $" — {counts}" : "")}");
            foreach (var (runFolder, record, place) in s.Runs.Where(r => r.Record.Status != TrialStatus.Completed))
                Console.WriteLine($"  {Name(place?.Trial, place?.Rung)} {StableHash.Short(record.TrialKey)} {record.Status.Text()}{(record.Error is { } e ? $": {e.Message}" : "")}" +
                                  (s.Checkpoints.TryGetValue(record.TrialKey, out var c) ? $"; {Resumes(c)}" : ""));
            var recorded = s.Runs.Select(r => r.Record.TrialKey).ToHashSet(StringComparer.Ordinal);
            foreach (var c in s.Checkpoints.Values.Where(c => !recorded.Contains(c.Key)))
                Console.WriteLine($"  {StableHash.Short(c.Key)} training, or stopped without a record; {Resumes(c)}");
            foreach (var u in s.Unreadable) Console.WriteLine($"  unreadable: {u}");
            foreach (var sub in s.Submissions)
            {
                var m = sub.Manifest;
                var when = m.SubmittedUtc is { } t ? t.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "not submitted";
                Console.WriteLine($"  slurm job {m.JobId ?? "–"} ({when}): {sub.Recorded}/{m.Tasks.Count} trial(s) recorded{(sub.SlurmError is { } err ? $"; Slurm not asked: {err}" : "")}");
                foreach (var u in sub.Unrecorded)
                {
                    var state = u.State is { } st
                        ? st.IsActive ? $"{st.State.ToLowerInvariant()}{(st.Elapsed is { } el && el > TimeSpan.Zero ? $" for {el:hh\\:mm\\:ss}" : "")}" : $"ended without a run record: {u.Explanation}"
                        : sub.SlurmError is null ? "unknown to Slurm, no run record" : "no run record yet";
                    Console.WriteLine($"    task {u.Task.Task}: {Name(u.Task.Trial, u.Task.Rung)} {StableHash.Short(u.Task.TrialKey)} {state} (log: {Path.Combine(sub.Folder, u.Task.Log)})");
                }
            }
        }
        return 0;
    }

    private static string Resumes(Training.CheckpointInfo c) =>
        $"{c.Describe()}: the next run resumes there";

    private static string Name(int? trial, int? rung) => trial is { } n ? $"#{n}{(rung is > 0 ? $" rung {rung}" : "")}" : "#?";
}
