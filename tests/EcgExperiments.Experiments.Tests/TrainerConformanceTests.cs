using EcgExperiments.Experiments.Prediction;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Models;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;
using EcgExperiments.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace EcgExperiments.Experiments.Tests;

/// <summary>
/// The one conformance test every registered model passes, as every transform passes its own: the trainer is an ML.NET
/// estimator whose fitted predictor adds exactly the columns <c>GetOutputSchema</c> promised (checked on the schema,
/// before data), rejects items of the wrong shape before reading a row, and survives the model file — a reloaded model
/// gives bit-identical predictions. Each model gets the smallest input its registration accepts and one epoch.
/// </summary>
public sealed class TrainerConformanceTests
{
    public sealed record Case(string Model, long[] Shape, string[] Classes, string[]? Leads = null, object? Options = null)
    {
        public override string ToString() => $"{Model} {string.Join("×", Shape)}";
    }

    private static readonly string[] TwelveLeads = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"];

    public static TheoryData<Case> Cases() =>
    [
        // the quick start's lead × time CNN (the published defaults need ≥ 151 × 151 images and a minute an epoch)
        new Case("cnn2d", [12, 120], ["NORM", "HYP"], Options: new Cnn2dOptions { Widths = [8, 16], Kernel = 9, KernelHeight = 3, Padding = (1, 0), Pool = (2, 4), SqueezeExcitation = true }),
        new Case("resnet1d", [3, 200], ["A", "B", "C"]),
        new Case("lstm", [2, 40], ["A", "B", "C"]),
        new Case("stft_cnn", [3, 64, 64], ["N", "S", "V", "F", "Q"]),
        new Case("stft_cnn", [1, 64, 64], ["N", "S", "V", "F", "Q"], Options: new StftCnnOptions { InputChannels = 3 }),
        new Case("bilstm_attention", [12, 32], [], TwelveLeads),
        new Case("lstm_ae", [1, 140], ["normal", "anomaly"]),
        new Case("transformer_ae", [1, 140], ["normal", "anomaly"]),
        new Case("beatgan", [1, 320], ["normal", "anomaly"]),
    ];

    /// <summary>Rows whose class shifts the mean, so every model has something to learn in one epoch.</summary>
    private static EcgDataView Data(Case c, int count, int seed)
    {
        var schema = new EcgSchema(c.Shape, 100, c.Classes, c.Leads);
        var rng = new Random(seed);
        int classes = Math.Max(1, c.Classes.Length);
        var examples = new List<EcgExample>();
        for (int i = 0; i < count; i++)
        {
            int label = i % classes;
            var v = new float[schema.ItemSize];
            for (int k = 0; k < v.Length; k++) v[k] = (float)(0.5 * Math.Sin(k * 0.3) + 0.3 * label + 0.2 * (rng.NextDouble() - 0.5));
            examples.Add(new EcgExample($"e{i}", $"p{i}", v, label));
        }
        return InMemoryDataView.Create(schema, examples);
    }

    private static (ModelBuild build, object options) Build(Case c)
    {
        Assert.True(Components.Models.TryGet(c.Model, out var entry), $"model '{c.Model}' is not registered");
        var options = c.Options ?? Activator.CreateInstance(entry.OptionsType)!;
        return (entry.Build(options), options);
    }

