using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using EcgExperiments.Core;
using EcgExperiments.Training.Imbalance;

namespace EcgExperiments.Experiments.Spec;

/// <summary>
/// Binds YAML mappings onto immutable option records (init-only properties), so YAML ⇄ options ⇄ run record
/// round-trip. Keys are snake_case forms of the property names (<c>learning_rate</c> → LearningRate).
/// Unknown keys, wrong types and bad enum values fail with file:line:column, the key, and the valid choices
/// (the nearest one suggested). Supported: numbers, bools, strings, enums, nullables, lists/arrays, (int, int)
/// pairs, nested records, <see cref="ComponentSpec"/> (a <c>type:</c> plus its own options, bound later by a
/// registry), components held directly by an options record (an interface bound through the registry of its
/// products, e.g. <c>training.imbalance: { strategy: focal, … }</c>), <see cref="ClassValues"/> (a list in class order
/// or a mapping by class name) and string dictionaries. Options filled from the data's schema
/// (<see cref="SchemaDerivedAttribute"/>) and keys that moved are refused with a message saying so.
/// </summary>
public sealed class YamlBinder(string file)
{
    /// <summary>Keys that no longer exist, with where their setting went (checked by full dotted path).</summary>
    public static readonly IReadOnlyDictionary<string, string> MovedKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["training.class_weights"] = "moved to `training.imbalance: { strategy: class_weights, class_weights: ... }` (weights by class name, e.g. { HYP: 3, NORM: 1 }, or in class order)",
        ["model.se"] = "renamed `squeeze_excitation`",
    };

    public string File { get; } = file;

    public T Bind<T>(YamlNode node, string key) where T : new() => (T)BindObject(typeof(T), node, key);

    public object BindObject(Type type, YamlNode node, string key)
    {
        if (node is not YamlMappingNode map)
            throw Error(node, key, $"expected a mapping of {Describe(type)} options, got {Kind(node)}");
        var instance = Activator.CreateInstance(type)
            ?? throw new InvalidOperationException($"{type.Name} needs a parameterless constructor to be bound from YAML");
        var properties = Bindable(type);
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode { Value: not null } scalar)
                throw Error(k, key.Length == 0 ? "(key)" : $"{key}.(key)", $"keys must be plain names, got {Kind(k)}");
            var name = scalar.Value;
            var path = key.Length == 0 ? name : $"{key}.{name}";
            if (!properties.TryGetValue(name, out var prop))
            {
                if (MovedKeys.TryGetValue(path, out var moved)) throw Error(k, path, moved);
                if (SchemaDerived(type, name) is { } derived) throw Error(k, path, $"is not a YAML key: it is set from {derived.Source}");
                throw Error(k, path, UnknownKey(name, properties.Keys));
            }
            prop.SetValue(instance, Convert(prop.PropertyType, v, path));
        }
        return instance;
    }

    private static SchemaDerivedAttribute? SchemaDerived(Type type, string key) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(p => SnakeCase(p.Name) == key)?.GetCustomAttribute<SchemaDerivedAttribute>();

    /// <summary>The YAML key names a record accepts, e.g. for error messages and documentation.</summary>
    public static IReadOnlyCollection<string> KeysOf(Type type) => Bindable(type).Keys;

    private static Dictionary<string, PropertyInfo> Bindable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetSetMethod() is not null && p.GetIndexParameters().Length == 0
                        && p.GetCustomAttribute<SchemaDerivedAttribute>() is null)
            .ToDictionary(p => SnakeCase(p.Name), p => p);

    public object? Convert(Type type, YamlNode node, string key)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
            return IsNull(node) ? null : Convert(underlying, node, key);
        if (type == typeof(YamlNode)) return node;
        if (YamlForms.For(type) is { } form) return form(this, node, key);
        if (type == typeof(ComponentSpec)) return Component(node, key);
        if (type.IsInterface && Components.RegistryFor(type) is { } registry) return registry.Build(Component(node, key, registry.Discriminator), this);
        if (type == typeof(ClassValues)) return Values(node, key);
        if (type == typeof(string))
        {
            if (node is YamlScalarNode s && !IsNull(node)) return s.Value;
            throw Error(node, key, $"expected a string, got {Kind(node)}");
        }
        if (type.IsEnum) return Enum(type, node, key);
        if (type == typeof(int) || type == typeof(long) || type == typeof(ulong) || type == typeof(double) || type == typeof(float) || type == typeof(bool))
            return Scalar(type, node, key);
        if (type == typeof((int, int)))
        {
            var items = Sequence(node, key);
            if (items.Count == 1) { var v = (int)Scalar(typeof(int), items[0], $"{key}[0]"); return (v, v); }
            if (items.Count != 2) throw Error(node, key, $"expected [height, width] (2 integers), got {items.Count} values");
            return ((int)Scalar(typeof(int), items[0], $"{key}[0]"), (int)Scalar(typeof(int), items[1], $"{key}[1]"));
        }
        if (type.IsArray)
        {
            var el = type.GetElementType()!;
            var items = Sequence(node, key);
            var arr = Array.CreateInstance(el, items.Count);
            for (int i = 0; i < items.Count; i++) arr.SetValue(Convert(el, items[i], $"{key}[{i}]"), i);
            return arr;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var g &&
            (g == typeof(IReadOnlyList<>) || g == typeof(List<>) || g == typeof(IList<>) || g == typeof(IEnumerable<>)))
        {
            var el = type.GetGenericArguments()[0];
            var items = Sequence(node, key);
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(el))!;
            for (int i = 0; i < items.Count; i++) list.Add(Convert(el, items[i], $"{key}[{i}]"));
            return list;
        }
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) || type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            && type.GetGenericArguments()[0] == typeof(string))
        {
            if (node is not YamlMappingNode m) throw Error(node, key, $"expected a mapping, got {Kind(node)}");
            var vt = type.GetGenericArguments()[1];
            var dict = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), vt))!;
            foreach (var (k, v) in m.Children)
            {
                var name = ((YamlScalarNode)k).Value ?? "";
                dict[name] = Convert(vt, v, $"{key}.{name}");
            }
            return dict;
        }
        if (type.IsClass && type.GetConstructor(Type.EmptyTypes) is not null) return BindObject(type, node, key);
        throw new InvalidOperationException($"YAML binding of {type} is not supported (key {key})");
    }

    private ComponentSpec Component(YamlNode node, string key, string discriminator = "type")
    {
        if (node is YamlScalarNode s && !IsNull(node))
            return new ComponentSpec(s.Value!, new YamlMappingNode(), SourceRef.From(File, node.Start, key));
        if (node is not YamlMappingNode map) throw Error(node, key, $"expected a mapping with a `{discriminator}:` key, got {Kind(node)}");
        foreach (var (k, _) in map.Children)
            if (k is not YamlScalarNode { Value: not null }) throw Error(k, $"{key}.(key)", $"keys must be plain names, got {Kind(k)}");
        var typeNode = map.Children.FirstOrDefault(p => ((YamlScalarNode)p.Key).Value == discriminator);
        if (typeNode.Value is not YamlScalarNode t || string.IsNullOrWhiteSpace(t.Value))
            throw Error(node, key, $"needs a `{discriminator}:` key naming the component");
        var rest = new YamlMappingNode();
        foreach (var (k, v) in map.Children)
            if (((YamlScalarNode)k).Value != discriminator) rest.Add(k, v);
        return new ComponentSpec(t.Value!, rest, SourceRef.From(File, node.Start, key));
    }

    /// <summary>A list of numbers in class order, or a mapping of class name → number.</summary>
    private ClassValues Values(YamlNode node, string key)
    {
        if (node is YamlSequenceNode)
            return ClassValues.Of(Sequence(node, key).Select((n, i) => (double)Scalar(typeof(double), n, $"{key}[{i}]")).ToArray());
        if (node is YamlMappingNode m)
            return ClassValues.Of(m.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => (double)Scalar(typeof(double), kv.Value, $"{key}.{((YamlScalarNode)kv.Key).Value}")));
        throw Error(node, key, $"expected a list in class order (e.g. [1, 3]) or a mapping by class name (e.g. {{ HYP: 3, NORM: 1 }}), got {Kind(node)}");
    }

    /// <summary>
    /// The node of a dotted key under <paramref name="root"/> (e.g. <c>training.select_by</c>), or the deepest ancestor
    /// that exists, so a semantic error points at the exact place in the file.
    /// </summary>
    public static YamlNode Locate(YamlMappingNode root, string dottedKey)
    {
        YamlNode current = root, located = root;
        foreach (var part in dottedKey.Split('.'))
        {
            if (current is not YamlMappingNode map) break;
            var next = map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: var v } && v == part);
            if (next.Key is null) break;
            located = next.Key;
            current = next.Value;
        }
        return located;
    }

    /// <summary>A <see cref="SpecException"/> at the exact key (see <see cref="Locate"/>).</summary>
    public SpecException ErrorAt(YamlMappingNode root, string dottedKey, string message) => Error(Locate(root, dottedKey), dottedKey, message);

    private object Enum(Type type, YamlNode node, string key)
    {
        if (node is not YamlScalarNode s || IsNull(node)) throw Error(node, key, $"expected one of {Choices(type)}, got {Kind(node)}");
        var wanted = (s.Value ?? "").Replace("_", "").Replace("-", "");
        foreach (var n in System.Enum.GetNames(type))
            if (string.Equals(n, wanted, StringComparison.OrdinalIgnoreCase)) return System.Enum.Parse(type, n);
        var names = System.Enum.GetNames(type).Select(SnakeCase).ToList();
        throw Error(node, key, $"'{s.Value}' is not valid{Suggest(s.Value ?? "", names)}; valid: {string.Join(", ", names)}");
    }

    private static string Choices(Type enumType) => string.Join(", ", System.Enum.GetNames(enumType).Select(SnakeCase));

    private object Scalar(Type type, YamlNode node, string key)
    {
        if (node is not YamlScalarNode s || IsNull(node)) throw Error(node, key, $"expected {Describe(type)}, got {Kind(node)}");
        var text = s.Value ?? "";
        var inv = CultureInfo.InvariantCulture;
        bool ok;
        object? value;
        if (type == typeof(int)) { ok = int.TryParse(text, NumberStyles.Integer, inv, out var v); value = v; }
        else if (type == typeof(long)) { ok = long.TryParse(text, NumberStyles.Integer, inv, out var v); value = v; }
        else if (type == typeof(ulong)) { ok = ulong.TryParse(text, NumberStyles.Integer, inv, out var v); value = v; }
        else if (type == typeof(double)) { ok = double.TryParse(text, NumberStyles.Float, inv, out var v) && double.IsFinite(v); value = v; }
        else if (type == typeof(float)) { ok = float.TryParse(text, NumberStyles.Float, inv, out var v) && float.IsFinite(v); value = v; }
        else
        {
            ok = text is "true" or "false" or "True" or "False" or "yes" or "no";
            value = text is "true" or "True" or "yes";
        }
        if (!ok) throw Error(node, key, $"expected {Describe(type)}, got '{text}'");
        return value!;
    }

    private List<YamlNode> Sequence(YamlNode node, string key) =>
        node is YamlSequenceNode seq ? seq.Children.ToList() : throw Error(node, key, $"expected a list, got {Kind(node)}");

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode s && s.Style == ScalarStyle.Plain && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    private static string Describe(Type t) =>
        t == typeof(int) || t == typeof(long) ? "an integer" :
        t == typeof(ulong) ? "a non-negative integer" :
        t == typeof(double) || t == typeof(float) ? "a number" :
        t == typeof(bool) ? "true or false" :
        t.Name.Replace("Options", "").Replace("Spec", "");

    private static string Kind(YamlNode n) => n switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "nothing (null)",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an unsupported node",
    };

    public SpecException Error(YamlNode node, string key, string message) => new(SourceRef.From(File, node.Start, key), message);

    public static string UnknownKey(string name, IEnumerable<string> valid)
    {
        var list = valid.OrderBy(x => x, StringComparer.Ordinal).ToList();
        return $"unknown key '{name}'{Suggest(name, list)}; valid keys: {string.Join(", ", list)}";
    }

    /// <summary>"; did you mean 'x'?" for the nearest candidate within a small edit distance, else "".</summary>
    public static string Suggest(string given, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (c, d: Distance(given.ToLowerInvariant(), c.ToLowerInvariant()))).OrderBy(x => x.d).FirstOrDefault();
        return best.c is not null && best.d <= Math.Max(2, given.Length / 3) ? $" (did you mean '{best.c}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    public static string SnakeCase(string pascal)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(pascal[i - 1]) || (i + 1 < pascal.Length && char.IsLower(pascal[i + 1])))) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}

/// <summary>A pluggable component in YAML: its registered <see cref="Type"/> name and its remaining options, bound by a registry.</summary>
public sealed record ComponentSpec(string Type, YamlMappingNode Options, SourceRef Where);
