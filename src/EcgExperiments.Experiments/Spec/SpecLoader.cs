using EcgExperiments.Experiments.Sources;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Tasks;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EcgExperiments.Experiments.Spec;

/// <summary>One trial of a file: its number, the sweep values that define it, and the resolved experiment.</summary>
public sealed record Trial(int Number, IReadOnlyDictionary<string, string> Values, ResolvedExperiment Experiment);

/// <summary>An experiment with every component built and every stage's shape resolved, before any data is read.</summary>
public sealed record ResolvedExperiment(
    string File, ExperimentSpec Spec, IDataSource Source, IReadOnlyList<IEcgEstimator> Pipeline, ModelBuild Model,
    IReadOnlyList<(string Stage, EcgSchema Schema)> Trace, IReadOnlyDictionary<string, object> ComponentOptions,
    IReadOnlyList<string> ValidationMetrics)
{
    /// <summary>What the model's task does with its test split (a classifier on label sets: the multi-label task).</summary>
    public IExperimentTask Task => ExperimentTasks.For(Model.Task, ModelInput);

    /// <summary>The items the model takes: the pipeline's output.</summary>
    public EcgSchema ModelInput => Trace[^1].Schema;
}

/// <summary>Reads, binds and validates experiment files. Every error carries file:line:column and the key.</summary>
public static class SpecLoader
{
    /// <summary>Loads a file that declares one experiment (its sweep, if any, is ignored: see <see cref="LoadTrials"/>).</summary>
    public static ResolvedExperiment Load(string path)
    {
        var (root, binder) = Parse(path);
        var spec = binder.Bind<ExperimentSpec>(root, "");
        return Resolve(spec, binder, (YamlMappingNode)root);
    }

    /// <summary>
    /// The file's spec as written (parsed and bound, keys checked), without resolving its data or components: for
    /// readers that need only its declarations, e.g. a report reading the <c>expect:</c> block of a finished run.
    /// </summary>
    public static ExperimentSpec ReadSpec(string path)
    {
        var (root, binder) = Parse(path);
        return binder.Bind<ExperimentSpec>(root, "");
    }

    /// <summary>
    /// Every trial of a file: one per sweep combination (or the file itself without a sweep; tuners: each configuration
    /// at the full budget), each resolved and shape-checked before anything runs. A combination that does not resolve
    /// fails the whole sweep here, with the trial's values in the message.
    /// </summary>
    public static IReadOnlyList<Trial> LoadTrials(string path) => LoadSweep(path).Trials;

    /// <summary>The file's sweep: settings, configurations and a factory for trials at any tuner budget.</summary>
    public static SweepSpace LoadSweep(string path)
    {
        var (root, binder) = Parse(path);
        var spec = binder.Bind<ExperimentSpec>(root, "");
        // Trials submitted to a Slurm cluster run where its GPUs are: this machine checks their device's name only.
        bool onCluster = spec.Sweep?.Launcher?.Type == LauncherKind.Slurm;
        return SweepSpace.Create(spec, binder, (YamlMappingNode)root,
            (node, bound) => Resolve(bound ?? binder.Bind<ExperimentSpec>(node, ""), binder, node, onCluster));
    }

