using EcgExperiments.Core;
using EcgExperiments.Data.Splits;

namespace EcgExperiments.Data.PtbXl;

/// <summary>A class of a labelling with the statements it was resolved to.</summary>
/// <param name="Name">Class (label) name.</param>
/// <param name="Statements">SCP statement codes that make a record belong to it, sorted.</param>
/// <param name="Only">The record may carry no other statement of the same kind.</param>
public sealed record PtbXlResolvedClass(string Name, IReadOnlyList<string> Statements, bool Only);

/// <summary>A record kept by a labelling, with its classes (indices into <see cref="PtbXlLabelling.ClassNames"/>, ascending).</summary>
public sealed record PtbXlLabelledRecord(PtbXlRecord Record, IReadOnlyList<int> Classes)
{
    public string RecordId => Record.RecordId;
}

/// <summary>
/// PTB-XL records labelled by a <see cref="PtbXlLabelDefinition"/>: the classes, the records kept with their label
/// sets, the kind of task they pose and the report of what was dropped and why.
/// </summary>
/// <example><code>
/// PtbXlLabelling s = db.Label(PtbXlLabelDefinition.FromPreset(PtbXlLabelPreset.Superdiagnostic));
/// // s.ClassNames = [CD, HYP, MI, NORM, STTC]; s.Kind = MultiLabel; s.Report.DroppedByReason["no_class"] = 10
/// </code></example>
public sealed record PtbXlLabelling(
    PtbXlLabelDefinition Definition,
    IReadOnlyList<PtbXlResolvedClass> Classes,
    ClassificationKind Kind,
    IReadOnlyList<PtbXlLabelledRecord> Records,
    LabellingReport Report)
{
    public IReadOnlyList<string> ClassNames => Classes.Select(c => c.Name).ToArray();

    /// <summary>Class names of a kept record.</summary>
    public IReadOnlyList<string> NamesOf(PtbXlLabelledRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Classes.Select(c => Classes[c].Name).ToArray();
    }

    /// <summary>strat_fold 1–8 / 9 / 10 over the kept records.</summary>
    public DataSplit OfficialSplit() => PtbXlDatabase.FoldSplit(Records.Select(r => (r.RecordId, r.Record.StratFold)));

    /// <summary>One line for data descriptions and run records.</summary>
    public string Describe() => $"{Definition.Describe()} ({Kind}): {Report.Describe()}";
}

/// <summary>
/// Applies a <see cref="PtbXlLabelDefinition"/> to PTB-XL records. Order of operations (the benchmark's): match every
/// record against every class (statements with a likelihood filter for diagnostic ones); count records per class over
/// the whole table and remove classes below <see cref="PtbXlLabelDefinition.MinCount"/>; then apply the no-class and
/// several-class policies, dropping and counting what they exclude.
/// </summary>
public static class PtbXlLabeler
{
    private const string NoDiagnosticStatement = "(no diagnostic statement)";
    private static readonly string[] Levels = ["superclass", "subclass", "statement"];

