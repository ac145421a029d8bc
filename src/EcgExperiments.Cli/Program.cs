using System.CommandLine;
using EcgExperiments.Cli;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Running.Slurm;
using EcgExperiments.Experiments.Running.Workers;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Torch;
using Spectre.Console;

var specArgument = new Argument<string?>("spec")
{
    Description = "experiment YAML file (default: experiments/quickstart.yaml)",
    Arity = ArgumentArity.ZeroOrOne,
};
var dryRun = new Option<bool>("--dry-run") { Description = "resolve the trial list and every stage's output shape without touching data" };
var device = Flags.Device("--device", "cpu, cuda, cuda:N or auto (overrides the spec)");
var threads = Flags.Threads("--threads", "libtorch threads: auto or a number (overrides the spec)");
var epochs = Flags.Count("--epochs", "override training.epochs (e.g. a quick smoke run)");
var output = Flags.Folder("--output", "results root (overrides output.dir)");
var retryFailed = new Option<bool>("--retry-failed") { Description = "sweeps: run trials again whose record says failed (completed trials are always skipped)" };
var workers = new Option<string?>("--workers") { Description = "sweeps: trials at once, each in a worker process: auto (workers × threads per trial ≤ cores) or a number (overrides sweep.workers)" };
var trialTimeout = new Option<string?>("--trial-timeout") { Description = "sweeps: kill and record as failed a trial running longer than this (90, 45s, 30m, 1h30m; overrides sweep.trial_timeout)" };
var trialMemory = new Option<string?>("--trial-memory") { Description = "sweeps: kill and record as failed a trial whose resident memory exceeds this (512MiB, 4GiB; overrides sweep.trial_memory)" };
var isolation = new Option<string?>("--isolation") { Description = "sweeps: auto (in this process when 1 worker and no limits), process (always worker processes) or in_process" };
var launcher = new Option<string?>("--launcher") { Description = "sweeps: local (this machine) or slurm (each rung's pending trials as one Slurm job array; overrides sweep.launcher.type)" };
var force = new Option<bool>("--force") { Description = "run completed trials again (a completed folder is replaced only when the new run completes)" };
var checkpointEvery = new Option<string?>("--checkpoint-every") { Description = "save a resumable training checkpoint at an epoch end this often: a duration (30s, 5m), epoch or off (overrides output.checkpoint_every; default 1m)" };

var run = new Command("run", "Run an experiment file (every trial of its sweep) and write metric tables and run records")
{
    specArgument, dryRun, device, threads, epochs, output, retryFailed, force, workers, trialTimeout, trialMemory, isolation, launcher, checkpointEvery,
};
run.SetAction(p => Guarded(() => RunCommand(p.GetValue(specArgument), p.GetValue(dryRun), p.GetValue(retryFailed), p.GetValue(force), new RunOptions
{
    Device = p.GetValue(device),
    Threads = p.GetValue(threads),
    Epochs = p.GetValue(epochs),
    OutputDirectory = p.GetValue(output),
    CheckpointEvery = p.GetValue(checkpointEvery),
}, new SweepOverrides(p.GetValue(workers), p.GetValue(trialTimeout), p.GetValue(trialMemory), p.GetValue(isolation)) { Launcher = p.GetValue(launcher) })));

// Hidden: the worker side of a sweep. Runs exactly one trial of a spec (configuration N, at a tuner budget) with the
// sweep's run options and exits 0 completed, 3 failed (the run record says why), 130 interrupted, 2 spec error.
var trialSpec = new Argument<string>("spec") { Description = "experiment YAML file" };
var trialNumber = new Option<int>("--trial") { Description = "configuration number (1-based, as --dry-run lists them)", Required = true };
var trialBudget = new Option<int?>("--budget") { Description = "tuners: the value of the budget key for this rung" };
var trialKey = new Option<string?>("--expect-key") { Description = "refuse to run unless the trial resolves to this key (the spec changed since the sweep started)" };
var watchParent = new Option<bool>("--watch-parent") { Description = "stop when standard input closes (the sweep process has gone)" };
var trialDevice = new Option<string?>("--device");
var trialThreads = new Option<string?>("--threads");
var trialEpochs = new Option<int?>("--epochs");
var trialOutput = new Option<string?>("--output");
var trialCheckpoint = new Option<string?>("--checkpoint-every");
var trialTimeLimit = new Option<string?>("--time-limit") { Description = "cluster tasks: the trial's time limit; SIGUSR1 (Slurm's warning ahead of it) stops the trial after its batch and records it as failed for its time limit" };
var trial = new Command("trial", "Run one trial of a sweep (used by sweep worker processes and Slurm array tasks)")
{
    trialSpec, trialNumber, trialBudget, trialKey, watchParent, trialDevice, trialThreads, trialEpochs, trialOutput, trialTimeLimit, trialCheckpoint,
};
trial.Hidden = true;
trial.SetAction(p => Guarded(() => TrialCommand(p.GetValue(trialSpec)!, p.GetValue(trialNumber), p.GetValue(trialBudget), p.GetValue(trialKey), p.GetValue(watchParent), new RunOptions
{
    Device = p.GetValue(trialDevice),
    Threads = p.GetValue(trialThreads),
    Epochs = p.GetValue(trialEpochs),
    OutputDirectory = p.GetValue(trialOutput),
    CheckpointEvery = p.GetValue(trialCheckpoint),
}, p.GetValue(trialTimeLimit))));

