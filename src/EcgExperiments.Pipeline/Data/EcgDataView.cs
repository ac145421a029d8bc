using Microsoft.ML;
using Microsoft.ML.Data;

namespace EcgExperiments.Pipeline;

/// <summary>
/// Per-example metadata an <see cref="EcgDataView"/> keeps in memory: ids, patient groups and class labels, and for
/// multi-label data each example's label set. It is small next to the signals (109,494 MIT-BIH beats: a few MB) and is
/// what splits, samplers and evaluators need without reading a single sample.
/// </summary>
/// <example><code>
/// var single = new ExampleIndex(ids, patients, classOfEach);
/// var multi = ExampleIndex.ForLabelSets(ids, patients, [[true, false, true], [false, false, false]]);   // labels 0 and 2; none
/// </code></example>
public sealed class ExampleIndex
{
    public ExampleIndex(IReadOnlyList<string> ids, IReadOnlyList<string> groups, IReadOnlyList<int> labels)
        : this(ids, groups, labels, null)
    {
    }

    /// <param name="ids">Example ids.</param>
    /// <param name="groups">Patient (group) of each example.</param>
    /// <param name="labels">Class index of each example; for multi-label data its rarest label, −1 when it has none.</param>
    /// <param name="labelSets">Multi-label data: each example's labels as one flag per label (all of the same length); null otherwise.</param>
    public ExampleIndex(IReadOnlyList<string> ids, IReadOnlyList<string> groups, IReadOnlyList<int> labels, IReadOnlyList<bool[]>? labelSets)
    {
        if (ids.Count != groups.Count || ids.Count != labels.Count)
            throw new ArgumentException($"ids ({ids.Count}), groups ({groups.Count}) and labels ({labels.Count}) must have one entry per example");
        if (labelSets is not null)
        {
            if (labelSets.Count != ids.Count) throw new ArgumentException($"label sets ({labelSets.Count}) must have one entry per example ({ids.Count})");
            if (labelSets.Count > 0 && labelSets.Any(s => s.Length != labelSets[0].Length))
                throw new ArgumentException("every label set must have one flag per label");
        }
        Ids = ids;
        Groups = groups;
        Labels = labels;
        LabelSets = labelSets;
    }

    public IReadOnlyList<string> Ids { get; }
    public IReadOnlyList<string> Groups { get; }
    /// <summary>Class index per example (0-based; ML.NET key value − 1). Multi-label: the example's rarest label, −1 for none.</summary>
    public IReadOnlyList<int> Labels { get; }
    /// <summary>Multi-label data: one flag per label for each example; null for single-label data.</summary>
    public IReadOnlyList<bool[]>? LabelSets { get; }
    public int Count => Ids.Count;

    public static ExampleIndex Empty { get; } = new([], [], []);

    /// <summary>
    /// A multi-label index. Each example's <see cref="Labels"/> entry is its rarest label (fewest examples here; the
    /// lowest index on ties), or −1 without labels: stratifying a split by it keeps rare labels in every part, the
    /// first step of iterative stratification.
    /// </summary>
    public static ExampleIndex ForLabelSets(IReadOnlyList<string> ids, IReadOnlyList<string> groups, IReadOnlyList<bool[]> labelSets)
    {
        ArgumentNullException.ThrowIfNull(labelSets);
        int k = labelSets.Count == 0 ? 0 : labelSets[0].Length;
        var counts = new int[k];
        foreach (var set in labelSets)
            for (int l = 0; l < Math.Min(k, set.Length); l++) if (set[l]) counts[l]++;
        var primary = labelSets.Select(set =>
        {
            int best = -1;
            for (int l = 0; l < Math.Min(k, set.Length); l++)
                if (set[l] && (best < 0 || counts[l] < counts[best])) best = l;
            return best;
        }).ToArray();
        return new ExampleIndex(ids, groups, primary, labelSets);
    }

