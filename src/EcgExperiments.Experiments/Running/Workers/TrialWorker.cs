using System.Diagnostics;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running.Workers;

/// <summary>How a worker process ended.</summary>
/// <param name="ExitCode">Its exit code (128 + n when ended by signal n).</param>
/// <param name="KilledFor">Why the parent killed it ("time limit 30 s exceeded", "memory cap …"), or null.</param>
/// <param name="PeakResidentBytes">The largest resident set seen while polling (0 when never seen).</param>
/// <param name="Seconds">Wall time from start to exit.</param>
/// <param name="ErrorTail">Its last lines of standard error.</param>
/// <param name="Pid">Its process id.</param>
public sealed record WorkerExit(int ExitCode, string? KilledFor, long PeakResidentBytes, double Seconds, IReadOnlyList<string> ErrorTail, int Pid)
{
    /// <summary>"exited with code 3" or "exited with signal 9".</summary>
    public string Describe() => ExitCode > 128 && ExitCode < 128 + 65 ? $"worker exited with signal {ExitCode - 128}" : $"worker exited with code {ExitCode}";
}

/// <summary>
/// Runs one trial in a worker process and watches it: every output line is passed on as it comes, resident memory is
/// polled from /proc (the peak is kept), and the process is killed (SIGKILL) when it passes its time limit or memory
/// cap. Cancelling <c>interrupt</c> sends it SIGINT, which makes the trial finish its batch and record itself as
/// interrupted. The worker's standard input is a pipe that this process never writes: when this process dies, the
/// worker reads end-of-file and stops (see <see cref="ParentWatch"/>), so no worker outlives its sweep.
/// </summary>
public static class TrialWorker
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public static async Task<WorkerExit> RunAsync(WorkerCommand command, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        TimeSpan? timeout, long? memoryCap, Action<int> started, Action<string> output, CancellationToken interrupt)
    {
        var psi = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in command.Prefix.Concat(arguments)) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var process = new Process { StartInfo = psi };
        var tail = new Queue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) output(line); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            output(line);
            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > 20) tail.Dequeue();
            }
        };
        var clock = Stopwatch.StartNew();
        process.Start();
        int pid = process.Id;
        started(pid);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var forward = interrupt.Register(() => ProcessProbe.Signal(pid, ProcessProbe.SigInt));
        long peak = 0;
        string? killedFor = null;
        var exited = process.WaitForExitAsync(CancellationToken.None);
        while (!exited.IsCompleted)
        {
            if (ProcessProbe.ResidentBytes(pid) is { } rss) peak = Math.Max(peak, rss);
            if (killedFor is null)
            {
                if (memoryCap is { } cap && peak > cap)
                    killedFor = $"memory cap {SweepSettings.FormatSize(cap)} exceeded (peak {SweepSettings.FormatSize(peak)})";
                else if (timeout is { } limit && clock.Elapsed > limit)
                    killedFor = $"time limit {SweepSettings.FormatDuration(limit)} exceeded";
                if (killedFor is not null) Kill(process);
            }
            await Task.WhenAny(exited, Task.Delay(Poll)).ConfigureAwait(false);
        }
        await exited.ConfigureAwait(false);
        lock (tail) return new WorkerExit(process.ExitCode, killedFor, peak, clock.Elapsed.TotalSeconds, tail.ToList(), pid);
    }

    private static void Kill(Process process)
    {
        try { process.Kill(); }
        catch (InvalidOperationException) { } // already gone
    }
}

/// <summary>
/// The worker side of the parent link: a background thread reads standard input (a pipe from the parent that is never
/// written); end-of-file means the parent has gone, so the trial is cancelled (it finishes its batch and records
/// itself as interrupted) and the process ends after a grace period even if the trial does not stop.
/// </summary>
public static class ParentWatch
{
    public static void Start(CancellationTokenSource cancel, TimeSpan grace, Action<string>? log = null)
    {
        var thread = new Thread(() =>
        {
            try
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[64];
                while (stdin.Read(buffer, 0, buffer.Length) > 0) { }
            }
            catch (IOException) { }
            try { log?.Invoke("the sweep process is gone: stopping this trial"); } catch (IOException) { }
            cancel.Cancel();
            Thread.Sleep(grace);
            Environment.Exit(130);
        })
        { IsBackground = true, Name = "ecg-parent-watch" };
        thread.Start();
    }
}