    private static (YamlNode root, YamlBinder binder) Parse(string path)
    {
        if (!File.Exists(path)) throw new SpecException(new SourceRef(path, 0, 0, "(file)"), "experiment file not found");
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), Path.GetFullPath(path));
        var display = relative.StartsWith("..", StringComparison.Ordinal) ? Path.GetFullPath(path) : relative;
        var size = new FileInfo(path).Length;
        if (size > YamlLimits.MaxFileBytes)
            throw new SpecException(new SourceRef(display, 1, 1, "(file)"),
                $"the file is {size / 1024.0 / 1024:0.0} MB; experiment files are limited to {YamlLimits.MaxFileBytes / 1024 / 1024} MB (is this the right file?)");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpecException(new SourceRef(display, 0, 0, "(file)"), $"cannot be read: {e.Message}");
        }
        if (text.Contains('\0'))
            throw new SpecException(new SourceRef(display, 1, 1, "(file)"), "is a binary file, not YAML text");
        // Syntax errors at their true line:column, and alias expansion bounded, before any node is built.
        YamlLimits.Check(text, display);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new SpecException(SourceRef.From(display, YamlLimits.Where(e), "(syntax)"), $"invalid YAML: {e.InnerException?.Message ?? e.Message}");
        }
        catch (InvalidOperationException)
        {
            // The representation model gives up without a position on some malformed documents; the
            // event parser still knows where it stopped.
            throw new SpecException(SourceRef.From(display, LastParsedMark(text), "(syntax)"),
                "invalid YAML: the document structure is broken here (an unclosed [ or {, or inconsistent indentation?)");
        }
        if (stream.Documents.Count == 0) throw new SpecException(new SourceRef(display, 1, 1, "(document)"), "the file is empty");
        var binder = new YamlBinder(display);
        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode) throw binder.Error(root, "(document)", "an experiment file is a mapping of sections (name:, data:, model:, …)");
        return (root, binder);
    }

    private static Mark LastParsedMark(string text)
    {
        var parser = new Parser(new StringReader(text));
        var last = Mark.Empty;
        try
        {
            while (parser.MoveNext()) last = parser.Current!.Start;
        }
        catch (YamlException e)
        {
            return e.Start;
        }
        catch (InvalidOperationException)
        {
            // The scanner failed past the last event it produced: report that event's position.
        }
        return last;
    }

    private static ResolvedExperiment Resolve(ExperimentSpec spec, YamlBinder binder, YamlMappingNode root, bool deviceOnCluster = false)
    {
        SpecException At(string key, string message) => binder.ErrorAt(root, key, message);

        if (string.IsNullOrWhiteSpace(spec.Name)) throw binder.Error(root, "name", "every experiment needs a `name:`");
        if (spec.Data is null) throw binder.Error(root, "data", "missing `data:` section (e.g. `data: { type: synthetic }`)");
        if (spec.Model is null) throw binder.Error(root, "model", "missing `model:` section (e.g. `model: { type: cnn2d }`)");
        CheckSplit(spec.Split, binder, root);
        try { spec.Training.Validate(); }
        catch (ArgumentException e) { throw At(KeyIn(e.Message, "training"), e.Message); }
        if (spec.Evaluation.ConfidenceLevel is <= 0 or >= 1)
            throw At("evaluation.confidence_level", $"must be in (0, 1), got {spec.Evaluation.ConfidenceLevel}");
        if (spec.Evaluation.BootstrapResamples < 0) throw At("evaluation.bootstrap_resamples", "must be ≥ 0");
        try { OutputSpec.ParseCheckpointEvery(spec.Output.CheckpointEvery); }
        catch (FormatException e) { throw At("output.checkpoint_every", $"{e.Message}; or `epoch` (after every epoch) or `off`"); }
        try { ThreadPolicy.Resolve(spec.Threads, ComputeKind.Convolutional); }
        catch (ArgumentException e) { throw At("threads", e.Message); }
        if (deviceOnCluster)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(spec.Device.Trim().ToLowerInvariant(), @"^(cpu|auto|cuda(:\d+)?)$"))
                throw At("device", $"unknown device '{spec.Device}': expected cpu, cuda, cuda:<index> or auto");
        }
        else
        {
            try { Device.Parse(spec.Device); }
            catch (ArgumentException e) { throw At("device", e.Message); }
        }

        for (int i = 0; i < spec.Expect.Count; i++)
        {
            var x = spec.Expect[i];
            if (string.IsNullOrWhiteSpace(x.Metric)) throw At("expect", $"expect[{i}].metric: every expectation names a metric, e.g. {{ metric: accuracy, target: 0.9853, tolerance: 0.005 }}");
            if (!(x.Tolerance >= 0)) throw At("expect", $"expect[{i}].tolerance must be ≥ 0, got {x.Tolerance}");
            if (x.Minimum is { } lo && x.Maximum is { } hi && lo > hi) throw At("expect", $"expect[{i}]: minimum {lo} is above maximum {hi}");
        }
        var options = new Dictionary<string, object>();
        var (source, sourceOptions) = Components.DataSources.Build(spec.Data, binder);
        options["data"] = sourceOptions;
        var estimators = new List<IEcgEstimator>();
        for (int i = 0; i < spec.Pipeline.Count; i++)
        {
            var (estimator, o) = Components.Transforms.Build(spec.Pipeline[i], binder);
            estimators.Add(estimator);
            options[$"pipeline[{i}]"] = o;
        }
        var (model, modelOptions) = Components.Models.Build(spec.Model, binder);
        options["model"] = modelOptions;

        IReadOnlyList<(string, EcgSchema)> trace;
        try
        {
            trace = EcgPipeline.Trace(estimators, source.Schema);
        }
        catch (SchemaException e)
        {
            int index = estimators.FindIndex(x => x.Name == e.Stage);
            var where = index >= 0 ? spec.Pipeline[index].Where : spec.Data.Where;
            throw new SpecException(where, e.Message);
        }
        var input = trace[^1].Item2;
        if (model.CheckInput(input) is { } problem)
            throw new SpecException(spec.Model.Where, $"model `{spec.Model.Type}` cannot take the pipeline's output {input.ShapeText}: {problem}");
        var task = ExperimentTasks.For(model.Task, input);
        var classes = source.Schema.ClassNames;
        if (task.Check(spec, input) is { } taskProblem)
            throw taskProblem.Key == "data" ? new SpecException(spec.Data.Where, taskProblem.Message) : At(taskProblem.Key, taskProblem.Message);
        if (spec.Training.Imbalance is { } imbalance)
        {
            if (model.Task != TaskKind.Classification)
                throw At("training.imbalance", $"imbalance strategies apply to classifiers; model `{spec.Model.Type}` solves the {model.Task.Text()} task");
            if ((input.MultiLabel ? imbalance.CheckMultiLabel(input.ClassNames) : imbalance.Check(classes)) is { } bad)
                throw At($"training.imbalance.{bad.Key}", bad.Message);
        }
        if (model.Task != TaskKind.Anomaly && spec.Split.Kind == SplitKind.AnomalyFolds)
            throw At("split.kind", $"anomaly_folds is the anomaly-detection protocol (SPEC §2.4); model `{spec.Model.Type}` solves the {model.Task.Text()} task");
        // The trainer is built without data (it holds options only) to learn what its validation reports.
        int normal = model.Task == TaskKind.Anomaly ? AnomalyTask.NormalClass(spec, input) : 0;
        var trainer = model.CreateTrainer(new TrainerContext(spec.Training, Device.CPU, spec.Seed, normal));
        IReadOnlyList<string> metrics = ["loss", .. trainer.ValidationMetrics(input)];
        if (!metrics.Contains(spec.Training.SelectBy, StringComparer.OrdinalIgnoreCase))
            throw At("training.select_by", $"'{spec.Training.SelectBy}' is not a validation metric of model `{spec.Model.Type}`{YamlBinder.Suggest(spec.Training.SelectBy, metrics)}; available: {string.Join(", ", metrics)}");
        if (model.Task == TaskKind.Anomaly && spec.Model.Type == "beatgan" && spec.Training.BatchSize < 2)
            throw At("training.batch_size", $"the GAN needs batches of ≥ 2 (batch norm), got {spec.Training.BatchSize}");
        return new ResolvedExperiment(binder.File, spec, source, estimators, model, trace, options, metrics);
    }

    /// <summary>The dotted key an option's message starts with (e.g. "training.epochs must be ≥ 1" → training.epochs), else <paramref name="fallback"/>.</summary>
    private static string KeyIn(string message, string fallback)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, @"\b(training(\.[a-z_0-9]+)+)");
        return m.Success ? m.Groups[1].Value : fallback;
    }

    private static void CheckSplit(SplitSpec split, YamlBinder binder, YamlMappingNode root)
    {
        SpecException At(string key, string message) => binder.ErrorAt(root, key, message);
        if (split.Kind == SplitKind.RandomStratified)
        {
            if (split.Fractions.Count != 3 || split.Fractions.Any(f => f < 0) || Math.Abs(split.Fractions.Sum() - 1) > 1e-6)
                throw At("split.fractions", $"needs three non-negative fractions (train, validation, test) summing to 1, got [{string.Join(", ", split.Fractions)}]");
            if (split.Fractions[0] == 0 || split.Fractions[2] == 0)
                throw At("split.fractions", "train and test fractions must be > 0");
        }
        if (split.Kind is SplitKind.Kfold or SplitKind.AnomalyFolds)
        {
            if (split.Folds < 2) throw At("split.folds", $"needs at least 2 folds, got {split.Folds}");
            if (split.Fold < 0 || split.Fold >= split.Folds) throw At("split.fold", $"must be in [0, {split.Folds - 1}] for {split.Folds} folds, got {split.Fold}");
            if (split.ValidationFraction is < 0 or >= 1) throw At("split.validation_fraction", $"must be in [0, 1), got {split.ValidationFraction}");
            if (split.AnomalyValidationFraction is < 0 or >= 1) throw At("split.anomaly_validation_fraction", $"must be in [0, 1), got {split.AnomalyValidationFraction}");
        }
    }
}