    public ExampleIndex Subset(IReadOnlyList<int> rows) =>
        new(rows.Select(i => Ids[i]).ToArray(), rows.Select(i => Groups[i]).ToArray(), rows.Select(i => Labels[i]).ToArray(),
            LabelSets is { } sets ? rows.Select(i => sets[i]).ToArray() : null);
}

/// <summary>
/// An ML.NET <see cref="IDataView"/> of ECG examples with random access to its rows. Columns: <see cref="EcgColumns.Signal"/>
/// (a known-size vector whose dimensions are the item shape, sampling rate and lead names as annotations),
/// <see cref="EcgColumns.Label"/> (key type, class names as key values), <see cref="EcgColumns.Group"/> and
/// <see cref="EcgColumns.Id"/> (text). The metadata (<see cref="Index"/>) lives in memory; signal values are read
/// on demand through <see cref="ReadSignals"/> — by a source from its files, by a transformed view from its input —
/// so a view holds all its samples in memory only when a stage asks for it (<see cref="Materialize"/>).
/// Cursors read the signal column in blocks and only when it is active, so a pass over labels and groups (a split)
/// reads no samples.
/// </summary>
/// <example><code>
/// EcgDataView data = source.Load();                 // lazy: reads records as rows are visited
/// var train = data.Subset(trainRows);               // no copy
/// using var cursor = train.GetRowCursor(train.Schema);
/// var signal = cursor.GetGetter&lt;VBuffer&lt;float&gt;&gt;(train.Schema[EcgColumns.Signal]);
/// </code></example>
public abstract class EcgDataView : IDataView
{
    private DataViewSchema? _schema;

    protected EcgDataView(EcgSchema ecg, ExampleIndex index)
    {
        ArgumentNullException.ThrowIfNull(ecg);
        ArgumentNullException.ThrowIfNull(index);
        // The index decides: a view whose examples carry label sets is multi-label, whatever schema a transform handed on.
        if (index.LabelSets is { Count: > 0 } sets && sets[0].Length != ecg.ClassNames.Count)
            throw new SchemaException("data", $"label sets have {sets[0].Length} flags but the schema names {ecg.ClassNames.Count} labels [{string.Join(", ", ecg.ClassNames)}]");
        Ecg = ecg.MultiLabel == index.LabelSets is not null ? ecg : ecg with { MultiLabel = index.LabelSets is not null };
        Index = index;
    }

    /// <summary>The item shape, sampling rate, lead and class names (the typed reading of <see cref="Schema"/>).</summary>
    public EcgSchema Ecg { get; }

    public ExampleIndex Index { get; }

    public int Count => Index.Count;

    public DataViewSchema Schema => _schema ??= BuildSchema();

    private DataViewSchema BuildSchema()
    {
        var b = new DataViewSchema.Builder();
        Ecg.AddColumns(b);
        foreach (var c in ExtraColumns) b.AddColumn(c.Name, c.Type, c.Annotations);
        return b.ToSchema();
    }

    /// <summary>Columns a derived view adds after Signal, Label, Group and Id (e.g. a model's Score), computed by <see cref="ComputeExtra"/>.</summary>
    protected virtual IReadOnlyList<ComputedColumn> ExtraColumns => [];

    /// <summary>Block size of <see cref="ComputeExtra"/>: cursors compute extra columns for this many consecutive rows at a time.</summary>
    protected virtual int ExtraBlock => 64;

    /// <summary>Fills <paramref name="outputs"/>[c] ([rows × width of column c]) for the extra columns.</summary>
    protected virtual void ComputeExtra(ReadOnlySpan<int> rows, float[][] outputs) =>
        throw new NotSupportedException($"{GetType().Name} adds no columns");

    /// <summary>Bytes the signal values of every row take as float32.</summary>
    public long SignalBytes => Count * Ecg.ItemSize * sizeof(float);

    public bool CanShuffle => true;

