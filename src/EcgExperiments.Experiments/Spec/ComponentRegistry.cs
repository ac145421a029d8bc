namespace EcgExperiments.Experiments.Spec;

/// <summary>
/// Maps YAML <c>type:</c> names to an options record and a factory (STYLE §12): adding a component is one class
/// and one registration, never a switch statement elsewhere.
/// </summary>
public sealed class ComponentRegistry<TProduct>(string section)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public sealed record Entry(string Name, string Description, Type OptionsType, Func<object, TProduct> Build);

    public string Section { get; } = section;
    public IEnumerable<Entry> Entries => _entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal);

    public ComponentRegistry<TProduct> Register<TOptions>(string name, string description, Func<TOptions, TProduct> build) where TOptions : new()
    {
        _entries.Add(name, new Entry(name, description, typeof(TOptions), o => build((TOptions)o)));
        return this;
    }

    /// <summary>Binds the component's options and builds it; errors point at the YAML.</summary>
    public (TProduct product, object options) Build(ComponentSpec spec, YamlBinder binder)
    {
        if (!_entries.TryGetValue(spec.Type, out var entry))
            throw new SpecException(spec.Where with { Key = $"{spec.Where.Key}.type" },
                $"unknown {Section} type '{spec.Type}'{YamlBinder.Suggest(spec.Type, _entries.Keys)}; valid: {string.Join(", ", _entries.Keys.Order())}");
        var options = binder.BindObject(entry.OptionsType, spec.Options, spec.Where.Key);
        try
        {
            return (entry.Build(options), options);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new SpecException(spec.Where, e.Message);
        }
    }
}
