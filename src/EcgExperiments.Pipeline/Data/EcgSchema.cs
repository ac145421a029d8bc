using Microsoft.ML;
using Microsoft.ML.Data;

namespace EcgExperiments.Pipeline;

/// <summary>
/// Column and annotation names of ECG data views. Every source and transform of the framework reads and writes the
/// <see cref="Signal"/> column in place; trainers add the prediction columns ML.NET's evaluators expect.
/// </summary>
public static class EcgColumns
{
    /// <summary>The ECG item: a known-size <c>Vector&lt;Single, …&gt;</c> whose dimensions are its shape ([leads, samples] or [channels, height, width]).</summary>
    public const string Signal = "Signal";
    /// <summary>The class: a key type whose key values (annotation <c>KeyValues</c>) are the class names.</summary>
    public const string Label = "Label";
    /// <summary>The patient (group) an example comes from: splits keep a group in one part.</summary>
    public const string Group = "Group";
    /// <summary>The example id, e.g. "00042" (PTB-XL ecg_id) or "208:1234" (MIT-BIH record:R sample).</summary>
    public const string Id = "Id";

    /// <summary>Classifiers: class probabilities (vector) for multi-class, the positive-class logit's probability for binary tasks; anomaly detectors: the anomaly score.</summary>
    public const string Score = "Score";
    /// <summary>Binary classifiers: the positive class's probability.</summary>
    public const string Probability = "Probability";
    /// <summary>Classifiers: the predicted class (key for multi-class, Boolean for binary).</summary>
    public const string PredictedLabel = "PredictedLabel";
    /// <summary>Reconstruction models: the reconstructed signal, shaped like <see cref="Signal"/>.</summary>
    public const string Reconstruction = "Reconstruction";

    /// <summary>
    /// Multi-label views: the label set of each example as a known-size <c>Vector&lt;Single, k&gt;</c> of 0/1, one slot per
    /// label (annotation <c>SlotNames</c> = the label names). <see cref="Label"/> then holds the example's rarest label
    /// (what splits stratify by), or a missing key for an example without labels.
    /// </summary>
    public const string Labels = "Labels";

    /// <summary>ML.NET's annotation naming the slots of a vector column.</summary>
    public const string SlotNamesAnnotation = "SlotNames";

    /// <summary>Annotation of <see cref="Signal"/>: the sampling rate in Hz (R8), absent for images.</summary>
    public const string SamplingRateAnnotation = "SamplingRate";
    /// <summary>Annotation of <see cref="Signal"/>: the lead names (vector of text), one per first dimension.</summary>
    public const string LeadNamesAnnotation = "LeadNames";
}

/// <summary>
/// The ECG part of a data view's <see cref="DataViewSchema"/>, read as one typed value: the item shape (the
/// dimensions of the <see cref="EcgColumns.Signal"/> vector type), the sampling rate and lead names (annotations
/// of that column) and the class names (key values of <see cref="EcgColumns.Label"/>). Everything here is known
/// before any data is read, so a pipeline's shapes can be traced in a dry run. A multi-label schema
/// (<see cref="MultiLabel"/>) calls its classes labels: an example carries any number of them, given by the
/// <see cref="EcgColumns.Labels"/> column.
/// </summary>
/// <example><code>
/// var schema = new EcgSchema([12, 1000], 100, ["NORM", "HYP"], PtbXlLeads);
/// DataViewSchema mlSchema = schema.ToDataViewSchema();   // Signal: Vector&lt;Single, 12, 1000&gt;, Label: Key&lt;UInt32, 0-1&gt;, Group, Id
/// EcgSchema again = EcgSchema.From(mlSchema);
/// </code></example>
public sealed record EcgSchema(IReadOnlyList<long> ItemShape, double? SamplingRate, IReadOnlyList<string> ClassNames, IReadOnlyList<string>? LeadNames = null)
{
    /// <summary>
    /// Examples carry label sets (any number of <see cref="ClassNames"/>, none included) rather than one class each: a
    /// multi-label task, one sigmoid per label. Views of such a schema have the <see cref="EcgColumns.Labels"/> column.
    /// </summary>
    public bool MultiLabel { get; init; }

    public long ItemSize => ItemShape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => $"[{string.Join(" × ", ItemShape)}]";

