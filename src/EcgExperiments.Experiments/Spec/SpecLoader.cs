using EcgExperiments.Experiments.Sources;
using EcgExperiments.Pipeline;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EcgExperiments.Experiments.Spec;

/// <summary>One trial of a file: its number, the sweep values that define it, and the resolved experiment.</summary>
public sealed record Trial(int Number, IReadOnlyDictionary<string, string> Values, ResolvedExperiment Experiment);

/// <summary>An experiment with every component built and every stage's shape resolved, before any data is read.</summary>
public sealed record ResolvedExperiment(
    string File, ExperimentSpec Spec, IDataSource Source, EstimatorChain Pipeline, ModelBuild Model,
    IReadOnlyList<(string stage, DataSchema schema)> Trace, IReadOnlyDictionary<string, object> ComponentOptions);

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
        return SweepSpace.Create(spec, binder, (YamlMappingNode)root,
            (node, bound) => Resolve(bound ?? binder.Bind<ExperimentSpec>(node, ""), binder, node));
    }

    private static (YamlNode root, YamlBinder binder) Parse(string path)
    {
        if (!File.Exists(path)) throw new SpecException(new SourceRef(path, 0, 0, "(file)"), "experiment file not found");
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), Path.GetFullPath(path));
        var display = relative.StartsWith("..", StringComparison.Ordinal) ? Path.GetFullPath(path) : relative;
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new SpecException(SourceRef.From(display, e.Start, "(syntax)"), $"invalid YAML: {e.InnerException?.Message ?? e.Message}");
        }
        catch (InvalidOperationException)
        {
            // The representation model gives up without a position on some malformed documents; the
            // event parser still knows where it stopped.
            throw new SpecException(SourceRef.From(display, LastParsedMark(path), "(syntax)"),
                "invalid YAML: the document structure is broken here (an unclosed [ or {, or inconsistent indentation?)");
        }
        if (stream.Documents.Count == 0) throw new SpecException(new SourceRef(display, 1, 1, "(document)"), "the file is empty");
        var binder = new YamlBinder(display);
        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode) throw binder.Error(root, "(document)", "an experiment file is a mapping of sections (name:, data:, model:, …)");
        return (root, binder);
    }

    private static Mark LastParsedMark(string path)
    {
        var parser = new Parser(new StringReader(File.ReadAllText(path)));
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

    private static ResolvedExperiment Resolve(ExperimentSpec spec, YamlBinder binder, YamlMappingNode root)
    {
        YamlNode At(string key) => root.Children.FirstOrDefault(p => ((YamlScalarNode)p.Key).Value == key).Value ?? root;

        if (string.IsNullOrWhiteSpace(spec.Name)) throw binder.Error(root, "name", "every experiment needs a `name:`");
        if (spec.Data is null) throw binder.Error(root, "data", "missing `data:` section (e.g. `data: { type: synthetic }`)");
        if (spec.Model is null) throw binder.Error(root, "model", "missing `model:` section (e.g. `model: { type: cnn2d }`)");
        CheckSplit(spec.Split, binder, At("split"));
        try { spec.Training.Validate(); }
        catch (ArgumentException e) { throw binder.Error(At("training"), "training", e.Message); }
        if (spec.Evaluation.ConfidenceLevel is <= 0 or >= 1)
            throw binder.Error(At("evaluation"), "evaluation.confidence_level", $"must be in (0, 1), got {spec.Evaluation.ConfidenceLevel}");
        if (spec.Evaluation.BootstrapResamples < 0)
            throw binder.Error(At("evaluation"), "evaluation.bootstrap_resamples", "must be ≥ 0");
        try { EcgExperiments.Training.ThreadPolicy.Resolve(spec.Threads, EcgExperiments.Training.ComputeKind.Convolutional); }
        catch (ArgumentException e) { throw binder.Error(At("threads"), "threads", e.Message); }

        for (int i = 0; i < spec.Expect.Count; i++)
        {
            var x = spec.Expect[i];
            if (string.IsNullOrWhiteSpace(x.Metric)) throw binder.Error(At("expect"), $"expect[{i}].metric", "every expectation names a metric, e.g. { metric: accuracy, target: 0.9853, tolerance: 0.005 }");
            if (!(x.Tolerance >= 0)) throw binder.Error(At("expect"), $"expect[{i}].tolerance", $"must be ≥ 0, got {x.Tolerance}");
            if (x.Minimum is { } lo && x.Maximum is { } hi && lo > hi) throw binder.Error(At("expect"), $"expect[{i}]", $"minimum {lo} is above maximum {hi}");
        }
        var options = new Dictionary<string, object>();
        var (source, sourceOptions) = Components.DataSources.Build(spec.Data, binder);
        options["data"] = sourceOptions;
        var estimators = new List<IEstimator>();
        for (int i = 0; i < spec.Pipeline.Count; i++)
        {
            var (estimator, o) = Components.Transforms.Build(spec.Pipeline[i], binder);
            estimators.Add(estimator);
            options[$"pipeline[{i}]"] = o;
        }
        var (model, modelOptions) = Components.Models.Build(spec.Model, binder);
        options["model"] = modelOptions;

        var chain = new EstimatorChain(estimators);
        IReadOnlyList<(string, DataSchema)> trace;
        try
        {
            trace = chain.Trace(source.Schema);
        }
        catch (SchemaException e)
        {
            int index = estimators.FindIndex(x => x.Name == e.Stage);
            var where = index >= 0 ? spec.Pipeline[index].Where : spec.Data.Where;
            throw new SpecException(where, e.Message);
        }
        if (model.CheckInput(trace[^1].Item2) is { } problem)
            throw new SpecException(spec.Model.Where, $"model `{spec.Model.Type}` cannot take the pipeline's output {trace[^1].Item2.ShapeText}: {problem}");
        var classes = source.Schema.ClassNames;
        if (model.Task != "classification" && (spec.Training.ClassWeights is not null || spec.Training.Imbalance is not null))
            throw binder.Error(At("training"), spec.Training.Imbalance is not null ? "training.imbalance" : "training.class_weights",
                $"imbalance settings apply to classifiers; model `{spec.Model.Type}` solves the {model.Task} task");
        if (model.Task == "anomaly")
        {
            if (classes.Count < 2) throw new SpecException(spec.Data.Where, $"an anomaly detector needs a normal class and at least one other, the data has [{string.Join(", ", classes)}]");
            if (spec.Evaluation.NormalClass is { } nc && !classes.Contains(nc, StringComparer.OrdinalIgnoreCase))
                throw binder.Error(At("evaluation"), "evaluation.normal_class", $"'{nc}' is not a class of the data [{string.Join(", ", classes)}]");
        }
        else if (spec.Split.Kind == SplitKind.AnomalyFolds)
            throw binder.Error(At("split"), "split.kind", $"anomaly_folds is the anomaly-detection protocol (SPEC §2.4); model `{spec.Model.Type}` solves the {model.Task} task");
        if (spec.Training.Imbalance is { } imb && ImbalanceCheck(imb, classes.Count) is { } bad)
            throw binder.Error(At("training"), $"training.imbalance.{bad.key}", bad.message);
        if (spec.Training.ClassWeights is { } cw && cw.Count != source.Schema.ClassNames.Count)
            throw binder.Error(At("training"), "training.class_weights",
                $"lists {cw.Count} weights but the data has {source.Schema.ClassNames.Count} classes [{string.Join(", ", source.Schema.ClassNames)}]");
        return new ResolvedExperiment(binder.File, spec, source, chain, model, trace, options);
    }

    /// <summary>Imbalance settings whose length or range must match the data's classes (checked before any data is read).</summary>
    private static (string key, string message)? ImbalanceCheck(EcgExperiments.Training.Imbalance.ImbalanceOptions o, int classCount)
    {
        string Classes(int n) => $"{n} value(s) but the data has {classCount} classes";
        if (o.ClassWeights is { } w && w.Count != classCount) return ("class_weights", Classes(w.Count));
        if (o.FocalAlpha is { } a && a.Count != classCount && !(classCount == 2 && a.Count == 1))
            return ("focal_alpha", $"{Classes(a.Count)} (give one α per class, or one α for the positive class of a binary task)");
        if (o.CostMatrix is { } m && (m.Count != classCount || m.Any(r => r.Count != classCount)))
            return ("cost_matrix", $"must be {classCount} × {classCount} (rows: true class, columns: predicted), got {m.Count} row(s)");
        if ((o.FalseNegativeCost is not null || o.FalsePositiveCost is not null) && classCount != 2)
            return ("false_negative_cost", $"FN/FP costs need a binary task; with {classCount} classes give a cost_matrix");
        return null;
    }

    private static void CheckSplit(SplitSpec split, YamlBinder binder, YamlNode node)
    {
        if (split.Kind == SplitKind.RandomStratified)
        {
            if (split.Fractions.Count != 3 || split.Fractions.Any(f => f < 0) || Math.Abs(split.Fractions.Sum() - 1) > 1e-6)
                throw binder.Error(node, "split.fractions", $"needs three non-negative fractions (train, validation, test) summing to 1, got [{string.Join(", ", split.Fractions)}]");
            if (split.Fractions[0] == 0 || split.Fractions[2] == 0)
                throw binder.Error(node, "split.fractions", "train and test fractions must be > 0");
        }
        if (split.Kind is SplitKind.Kfold or SplitKind.AnomalyFolds)
        {
            if (split.Folds < 2) throw binder.Error(node, "split.folds", $"needs at least 2 folds, got {split.Folds}");
            if (split.Fold < 0 || split.Fold >= split.Folds) throw binder.Error(node, "split.fold", $"must be in [0, {split.Folds - 1}] for {split.Folds} folds, got {split.Fold}");
            if (split.ValidationFraction is < 0 or >= 1) throw binder.Error(node, "split.validation_fraction", $"must be in [0, 1), got {split.ValidationFraction}");
            if (split.AnomalyValidationFraction is < 0 or >= 1) throw binder.Error(node, "split.anomaly_validation_fraction", $"must be in [0, 1), got {split.AnomalyValidationFraction}");
        }
    }
}
