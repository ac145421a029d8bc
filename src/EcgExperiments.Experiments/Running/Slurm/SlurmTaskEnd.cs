using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running.Slurm;

/// <summary>
/// Why an array task ended without its trial recording the end, in the words of a failed run record: the error type
/// (<c>TrialLimitExceeded</c> for time and memory, <c>JobCancelled</c>, <c>WorkerCrashed</c> otherwise) and a message
/// naming the job, Slurm's state, the exit code or signal and the last words of the task's log.
/// </summary>
public static class SlurmTaskEnd
{
    /// <summary>What slurmstepd writes into a task's log when the accounting poll kills it for memory (clusters without cgroups).</summary>
    private static readonly string[] MemoryMarks = ["exceeded job memory limit", "exceeded memory limit"];

    /// <summary>SIGUSR1 (<see cref="SlurmResources.WarningSignal"/>) on Linux: a task ended by it was warned before .NET had installed its handler.</summary>
    private const int WarningSignalNumber = 10;

    /// <param name="jobId">The array job id.</param>
    /// <param name="state">How Slurm says the task ended.</param>
    /// <param name="resources">The task's resources (its limits name the failure).</param>
    /// <param name="logTail">The last lines of the task's log (may be empty).</param>
    public static (string ErrorType, string Message) Describe(string jobId, SlurmTaskState state, SlurmResources resources, IReadOnlyList<string> logTail)
    {
        var job = $"Slurm job {jobId}_{state.Task}";
        var words = state.State + (state.Signal != 0 ? $", signal {state.Signal}" : state.ExitCode != 0 ? $", exit code {state.ExitCode}" : "");
        var memoryLine = logTail.FirstOrDefault(l => MemoryMarks.Any(m => l.Contains(m, StringComparison.OrdinalIgnoreCase)));
        var last = Last(logTail);
        if (state.State == "OUT_OF_MEMORY" || memoryLine is not null)
        {
            var limit = resources.MemoryMiB is { } m ? $"memory limit {SweepSettings.FormatSize(m << 20)} exceeded" : "memory limit exceeded";
            return ("TrialLimitExceeded", $"{limit} ({job} {words}{(memoryLine is null ? "" : $": {Clean(memoryLine)}")})");
        }
        if (state.Signal == WarningSignalNumber)
        {
            var limit = resources.TimeLimit is { } t ? $"time limit {SweepSettings.FormatDuration(t)} reached" : "time limit reached";
            return ("TrialLimitExceeded", $"{limit} ({job}: Slurm's warning signal came before the trial listened for it)");
        }
        if (state.State == "TIMEOUT")
        {
            var limit = resources.TimeLimit is { } t ? $"time limit {SweepSettings.FormatDuration(t)} exceeded" : "time limit exceeded";
            return ("TrialLimitExceeded", $"{limit} ({job} TIMEOUT: killed before the trial could record its end)");
        }
        if (state.State is "CANCELLED" or "PREEMPTED" or "DEADLINE")
            return ("JobCancelled", $"{job} {words}{(last is null ? "" : $": {last}")}");
        var what = state.State is "NODE_FAIL" or "BOOT_FAIL" ? $"{job} {words} (the node failed)" : $"{job} {words}";
        return ("WorkerCrashed", last is null ? what : $"{what}: {last}");
    }

    /// <summary>The last lines of a log file (empty when it is missing or unreadable).</summary>
    public static IReadOnlyList<string> Tail(string path, int lines = 20)
    {
        try
        {
            if (!File.Exists(path)) return [];
            var queue = new Queue<string>();
            foreach (var line in File.ReadLines(path))
            {
                queue.Enqueue(line);
                if (queue.Count > lines) queue.Dequeue();
            }
            return queue.ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string? Last(IReadOnlyList<string> lines) => lines.LastOrDefault(l => !string.IsNullOrWhiteSpace(l)) is { } l ? Clean(l) : null;

    /// <summary>"slurmstepd-node7: error: Exceeded job memory limit" → "slurmstepd: Exceeded job memory limit".</summary>
    private static string Clean(string line)
    {
        var t = line.Trim();
        if (t.StartsWith("slurmstepd", StringComparison.Ordinal) && t.IndexOf(": error: ", StringComparison.Ordinal) is var at and > 0)
            t = "slurmstepd: " + t[(at + ": error: ".Length)..];
        return t;
    }
}