    public long? GetRowCount() => Count;

    /// <summary>
    /// Writes the signal values of <paramref name="rows"/> into <paramref name="destination"/>, row after row
    /// (<see cref="EcgSchema.ItemSize"/> values each, row-major in the item shape). Safe to call from several threads.
    /// </summary>
    public abstract void ReadSignals(ReadOnlySpan<int> rows, Span<float> destination);

    /// <summary>The signal values of one row.</summary>
    public float[] ReadSignal(int row)
    {
        var values = new float[Ecg.ItemSize];
        ReadSignals([row], values);
        return values;
    }

    /// <summary>Class index per row.</summary>
    public int[] Labels() => Index.Labels.ToArray();

    /// <summary>True when the rows carry label sets (<see cref="ExampleIndex.LabelSets"/>).</summary>
    public bool IsMultiLabel => Index.LabelSets is not null;

    /// <summary>Each row's label set (one flag per label); single-label rows as one-hot sets.</summary>
    public bool[][] Targets()
    {
        if (Index.LabelSets is { } sets) return sets.Select(s => s.ToArray()).ToArray();
        int k = Ecg.ClassNames.Count;
        return Index.Labels.Select(l =>
        {
            var t = new bool[k];
            if (l >= 0) t[l] = true;
            return t;
        }).ToArray();
    }

    /// <summary>Examples per class, in class order (multi-label: examples carrying each label, so an example may count several times).</summary>
    public int[] ClassCounts()
    {
        var counts = new int[Ecg.ClassNames.Count];
        if (Index.LabelSets is { } sets)
        {
            foreach (var set in sets)
                for (int l = 0; l < set.Length; l++) if (set[l]) counts[l]++;
            return counts;
        }
        foreach (var l in Index.Labels) counts[l]++;
        return counts;
    }

    /// <summary>The rows given, in that order, without copying signals.</summary>
    public virtual EcgDataView Subset(IReadOnlyList<int> rows) => new SubsetDataView(this, rows);

    /// <summary>The same rows under another item shape of the same size (e.g. [1 × T] → [T]).</summary>
    public EcgDataView Reshape(params long[] shape) =>
        Ecg.ItemShape.SequenceEqual(shape) ? this : new ReshapedDataView(this, Ecg with { ItemShape = shape });

