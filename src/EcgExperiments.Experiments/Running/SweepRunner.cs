using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Running;

/// <summary>What happened to one trial of a sweep.</summary>
public sealed record TrialOutcome(Trial Trial, string TrialKey, string Status, string RunDirectory, RunOutcome? Run, string? Error, double Seconds);

/// <summary>
/// Runs every trial of a file in order. A trial whose key (resolved config + data fingerprint + code version)
/// already has a completed run record is skipped; a failing trial is recorded with its exception and the sweep
/// goes on; Ctrl-C stops after the current batch of the running trial. Each trial's run record is written
/// atomically, so a killed sweep loses at most the trial that was running.
/// </summary>
public static class SweepRunner
{
    public static IReadOnlyList<TrialOutcome> Run(IReadOnlyList<Trial> trials, RunOptions options, IRunObserver observer,
        bool retryFailed = false, CancellationToken cancel = default)
    {
        if (trials.Count == 0) return [];
        var first = trials[0].Experiment;
        var experimentDir = Path.Combine(ExperimentRunner.ResultsRoot(options.OutputDirectory ?? first.Spec.Output.Dir), ExperimentRunner.Slug(first.Spec.Name));
        using var index = new RunIndex(Path.Combine(experimentDir, "index.sqlite"));
        var outcomes = new List<TrialOutcome>();
        foreach (var trial in trials)
        {
            if (cancel.IsCancellationRequested) break;
            var key = ExperimentRunner.TrialKey(trial.Experiment, options);
            var runDir = Path.Combine(experimentDir, StableHash.Short(key));
            var values = string.Join(", ", trial.Values.Select(v => $"{v.Key}={v.Value}"));
            var previous = ReadStatus(runDir, key);
            if (previous == "completed" || (previous == "failed" && !retryFailed))
            {
                observer.Info($"trial {trial.Number}/{trials.Count} {StableHash.Short(key)} {values}: already {previous}, skipped");
                outcomes.Add(new TrialOutcome(trial, key, previous, runDir, null, null, 0));
                continue;
            }
            observer.Info($"trial {trial.Number}/{trials.Count} {StableHash.Short(key)} {values}");
            var sw = Stopwatch.StartNew();
            try
            {
                var run = ExperimentRunner.Run(trial.Experiment, options, observer, cancel);
                index.Record(key, first.Spec.Name, trial.Number, run.Status, run.RunDirectory, values, null, sw.Elapsed.TotalSeconds,
                    run.Metric(Evaluation.MetricNames.Accuracy), run.Metric(Evaluation.MetricNames.MacroF1), run.Metric(Evaluation.MetricNames.RocAuc));
                outcomes.Add(new TrialOutcome(trial, key, run.Status, run.RunDirectory, run, null, sw.Elapsed.TotalSeconds));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Failures are data: the run record (status failed) is already written; note it and go on.
                index.Record(key, first.Spec.Name, trial.Number, "failed", runDir, values, $"{e.GetType().Name}: {e.Message}", sw.Elapsed.TotalSeconds, null, null, null);
                observer.Info($"trial {trial.Number} failed: {e.Message}");
                outcomes.Add(new TrialOutcome(trial, key, "failed", runDir, null, e.Message, sw.Elapsed.TotalSeconds));
            }
        }
        return outcomes;
    }

    /// <summary>Status in the trial's run record, or null when there is none (or it belongs to another key).</summary>
    private static string? ReadStatus(string runDir, string key)
    {
        var path = Path.Combine(runDir, "run.json");
        if (!File.Exists(path)) return null;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path));
            return node?["trial_key"]?.GetValue<string>() == key ? node["status"]?.GetValue<string>() : null;
        }
        catch (JsonException)
        {
            return null; // a record that does not parse is treated as absent and the trial runs again
        }
    }
}