var validateSpec = new Argument<string>("spec") { Description = "experiment YAML file" };
var validate = new Command("validate", "Check an experiment file (schema, components, shapes) without running it") { validateSpec };
validate.SetAction(p => Guarded(() =>
{
    // Every trial of the sweep is resolved, as `ecg run` would: a sweep value that does not resolve is an invalid file.
    var space = SpecLoader.LoadSweep(p.GetValue(validateSpec)!);
    var e = space.Trials[0].Experiment;
    var trials = space.Trials.Count > 1 ? $", {space.Trials.Count} trials" : "";
    Console.WriteLine($"{e.File}: valid — {e.Spec.Name}, {e.Trace.Count - 1} pipeline stage(s) → {e.ModelInput}, model {e.Model.Description} ({e.Task.Kind.Text()}){trials}");
    return 0;
}));

var info = new Command("info", "Show the tensor engine, threads and devices this machine offers");
info.SetAction(_ => Guarded(() =>
{
    Console.WriteLine($"libtorch {torch.version}; threads {torch.get_num_threads()}; CUDA available: {torch.cuda.is_available()} ({torch.cuda.device_count()} device(s))");
    Console.WriteLine($"data root ({ProjectPaths.DataRootVariable}): {ProjectPaths.DataRoot}{(Directory.Exists(ProjectPaths.DataRoot) ? "" : " (missing)")}");
    Console.WriteLine($"run index: SQLite {RunIndex.SqliteVersion()} (bundled)");
    return 0;
}));

if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Capabilities.Ansi = false; // plain tables in logs and CI
    AnsiConsole.Profile.Width = 160;               // a log is not an 80-column terminal: keep table rows on one line
}
var root = new RootCommand($"EcgExperiments: declarative deep-learning experiments on ECGs\n\n{ExitCodes.Table}")
{
    run, trial, validate, info, StatusCommand.Create(Guarded), IndexCommand.Create(Guarded), PredictCommand.Create(Guarded), CardCommand.Create(Guarded), ReportCommand.Create(Guarded), ConvertCommand.Create(), VerifyCommand.Create(Guarded),
};
return Flags.Invoke(root, args);

