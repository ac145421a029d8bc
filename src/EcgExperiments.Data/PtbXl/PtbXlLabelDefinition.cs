using System.Globalization;

namespace EcgExperiments.Data.PtbXl;

/// <summary>
/// The label sets of the PTB-XL benchmark (Strodthoff et al. 2020, code <c>compute_label_aggregations</c> and
/// <c>select_data</c>): one label per statement or aggregate, multi-label, every likelihood counted.
/// </summary>
public enum PtbXlLabelPreset
{
    /// <summary>Every SCP statement (71 labels on the full database).</summary>
    All,

    /// <summary>Every diagnostic statement (44).</summary>
    Diagnostic,

    /// <summary>Diagnostic subclasses (23), e.g. LVH, IMI, CLBBB.</summary>
    Subdiagnostic,

    /// <summary>Diagnostic superclasses (5): CD, HYP, MI, NORM, STTC.</summary>
    Superdiagnostic,

    /// <summary>Form statements (19).</summary>
    Form,

    /// <summary>Rhythm statements (12).</summary>
    Rhythm,
}

/// <summary>
/// One class of a free definition: the statements that make a record belong to it. Each code is an SCP statement
/// ("LVH", "AFIB"), a diagnostic subclass ("IMI") or a diagnostic superclass ("HYP"); a prefix <c>superclass:</c>,
/// <c>subclass:</c> or <c>statement:</c> picks the level explicitly. Unprefixed, the five superclass names mean the
/// superclass; a name that is both a subclass and a statement with different members (IMI, AMI, STTC as subclass) must
/// be prefixed.
/// </summary>
/// <param name="Name">Class name (label), e.g. "HYP".</param>
/// <param name="Codes">Statements, subclasses or superclasses; a record belongs when it carries any of them.</param>
/// <example><code>
/// new PtbXlClassDefinition("NORM", ["NORM"]) { Only = true };   // records whose only diagnostic statement is NORM
/// new PtbXlClassDefinition("MI", ["superclass:MI"]);
/// new PtbXlClassDefinition("AF", ["AFIB", "AFLT"]);
/// </code></example>
public sealed record PtbXlClassDefinition(string Name, IReadOnlyList<string> Codes)
{
    /// <summary>
    /// The record must carry no other statement of the same kind (diagnostic, form, rhythm) as this class's statements:
    /// "NORM only" rather than "any NORM".
    /// </summary>
    public bool Only { get; init; }
}

/// <summary>
/// Which classes PTB-XL records get: a benchmark <see cref="Preset"/> or free <see cref="Classes"/>, with the policies
/// for records that match several classes or none. YAML binds to it as <c>data.labels</c>, e.g.
/// <c>{ preset: superdiagnostic }</c> or <c>{ classes: { NORM: { codes: [NORM], only: true }, HYP: [HYP] }, multiple: drop }</c>.
/// </summary>
/// <example><code>
/// var super = PtbXlLabelDefinition.FromPreset(PtbXlLabelPreset.Superdiagnostic);        // 5 labels, multi-label
/// var free = new PtbXlLabelDefinition
/// {
///     Classes = [new("NORM", ["NORM"]) { Only = true }, new("MI", ["MI"]), new("HYP", ["HYP"])],
///     MinLikelihood = 50,                                   // diagnostic statements below 50 % are ignored
///     Multiple = MultipleClassPolicy.Drop,                  // one class per record: multi-class
/// };
/// PtbXlLabelling labels = db.Label(free);
/// </code></example>
public sealed record PtbXlLabelDefinition
{
    /// <summary>A benchmark label set; exclusive with <see cref="Classes"/>.</summary>
    public PtbXlLabelPreset? Preset { get; init; }

    /// <summary>Free classes in label order (at least two); exclusive with <see cref="Preset"/>.</summary>
    public IReadOnlyList<PtbXlClassDefinition>? Classes { get; init; }

    /// <summary>
    /// Ignore diagnostic statements whose likelihood (0–100) is below this. Null (the benchmark) counts every
    /// statement listed, likelihood 0 included. Form and rhythm statements carry no likelihood in PTB-XL and are never
    /// filtered.
    /// </summary>
    public double? MinLikelihood { get; init; }

    /// <summary>Records matching several classes; null = <see cref="MultipleClassPolicy.MultiLabel"/> for presets, <see cref="MultipleClassPolicy.Drop"/> for free classes.</summary>
    public MultipleClassPolicy? Multiple { get; init; }

    /// <summary>Records matching no class (default: drop and count, as the benchmark does).</summary>
    public NoClassPolicy None { get; init; } = NoClassPolicy.Drop;

    /// <summary>Name of the extra class for <see cref="NoClassPolicy.KeepAs"/>.</summary>
    public string? NoneClass { get; init; }

