using EcgExperiments.Pipeline.Transforms;
using EcgExperiments.Signals.Normalisation;

namespace EcgExperiments.Pipeline.Tests;

/// <summary>
/// One conformance suite for every transform (STYLE §5): the schema promised without data is the schema of the
/// transformed data, bad input fails with a SchemaException naming the stage, and save → load gives a transformer
/// with identical state and identical outputs. A new transform joins with one line in <see cref="Cases"/>.
/// </summary>
public sealed class TransformConformanceTests
{
    /// <summary>A transform, an input it accepts, and one it must reject.</summary>
    public sealed record Case(string Label, Func<IEstimator> Create, DataSchema Input, DataSchema BadInput)
    {
        public override string ToString() => Label;
    }

    private static readonly string[] Two = ["a", "b"];
    private static readonly string[] ThreeLeads = ["I", "II", "V5"];

    public static readonly Case[] All =
    [
        new("zscore", () => new ZScoreEstimator(new ZScoreOptions()), new DataSchema([3, 200], 100, Two, ThreeLeads), new DataSchema([0], 100, Two)),
        new("resample 500→100", () => new ResampleTransform(new ResampleOptions { TargetRate = 100 }), new DataSchema([2, 1000], 500, Two, ["I", "II"]), new DataSchema([1, 8, 8], null, Two)),
        new("resample 360→250", () => new ResampleTransform(new ResampleOptions { TargetRate = 250 }), new DataSchema([720], 360, Two), new DataSchema([720], null, Two)),
        new("interpolate", () => new InterpolateTransform(new InterpolateOptions { Length = 1000 }), new DataSchema([1, 187], 125, Two), new DataSchema([3, 4, 5], null, Two)),
        new("bandpass fir", () => new BandPassTransform(new BandPassOptions()), new DataSchema([1, 3600], 360, Two), new DataSchema([1, 200], 360, Two)),
        new("bandpass butterworth", () => new BandPassTransform(new BandPassOptions { Design = BandPassDesign.Butterworth, Order = 2, LowHz = 0.5, HighHz = 40 }),
            new DataSchema([2, 1000], 100, Two, ["I", "II"]), new DataSchema([2, 1000], 60, Two)),
        new("minmax", () => new MinMaxTransform(new MinMaxOptions()), new DataSchema([3, 200], 100, Two, ThreeLeads), new DataSchema([0], null, Two)),
        new("select_leads", () => new SelectLeadsTransform(new SelectLeadsOptions { Leads = ["V5", "I"] }), new DataSchema([3, 200], 100, Two, ThreeLeads),
            new DataSchema([3, 200], 100, Two, ["I", "II", "III"])),
        new("stft_image §2.2", () => new StftImageTransform(new StftImageOptions()), new DataSchema([1, 428], 360, Two, ["MLII"]), new DataSchema([3, 428], 360, Two, ThreeLeads)),
        new("stft_image §2.4 rgb", () => new StftImageTransform(new StftImageOptions { Recipe = SpectrogramRecipeName.B2iGan, Channels = 3 }),
            new DataSchema([320], 360, Two), new DataSchema([1, 100], 360, Two)),
        new("stft_image lead of 3", () => new StftImageTransform(new StftImageOptions { Lead = "II", NFft = 128, Window = 32, Hop = 8, Size = (32, 48), Scaling = ImageScaling.ZeroOne }),
            new DataSchema([3, 400], 360, Two, ThreeLeads), new DataSchema([1, 64, 64], null, Two)),
    ];

    public static TheoryData<Case> Cases() => new(All);

    private static DataView Data(DataSchema schema, int count = 6, int seed = 1)
    {
        var rng = new Random(seed);
        var examples = Enumerable.Range(0, count).Select(i =>
        {
            var v = new float[schema.ItemSize];
            for (int k = 0; k < v.Length; k++) v[k] = (float)(Math.Sin(0.05 * k * (1 + i)) + 0.3 * rng.NextDouble());
            return new Example($"e{i}", $"p{i}", v, i % schema.ClassNames.Count);
        }).ToList();
        return new DataView(schema, examples);
    }

    private static void AssertSameSchema(DataSchema expected, DataSchema actual)
    {
        Assert.Equal(expected.ItemShape, actual.ItemShape);
        Assert.Equal(expected.SamplingRate, actual.SamplingRate);
        Assert.Equal(expected.ClassNames, actual.ClassNames);
        Assert.Equal(expected.LeadNames, actual.LeadNames);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_schema_is_what_GetOutputSchema_promised(Case c)
    {
        var estimator = c.Create();
        var promised = estimator.GetOutputSchema(c.Input);
        var fitted = estimator.Fit(Data(c.Input));
        var output = fitted.Transform(Data(c.Input, seed: 2));
        AssertSameSchema(promised, output.Schema);
        AssertSameSchema(promised, fitted.GetOutputSchema(c.Input));
        Assert.All(output.Examples, e => Assert.Equal(promised.ItemSize, e.Values.Length));
        Assert.All(output.Examples, e => Assert.All(e.Values, v => Assert.True(float.IsFinite(v))));
        Assert.Equal(Data(c.Input).Examples.Select(e => (e.Id, e.Group, e.Label)), output.Examples.Select(e => (e.Id, e.Group, e.Label)));
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
        var fitted = c.Create().Fit(Data(c.Input));
        var state = fitted.SaveState();
        var loaded = TransformStates.Load(fitted.Name, (System.Text.Json.Nodes.JsonObject)state.DeepClone());
        Assert.Equal(fitted.Name, loaded.Name);
        Assert.Equal(state.ToJsonString(), loaded.SaveState().ToJsonString());
        var data = Data(c.Input, seed: 3);
        var a = fitted.Transform(data);
        var b = loaded.Transform(data);
        for (int i = 0; i < a.Count; i++) Assert.Equal(a.Examples[i].Values, b.Examples[i].Values);
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
}