    private static IEcgPredictor Train(ModelBuild build, EcgDataView train, EcgDataView validation)
    {
        var trainer = build.CreateTrainer(new TrainerContext(new TrainingOptions { Epochs = 1, BatchSize = 8 }, Device.CPU, 7, 0));
        Assert.IsAssignableFrom<IEstimator<ITransformer>>(trainer);
        return trainer.Train(train, validation).Model;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fitted_predictor_adds_the_promised_columns_and_refuses_wrong_items_before_data(Case c)
    {
        var (build, _) = Build(c);
        var train = Data(c, 24, 1);
        Assert.Null(build.CheckInput(train.Ecg));
        var wrong = new EcgSchema([2, 3, 4, 5], 100, c.Classes, null);
        Assert.NotNull(build.CheckInput(wrong));

        using var predictor = Train(build, train, Data(c, 16, 2));
        var promised = predictor.GetOutputSchema(train.Schema);
        var view = predictor.Transform(train);
        Assert.Equal(Describe(promised), Describe(view.Schema));
        foreach (var column in predictor.PredictionColumns)
            Assert.Contains(column.Name, promised.Select(s => s.Name));
        var values = view.ReadAll();
        foreach (var column in predictor.PredictionColumns)
        {
            Assert.Equal(train.Count * column.Width, values[column.Name].Length);
            Assert.All(values[column.Name], v => Assert.True(float.IsFinite(v), $"{c.Model}: non-finite {column.Name}"));
        }

        // An item of another shape is refused on the schema alone: the view below has no readable rows at all.
        var badSchema = new EcgSchema([5, 7], 100, c.Classes, c.Leads is null ? null : ["I", "II", "III", "aVR", "aVL"]);
        var bad = new UnreadableView(badSchema, new ExampleIndex(["x"], ["x"], [0]));
        var e = Assert.ThrowsAny<Exception>(() => predictor.Transform(bad));
        Assert.True(e is SchemaException or ArgumentException or InvalidOperationException, $"{c.Model}: {e.GetType().Name}: {e.Message}");
        Assert.IsNotType<RowsReadException>(e);
        Assert.ThrowsAny<Exception>(() => predictor.GetOutputSchema(bad.Schema));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Model_file_round_trip_predicts_bit_identically(Case c)
    {
        var (build, options) = Build(c);
        var train = Data(c, 24, 3);
        var test = Data(c, 11, 4);
        using var predictor = Train(build, train, test);
        var before = predictor.Transform(test).ReadAll();

        var dir = Directory.CreateTempSubdirectory("ecg-conformance-");
        try
        {
            var path = Path.Combine(dir.FullName, EcgModelFile.FileName);
            var manifest = new ModelManifest
            {
                Experiment = "conformance",
                Task = build.Task,
                ModelType = c.Model,
                ModelOptions = ExperimentRunner.OptionsJson(options),
                ModelDescription = build.Description,
                DataType = "npy",
                DataOptions = [],
                Input = SchemaRecord.Of(test.Ecg),
                ModelInput = SchemaRecord.Of(test.Ecg),
                BatchSize = ((PredictorBase)predictor).BatchSize,
            };
            EcgModelFile.Save(path, manifest, [], predictor);
            using var loaded = EcgModelFile.Load(path);
            Assert.Equal(build.Task, loaded.Manifest.Task);
            var after = loaded.Predict(test).ReadAll();
            Assert.Equal(before.Keys.Order(), after.Keys.Order());
            foreach (var (name, values) in before)
                Assert.True(values.SequenceEqual(after[name]), $"{c.Model}: column {name} differs after the round trip");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Every_registered_model_has_a_conformance_case()
    {
        var covered = ((IEnumerable<object[]>)Cases()).Select(row => ((Case)row[0]).Model).ToHashSet();
        var missing = Components.Models.Entries.Select(e => e.Name).Where(n => !covered.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"models without a conformance case: {string.Join(", ", missing)}");
    }

    private static string Describe(DataViewSchema schema) =>
        string.Join("; ", schema.Select(col => $"{col.Name}:{col.Type}"));

    private sealed class RowsReadException() : Exception("a row was read");

    /// <summary>A view whose rows cannot be read: a check that touches data fails with <see cref="RowsReadException"/>.</summary>
    private sealed class UnreadableView(EcgSchema schema, ExampleIndex index) : EcgDataView(schema, index)
    {
        public override void ReadSignals(ReadOnlySpan<int> rows, Span<float> destination) => throw new RowsReadException();
    }
}