    /// <summary>
    /// Classes carried by fewer records (over the whole table, before any record is dropped) are removed and reported.
    /// The benchmark keeps labels with more than <c>min_samples</c> = 0 records, i.e. 1.
    /// </summary>
    public int MinCount { get; init; } = 1;

    /// <summary>The benchmark's label set <paramref name="preset"/>: multi-label, every likelihood, records without a label dropped.</summary>
    public static PtbXlLabelDefinition FromPreset(PtbXlLabelPreset preset) => new() { Preset = preset };

    /// <summary>Parses a preset name as YAML and the CLI write it: all, diagnostic, subdiagnostic, superdiagnostic, form, rhythm.</summary>
    public static PtbXlLabelPreset ParsePreset(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Enum.TryParse<PtbXlLabelPreset>(name.Trim(), ignoreCase: true, out var p) && Enum.IsDefined(p) && !int.TryParse(name, out _) ? p
            : throw new ArgumentException($"unknown PTB-XL label preset '{name}'; valid: {string.Join(", ", Enum.GetNames<PtbXlLabelPreset>().Select(n => n.ToLowerInvariant()))}");
    }

    /// <summary>
    /// The SPEC §2.1 binary tasks as free definitions: NORM vs HYP under each multi-label policy of
    /// <see cref="PtbXlDatabase.SelectBinaryTask"/>, classes in <paramref name="order"/> (default [NORM, HYP]).
    /// </summary>
    public static PtbXlLabelDefinition NormVersusHyp(MultiLabelPolicy policy = MultiLabelPolicy.NegativeOnlyVersusAnyPositive, IReadOnlyList<string>? order = null)
    {
        bool normOnly = policy is MultiLabelPolicy.NegativeOnlyVersusAnyPositive or MultiLabelPolicy.NegativeOnlyVersusPositiveOnly;
        bool hypOnly = policy is MultiLabelPolicy.NegativeOnlyVersusPositiveOnly;
        var classes = new Dictionary<string, PtbXlClassDefinition>
        {
            ["NORM"] = new("NORM", ["NORM"]) { Only = normOnly },
            ["HYP"] = new("HYP", ["HYP"]) { Only = hypOnly },
        };
        order ??= ["NORM", "HYP"];
        if (order.Count != 2 || !order.All(classes.ContainsKey) || order[0] == order[1])
            throw new ArgumentException($"class order must list NORM and HYP once each, got [{string.Join(", ", order)}]", nameof(order));
        return new PtbXlLabelDefinition { Classes = order.Select(o => classes[o]).ToArray(), Multiple = MultipleClassPolicy.Drop };
    }

    /// <summary>The policy for records matching several classes once defaults are applied.</summary>
    public MultipleClassPolicy EffectiveMultiple => Multiple ?? (Preset is null ? MultipleClassPolicy.Drop : MultipleClassPolicy.MultiLabel);

    /// <summary>The definition poses a multi-label task (records keep every class they match).</summary>
    public bool IsMultiLabel => EffectiveMultiple == MultipleClassPolicy.MultiLabel;

    /// <summary>
    /// The class names before any data is read: a free definition's classes (and its no-class class), a preset's
    /// labels in PTB-XL 1.0.3's <c>scp_statements.csv</c> (sorted as the benchmark sorts them). Labelling a copy of
    /// the database may remove labels that too few of its records carry (<see cref="MinCount"/>).
    /// </summary>
    public IReadOnlyList<string> NominalClassNames()
    {
        if (Preset is { } p) return PresetLabels[p].Split(' ');
        var names = (Classes ?? []).Select(c => c.Name).ToList();
        if (None == NoClassPolicy.KeepAs && NoneClass is { } n) names.Add(n);
        return names;
    }

