using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Pipeline.Transforms;
using EcgExperiments.Torch;
using EcgExperiments.Training;
using Microsoft.ML;

namespace EcgExperiments.Experiments.Prediction;

/// <summary>The shape of a view as a model file records it (the source's rows and the model's input).</summary>
public sealed record SchemaRecord(IReadOnlyList<long> ItemShape, double? SamplingRate, IReadOnlyList<string> ClassNames, IReadOnlyList<string>? LeadNames)
{
    /// <summary>True for label sets (multi-label); absent (null) for one class per example.</summary>
    public bool? MultiLabel { get; init; }

    public static SchemaRecord Of(EcgSchema s) => new(s.ItemShape, s.SamplingRate, s.ClassNames, s.LeadNames) { MultiLabel = s.MultiLabel ? true : null };
    public EcgSchema ToSchema() => new(ItemShape, SamplingRate, ClassNames, LeadNames) { MultiLabel = MultiLabel == true };
}

/// <summary>
/// What a model file holds besides its weights: enough to rebuild the fitted pipeline and the network in a fresh
/// process without the YAML, and to turn new records into the rows the model was trained on.
/// </summary>
public sealed record ModelManifest
{
    public const string FormatName = "ecg-model";
    /// <summary>Version 1: manifest.json + pipeline.json + network.ecgstate in a zip.</summary>
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public string CodeVersion { get; init; } = "";
    public DateTime CreatedUtc { get; init; }
    public required string Experiment { get; init; }
    public string? TrialKey { get; init; }
    public required TaskKind Task { get; init; }
    /// <summary>The registered model type and its options (YAML names).</summary>
    public required string ModelType { get; init; }
    public required JsonObject ModelOptions { get; init; }
    public required string ModelDescription { get; init; }
    /// <summary>The data source type and options the rows came from (how <c>ecg predict</c> turns records into rows).</summary>
    public required string DataType { get; init; }
    public required JsonObject DataOptions { get; init; }
    /// <summary>The source's rows (before the pipeline).</summary>
    public required SchemaRecord Input { get; init; }
    /// <summary>The network's input (after the pipeline).</summary>
    public required SchemaRecord ModelInput { get; init; }
    public int BatchSize { get; init; } = 64;
    /// <summary>Binary classifiers: threshold on p(positive); anomaly detectors: threshold on the raw score. Null = none chosen.</summary>
    public double? Threshold { get; init; }
    /// <summary>Binary and anomaly tasks: how the threshold was chosen.</summary>
    public DecisionThresholdRecord? ThresholdChoice { get; init; }
    /// <summary>Multi-label classifiers: the threshold of each label (in label order), chosen on validation.</summary>
    public IReadOnlyList<double>? Thresholds { get; init; }
}

/// <summary>How a decision threshold was chosen, for the predictions file and the manifest.</summary>
public sealed record DecisionThresholdRecord(string Rule, double Value, int ValidationCount);

/// <summary>
/// The framework's saved model: one zip holding <c>manifest.json</c> (versioned, <see cref="ModelManifest"/>),
/// <c>pipeline.json</c> (the fitted transforms) and <c>network.ecgstate</c> (the trained weights). ML.NET's own
/// <c>mlContext.Model.Save</c> cannot hold third-party components (its <c>ModelSaveContext</c> has no public writer),
/// so this is the framework's equivalent. Written atomically.
/// </summary>
/// <example><code>
/// using var model = EcgModelFile.Load("results/quickstart/3fd6b9b84c1b/model.ecgmodel");
/// var rows = model.Predict(EcgRecords.FromWfdb("my-record", model));
/// </code></example>
public static class EcgModelFile
{
    public const string FileName = "model.ecgmodel";

