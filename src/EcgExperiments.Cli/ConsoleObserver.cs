using System.Globalization;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Training;

namespace EcgExperiments.Cli;

/// <summary>
/// Draws training progress: a live line (epoch, batch, loss, ETA) on a terminal, one line per epoch when the
/// output is redirected (CI logs stay readable).
/// </summary>
internal sealed class ConsoleObserver : IRunObserver
{
    private readonly bool _live = !Console.IsOutputRedirected;
    private int _lastEpochPrinted;
    private DateTime _lastDraw;

    public void Info(string message)
    {
        ClearLine();
        Console.WriteLine(message);
    }

    public void Progress(TrainingProgress p)
    {
        if (p.LastEpoch is { } done && done.Epoch == p.Epoch && done.Epoch > _lastEpochPrinted)
        {
            _lastEpochPrinted = done.Epoch;
            ClearLine();
            // Whole-set metrics only: per-class / per-lead ones ("recall[HYP]", "rmse_V1") stay in the run record.
            var shown = done.ValidationMetrics.Where(kv => !kv.Key.Contains('[') && !IsPerLead(kv.Key)).Take(6);
            var metrics = string.Join("  ", shown.Select(kv => $"{kv.Key} {kv.Value:0.000}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {done.Epoch,3}/{p.Epochs}{(done.Partial is { } cut ? $" (cut short after {cut.Batches} of {cut.Of} batches)" : "")}  train loss {done.TrainLoss:0.0000}  val loss {done.ValidationLoss:0.0000}  {metrics}  ({done.Seconds:0.0} s){Eta(p)}"));
            return;
        }
        if (!_live || (DateTime.UtcNow - _lastDraw).TotalMilliseconds < 200) return;
        _lastDraw = DateTime.UtcNow;
        int width = 24, filled = (int)(width * (double)p.Batch / Math.Max(1, p.Batches));
        Console.Write(string.Create(CultureInfo.InvariantCulture,
            $"\repoch {p.Epoch,3}/{p.Epochs} [{new string('#', filled)}{new string('.', width - filled)}] batch {p.Batch}/{p.Batches}  loss {p.RunningLoss:0.0000}{Eta(p)}   "));
    }

    private static string Eta(TrainingProgress p) => p.Remaining is { } r ? $"  ETA {Duration(r)}" : "";

    /// <summary>"mm:ss" under an hour, else "h:mm:ss" with every hour counted (a 9-hour reproduction is not "09:57").</summary>
    internal static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(long)t.TotalHours}:{t:mm\\:ss}")
        : t.ToString("mm\\:ss", CultureInfo.InvariantCulture);

    private void ClearLine()
    {
        if (_live) Console.Write("\r" + new string(' ', Math.Max(0, Math.Min(Console.BufferWidth, 120) - 1)) + "\r");
    }

    private static bool IsPerLead(string key)
    {
        var us = key.LastIndexOf('_');
        return us > 0 && key[..us] is "rmse" or "r2" or "pearson_r" or "mse";
    }
}

/// <summary>The sweep monitor of the console: failures with their reason (progress lines come from <see cref="ConsoleObserver"/>).</summary>
internal sealed class ConsoleMonitor : ISweepMonitor
{
    public void ReportRunningTrial(TrialJob job) { }
    public void ReportCompletedTrial(TrialOutcome outcome) { }
    public void ReportSkippedTrial(TrialOutcome outcome) { }

    public void ReportFailTrial(TrialOutcome outcome, Exception? exception = null) =>
        Console.Error.WriteLine($"trial {outcome.Trial.Number} failed: {outcome.Error ?? exception?.Message ?? "see its run record"} ({outcome.RunDirectory})");

    public void ReportBestTrial(TrialOutcome outcome) { }
}
