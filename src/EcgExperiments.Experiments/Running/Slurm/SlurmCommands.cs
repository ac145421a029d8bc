using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EcgExperiments.Experiments.Running.Slurm;

/// <summary>A Slurm command failed (sbatch refused a job, the controller is unreachable, …); the message holds Slurm's own words.</summary>
public sealed class SlurmException(string message) : IOException(message);

/// <summary>
/// How one array task stands or ended, as <c>squeue</c>, <c>sacct</c> or <c>scontrol</c> report it.
/// </summary>
/// <param name="Task">The array task number.</param>
/// <param name="State">Slurm's job state: PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, OUT_OF_MEMORY, CANCELLED, NODE_FAIL, …</param>
/// <param name="ExitCode">The batch script's exit code (the trial's, as the script <c>exec</c>s it).</param>
/// <param name="Signal">The signal that ended it (0 when none).</param>
/// <param name="Reason">Slurm's reason, when it gives one (e.g. JobLaunchFailure, NonZeroExitCode).</param>
/// <param name="Elapsed">Run time, when known.</param>
/// <param name="StartUtc">Start time, when known.</param>
public sealed record SlurmTaskState(int Task, string State, int ExitCode = 0, int Signal = 0, string? Reason = null, TimeSpan? Elapsed = null, DateTime? StartUtc = null)
{
    private static readonly HashSet<string> Active = new(StringComparer.Ordinal)
    {
        "PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED",
    };

    /// <summary>Whether the task may still run (not yet in a final state).</summary>
    public bool IsActive => Active.Contains(State);
}