    /// <summary>Labels <paramref name="records"/>; unknown codes and ambiguous names fail with a message naming the class.</summary>
    public static PtbXlLabelling Label(IReadOnlyList<PtbXlRecord> records, IReadOnlyDictionary<string, ScpStatement> statements, PtbXlLabelDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(statements);
        ArgumentNullException.ThrowIfNull(definition);
        definition.Validate();
        var classes = definition.Preset is { } preset ? PresetClasses(preset, statements) : definition.Classes!.Select(c => Resolve(c, statements)).ToList();
        var statementSets = classes.Select(c => c.Statements.ToHashSet(StringComparer.Ordinal)).ToArray();
        var kinds = classes.Select(c => KindsOf(c.Statements, statements)).ToArray();

        // 1. match
        var matches = new List<int>[records.Count];
        var counts = new int[classes.Count];
        for (int r = 0; r < records.Count; r++)
        {
            var codes = CodesOf(records[r], statements, definition.MinLikelihood);
            matches[r] = [];
            for (int c = 0; c < classes.Count; c++)
            {
                if (!codes.Any(statementSets[c].Contains)) continue;
                if (classes[c].Only && codes.Any(code => !statementSets[c].Contains(code) && (KindsOf([code], statements) & kinds[c]) != 0)) continue;
                matches[r].Add(c);
                counts[c]++;
            }
        }

        // 2. remove rare classes (counted over the whole table, as the benchmark does)
        var keep = Enumerable.Range(0, classes.Count).Where(c => counts[c] >= definition.MinCount).ToArray();
        var removed = Enumerable.Range(0, classes.Count).Where(c => counts[c] < definition.MinCount).Select(c => new ClassCount(classes[c].Name, counts[c])).ToArray();
        var newIndex = new int[classes.Count];
        Array.Fill(newIndex, -1);
        for (int k = 0; k < keep.Length; k++) newIndex[keep[k]] = k;
        var kept = keep.Select(c => classes[c]).ToList();
        int noneIndex = -1;
        if (definition.None == NoClassPolicy.KeepAs)
        {
            noneIndex = kept.Count;
            kept.Add(new PtbXlResolvedClass(definition.NoneClass!, [], false));
        }

        // 3. policies
        var multiple = definition.EffectiveMultiple;
        var labelled = new List<PtbXlLabelledRecord>(records.Count);
        var dropped = new Dictionary<string, SortedDictionary<string, int>>(StringComparer.Ordinal);
        void Drop(string reason, string detail)
        {
            if (!dropped.TryGetValue(reason, out var d)) dropped[reason] = d = new SortedDictionary<string, int>(StringComparer.Ordinal);
            d[detail] = d.GetValueOrDefault(detail) + 1;
        }
        for (int r = 0; r < records.Count; r++)
        {
            var set = matches[r].Select(c => newIndex[c]).Where(c => c >= 0).ToArray();
            if (set.Length == 0)
            {
                switch (definition.None)
                {
                    case NoClassPolicy.Drop:
                        Drop(DropReasons.NoClass, SuperclassKey(records[r]));
                        continue;
                    case NoClassPolicy.KeepAs:
                        set = [noneIndex];
                        break;
                }
            }
            else if (set.Length > 1 && multiple == MultipleClassPolicy.Drop)
            {
                Drop(DropReasons.SeveralClasses, string.Join("+", set.Select(c => kept[c].Name).Order(StringComparer.Ordinal)));
                continue;
            }
            labelled.Add(new PtbXlLabelledRecord(records[r], set));
        }

        var minimum = multiple == MultipleClassPolicy.MultiLabel ? 1 : 2;
        if (kept.Count < minimum)
            throw new EcgDataException(
                $"label definition '{definition.Describe()}' leaves {kept.Count} class(es) with at least {definition.MinCount} record(s) in this copy of PTB-XL " +
                $"({string.Join(", ", classes.Select((c, i) => $"{c.Name} {counts[i]}"))}); a {(minimum == 1 ? "multi-label" : "single-label")} task needs {minimum}. " +
                "Use more records, other classes or a lower min_count");

        var classCounts = kept.Select((c, i) => new ClassCount(c.Name, labelled.Count(r => r.Classes.Contains(i)))).ToArray();
        var report = new LabellingReport(records.Count, labelled.Count, classCounts,
            labelled.Count(r => r.Classes.Count > 1), labelled.Count(r => r.Classes.Count == 0),
            dropped.ToDictionary(kv => kv.Key, kv => kv.Value.Values.Sum(), StringComparer.Ordinal),
            dropped.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, int>)kv.Value, StringComparer.Ordinal),
            removed);
        var kind = multiple == MultipleClassPolicy.MultiLabel ? ClassificationKind.MultiLabel
            : kept.Count == 2 ? ClassificationKind.Binary : ClassificationKind.MultiClass;
        return new PtbXlLabelling(definition, kept, kind, labelled, report);
    }

    /// <summary>The classes of a benchmark preset in the benchmark's label order (sorted, as MultiLabelBinarizer sorts).</summary>
    public static List<PtbXlResolvedClass> PresetClasses(PtbXlLabelPreset preset, IReadOnlyDictionary<string, ScpStatement> statements)
    {
        ArgumentNullException.ThrowIfNull(statements);
        IEnumerable<IGrouping<string, ScpStatement>> groups = preset switch
        {
            PtbXlLabelPreset.All => statements.Values.GroupBy(s => s.Code),
            PtbXlLabelPreset.Diagnostic => statements.Values.Where(s => s.IsDiagnostic).GroupBy(s => s.Code),
            PtbXlLabelPreset.Subdiagnostic => statements.Values.Where(s => s.IsDiagnostic && s.DiagnosticSubclass is not null).GroupBy(s => s.DiagnosticSubclass!),
            PtbXlLabelPreset.Superdiagnostic => statements.Values.Where(s => s.IsDiagnostic && s.DiagnosticClass is not null).GroupBy(s => s.DiagnosticClass!),
            PtbXlLabelPreset.Form => statements.Values.Where(s => s.IsForm).GroupBy(s => s.Code),
            PtbXlLabelPreset.Rhythm => statements.Values.Where(s => s.IsRhythm).GroupBy(s => s.Code),
            _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "unknown PTB-XL label preset"),
        };
        return groups.OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new PtbXlResolvedClass(g.Key, g.Select(s => s.Code).Order(StringComparer.Ordinal).ToArray(), false)).ToList();
    }

    /// <summary>The statements one class definition stands for; unknown or ambiguous codes fail naming the class.</summary>
    public static PtbXlResolvedClass Resolve(PtbXlClassDefinition definition, IReadOnlyDictionary<string, ScpStatement> statements)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(statements);
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in definition.Codes)
        {
            var code = raw.Trim();
            int colon = code.IndexOf(':');
            string? level = colon > 0 ? code[..colon].Trim().ToLowerInvariant() : null;
            string name = colon > 0 ? code[(colon + 1)..].Trim() : code;
            if (level is not null && !Levels.Contains(level))
                throw new ArgumentException($"class '{definition.Name}': '{raw}' has an unknown level '{level}'; use superclass:, subclass: or statement:");
            var superclass = Members(statements, s => s.IsDiagnostic && s.DiagnosticClass == name);
            var subclass = Members(statements, s => s.IsDiagnostic && s.DiagnosticSubclass == name);
            var statement = statements.ContainsKey(name) ? new[] { name } : [];
            string[] members = level switch
            {
                "superclass" => superclass,
                "subclass" => subclass,
                "statement" => statement,
                _ when superclass.Length > 0 => superclass,
                _ when subclass.Length > 0 && statement.Length > 0 && !subclass.SequenceEqual(statement) =>
                    throw new ArgumentException(
                        $"class '{definition.Name}': '{name}' is both a diagnostic subclass ({string.Join(", ", subclass)}) and a statement; " +
                        $"write subclass:{name} or statement:{name}"),
                _ => subclass.Length > 0 ? subclass : statement,
            };
            if (members.Length == 0)
                throw new ArgumentException(
                    $"class '{definition.Name}': '{raw}' is no {(level ?? "PTB-XL superclass, subclass or statement")} in scp_statements.csv " +
                    $"(superclasses: {string.Join(", ", statements.Values.Select(s => s.DiagnosticClass).OfType<string>().Distinct().Order(StringComparer.Ordinal))})");
            set.UnionWith(members);
        }
        return new PtbXlResolvedClass(definition.Name, set.ToArray(), definition.Only);
    }

    private static string[] Members(IReadOnlyDictionary<string, ScpStatement> statements, Func<ScpStatement, bool> where) =>
        statements.Values.Where(where).Select(s => s.Code).Order(StringComparer.Ordinal).ToArray();

    [Flags]
    private enum StatementKinds { None = 0, Diagnostic = 1, Form = 2, Rhythm = 4 }

    private static StatementKinds KindsOf(IEnumerable<string> codes, IReadOnlyDictionary<string, ScpStatement> statements)
    {
        var k = StatementKinds.None;
        foreach (var code in codes)
        {
            var s = statements[code];
            if (s.IsDiagnostic) k |= StatementKinds.Diagnostic;
            if (s.IsForm) k |= StatementKinds.Form;
            if (s.IsRhythm) k |= StatementKinds.Rhythm;
        }
        return k;
    }

    /// <summary>A record's statements, diagnostic ones below the likelihood threshold left out.</summary>
    private static string[] CodesOf(PtbXlRecord record, IReadOnlyDictionary<string, ScpStatement> statements, double? minLikelihood) =>
        record.ScpCodes.Where(kv => minLikelihood is not { } m || !statements[kv.Key].IsDiagnostic || kv.Value >= m).Select(kv => kv.Key).ToArray();

    private static string SuperclassKey(PtbXlRecord r) =>
        r.DiagnosticSuperclasses.Count == 0 ? NoDiagnosticStatement : string.Join("+", r.DiagnosticSuperclasses);
}
