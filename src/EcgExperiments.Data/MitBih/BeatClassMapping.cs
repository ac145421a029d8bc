using EcgExperiments.Data.Wfdb;

namespace EcgExperiments.Data.MitBih;

/// <summary>
/// A named mapping from annotation symbols to beat classes. Symbols not in the mapping (non-beat
/// annotations such as '+' or '~', and beats the mapping leaves out such as '!') have no class.
/// A mapping may also give classes to non-QRS annotations (<see cref="BeatVersusNonBeat"/>); extraction then
/// yields those annotations as members too.
/// </summary>
/// <example><code>
/// BeatClassMapping.Aami.ClassOf("e");    // "N"
/// BeatClassMapping.BeatGan.ClassOf("e"); // "S"
/// BeatClassMapping.Aami.ClassOf("+");    // null: rhythm changes are not beats, and are not dumped into Q
/// </code></example>
public sealed class BeatClassMapping
{
    private readonly IReadOnlyDictionary<string, int> _classOfSymbol;

    private BeatClassMapping(string name, IReadOnlyList<string> classes, IReadOnlyList<IReadOnlyList<string>> symbols,
        IReadOnlyDictionary<string, int> classOfSymbol, string description)
    {
        Name = name;
        Classes = classes;
        Symbols = symbols;
        _classOfSymbol = classOfSymbol;
        Description = description;
    }

    /// <summary>
    /// AAMI EC57 classes as SPEC §2.2 uses them: N = {N, L, R, e, j}, S = {A, a, J, S}, V = {V, E}, F = {F},
    /// Q = {/, f, Q}. Non-beat annotations are not mapped (the published code put ~3,105 of them into Q; we do not).
    /// </summary>
    public static BeatClassMapping Aami { get; } = Create("AAMI",
    [
        ("N", ["N", "L", "R", "e", "j"]),
        ("S", ["A", "a", "J", "S"]),
        ("V", ["V", "E"]),
        ("F", ["F"]),
        ("Q", ["/", "f", "Q"]),
    ], "AAMI EC57 beat classes; non-beat annotations are left unmapped, not put into Q");

    /// <summary>
    /// BeatGAN's variant (SPEC §2.4): normal N = {N, L, R}; S = {A, a, J, S, j, e}; V = {V, E}; F = {F}; Q = {/, f, Q}.
    /// Escape beats e and j move from N to S compared with <see cref="Aami"/>.
    /// </summary>
    public static BeatClassMapping BeatGan { get; } = Create("BeatGAN",
    [
        ("N", ["N", "L", "R"]),
        ("S", ["A", "a", "J", "S", "j", "e"]),
        ("V", ["V", "E"]),
        ("F", ["F"]),
        ("Q", ["/", "f", "Q"]),
    ], "BeatGAN's mapping: normal = N, L, R; escape beats e and j counted as S");

    /// <summary>
    /// Normal versus ventricular: N = the AAMI N symbols {N, L, R, e, j}, V = {V, E}; every other beat (S, F, Q
    /// classes) is left unmapped and counted.
    /// </summary>
    public static BeatClassMapping NormalVersusVentricular { get; } = Create("N-vs-V",
    [
        ("N", ["N", "L", "R", "e", "j"]),
        ("V", ["V", "E"]),
    ], "AAMI N {N, L, R, e, j} versus AAMI V {V, E}; other beats left unmapped");

    /// <summary>
    /// Beat versus non-beat annotation: "beat" = every QRS annotation symbol (WFDB <c>isqrs</c>, the flutter wave '!'
    /// included); "non_beat" = annotations marking an event without a ventricular beat: '|' isolated QRS-like artifact,
    /// '~' signal-quality change (noise) and 'x' non-conducted P wave. Members are centred on the annotation.
    /// </summary>
    public static BeatClassMapping BeatVersusNonBeat { get; } = Create("beat-vs-non-beat",
    [
        ("beat", Enumerable.Range(1, WfdbAnnotationCodes.MaxCode).Where(WfdbAnnotationCodes.IsBeat).Select(WfdbAnnotationCodes.Symbol).ToArray()),
        ("non_beat", ["|", "~", "x"]),
    ], "every QRS annotation versus artifacts ('|'), noise markers ('~') and non-conducted P waves ('x')");

    /// <summary>The mapping of a preset.</summary>
    public static BeatClassMapping FromPreset(BeatMappingPreset preset) => preset switch
    {
        BeatMappingPreset.Aami => Aami,
        BeatMappingPreset.BeatGan => BeatGan,
        BeatMappingPreset.NormalVersusVentricular => NormalVersusVentricular,
        BeatMappingPreset.BeatVersusNonBeat => BeatVersusNonBeat,
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "unknown beat mapping preset"),
    };

    /// <summary>Builds a mapping; a symbol may belong to one class only.</summary>
    public static BeatClassMapping Create(string name, IReadOnlyList<(string Class, IReadOnlyList<string> Symbols)> classes, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(classes);
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < classes.Count; c++)
            foreach (var s in classes[c].Symbols)
                if (!map.TryAdd(s, c))
                    throw new ArgumentException($"mapping '{name}': symbol '{s}' is in both '{classes[map[s]].Class}' and '{classes[c].Class}'", nameof(classes));
        if (classes.Select(c => c.Class).Distinct(StringComparer.Ordinal).Count() != classes.Count)
            throw new ArgumentException($"mapping '{name}' names a class twice", nameof(classes));
        return new BeatClassMapping(name, classes.Select(c => c.Class).ToArray(), classes.Select(c => c.Symbols).ToArray(), map,
            description ?? name);
    }

    public string Name { get; }

    /// <summary>Class names in index order, e.g. N, S, V, F, Q.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Symbols of each class, parallel to <see cref="Classes"/>.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Symbols { get; }

    public string Description { get; }

    /// <summary>Class of an annotation symbol, or null when the mapping leaves it out.</summary>
    public string? ClassOf(string symbol) => _classOfSymbol.TryGetValue(symbol, out var c) ? Classes[c] : null;

    /// <summary>Class index of an annotation symbol, or -1.</summary>
    public int ClassIndexOf(string symbol) => _classOfSymbol.TryGetValue(symbol, out var c) ? c : -1;

    /// <summary>True when the mapping gives a class to some non-QRS annotation symbol (members are not all beats).</summary>
    public bool MapsNonBeatSymbols => _classOfSymbol.Keys.Any(s => !WfdbAnnotationCodes.IsBeat(WfdbAnnotationCodes.CodeOf(s)));

    public override string ToString() =>
        $"{Name}: {string.Join("; ", Classes.Select((c, i) => $"{c} = {{{string.Join(", ", Symbols[i])}}}"))}";
}