/// <summary>
/// The Slurm commands the launcher uses — <c>sbatch</c>, <c>squeue</c>, <c>sacct</c> (falling back to <c>scontrol</c>
/// where the cluster keeps no accounting database) and <c>scancel</c> — and the parsing of their answers. Commands are
/// looked up on <c>PATH</c>, or in <see cref="BinDirectory"/> when given (tests put stub commands there).
/// </summary>
public sealed partial class SlurmCommands(string? binDirectory = null)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Where the commands are taken from (null: <c>PATH</c>).</summary>
    public string? BinDirectory { get; } = binDirectory;

    /// <summary>Whether <c>sbatch</c> can be found.</summary>
    public bool Available => Locate("sbatch") is not null;

    /// <summary>Submits a batch script (<c>sbatch --parsable</c>) and returns the job id.</summary>
    public string Submit(string script)
    {
        var (code, stdout, stderr) = Run("sbatch", ["--parsable", script]);
        var id = stdout.Trim().Split('\n').LastOrDefault()?.Split(';')[0].Trim();
        if (code != 0 || string.IsNullOrEmpty(id) || !id.All(char.IsAsciiDigit))
            throw new SlurmException($"sbatch refused {script}: {Words(stderr, stdout, code)}");
        return id;
    }

    /// <summary>The array tasks of a job that are still listed by <c>squeue</c> (pending, running, completing…); empty once the job has left the queue.</summary>
    public IReadOnlyDictionary<int, SlurmTaskState> Queued(string jobId)
    {
        var (code, stdout, stderr) = Run("squeue", [$"--jobs={jobId}", "--array", "--noheader", "--format=%K|%T|%r|%M"]);
        if (code != 0)
        {
            if (stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) return new Dictionary<int, SlurmTaskState>();
            throw new SlurmException($"squeue could not list job {jobId}: {Words(stderr, stdout, code)}");
        }
        var tasks = new Dictionary<int, SlurmTaskState>();
        foreach (var line in Lines(stdout))
        {
            var f = line.Split('|');
            if (f.Length < 2) continue;
            foreach (var task in TaskIds(f[0]))
                tasks[task] = new SlurmTaskState(task, f[1].Trim(), Reason: f.Length > 2 ? NullIfNone(f[2]) : null, Elapsed: f.Length > 3 ? Duration(f[3]) : null);
        }
        return tasks;
    }

    /// <summary>
    /// The final (or current) state of each array task of a job: from <c>sacct</c>, or from <c>scontrol show job</c>
    /// when the cluster keeps no accounting (then finished jobs are known for <c>MinJobAge</c> seconds).
    /// </summary>
    public IReadOnlyDictionary<int, SlurmTaskState> States(string jobId)
    {
        var (code, stdout, stderr) = Run("sacct", [$"--jobs={jobId}", "--allocations", "--noheader", "--parsable2", "--format=JobID,State,ExitCode,Elapsed,Start,Reason"]);
        if (code == 0 && !stderr.Contains("accounting storage is disabled", StringComparison.OrdinalIgnoreCase)) return ParseSacct(jobId, stdout);
        var shown = Run("scontrol", ["--oneliner", "show", "job", jobId]);
        if (shown.Code == 0) return ParseScontrol(shown.Stdout);
        if (shown.Stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) return new Dictionary<int, SlurmTaskState>();
        throw new SlurmException($"neither sacct nor scontrol could report job {jobId}: sacct: {Words(stderr, stdout, code)}; scontrol: {Words(shown.Stderr, shown.Stdout, shown.Code)}");
    }

    /// <summary>Stops a job array: pending tasks are cancelled, running ones get SIGINT (they stop after their batch and record themselves as interrupted).</summary>
    public void Interrupt(string jobId)
    {
        Run("scancel", ["--state=PENDING", jobId]);
        Run("scancel", ["--state=RUNNING", "--batch", "--signal=INT", jobId]);
    }

    /// <summary>Parses <c>sacct --parsable2 --format=JobID,State,ExitCode,Elapsed,Start,Reason</c> lines of one array job.</summary>
    public static IReadOnlyDictionary<int, SlurmTaskState> ParseSacct(string jobId, string text)
    {
        var tasks = new Dictionary<int, SlurmTaskState>();
        foreach (var line in Lines(text))
        {
            var f = line.Split('|');
            if (f.Length < 3) continue;
            var id = f[0].Trim();
            if (!id.StartsWith(jobId + "_", StringComparison.Ordinal)) continue; // a step line (123_4.batch) or another job
            var state = f[1].Trim().Split(' ')[0]; // "CANCELLED by 1000"
            var (exit, signal) = ExitCode(f[2]);
            var elapsed = f.Length > 3 ? Duration(f[3]) : null;
            var start = f.Length > 4 ? Time(f[4]) : null;
            var reason = f.Length > 5 ? NullIfNone(f[5]) : null;
            foreach (var task in TaskIds(id[(jobId.Length + 1)..]))
                tasks[task] = new SlurmTaskState(task, state, exit, signal, reason, elapsed, start);
        }
        return tasks;
    }

    /// <summary>Parses <c>scontrol --oneliner show job</c>: one line per array task, <c>Key=Value</c> pairs.</summary>
    public static IReadOnlyDictionary<int, SlurmTaskState> ParseScontrol(string text)
    {
        var tasks = new Dictionary<int, SlurmTaskState>();
        foreach (var line in Lines(text))
        {
            var fields = KeyValue().Matches(line).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
            if (!fields.TryGetValue("ArrayTaskId", out var ids) || !fields.TryGetValue("JobState", out var state)) continue;
            var (exit, signal) = fields.TryGetValue("ExitCode", out var e) ? ExitCode(e) : (0, 0);
            var elapsed = fields.TryGetValue("RunTime", out var r) ? Duration(r) : null;
            var start = fields.TryGetValue("StartTime", out var s) ? Time(s) : null;
            var reason = fields.TryGetValue("Reason", out var why) ? NullIfNone(why) : null;
            foreach (var task in TaskIds(ids)) tasks[task] = new SlurmTaskState(task, state, exit, signal, reason, elapsed, start);
        }
        return tasks;
    }

    /// <summary>"3" → [3]; "[1-3,5%2]" or "1-3,5" → [1, 2, 3, 5] (pending ranges of an array).</summary>
    public static IEnumerable<int> TaskIds(string text)
    {
        var t = text.Trim().Trim('[', ']');
        var percent = t.IndexOf('%');
        if (percent >= 0) t = t[..percent];
        foreach (var part in t.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-');
            if (range.Length == 1 && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var one)) yield return one;
            else if (range.Length == 2 && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                     && int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out var to))
                for (int i = from; i <= to; i++) yield return i;
        }
    }

    /// <summary>"0:9" → (0, 9): Slurm's exit code and terminating signal.</summary>
    private static (int Exit, int Signal) ExitCode(string text)
    {
        var parts = text.Trim().Split(':');
        int exit = parts.Length > 0 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x : 0;
        int signal = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 0;
        return (exit, signal);
    }

    /// <summary>Slurm durations: "MM:SS", "HH:MM:SS", "D-HH:MM:SS".</summary>
    private static TimeSpan? Duration(string text)
    {
        var t = text.Trim();
        int days = 0;
        if (t.IndexOf('-') is var dash and > 0)
        {
            if (!int.TryParse(t[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out days)) return null;
            t = t[(dash + 1)..];
        }
        var parts = t.Split(':');
        if (parts.Length is < 2 or > 3 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _))) return null;
        var n = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return n.Length == 3 ? new TimeSpan(days, n[0], n[1], n[2]) : new TimeSpan(days, 0, n[0], n[1]);
    }

    /// <summary>Slurm's local time stamps ("2026-12-06T22:31:42"; "Unknown", "None" → null) as UTC.</summary>
    private static DateTime? Time(string text) =>
        DateTime.TryParseExact(text.Trim(), "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t : null;

    private static string? NullIfNone(string text) => text.Trim() is "" or "None" or "(null)" ? null : text.Trim();

    private static IEnumerable<string> Lines(string text) => text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);

    private static string Words(string stderr, string stdout, int code)
    {
        var text = (stderr.Trim().Length > 0 ? stderr : stdout).Trim();
        return text.Length > 0 ? text.Replace('\n', ' ') : $"exit code {code}";
    }

    [GeneratedRegex(@"(?:^|\s)(\w+)=(\S*)")]
    private static partial Regex KeyValue();

    private string? Locate(string command)
    {
        if (BinDirectory is not null)
        {
            var path = Path.Combine(BinDirectory, command);
            return File.Exists(path) ? path : null;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, command);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private (int Code, string Stdout, string Stderr) Run(string command, IReadOnlyList<string> arguments)
    {
        var program = Locate(command)
            ?? throw new SlurmException($"{command} not found{(BinDirectory is null ? " on PATH" : $" in {BinDirectory}")}: run on a Slurm login node, or install Slurm's client tools (Debian: apt-get install slurm-client)");
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new SlurmException($"{command} could not be started");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new SlurmException($"{command} {string.Join(' ', arguments)} did not answer within {CommandTimeout.TotalSeconds:0} s");
        }
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