    public static void Save(string path, ModelManifest manifest, IEnumerable<ITransformer> pipeline, IEcgPredictor model)
    {
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var w = new StreamWriter(zip.CreateEntry("manifest.json").Open()))
                w.Write(JsonSerializer.Serialize(manifest, RunRecordFile.Json));
            using (var w = new StreamWriter(zip.CreateEntry("pipeline.json").Open()))
                w.Write(PipelineFile.Serialize(pipeline));
            using var s = zip.CreateEntry("network.ecgstate", CompressionLevel.Fastest).Open();
            StateFile.Save(s, model.Network.state_dict(), new Dictionary<string, string> { ["model"] = manifest.ModelDescription });
        });
    }

    /// <summary>Reads a model file; errors name the file and say what to do (e.g. a file from a newer version).</summary>
    public static EcgModel Load(string path, Device? device = null)
    {
        if (!File.Exists(path)) throw new EcgDataException("model file not found", path);
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException)
        {
            throw new EcgDataException("not a model file (not a zip archive); pass the model.ecgmodel of a run folder", path);
        }
        using (zip)
        {
            var manifestText = ReadEntry(zip, "manifest.json", path);
            JsonObject raw;
            try
            {
                raw = JsonNode.Parse(manifestText) as JsonObject ?? throw new JsonException("not an object");
            }
            catch (JsonException e)
            {
                throw new EcgDataException($"the model manifest is damaged: {e.Message}", path);
            }
            if (raw["format"]?.GetValue<string>() != ModelManifest.FormatName) throw new EcgDataException("not an ecg-model file", path);
            int version = raw["version"]?.GetValue<int>() ?? 0;
            if (version > ModelManifest.CurrentVersion)
                throw new EcgDataException($"this model file has format version {version}, newer than this build reads ({ModelManifest.CurrentVersion}); update the framework to use it", path);
            var manifest = raw.Deserialize<ModelManifest>(RunRecordFile.Json) ?? throw new EcgDataException("empty model manifest", path);
            if (!Components.Models.TryGet(manifest.ModelType, out var entry))
                throw new EcgDataException($"model type '{manifest.ModelType}' is not known to this build", path);
            var options = manifest.ModelOptions.Deserialize(entry.OptionsType, RunRecordFile.Json)!;
            var build = entry.Build(options);
            var pipeline = PipelineFile.Deserialize(ReadEntry(zip, "pipeline.json", path), $"{path}!pipeline.json");
            var modelInput = manifest.ModelInput.ToSchema();
            var network = build.CreateNetwork(modelInput);
            try
            {
                using var state = zip.GetEntry("network.ecgstate")?.Open() ?? throw new EcgDataException("the model file has no network.ecgstate", path);
                using var buffer = new MemoryStream();
                state.CopyTo(buffer);
                buffer.Position = 0;
                var (tensors, _) = StateFile.Load(buffer, $"{path}!network.ecgstate");
                try { network.load_state_dict(tensors); }
                finally { foreach (var t in tensors.Values) t.Dispose(); }
                var dev = device ?? Device.CPU;
                network.to(dev);
                network.eval();
                var predictor = build.Wrap(network, modelInput, dev, new PredictorSettings(manifest.BatchSize, manifest.Threshold));
                return new EcgModel(manifest, pipeline, predictor, path) { Kind = build.Kind };
            }
            catch
            {
                network.Dispose();
                throw;
            }
        }
    }

    private static string ReadEntry(ZipArchive zip, string name, string path)
    {
        var entry = zip.GetEntry(name) ?? throw new EcgDataException($"the model file has no {name}", path);
        using var r = new StreamReader(entry.Open());
        return r.ReadToEnd();
    }
}

/// <summary>
/// A loaded model: the fitted pipeline and the trained network as one ML.NET transformer chain. <see cref="Predict"/> is
/// the prediction-engine-style entry point: rows in (the source's shape), prediction columns out.
/// </summary>
public sealed class EcgModel(ModelManifest manifest, IReadOnlyList<EcgTransformerBase> pipeline, IEcgPredictor predictor, string path) : IDisposable
{
    public ModelManifest Manifest { get; } = manifest;
    public IReadOnlyList<EcgTransformerBase> Pipeline { get; } = pipeline;
    /// <summary>The trained network's predictor (a multi-label classifier with the per-label thresholds of its manifest).</summary>
    public IEcgPredictor Predictor { get; } =
        manifest.Thresholds is { } thresholds && predictor is ClassificationPredictor { IsMultiLabel: true } multiLabel ? multiLabel.WithThresholds(thresholds) : predictor;
    public string Path { get; } = path;

    /// <summary>What the network mostly computes (for the thread policy).</summary>
    public ComputeKind Kind { get; init; } = ComputeKind.Convolutional;

    /// <summary>The rows the model reads (the source's shape, rate and leads).</summary>
    public EcgSchema InputSchema => Manifest.Input.ToSchema();

    /// <summary>
    /// The fitted pipeline then the model, applied lazily; <paramref name="precision"/> bf16 runs the network's forward
    /// passes under autocast (the pipeline and the prediction columns stay float32).
    /// </summary>
    public PredictionView Predict(EcgDataView rows, Precision precision = Precision.Fp32)
    {
        Check(rows.Ecg);
        EcgDataView view = rows;
        foreach (var stage in Pipeline) view = stage.Transform(view);
        return Predictor.Transform(view, precision);
    }

    /// <summary>
    /// Throws <see cref="SchemaException"/> unless rows of <paramref name="rows"/> reach the network in the shape it was
    /// trained on (checked through the pipeline's own shape propagation, so a resample stage adapts other rates).
    /// </summary>
    public void Check(EcgSchema rows)
    {
        var trained = InputSchema;
        if (trained.LeadNames is { } leads && rows.LeadNames is { } given && !leads.SequenceEqual(given, StringComparer.OrdinalIgnoreCase)
            && rows.ItemShape.Count == 2)
            throw new SchemaException("model", $"the model was trained on leads [{string.Join(", ", leads)}]; these rows have [{string.Join(", ", given)}]");
        var s = rows;
        try
        {
            foreach (var stage in Pipeline) s = stage.GetOutputSchema(s);
        }
        catch (SchemaException e)
        {
            throw new SchemaException("model", $"rows of {rows.ShapeText}{Rate(rows)} do not fit the model's pipeline (trained on {trained.ShapeText}{Rate(trained)}): {e.Message}");
        }
        var wanted = Predictor.InputSchema;
        if (!s.ItemShape.SequenceEqual(wanted.ItemShape) || (wanted.SamplingRate is { } fs && s.SamplingRate is { } got && Math.Abs(fs - got) > 1e-9))
            throw new SchemaException("model",
                $"the model was trained on rows of {trained.ShapeText}{Rate(trained)}; these are {rows.ShapeText}{Rate(rows)}" +
                (trained.SamplingRate != rows.SamplingRate && !Pipeline.Any(p => p.Name == "resample") ? " and its pipeline has no resample stage: resample them first" : ""));
    }

    private static string Rate(EcgSchema s) => s.SamplingRate is { } fs ? $" at {fs:0.###} Hz" : "";

    public void Dispose() => Predictor.Dispose();
}