    /// <summary>
    /// Every row's signal read once into memory (a cache checkpoint, like ML.NET's <c>AppendCacheCheckpoint</c>):
    /// later passes cost no reading or recomputation. Reads in blocks, so a lazy view computes its rows in parallel.
    /// </summary>
    public virtual InMemoryDataView Materialize(CancellationToken cancel = default)
    {
        var rows = new float[Count][];
        int block = (int)Math.Clamp((16L << 20) / Math.Max(1, Ecg.ItemSize * sizeof(float)), 1, 4096);
        var buffer = new float[Math.Min(block, Math.Max(1, Count)) * Ecg.ItemSize];
        var ids = new int[block];
        for (int start = 0; start < Count; start += block)
        {
            cancel.ThrowIfCancellationRequested();
            int n = Math.Min(block, Count - start);
            for (int i = 0; i < n; i++) ids[i] = start + i;
            ReadSignals(ids.AsSpan(0, n), buffer.AsSpan(0, (int)(n * Ecg.ItemSize)));
            for (int i = 0; i < n; i++) rows[start + i] = buffer.AsSpan((int)(i * Ecg.ItemSize), (int)Ecg.ItemSize).ToArray();
        }
        return new InMemoryDataView(Ecg, Index, rows);
    }

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = new bool[Schema.Count];
        foreach (var c in columnsNeeded) active[c.Index] = true;
        int[]? order = null;
        if (rand is not null)
        {
            order = Enumerable.Range(0, Count).ToArray();
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = rand.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return new Cursor(this, active, order);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>
    /// The ECG view of any data view: itself when it is one, otherwise its rows read once through a cursor (an ML.NET
    /// transform in the chain hands back its own view). Needs a Signal column of known-size Single vectors; Label (a
    /// key type), Group and Id (text) are used when present (missing ids become the row number).
    /// </summary>
    public static EcgDataView From(IDataView view, string stage = "data")
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view is EcgDataView ecg) return ecg;
        var schema = EcgSchema.From(view.Schema, stage);
        var signalColumn = view.Schema[EcgColumns.Signal];
        var label = view.Schema.GetColumnOrNull(EcgColumns.Label);
        if (label is { } l && (l.Type is not KeyDataViewType || l.Type.RawType != typeof(uint)))
            throw new SchemaException(stage, $"column '{EcgColumns.Label}' must be a UInt32 key type (class names as key values), got {l.Type}");
        var group = view.Schema.GetColumnOrNull(EcgColumns.Group) is { Type: TextDataViewType } g ? g : (DataViewSchema.Column?)null;
        var id = view.Schema.GetColumnOrNull(EcgColumns.Id) is { Type: TextDataViewType } d ? d : (DataViewSchema.Column?)null;
        var labelSet = schema.MultiLabel ? view.Schema[EcgColumns.Labels] : (DataViewSchema.Column?)null;
        var needed = new List<DataViewSchema.Column> { signalColumn };
        if (label is { } lc) needed.Add(lc);
        if (group is { } gc) needed.Add(gc);
        if (id is { } ic) needed.Add(ic);
        if (labelSet is { } sc) needed.Add(sc);
        var rows = new List<float[]>();
        var ids = new List<string>();
        var groups = new List<string>();
        var labels = new List<int>();
        var sets = new List<bool[]>();
        using var cursor = view.GetRowCursor(needed);
        var getSignal = cursor.GetGetter<VBuffer<float>>(signalColumn);
        var getLabel = label is { } lg ? cursor.GetGetter<uint>(lg) : null;
        var getGroup = group is { } gg ? cursor.GetGetter<ReadOnlyMemory<char>>(gg) : null;
        var getId = id is { } ig ? cursor.GetGetter<ReadOnlyMemory<char>>(ig) : null;
        var getSet = labelSet is { } sg ? cursor.GetGetter<VBuffer<float>>(sg) : null;
        VBuffer<float> values = default, flags = default;
        ReadOnlyMemory<char> text = default;
        uint key = 0;
        while (cursor.MoveNext())
        {
            getSignal(ref values);
            var dense = new float[schema.ItemSize];
            values.CopyTo(dense);
            rows.Add(dense);
            int label0 = 0;
            if (getLabel is not null)
            {
                getLabel(ref key);
                if (key == 0 && getSet is null) throw new SchemaException(stage, $"row {rows.Count - 1} has a missing label (key 0)");
                label0 = (int)key - 1;
            }
            labels.Add(label0);
            if (getSet is not null)
            {
                getSet(ref flags);
                var set = new float[schema.ClassNames.Count];
                flags.CopyTo(set);
                sets.Add(set.Select(f => f != 0).ToArray());
            }
            string rowId = rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (getId is not null) { getId(ref text); rowId = text.ToString(); }
            ids.Add(rowId);
            if (getGroup is not null) { getGroup(ref text); groups.Add(text.ToString()); }
            else groups.Add(rowId);
        }
        return new InMemoryDataView(schema, new ExampleIndex(ids, groups, labels, getSet is null ? null : sets), rows);
    }

    /// <summary>Reads the signal column in blocks of rows, only when it is active.</summary>
    private sealed class Cursor(EcgDataView view, bool[] active, int[]? order) : DataViewRowCursor
    {
        private const int SignalColumn = 0, LabelColumn = 1, GroupColumn = 2, IdColumn = 3, LabelSetColumn = 4;
        // Blocks of about 1 MB of samples (at most 256 rows): a lazy view computes a block's rows together.
        private readonly int[] _rows = new int[(int)Math.Clamp((1L << 20) / Math.Max(1, view.Ecg.ItemSize * sizeof(float)), 1, 256)];
        private float[]? _values;
        private float[][]? _extra;
        private long _extraStart = -1;
        private int _extraCount;
        private long _position = -1;
        private long _blockStart = -1;
        private int _blockCount;
        private bool _disposed;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        private int Row => order is null ? (int)_position : order[_position];

        public override bool MoveNext()
        {
            if (_disposed || _position + 1 >= view.Count)
            {
                _position = view.Count;
                return false;
            }
            _position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)Row, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active[column.Index]) throw new InvalidOperationException($"column '{column.Name}' is not active in this cursor");
            Delegate getter = column.Index switch
            {
                SignalColumn => (ValueGetter<VBuffer<float>>)GetSignal,
                LabelColumn => (ValueGetter<uint>)((ref uint v) => v = (uint)(view.Index.Labels[Row] + 1)),
                GroupColumn => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = view.Index.Groups[Row].AsMemory()),
                IdColumn => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = view.Index.Ids[Row].AsMemory()),
                LabelSetColumn when view.Ecg.MultiLabel => (ValueGetter<VBuffer<float>>)GetLabelSet,
                _ when column.Index - view.Ecg.ColumnCount < view.ExtraColumns.Count => ExtraGetter(column.Index - view.Ecg.ColumnCount),
                _ => throw new ArgumentOutOfRangeException(nameof(column), column.Name, "not a column of this view"),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}");
        }

        private void GetSignal(ref VBuffer<float> value)
        {
            if (_position < 0 || _position >= view.Count) throw new InvalidOperationException("the cursor is not on a row");
            long size = view.Ecg.ItemSize;
            if (_position < _blockStart || _position >= _blockStart + _blockCount)
            {
                _blockStart = _position;
                _blockCount = (int)Math.Min(_rows.Length, view.Count - _position);
                for (int i = 0; i < _blockCount; i++) _rows[i] = order is null ? (int)(_position + i) : order[_position + i];
                _values ??= new float[_rows.Length * size];
                view.ReadSignals(_rows.AsSpan(0, _blockCount), _values.AsSpan(0, (int)(_blockCount * size)));
            }
            var editor = VBufferEditor.Create(ref value, (int)size);
            _values.AsSpan((int)((_position - _blockStart) * size), (int)size).CopyTo(editor.Values);
            value = editor.Commit();
        }

        private void GetLabelSet(ref VBuffer<float> value)
        {
            var set = view.Index.LabelSets![Row];
            var editor = VBufferEditor.Create(ref value, set.Length);
            for (int l = 0; l < set.Length; l++) editor.Values[l] = set[l] ? 1 : 0;
            value = editor.Commit();
        }

        private Delegate ExtraGetter(int k)
        {
            var c = view.ExtraColumns[k];
            return c.Kind switch
            {
                ComputedColumnKind.Vector => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
                {
                    var editor = VBufferEditor.Create(ref v, c.Width);
                    Extra(k).Slice(0, c.Width).CopyTo(editor.Values);
                    v = editor.Commit();
                }),
                ComputedColumnKind.Single => (ValueGetter<float>)((ref float v) => v = Extra(k)[0]),
                ComputedColumnKind.Key => (ValueGetter<uint>)((ref uint v) => v = (uint)Extra(k)[0]),
                ComputedColumnKind.Boolean => (ValueGetter<bool>)((ref bool v) => v = Extra(k)[0] != 0),
                ComputedColumnKind.BooleanVector => (ValueGetter<VBuffer<bool>>)((ref VBuffer<bool> v) =>
                {
                    var editor = VBufferEditor.Create(ref v, c.Width);
                    var values = Extra(k);
                    for (int i = 0; i < c.Width; i++) editor.Values[i] = values[i] != 0;
                    v = editor.Commit();
                }),
                _ => throw new InvalidOperationException($"unknown column kind {c.Kind}"),
            };
        }

        /// <summary>Extra column <paramref name="k"/> at the current row, computing the block it falls in when needed.</summary>
        private ReadOnlySpan<float> Extra(int k)
        {
            if (_position < 0 || _position >= view.Count) throw new InvalidOperationException("the cursor is not on a row");
            var columns = view.ExtraColumns;
            if (_extra is null || _position < _extraStart || _position >= _extraStart + _extraCount)
            {
                int block = Math.Max(1, view.ExtraBlock);
                // Blocks start at multiples of the block size, so a sequential pass computes exactly the batches a whole-view read does.
                _extraStart = order is null ? _position / block * block : _position;
                _extraCount = (int)Math.Min(block, view.Count - _extraStart);
                var rows = new int[_extraCount];
                for (int i = 0; i < _extraCount; i++) rows[i] = order is null ? (int)(_extraStart + i) : order[_extraStart + i];
                _extra = columns.Select(c => new float[_extraCount * c.Width]).ToArray();
                view.ComputeExtra(rows, _extra);
            }
            int offset = (int)(_position - _extraStart);
            return _extra[k].AsSpan(offset * columns[k].Width, columns[k].Width);
        }

        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            base.Dispose(disposing);
        }
    }
}

