using System.Runtime.InteropServices;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running.Slurm;

/// <summary>
/// The trial side of a cluster time limit. Slurm sends the array task SIGUSR1 ahead of its time limit
/// (<c>--signal=B:USR1@seconds</c>, see <see cref="SlurmResources.WarningSeconds"/>); on it the trial is cancelled, so it
/// stops after its current batch and writes its record as an interrupted run does (partial history, model and
/// metrics of the best epoch so far) — and then the record is marked failed for its time limit, as a local worker's
/// would be, so a resumed sweep does not run it again unless asked (<c>--retry-failed</c>).
/// </summary>
/// <example><code>
/// using var warning = TimeLimitWarning.Listen(cancel, TimeSpan.FromMinutes(30));
/// var outcome = ExperimentRunner.Run(experiment, options, observer, cancel.Token);
/// if (warning.Received) warning.RecordFailure(experiment, options, key, outcome, started);
/// </code></example>
public sealed class TimeLimitWarning : IDisposable
{
    /// <summary>SIGUSR1 on Linux.</summary>
    private const int SigUsr1 = 10;

    private readonly PosixSignalRegistration? _registration;
    private readonly TimeSpan _limit;
    private int _received;

    private TimeLimitWarning(CancellationTokenSource trial, TimeSpan limit, Action<string>? log)
    {
        _limit = limit;
        if (OperatingSystem.IsWindows()) return;
        _registration = PosixSignalRegistration.Create((PosixSignal)SigUsr1, context =>
        {
            context.Cancel = true; // SIGUSR1 would otherwise end the process before the trial records anything
            if (Interlocked.Exchange(ref _received, 1) == 1) return;
            try { log?.Invoke("Slurm's time-limit warning (SIGUSR1) arrived: stopping after the current batch"); } catch (IOException) { }
            trial.Cancel();
        });
    }

    /// <summary>Starts listening for the warning; it cancels <paramref name="trial"/>.</summary>
    /// <param name="trial">The trial's cancellation.</param>
    /// <param name="limit">The sweep's trial timeout (for the record's message).</param>
    /// <param name="log">Where to say that the warning came.</param>
    public static TimeLimitWarning Listen(CancellationTokenSource trial, TimeSpan limit, Action<string>? log = null) => new(trial, limit, log);

    /// <summary>Whether the warning arrived.</summary>
    public bool Received => Volatile.Read(ref _received) == 1;

    /// <summary>The failed record's message: "time limit 30 min reached: Slurm's warning signal stopped the trial after its current batch".</summary>
    public string Message => $"time limit {SweepSettings.FormatDuration(_limit)} reached: Slurm's warning signal stopped the trial after its current batch";

    /// <summary>
    /// Records the trial as failed for its time limit: rewrites the interrupted record it published (keeping its
    /// history and artefacts), or, when it stopped before it had anything to record, writes a failed record.
    /// </summary>
    /// <param name="e">The trial.</param>
    /// <param name="options">Its run options.</param>
    /// <param name="key">Its trial key.</param>
    /// <param name="outcome">What the runner returned (null when it stopped by throwing, before training).</param>
    /// <param name="startedUtc">When the trial started.</param>
    public RunRecord RecordFailure(ResolvedExperiment e, RunOptions options, string key, RunOutcome? outcome, DateTime startedUtc)
    {
        if (outcome is { Status: TrialStatus.Interrupted })
        {
            var failed = outcome.Record with { Status = TrialStatus.Failed, Error = new ErrorRecord("TrialLimitExceeded", Message) };
            RunRecordFile.Write(outcome.RunDirectory, failed);
            return failed;
        }
        return RunRecords.WriteFailed(e, options, ExperimentRunner.RunDirectory(e, options, key), key, "TrialLimitExceeded", Message,
            startedUtc, (DateTime.UtcNow - startedUtc).TotalSeconds, null);
    }

    public void Dispose() => _registration?.Dispose();
}
