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
/// finished run when one exists for the trial key and running the trial otherwise. <c>ecg verify results/reference</c> (a
/// folder) re-checks committed reference runs without training anything: each against its spec's expectations and its
/// trial key against the current code's. Exits 1 when any check fails or a reference is stale.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(Func<Func<int>, int> guarded)
    {
        var spec = new Argument<string>("spec") { Description = "experiment YAML file with an expect: block, or a folder of reference runs (e.g. results/reference)" };
        var output = Flags.Folder("--output", "results root (overrides output.dir)");
        var device = Flags.Device("--device", "device for trials that still have to run");
        var epochs = Flags.Count("--epochs", "override training.epochs (a shorter reproduction; part of the trial key)");
        var command = new Command("verify", "Check a spec's results against the published metrics in its expect: block (runs missing trials)") { spec, output, device, epochs };
        command.SetAction(p => guarded(() => Directory.Exists(p.GetValue(spec)) ? VerifyReferences(p.GetValue(spec)!) : Verify(p.GetValue(spec)!, new RunOptions { OutputDirectory = p.GetValue(output), Device = p.GetValue(device), Epochs = p.GetValue(epochs) })));
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
            foreach (var r in rows)
            {
                allPass &= r.AsExpected;
            }
            AnsiConsole.Write(Table($"{e.Spec.Name} trial {trial.Number} ({source}; {record.Protocol})", rows));
        }
        Console.WriteLine(allPass ? "verify: every expectation holds" : "verify: some expectations do not hold");
        return allPass ? ExitCodes.Success : ExitCodes.Incomplete;
    }

    private static int VerifyReferences(string root)
    {
        var experiments = Path.Combine(ProjectPaths.RepositoryRoot ?? Directory.GetCurrentDirectory(), "experiments");
        var checks = ReferenceRuns.Check(root, experiments);
        var training = ReferenceRuns.InProgress(root, experiments);
        if (checks.Count == 0 && training.Count == 0) throw new ArgumentException($"{root} holds no run records (run.json); reference runs are written by `ecg run <spec> --output {ReferenceRuns.Folder}`");
        foreach (var c in checks)
        {
            var title = $"{c.Record.Experiment} ({Path.GetFileName(c.RunDirectory)}; {c.Record.Protocol}; code {c.Record.CodeVersion})";
            if (c.Rows.Count > 0) AnsiConsole.Write(Table(title, c.Rows));
            else Console.WriteLine($"{title}: no expect: block (kept as evidence); {(c.Problem is null ? "current" : "see below")}");
            if (c.Problem is not null) AnsiConsole.MarkupLineInterpolated($"[red]{c.Problem}[/]");
        }
        foreach (var t in training)
        {
            var c = t.Checkpoint;
            Console.WriteLine($"{Path.GetFileName(t.ExperimentDirectory)} ({StableHash.Short(c.Key)}): in progress, {c.Describe()}" +
                              (t.Problem is null ? $"; `ecg run experiments/{Path.GetFileName(t.SpecFile)} --output {ReferenceRuns.Folder}` resumes it" : ""));
            if (t.Problem is not null) AnsiConsole.MarkupLineInterpolated($"[red]{t.Problem}[/]");
        }
        int bad = checks.Count(c => !c.Ok) + training.Count(t => t.Problem is not null);
        var inProgress = training.Count > 0 ? $", {training.Count} in progress" : "";
        Console.WriteLine(bad == 0 ? $"verify: {checks.Count} reference run(s) current, every expectation as recorded{inProgress}"
            : $"verify: {bad} of {checks.Count + training.Count} reference run(s) stale or off their expectations{inProgress}");
        return bad == 0 ? ExitCodes.Success : ExitCodes.Incomplete;
    }

    private static Table Table(string title, IReadOnlyList<VerifyRow> rows)
    {
        var table = new Table().Title(Markup.Escape(title));
        table.AddColumn("metric").AddColumn("class").AddColumn("target").AddColumn("measured").AddColumn("tolerance").AddColumn("verdict").AddColumn("note");
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Metric), Markup.Escape(r.Class ?? ""), F(r.Target), F(r.Measured), Markup.Escape(r.Rule), Markup.Escape(r.Verdict),
                Markup.Escape(r.KnownMiss ?? r.Note ?? ""));
        return table;
    }

    private static string F(double? v) => v switch
    {
        null => "–",
        { } x when x == Math.Floor(x) && Math.Abs(x) >= 1000 => x.ToString("N0", CultureInfo.InvariantCulture),   // parameter counts
        { } x => x.ToString("0.0000", CultureInfo.InvariantCulture),
    };
}
