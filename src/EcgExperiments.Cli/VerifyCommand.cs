using System.CommandLine;
using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using Spectre.Console;

namespace EcgExperiments.Cli;

/// <summary>
/// <c>ecg verify &lt;spec&gt;</c>: compares each trial's test metrics with the spec's <c>expect:</c> block, reading a
/// finished run when one exists for the trial key and running the trial otherwise. Exits 1 when any check fails.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(Func<Func<int>, int> guarded)
    {
        var spec = new Argument<string>("spec") { Description = "experiment YAML file with an expect: block" };
        var output = Flags.Folder("--output", "results root (overrides output.dir)");
        var device = Flags.Device("--device", "device for trials that still have to run");
        var epochs = Flags.Count("--epochs", "override training.epochs (a shorter reproduction; part of the trial key)");
        var command = new Command("verify", "Check a spec's results against the published metrics in its expect: block (runs missing trials)") { spec, output, device, epochs };
        command.SetAction(p => guarded(() => Verify(p.GetValue(spec)!, new RunOptions { OutputDirectory = p.GetValue(output), Device = p.GetValue(device), Epochs = p.GetValue(epochs) })));
        return command;
    }

    private static int Verify(string specPath, RunOptions options)
    {
        var trials = SpecLoader.LoadTrials(specPath);
        if (trials[0].Experiment.Spec.Expect.Count == 0)
            throw new ArgumentException($"{specPath} has no expect: block; add e.g. `expect: [{{ metric: accuracy, target: 0.9853, tolerance: 0.005 }}]`");
        bool allPass = true;
        foreach (var trial in trials)
        {
            var e = trial.Experiment;
            var key = ExperimentRunner.TrialKey(e, options);
            var runDir = ExperimentRunner.RunDirectory(e, options, key);
            // A record that is there but unreadable (truncated, newer) is reported, naming the file, not silently re-run over.
            var record = File.Exists(RunRecordFile.PathIn(runDir)) && RunRecordFile.Read(runDir) is { } found && found.TrialKey == key ? found : null;
            string source = "finished run";
            if (record is not { Status: TrialStatus.Completed })
            {
                source = "run now";
                // As `ecg run`: checked for room and held against other runs before anything trains.
                var experimentDir = ExperimentRunner.ExperimentDirectory(e, options);
                OutputStorage.EnsureWritable(experimentDir);
                using var held = FolderLock.Acquire(experimentDir, $"ecg verify {specPath}");
                record = ExperimentRunner.Run(e, options, new ConsoleObserver()).Record;
            }
            var rows = Verifier.Check(e.Spec.Expect, record.MetricsTable);
            var table = new Table().Title(Markup.Escape($"{e.Spec.Name} trial {trial.Number} ({source}; {record.Protocol})"));
            table.AddColumn("metric").AddColumn("class").AddColumn("target").AddColumn("measured").AddColumn("tolerance").AddColumn("verdict").AddColumn("note");
            foreach (var r in rows)
            {
                allPass &= r.Pass;
                table.AddRow(r.Metric, r.Class ?? "", F(r.Target), F(r.Measured), Markup.Escape(r.Rule), r.Pass ? "pass" : "FAIL", Markup.Escape(r.Note ?? ""));
            }
            AnsiConsole.Write(table);
        }
        Console.WriteLine(allPass ? "verify: every expectation holds" : "verify: some expectations do not hold");
        return allPass ? ExitCodes.Success : ExitCodes.Incomplete;
    }

    private static string F(double? v) => v switch
    {
        null => "–",
        { } x when x == Math.Floor(x) && Math.Abs(x) >= 1000 => x.ToString("N0", CultureInfo.InvariantCulture),   // parameter counts
        { } x => x.ToString("0.0000", CultureInfo.InvariantCulture),
    };
}
