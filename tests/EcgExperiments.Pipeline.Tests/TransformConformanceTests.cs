using EcgExperiments.Pipeline.Transforms;
using EcgExperiments.Signals.Normalisation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace EcgExperiments.Pipeline.Tests;

/// <summary>
/// One conformance suite for every transform (STYLE §5), as ML.NET components: the ECG schema and the ML.NET
/// <see cref="DataViewSchema"/> promised without data are those of the transformed view; ML.NET's coarse
/// <see cref="SchemaShape"/> check passes for a good input; a cursor reads the same values as the batched read; bad input
/// fails with a SchemaException naming the stage; save → load gives identical state and outputs; the estimator holds
/// options only (refitting is idempotent). A new transform joins with one line in <see cref="All"/>.
/// </summary>
public sealed class TransformConformanceTests
{
    /// <summary>A transform, an input it accepts, and one it must reject.</summary>
    public sealed record Case(string Label, Func<IEcgEstimator> Create, EcgSchema Input, EcgSchema BadInput)
    {
        public override string ToString() => Label;
    }

    private static readonly string[] Two = ["a", "b"];
    private static readonly string[] ThreeLeads = ["I", "II", "V5"];
    private static readonly EcgTransformsCatalog Ecg = new MLContext(seed: 1).Transforms.Ecg();

    public static readonly Case[] All =
    [
        new("zscore", () => Ecg.ZScore(), new EcgSchema([3, 200], 100, Two, ThreeLeads), new EcgSchema([0], 100, Two)),
        new("resample 500→100", () => Ecg.Resample(100), new EcgSchema([2, 1000], 500, Two, ["I", "II"]), new EcgSchema([1, 8, 8], null, Two)),
        new("resample 360→250", () => Ecg.Resample(250), new EcgSchema([720], 360, Two), new EcgSchema([720], null, Two)),
        new("interpolate", () => Ecg.Interpolate(1000), new EcgSchema([1, 187], 125, Two), new EcgSchema([3, 4, 5], null, Two)),
        new("bandpass fir", () => Ecg.BandPass(3, 45), new EcgSchema([1, 3600], 360, Two), new EcgSchema([1, 200], 360, Two)),
        new("bandpass butterworth", () => Ecg.BandPass(new BandPassOptions { Design = BandPassDesign.Butterworth, Order = 2, LowHz = 0.5, HighHz = 40 }),
            new EcgSchema([2, 1000], 100, Two, ["I", "II"]), new EcgSchema([2, 1000], 60, Two)),
        new("minmax", () => Ecg.MinMax(), new EcgSchema([3, 200], 100, Two, ThreeLeads), new EcgSchema([0], null, Two)),
        new("select_leads", () => Ecg.SelectLeads("V5", "I"), new EcgSchema([3, 200], 100, Two, ThreeLeads), new EcgSchema([3, 200], 100, Two, ["I", "II", "III"])),
        new("stft_image §2.2", () => Ecg.StftImage(), new EcgSchema([1, 428], 360, Two, ["MLII"]), new EcgSchema([3, 428], 360, Two, ThreeLeads)),
        new("stft_image §2.4 rgb", () => Ecg.StftImage(SpectrogramRecipeName.B2iGan, channels: 3), new EcgSchema([320], 360, Two), new EcgSchema([1, 100], 360, Two)),
        new("stft_image lead of 3", () => Ecg.StftImage(new StftImageOptions { Lead = "II", NFft = 128, Window = 32, Hop = 8, Size = (32, 48), Scaling = ImageScaling.ZeroOne }),
            new EcgSchema([3, 400], 360, Two, ThreeLeads), new EcgSchema([1, 64, 64], null, Two)),
    ];

    public static TheoryData<Case> Cases() => new(All);

