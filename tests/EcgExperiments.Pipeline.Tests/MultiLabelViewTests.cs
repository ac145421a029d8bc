using EcgExperiments.Pipeline.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace EcgExperiments.Pipeline.Tests;

/// <summary>
/// Views whose examples carry label sets: the Labels column (0/1 per label, slots named by the labels) in the schema
/// promised without data and in what cursors read, the rarest-label stratum in Label, label sets kept through subsets,
/// transforms, materialising and ML.NET's own views, and counts per label.
/// </summary>
public sealed class MultiLabelViewTests
{
    private static readonly string[] Labels = ["CD", "HYP", "MI", "NORM"];

    private static InMemoryDataView View()
    {
        bool[][] sets =
        [
            [false, false, false, true],   // NORM
            [true, false, true, false],    // CD + MI
            [false, true, false, false],   // HYP
            [false, false, false, false],  // no label
            [true, false, false, true],    // CD + NORM
            [false, false, true, true],    // MI + NORM
        ];
        var ids = Enumerable.Range(0, sets.Length).Select(i => $"r{i}").ToArray();
        var rows = Enumerable.Range(0, sets.Length).Select(i => Enumerable.Range(0, 2 * 8).Select(t => (float)(i * 100 + t)).ToArray()).ToArray();
        return new InMemoryDataView(new EcgSchema([2, 8], 100, Labels, ["I", "II"]) { MultiLabel = true }, ExampleIndex.ForLabelSets(ids, ids, sets), rows);
    }

    [Fact]
    public void Label_holds_the_rarest_label_of_each_example_and_counts_are_per_label()
    {
        var view = View();
        // counts: CD 2, HYP 1, MI 2, NORM 3
        Assert.Equal([3, 0, 1, -1, 0, 2], view.Index.Labels);
        Assert.Equal([2, 1, 2, 3], view.ClassCounts());
        Assert.True(view.IsMultiLabel);
        Assert.Equal(view.Index.LabelSets!, view.Targets());
    }

    [Fact]
    public void The_labels_column_is_in_the_promised_schema_and_cursors_read_it()
    {
        var view = View();
        var promised = view.Ecg.ToDataViewSchema();
        Assert.Equal(promised.Select(c => (c.Name, c.Type)), view.Schema.Select(c => (c.Name, c.Type)));
        var column = view.Schema[EcgColumns.Labels];
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 4), column.Type);
        VBuffer<ReadOnlyMemory<char>> slots = default;
        column.Annotations.GetValue(EcgColumns.SlotNamesAnnotation, ref slots);
        Assert.Equal(Labels, slots.DenseValues().Select(s => s.ToString()));
        Assert.True(EcgSchema.From(view.Schema).MultiLabel);
        Assert.Equal("[2 × 8] @ 100 Hz, labels [CD, HYP, MI, NORM] (multi-label)", view.Ecg.ToString());

        using var cursor = view.GetRowCursor([column, view.Schema[EcgColumns.Label]]);
        var getSet = cursor.GetGetter<VBuffer<float>>(column);
        var getKey = cursor.GetGetter<uint>(view.Schema[EcgColumns.Label]);
        VBuffer<float> set = default;
        uint key = 0;
        var read = new List<(float[] Set, uint Key)>();
        while (cursor.MoveNext())
        {
            getSet(ref set);
            getKey(ref key);
            read.Add((set.DenseValues().ToArray(), key));
        }
        Assert.Equal(view.Index.LabelSets!.Select(s => s.Select(b => b ? 1f : 0f).ToArray()), read.Select(r => r.Set));
        Assert.Equal(0u, read[3].Key);   // no label: a missing key
        Assert.Equal(4u, read[0].Key);   // NORM
    }

    [Fact]
    public void Label_sets_survive_subsets_transforms_materialising_and_foreign_views()
    {
        var view = View();
        var subset = view.Subset([5, 1, 3]);
        Assert.Equal([view.Index.LabelSets![5], view.Index.LabelSets[1], view.Index.LabelSets[3]], subset.Index.LabelSets!);

        var estimator = new MLContext(seed: 1).Transforms.Ecg().ZScore();
        var fitted = estimator.Fit(view);
        var transformed = EcgDataView.From(fitted.Transform(subset));
        Assert.True(transformed.Ecg.MultiLabel);
        Assert.Equal(subset.Index.LabelSets!, transformed.Index.LabelSets!);
        Assert.True(fitted.GetOutputSchema(view.Ecg).MultiLabel);
        Assert.Equal(subset.Index.LabelSets!, transformed.Materialize().Index.LabelSets!);

        // an ML.NET view of the same rows (a cache checkpoint) read back as an ECG view keeps the label sets
        var foreign = new MLContext(seed: 1).Data.Cache(view);
        var back = EcgDataView.From(foreign);
        Assert.Equal(view.Index.LabelSets!, back.Index.LabelSets!);
        Assert.Equal(view.Index.Labels, back.Index.Labels);
        Assert.Equal(view.ReadSignal(4), back.ReadSignal(4));
    }

    [Fact]
    public void Label_sets_of_the_wrong_width_are_refused()
    {
        var sets = new[] { new[] { true, false } };
        var e = Assert.Throws<SchemaException>(() => new InMemoryDataView(new EcgSchema([2], null, Labels), ExampleIndex.ForLabelSets(["a"], ["a"], sets), [[1f, 2f]]));
        Assert.Contains("2 flags but the schema names 4 labels", e.Message);
    }
}