static int RunCommand(string? specPath, bool dry, bool retryFailed, bool forceAll, RunOptions options, SweepOverrides overrides)
{
    specPath ??= DefaultSpec();
    if (Flags.ThreadsWarning("--threads", options.Threads) is { } warning) Console.Error.WriteLine(warning);
    if (options.CheckpointEvery is { } every)
    {
        try { OutputSpec.ParseCheckpointEvery(every); }
        catch (FormatException bad) { throw new ArgumentException($"--checkpoint-every: {bad.Message}; or epoch or off"); }
    }
    var space = SpecLoader.LoadSweep(specPath);
    var settings = overrides.Apply(space.Settings);
    if (dry)
    {
        foreach (var line in DryRun.Describe(space, settings, options)) Console.WriteLine(line);
        return 0;
    }
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, a) =>
    {
        if (cancel.IsCancellationRequested) return; // a second Ctrl-C ends the process
        a.Cancel = true;
        cancel.Cancel();
        Console.Error.WriteLine("\nstopping after the current batch; the partial run is recorded as interrupted and the next `ecg run` resumes it from its last checkpoint (Ctrl-C again to abort)");
    };
    var execution = new SweepExecution
    {
        Settings = settings, RetryFailed = retryFailed, Force = forceAll, Worker = WorkerCommand.CurrentProcess(), Purpose = $"ecg run {specPath}",
    };
    var outcomes = SweepEngine.Run(space, options, execution, new ConsoleMonitor(), new ConsoleObserver(), cancel.Token);
    var e = space.Trials[0].Experiment;
    bool single = outcomes.Count == 1 && space.Configurations.Count == 1 && !settings.IsTuner;
    // A single trial that failed here is an error like any other: its message and exit code (bad data 3, the machine 4).
    if (single && outcomes[0] is { Status: TrialStatus.Failed, Skipped: false, Exception: { } failure })
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    if (single) Summaries.Run(e, outcomes[0]);
    else Summaries.Sweep(e, outcomes, settings.IsTuner ? SweepEngine.Prepare(space, settings, options).Tuner.Plan.Sum(r => r.Trials) : space.Trials.Count);
    if (cancel.IsCancellationRequested) return ExitCodes.Interrupted;
    return outcomes.All(o => o.Status == TrialStatus.Completed) ? ExitCodes.Success : ExitCodes.Incomplete;
}

static int TrialCommand(string specPath, int number, int? budget, string? expectKey, bool watchParent, RunOptions options, string? timeLimit)
{
    var limit = timeLimit is null ? (TimeSpan?)null : SweepSettings.ParseDuration(timeLimit);
    var space = SpecLoader.LoadSweep(specPath);
    if (number < 1 || number > space.Configurations.Count)
        throw new ArgumentException($"--trial {number}: {space.File} has configurations 1 to {space.Configurations.Count}");
    var t = space.Trial(number, budget);
    var key = ExperimentRunner.TrialKey(t.Experiment, options);
    if (expectKey is not null && key != expectKey)
        throw new ArgumentException($"trial {number} of {space.File} now resolves to key {StableHash.Short(key)}, not the sweep's {StableHash.Short(expectKey)}: the file or the code changed while the sweep ran");
    using var cancel = new CancellationTokenSource();
    // Ctrl-C reaches workers twice (from the terminal's process group and forwarded by the sweep): every one only asks the trial to stop.
    Console.CancelKeyPress += (_, a) =>
    {
        a.Cancel = true;
        cancel.Cancel();
    };
    var observer = new ConsoleObserver();
    if (watchParent) ParentWatch.Start(cancel, TimeSpan.FromSeconds(30), observer.Info);
    // A cluster task is warned ahead of its time limit: it stops after its batch and records the time-limit failure itself.
    using var warning = limit is { } l ? TimeLimitWarning.Listen(cancel, l, observer.Info) : null;
    var started = DateTime.UtcNow;
    try
    {
        var outcome = ExperimentRunner.Run(t.Experiment, options, observer, cancel.Token);
        if (warning?.Received == true && outcome.Status == TrialStatus.Interrupted)
        {
            warning.RecordFailure(t.Experiment, options, key, outcome, started);
            return 3;
        }
        return outcome.Status == TrialStatus.Completed ? 0 : 130;
    }
    catch (OperationCanceledException)
    {
        if (warning?.Received != true) return 130;
        warning.RecordFailure(t.Experiment, options, key, null, started);
        return 3;
    }
    catch (Exception ex) when (ex is not SpecException)
    {
        // The runner has written the failed record; the sweep reads the reason from it.
        Console.Error.WriteLine($"error: {ex.GetType().Name}: {ex.Message}");
        return 3;
    }
}

static string DefaultSpec()
{
    var candidates = new[]
    {
        Path.Combine(Directory.GetCurrentDirectory(), "experiments", "quickstart.yaml"),
        Path.Combine(ProjectPaths.RepositoryRoot ?? "", "experiments", "quickstart.yaml"),
        Path.Combine(AppContext.BaseDirectory, "experiments", "quickstart.yaml"),
    };
    return candidates.FirstOrDefault(File.Exists)
        ?? throw new SpecException(new SourceRef("experiments/quickstart.yaml", 0, 0, "(file)"), "no spec given and the default quick-start experiment was not found; pass a YAML file");
}

// Every command's failures go through the one error boundary (messages and exit codes: ErrorBoundary, ExitCodes).
static int Guarded(Func<int> body) => ErrorBoundary.Run(body);