    /// <summary>PTB-XL 1.0.3's label sets of the benchmark presets (checked against scp_statements.csv by the data tests).</summary>
    private static readonly IReadOnlyDictionary<PtbXlLabelPreset, string> PresetLabels = new Dictionary<PtbXlLabelPreset, string>
    {
        [PtbXlLabelPreset.All] =
            "1AVB 2AVB 3AVB ABQRS AFIB AFLT ALMI AMI ANEUR ASMI BIGU CLBBB CRBBB DIG EL HVOLT ILBBB ILMI IMI INJAL INJAS INJIL INJIN INJLA INVT " +
            "IPLMI IPMI IRBBB ISCAL ISCAN ISCAS ISCIL ISCIN ISCLA ISC_ IVCD LAFB LAO/LAE LMI LNGQT LOWT LPFB LPR LVH LVOLT NDT NORM NST_ NT_ PAC " +
            "PACE PMI PRC(S) PSVT PVC QWAVE RAO/RAE RVH SARRH SBRAD SEHYP SR STACH STD_ STE_ SVARR SVTAC TAB_ TRIGU VCLVH WPW",
        [PtbXlLabelPreset.Diagnostic] =
            "1AVB 2AVB 3AVB ALMI AMI ANEUR ASMI CLBBB CRBBB DIG EL ILBBB ILMI IMI INJAL INJAS INJIL INJIN INJLA IPLMI IPMI IRBBB ISCAL ISCAN " +
            "ISCAS ISCIL ISCIN ISCLA ISC_ IVCD LAFB LAO/LAE LMI LNGQT LPFB LVH NDT NORM NST_ PMI RAO/RAE RVH SEHYP WPW",
        [PtbXlLabelPreset.Subdiagnostic] =
            "AMI CLBBB CRBBB ILBBB IMI IRBBB ISCA ISCI ISC_ IVCD LAFB/LPFB LAO/LAE LMI LVH NORM NST_ PMI RAO/RAE RVH SEHYP STTC WPW _AVB",
        [PtbXlLabelPreset.Superdiagnostic] = "CD HYP MI NORM STTC",
        [PtbXlLabelPreset.Form] = "ABQRS DIG HVOLT INVT LNGQT LOWT LPR LVOLT NDT NST_ NT_ PAC PRC(S) PVC QWAVE STD_ STE_ TAB_ VCLVH",
        [PtbXlLabelPreset.Rhythm] = "AFIB AFLT BIGU PACE PSVT SARRH SBRAD SR STACH SVARR SVTAC TRIGU",
    };

    /// <summary>Checks the options alone (no data needed); throws with a message naming the setting.</summary>
    public void Validate()
    {
        if (Preset is null == Classes is null)
            throw new ArgumentException("PTB-XL labels need either a preset (all, diagnostic, subdiagnostic, superdiagnostic, form, rhythm) or classes, not both");
        if (Preset is { } p && !Enum.IsDefined(p)) throw new ArgumentException($"unknown PTB-XL label preset {p}");
        if (Classes is { } classes)
        {
            if (classes.Count < 2) throw new ArgumentException($"a label definition needs at least two classes, got {classes.Count}");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var c in classes)
            {
                if (string.IsNullOrWhiteSpace(c.Name)) throw new ArgumentException("a class has an empty name");
                if (!seen.Add(c.Name)) throw new ArgumentException($"class '{c.Name}' is defined twice");
                if (c.Codes is null || c.Codes.Count == 0) throw new ArgumentException($"class '{c.Name}' lists no statement; give codes such as [HYP] or [LVH, SEHYP]");
            }
        }
        if (MinLikelihood is { } m && !(m >= 0 && m <= 100))
            throw new ArgumentException($"min_likelihood must lie in 0 … 100 (PTB-XL likelihoods are percentages), got {m.ToString(CultureInfo.InvariantCulture)}");
        if (MinCount < 0) throw new ArgumentException($"min_count must be 0 or more, got {MinCount}");
        if (None == NoClassPolicy.KeepAs && string.IsNullOrWhiteSpace(NoneClass))
            throw new ArgumentException("none: keep_as needs none_class, the name of the class for records that match no class (e.g. OTHER)");
        if (None != NoClassPolicy.KeepAs && NoneClass is not null)
            throw new ArgumentException($"none_class '{NoneClass}' is given but none is {None}; set none: keep_as or remove none_class");
        if (None == NoClassPolicy.KeepEmpty && EffectiveMultiple != MultipleClassPolicy.MultiLabel)
            throw new ArgumentException("none: keep_empty leaves records without a class, which only a multi-label task allows; set multiple: multi_label or none: drop");
        if (NoneClass is { } n && Classes?.Any(c => c.Name == n) == true)
            throw new ArgumentException($"none_class '{n}' is also the name of a defined class");
    }

    /// <summary>Short wording for data descriptions, e.g. "superdiagnostic preset, multi-label, no-class records dropped".</summary>
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        var head = Preset is { } p ? $"{p.ToString().ToLowerInvariant()} preset"
            : string.Join(" vs ", Classes!.Select(c => $"{c.Name}{(c.Only ? " only" : "")} = {{{string.Join(", ", c.Codes)}}}"));
        var parts = new List<string> { head, EffectiveMultiple == MultipleClassPolicy.MultiLabel ? "multi-label" : "one class per record (several-class records dropped)" };
        parts.Add(None switch
        {
            NoClassPolicy.Drop => "no-class records dropped",
            NoClassPolicy.KeepEmpty => "no-class records kept with no label",
            _ => $"no-class records kept as {NoneClass}",
        });
        if (MinLikelihood is { } m) parts.Add($"diagnostic likelihood ≥ {m.ToString(inv)}");
        if (MinCount != 1) parts.Add($"classes with < {MinCount.ToString(inv)} records removed");
        return string.Join(", ", parts);
    }
}