/// <summary>How a computed column's float values are exposed.</summary>
public enum ComputedColumnKind
{
    /// <summary>Vector of Single (width values).</summary>
    Vector,
    /// <summary>One Single.</summary>
    Single,
    /// <summary>A key (the float holds the 1-based key value).</summary>
    Key,
    /// <summary>A Boolean (non-zero = true).</summary>
    Boolean,
    /// <summary>Vector of Boolean (width values, non-zero = true), e.g. a multi-label classifier's decision per label.</summary>
    BooleanVector,
}

/// <summary>A column a view computes from its rows (a model's Score, PredictedLabel, …).</summary>
public sealed record ComputedColumn(string Name, ComputedColumnKind Kind, int Width, DataViewType Type, DataViewSchema.Annotations? Annotations = null)
{
    public static ComputedColumn Vector(string name, int width, IReadOnlyList<long>? dimensions = null) =>
        new(name, ComputedColumnKind.Vector, width,
            dimensions is null ? new VectorDataViewType(NumberDataViewType.Single, width) : new VectorDataViewType(NumberDataViewType.Single, dimensions.Select(d => (int)d).ToArray()));

    public static ComputedColumn Single(string name) => new(name, ComputedColumnKind.Single, 1, NumberDataViewType.Single);

    public static ComputedColumn Boolean(string name) => new(name, ComputedColumnKind.Boolean, 1, BooleanDataViewType.Instance);

    /// <summary>A vector of <paramref name="names"/>.Count Booleans, its slots named (e.g. one decision per label).</summary>
    public static ComputedColumn Booleans(string name, IReadOnlyList<string> names) =>
        new(name, ComputedColumnKind.BooleanVector, names.Count, new VectorDataViewType(BooleanDataViewType.Instance, names.Count), EcgSchema.SlotNames(names));

    /// <summary>A vector of <paramref name="names"/>.Count Singles with named slots (e.g. one probability per label).</summary>
    public static ComputedColumn Named(string name, IReadOnlyList<string> names) =>
        new(name, ComputedColumnKind.Vector, names.Count, new VectorDataViewType(NumberDataViewType.Single, names.Count), EcgSchema.SlotNames(names));

    /// <summary>A key over <paramref name="classNames"/> (class names as key values).</summary>
    public static ComputedColumn Key(string name, IReadOnlyList<string> classNames) =>
        new(name, ComputedColumnKind.Key, 1, new KeyDataViewType(typeof(uint), Math.Max(1, classNames.Count)), EcgSchema.KeyValues(classNames));
}
