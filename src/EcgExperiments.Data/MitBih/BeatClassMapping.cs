namespace EcgExperiments.Data.MitBih;

/// <summary>
/// A named mapping from annotation symbols to beat classes. Symbols not in the mapping (non-beat
/// annotations such as '+' or '~', and beats the mapping leaves out such as '!') have no class.
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

    public override string ToString() =>
        $"{Name}: {string.Join("; ", Classes.Select((c, i) => $"{c} = {{{string.Join(", ", Symbols[i])}}}"))}";
}