    public override string ToString() =>
        $"{ShapeText}{(SamplingRate is { } fs ? $" @ {fs:0.###} Hz" : "")}, {(MultiLabel ? "labels" : "classes")} [{string.Join(", ", ClassNames)}]" +
        (MultiLabel ? " (multi-label)" : "");

    /// <summary>Structural equality (records compare lists by reference).</summary>
    public bool SameAs(EcgSchema other) =>
        ItemShape.SequenceEqual(other.ItemShape) && SamplingRate == other.SamplingRate && ClassNames.SequenceEqual(other.ClassNames)
        && (LeadNames ?? []).SequenceEqual(other.LeadNames ?? []) && MultiLabel == other.MultiLabel;

    /// <summary>Columns every view of this schema has before any a derived view adds: Signal, Label, Group, Id and, multi-label, Labels.</summary>
    public int ColumnCount => MultiLabel ? 5 : 4;

    /// <summary>The ML.NET schema of a view with this item shape: Signal, Label, Group, Id.</summary>
    public DataViewSchema ToDataViewSchema()
    {
        var b = new DataViewSchema.Builder();
        AddColumns(b);
        return b.ToSchema();
    }

    /// <summary>Adds the Signal, Label, Group and Id columns (with annotations) to a schema builder, and Labels for a multi-label schema.</summary>
    public void AddColumns(DataViewSchema.Builder builder)
    {
        builder.AddColumn(EcgColumns.Signal, SignalType(), SignalAnnotations());
        builder.AddColumn(EcgColumns.Label, new KeyDataViewType(typeof(uint), Math.Max(1, ClassNames.Count)), KeyValues(ClassNames));
        builder.AddColumn(EcgColumns.Group, TextDataViewType.Instance);
        builder.AddColumn(EcgColumns.Id, TextDataViewType.Instance);
        if (MultiLabel)
            builder.AddColumn(EcgColumns.Labels, new VectorDataViewType(NumberDataViewType.Single, Math.Max(1, ClassNames.Count)), SlotNames(ClassNames));
    }

    /// <summary>A <c>SlotNames</c> annotation naming the slots of a vector column (ML.NET's convention).</summary>
    public static DataViewSchema.Annotations SlotNames(IReadOnlyList<string> names)
    {
        var a = new DataViewSchema.Annotations.Builder();
        a.Add(EcgColumns.SlotNamesAnnotation, new VectorDataViewType(TextDataViewType.Instance, Math.Max(1, names.Count)), TextGetter(names.Count == 0 ? [""] : names));
        return a.ToAnnotations();
    }

    /// <summary>The Signal column's type: Single with the item shape as dimensions.</summary>
    public VectorDataViewType SignalType() =>
        new(NumberDataViewType.Single, ItemShape.Select(d => checked((int)d)).ToArray());

    /// <summary>The Signal column's annotations: sampling rate and lead names, where known.</summary>
    public DataViewSchema.Annotations SignalAnnotations()
    {
        var a = new DataViewSchema.Annotations.Builder();
        if (SamplingRate is { } fs) a.Add(EcgColumns.SamplingRateAnnotation, NumberDataViewType.Double, (ref double v) => v = fs);
        if (LeadNames is { Count: > 0 } leads) a.Add(EcgColumns.LeadNamesAnnotation, new VectorDataViewType(TextDataViewType.Instance, leads.Count), TextGetter(leads));
        return a.ToAnnotations();
    }

    /// <summary>A <c>KeyValues</c> annotation holding class names, as ML.NET's key types carry them.</summary>
    public static DataViewSchema.Annotations KeyValues(IReadOnlyList<string> names)
    {
        var a = new DataViewSchema.Annotations.Builder();
        a.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, Math.Max(1, names.Count)), TextGetter(names.Count == 0 ? [""] : names));
        return a.ToAnnotations();
    }

    private static ValueGetter<VBuffer<ReadOnlyMemory<char>>> TextGetter(IReadOnlyList<string> values) =>
        (ref VBuffer<ReadOnlyMemory<char>> v) => v = new VBuffer<ReadOnlyMemory<char>>(values.Count, values.Select(s => s.AsMemory()).ToArray());

    /// <summary>
    /// Reads the ECG columns of any data view schema (ours, or one an ML.NET transform produced). The Signal column
    /// must be a known-size vector of Single; its dimensions give the item shape (a vector without dimensions is one
    /// long [size] item). Throws <see cref="SchemaException"/> naming <paramref name="stage"/> otherwise.
    /// </summary>
    public static EcgSchema From(DataViewSchema schema, string stage = "data")
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.GetColumnOrNull(EcgColumns.Signal) is not { } signal)
            throw new SchemaException(stage, $"the data has no '{EcgColumns.Signal}' column (columns: {string.Join(", ", schema.Select(c => c.Name))})");
        if (signal.Type is not VectorDataViewType { ItemType: NumberDataViewType } vt || vt.ItemType != NumberDataViewType.Single || !vt.IsKnownSize)
            throw new SchemaException(stage, $"column '{EcgColumns.Signal}' must be a known-size vector of Single, got {signal.Type}");
        IReadOnlyList<long> shape = vt.Dimensions.Length > 0 ? vt.Dimensions.Select(d => (long)d).ToArray() : [vt.Size];
        double? rate = null;
        if (signal.Annotations.Schema.GetColumnOrNull(EcgColumns.SamplingRateAnnotation) is { } r && r.Type == NumberDataViewType.Double)
        {
            double v = 0;
            signal.Annotations.GetValue(EcgColumns.SamplingRateAnnotation, ref v);
            rate = v;
        }
        IReadOnlyList<string>? leads = null;
        if (signal.Annotations.Schema.GetColumnOrNull(EcgColumns.LeadNamesAnnotation) is { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            signal.Annotations.GetValue(EcgColumns.LeadNamesAnnotation, ref names);
            leads = names.DenseValues().Select(m => m.ToString()).ToArray();
        }
        IReadOnlyList<string> classes = [];
        if (schema.GetColumnOrNull(EcgColumns.Label) is { } label && label.HasKeyValues())
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            label.GetKeyValues(ref names);
            classes = names.DenseValues().Select(m => m.ToString()).ToArray();
        }
        bool multiLabel = false;
        if (schema.GetColumnOrNull(EcgColumns.Labels) is { } labels)
        {
            if (labels.Type is not VectorDataViewType { ItemType: NumberDataViewType } lt || lt.ItemType != NumberDataViewType.Single || lt.Size != Math.Max(1, classes.Count))
                throw new SchemaException(stage, $"column '{EcgColumns.Labels}' must be a vector of {classes.Count} Single values (0/1 per label), got {labels.Type}");
            multiLabel = true;
        }
        return new EcgSchema(shape, rate, classes, leads) { MultiLabel = multiLabel };
    }
}

/// <summary>A pipeline stage cannot accept its input (raised by shape propagation, before any data is touched).</summary>
public sealed class SchemaException(string stage, string message) : Exception($"stage `{stage}`: {message}")
{
    public string Stage { get; } = stage;
}