    private static InMemoryDataView Data(EcgSchema schema, int count = 6, int seed = 1)
    {
        var rng = new Random(seed);
        var rows = Enumerable.Range(0, count).Select(i =>
        {
            var v = new float[schema.ItemSize];
            for (int k = 0; k < v.Length; k++) v[k] = (float)(Math.Sin(0.05 * k * (1 + i)) + 0.3 * rng.NextDouble());
            return v;
        }).ToList();
        var ids = Enumerable.Range(0, count).Select(i => $"e{i}").ToArray();
        return new InMemoryDataView(schema, new ExampleIndex(ids, ids.Select(i => "p" + i).ToArray(), Enumerable.Range(0, count).Select(i => i % schema.ClassNames.Count).ToArray()), rows);
    }

    private static float[][] Rows(EcgDataView view) => Enumerable.Range(0, view.Count).Select(view.ReadSignal).ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_schema_is_what_GetOutputSchema_promised(Case c)
    {
        var estimator = c.Create();
        var promised = estimator.GetOutputSchema(c.Input);
        var fitted = (EcgTransformerBase)estimator.AsEstimator().Fit(Data(c.Input));
        var output = fitted.Transform(Data(c.Input, seed: 2));
        Assert.True(promised.SameAs(output.Ecg), $"promised {promised}, got {output.Ecg}");
        Assert.True(promised.SameAs(fitted.GetOutputSchema(c.Input)));
        // ML.NET's schema of the view: the dimensions, rate, lead and class names travel in types and annotations.
        var mlSchema = fitted.GetOutputSchema(Data(c.Input).Schema);
        Assert.True(promised.SameAs(EcgSchema.From(mlSchema)));
        Assert.Equal(promised.ItemSize, ((VectorDataViewType)output.Schema[EcgColumns.Signal].Type).Size);
        Assert.All(Rows(output), v => Assert.All(v, x => Assert.True(float.IsFinite(x))));
        var input = Data(c.Input);
        Assert.Equal(input.Index.Ids, output.Index.Ids);
        Assert.Equal(input.Index.Labels, output.Index.Labels);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_cursor_reads_what_the_batched_read_gives(Case c)
    {
        var output = ((EcgTransformerBase)c.Create().AsEstimator().Fit(Data(c.Input))).Transform(Data(c.Input, seed: 4));
        var expected = Rows(output);
        using var cursor = output.GetRowCursor(output.Schema);
        var signal = cursor.GetGetter<VBuffer<float>>(output.Schema[EcgColumns.Signal]);
        var label = cursor.GetGetter<uint>(output.Schema[EcgColumns.Label]);
        var id = cursor.GetGetter<ReadOnlyMemory<char>>(output.Schema[EcgColumns.Id]);
        VBuffer<float> values = default;
        uint key = 0;
        ReadOnlyMemory<char> text = default;
        int row = 0;
        while (cursor.MoveNext())
        {
            signal(ref values);
            label(ref key);
            id(ref text);
            Assert.Equal(expected[row], values.DenseValues().ToArray());
            Assert.Equal((uint)output.Index.Labels[row] + 1, key);
            Assert.Equal(output.Index.Ids[row], text.ToString());
            row++;
        }
        Assert.Equal(output.Count, row);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MlNet_shape_check_accepts_the_input_and_keeps_the_signal_column(Case c)
    {
        var shape = SchemaShapeOf(Data(c.Input));
        var output = c.Create().AsEstimator().GetOutputSchema(shape);
        var signal = Assert.Single(output, col => col.Name == EcgColumns.Signal);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, signal.Kind);
        Assert.Equal(NumberDataViewType.Single, signal.ItemType);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_fails_before_data_with_the_stage_named(Case c)
    {
        var estimator = c.Create();
        var e = Assert.Throws<SchemaException>(() => estimator.GetOutputSchema(c.BadInput));
        Assert.Equal(estimator.Name, e.Stage);
        Assert.StartsWith($"stage `{estimator.Name}`: ", e.Message);
        Assert.True(e.Message.Length > $"stage `{estimator.Name}`: ".Length + 15, $"message too terse: {e.Message}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Save_then_load_gives_identical_state_and_outputs(Case c)
    {
        var fitted = (EcgTransformerBase)c.Create().AsEstimator().Fit(Data(c.Input));
        var state = fitted.SaveState();
        var loaded = TransformStates.Load(fitted.Name, (System.Text.Json.Nodes.JsonObject)state.DeepClone());
        Assert.Equal(fitted.Name, loaded.Name);
        Assert.Equal(state.ToJsonString(), loaded.SaveState().ToJsonString());
        var data = Data(c.Input, seed: 3);
        Assert.Equal(Rows(fitted.Transform(data)), Rows(loaded.Transform(data)));
        Assert.Throws<NotSupportedException>(() => ((ICanSaveModel)fitted).Save(null!));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Refitting_gives_the_same_transformer(Case c)
    {
        var estimator = c.Create().AsEstimator();
        var first = (EcgTransformerBase)estimator.Fit(Data(c.Input));
        var second = (EcgTransformerBase)estimator.Fit(Data(c.Input));
        Assert.Equal(first.SaveState().ToJsonString(), second.SaveState().ToJsonString());
    }

    [Fact]
    public void Every_loadable_transform_has_a_conformance_case()
    {
        var covered = All.Select(c => c.Create().Name).ToHashSet();
        var missing = TransformStates.Names.Where(n => !covered.Contains(n)).ToArray();
        Assert.True(missing.Length == 0, $"transforms without a conformance case: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Unknown_saved_stage_names_the_known_ones()
    {
        var e = Assert.Throws<SchemaException>(() => TransformStates.Load("fourier", []));
        Assert.Contains("stft_image", e.Message);
    }

    /// <summary>
    /// ML.NET's own transforms compose in the same chain: band-pass → ML.NET's per-slot mean-variance normaliser → STFT
    /// image. The normaliser sees our Signal column as an ordinary Single vector; the next stage reads its output back as
    /// an ECG view (the normaliser keeps the dimensions, drops the rate, which the image stage does not need).
    /// </summary>
    [Fact]
    public void An_MLNet_built_in_transform_composes_between_ECG_stages()
    {
        var ml = new MLContext(seed: 1);
        var schema = new EcgSchema([1, 428], 360, Two, ["MLII"]);
        var train = Data(schema, count: 12);
        var pipeline = ml.Transforms.Ecg().BandPass(3, 45)
            .Append(ml.Transforms.NormalizeMeanVariance(EcgColumns.Signal, fixZero: false))
            .Append(ml.Transforms.Ecg().StftImage());
        var fitted = pipeline.Fit(train);
        var output = EcgDataView.From(fitted.Transform(Data(schema, count: 5, seed: 7)));
        Assert.Equal([1L, 64, 64], output.Ecg.ItemShape);
        Assert.Equal(5, output.Count);
        // The normaliser really ran: its per-slot statistics make the image differ from the chain without it.
        var without = EcgDataView.From(ml.Transforms.Ecg().BandPass(3, 45).Append(ml.Transforms.Ecg().StftImage()).Fit(train).Transform(Data(schema, count: 5, seed: 7)));
        Assert.NotEqual(Rows(without)[0], Rows(output)[0]);
        // Fitted on the training rows only: normalised training signals have mean ≈ 0 per slot.
        var normalised = EcgDataView.From(ml.Transforms.NormalizeMeanVariance(EcgColumns.Signal, fixZero: false).Fit(train).Transform(train));
        var rows = Rows(normalised);
        Assert.InRange(Enumerable.Range(0, rows.Length).Average(r => rows[r][100]), -1e-4, 1e-4);
    }

    /// <summary>The SchemaShape ML.NET hands an estimator for a view (captured from a chain's own call).</summary>
    internal static SchemaShape SchemaShapeOf(IDataView data)
    {
        var probe = new ShapeProbe();
        try { new EstimatorChain<ITransformer>().Append(probe).Fit(data); }
        catch (InvalidOperationException) { }
        return probe.Seen ?? throw new InvalidOperationException("ML.NET did not ask for the shape");
    }

    private sealed class ShapeProbe : IEstimator<ITransformer>
    {
        public SchemaShape? Seen { get; private set; }
        public ITransformer Fit(IDataView input) => throw new InvalidOperationException("probe only");
        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => Seen = inputSchema;
    }
}