/// <summary>Named beat class mappings.</summary>
public enum BeatMappingPreset
{
    /// <summary><see cref="BeatClassMapping.Aami"/>: N, S, V, F, Q.</summary>
    Aami,

    /// <summary><see cref="BeatClassMapping.BeatGan"/>: AAMI with escape beats e, j counted as S.</summary>
    BeatGan,

    /// <summary><see cref="BeatClassMapping.NormalVersusVentricular"/>: N vs V.</summary>
    NormalVersusVentricular,

    /// <summary><see cref="BeatClassMapping.BeatVersusNonBeat"/>: QRS annotations vs artifact, noise and blocked-P annotations.</summary>
    BeatVersusNonBeat,
}

/// <summary>One class of a custom beat mapping: its name and the annotation symbols that belong to it.</summary>
public sealed record BeatClassDefinition(string Name, IReadOnlyList<string> Symbols);

/// <summary>
/// A beat class mapping as options: a <see cref="Preset"/> or custom <see cref="Classes"/> (symbol → class as data).
/// YAML binds to it as <c>data.mapping</c>, e.g. <c>aami</c>, <c>n_vs_v</c>, or
/// <c>{ classes: { N: [N, L, R], SVEB: [A, a, J, S], VEB: [V, E] } }</c>.
/// </summary>
/// <example><code>
/// var nv = new BeatClassMappingOptions { Preset = BeatMappingPreset.NormalVersusVentricular }.Build();
/// var custom = new BeatClassMappingOptions { Name = "three", Classes = [new("N", ["N", "L", "R"]), new("S", ["A", "a", "J", "S"]), new("V", ["V", "E"])] }.Build();
/// </code></example>
public sealed record BeatClassMappingOptions
{
    /// <summary>A named mapping; exclusive with <see cref="Classes"/>.</summary>
    public BeatMappingPreset? Preset { get; init; }

    /// <summary>Custom classes in label order (at least two); exclusive with <see cref="Preset"/>.</summary>
    public IReadOnlyList<BeatClassDefinition>? Classes { get; init; }

    /// <summary>Name of a custom mapping (for reports); default "custom".</summary>
    public string? Name { get; init; }

    /// <summary>Parses a preset name as YAML and the CLI write it: aami, beatgan, n_vs_v, beat_vs_non_beat.</summary>
    public static BeatMappingPreset ParsePreset(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant().Replace('-', '_') switch
        {
            "aami" => BeatMappingPreset.Aami,
            "beatgan" => BeatMappingPreset.BeatGan,
            "n_vs_v" or "normal_vs_ventricular" => BeatMappingPreset.NormalVersusVentricular,
            "beat_vs_non_beat" or "beat_vs_nonbeat" => BeatMappingPreset.BeatVersusNonBeat,
            _ => throw new ArgumentException($"unknown beat mapping '{name}'; valid: aami, beatgan, n_vs_v, beat_vs_non_beat, or classes: {{name: [symbols]}}"),
        };
    }

    /// <summary>The mapping; unknown annotation symbols, a symbol in two classes or fewer than two classes fail naming them.</summary>
    public BeatClassMapping Build()
    {
        if (Preset is null == Classes is null)
            throw new ArgumentException("a beat mapping needs either a preset (aami, beatgan, n_vs_v, beat_vs_non_beat) or classes, not both");
        if (Preset is { } p) return BeatClassMapping.FromPreset(p);
        var classes = Classes!;
        if (classes.Count < 2) throw new ArgumentException($"a beat mapping needs at least two classes, got {classes.Count}");
        foreach (var c in classes)
        {
            if (string.IsNullOrWhiteSpace(c.Name)) throw new ArgumentException("a beat class has an empty name");
            if (c.Symbols is null || c.Symbols.Count == 0) throw new ArgumentException($"beat class '{c.Name}' lists no annotation symbol");
            foreach (var s in c.Symbols)
                if (WfdbAnnotationCodes.CodeOf(s) == 0)
                    throw new ArgumentException(
                        $"beat class '{c.Name}': '{s}' is not a WFDB annotation symbol (beats: " +
                        $"{string.Join(" ", Enumerable.Range(1, WfdbAnnotationCodes.MaxCode).Where(WfdbAnnotationCodes.IsBeat).Select(WfdbAnnotationCodes.Symbol))})");
        }
        return BeatClassMapping.Create(Name ?? "custom", classes.Select(c => (c.Name, c.Symbols)).ToArray(),
            $"custom mapping {Name ?? "custom"}");
    }
}
