using System.CommandLine;
using EcgExperiments.Cli;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Torch;
using Spectre.Console;

var specArgument = new Argument<string?>("spec")
{
    Description = "experiment YAML file (default: experiments/quickstart.yaml)",
    Arity = ArgumentArity.ZeroOrOne,
};
var dryRun = new Option<bool>("--dry-run") { Description = "resolve the trial list and every stage's output shape without touching data" };
var device = new Option<string?>("--device") { Description = "cpu, cuda, cuda:N or auto (overrides the spec)" };
var threads = new Option<string?>("--threads") { Description = "libtorch threads: auto or a number (overrides the spec)" };
var epochs = new Option<int?>("--epochs") { Description = "override training.epochs (e.g. a quick smoke run)" };
var output = new Option<string?>("--output") { Description = "results root (overrides output.dir)" };
var retryFailed = new Option<bool>("--retry-failed") { Description = "sweeps: run trials again whose record says failed (completed trials are always skipped)" };

var run = new Command("run", "Run an experiment file (every trial of its sweep) and write metric tables and run records") { specArgument, dryRun, device, threads, epochs, output, retryFailed };
run.SetAction(p => Guarded(() => RunCommand(p.GetValue(specArgument), p.GetValue(dryRun), p.GetValue(retryFailed), new RunOptions
{
    Device = p.GetValue(device),
    Threads = p.GetValue(threads),
    Epochs = p.GetValue(epochs),
    OutputDirectory = p.GetValue(output),
})));

var validateSpec = new Argument<string>("spec") { Description = "experiment YAML file" };
var validate = new Command("validate", "Check an experiment file (schema, components, shapes) without running it") { validateSpec };
validate.SetAction(p => Guarded(() =>
{
    var e = SpecLoader.Load(p.GetValue(validateSpec)!);
    Console.WriteLine($"{e.File}: valid — {e.Spec.Name}, {e.Trace.Count - 1} pipeline stage(s), model {e.Model.Description}");
    return 0;
}));

var info = new Command("info", "Show the tensor engine, threads and devices this machine offers");
info.SetAction(_ => Guarded(() =>
{
    Console.WriteLine($"libtorch {torch.version}; threads {torch.get_num_threads()}; CUDA available: {torch.cuda.is_available()} ({torch.cuda.device_count()} device(s))");
    Console.WriteLine($"data root ({ProjectPaths.DataRootVariable}): {ProjectPaths.DataRoot}{(Directory.Exists(ProjectPaths.DataRoot) ? "" : " (missing)")}");
    return 0;
}));

if (Console.IsOutputRedirected) AnsiConsole.Profile.Capabilities.Ansi = false; // plain tables in logs and CI
var root = new RootCommand("EcgExperiments: declarative deep-learning experiments on ECGs") { run, validate, info, CardCommand.Create(Guarded), ReportCommand.Create(Guarded), ConvertCommand.Create(), VerifyCommand.Create(Guarded) };
return root.Parse(args).Invoke();

static int RunCommand(string? specPath, bool dry, bool retryFailed, RunOptions options)
{
    specPath ??= DefaultSpec();
    var trials = SpecLoader.LoadTrials(specPath);
    var e = trials[0].Experiment;
    if (dry)
    {
        PrintDryRun(trials, options);
        return 0;
    }
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, a) =>
    {
        if (cancel.IsCancellationRequested) return; // a second Ctrl-C ends the process
        a.Cancel = true;
        cancel.Cancel();
        Console.Error.WriteLine("\nstopping after the current batch; the partial run is recorded as interrupted (Ctrl-C again to abort)");
    };
    if (trials.Count == 1 && trials[0].Values.Count == 0)
    {
        var outcome = ExperimentRunner.Run(e, options, new ConsoleObserver(), cancel.Token);
        Summaries.Run(e, outcome);
        return outcome.Status == "completed" ? 0 : 130;
    }
    var outcomes = SweepRunner.Run(trials, options, new ConsoleObserver(), retryFailed, cancel.Token);
    Summaries.Sweep(e, outcomes, trials.Count);
    if (cancel.IsCancellationRequested) return 130;
    return outcomes.All(o => o.Status == "completed") ? 0 : 1;
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

static void PrintDryRun(IReadOnlyList<Trial> trials, RunOptions options)
{
    var e = trials[0].Experiment;
    Console.WriteLine($"{e.File}: {e.Spec.Name} — dry run (no data read)");
    Console.WriteLine($"  data:  {e.Source.Description}");
    foreach (var (stage, schema) in e.Trace) Console.WriteLine($"  {stage,-12} → {schema}");
    Console.WriteLine($"  model: {e.Model.Description} on {e.Trace[^1].schema.ShapeText}");
    Console.WriteLine($"  split: {e.Spec.Split.Kind} [{string.Join(", ", e.Spec.Split.Fractions)}] — {e.Spec.Split.Protocol}");
    Console.WriteLine($"  trials: {trials.Count}");
    foreach (var t in trials)
    {
        var s = t.Experiment.Spec;
        var values = t.Values.Count == 0 ? "" : "  " + string.Join(", ", t.Values.Select(v => $"{v.Key}={v.Value}"));
        Console.WriteLine($"    #{t.Number} {StableHash.Short(ExperimentRunner.TrialKey(t.Experiment, options))}  model {t.Experiment.Model.Description}, epochs {options.Epochs ?? s.Training.Epochs}, batch {s.Training.BatchSize}, lr {s.Training.LearningRate}{values}");
    }
}
static int Guarded(Func<int> body)
{
    try
    {
        return body();
    }
    catch (SpecException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
    catch (Exception e) when (e is EcgDataException or TorchException or ArgumentException or IOException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
    catch (TypeInitializationException e) when (e.InnerException is TorchException t)
    {
        // The native bridge could not be loaded (missing libtorch, missing or outdated build).
        Console.Error.WriteLine($"error: {t.Message}");
        return 1;
    }
}
