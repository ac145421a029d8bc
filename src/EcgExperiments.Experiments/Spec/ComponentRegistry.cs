using EcgExperiments.Core;

namespace EcgExperiments.Experiments.Spec;

/// <summary>
/// Maps YAML names to an options record and a factory (STYLE §12): adding a component is one class and one
/// registration, never a switch statement elsewhere. Data sources, transforms and models are chosen by <c>type:</c>,
/// imbalance strategies by <c>strategy:</c> (<see cref="Discriminator"/>). Options are bound from YAML, checked once by
/// their own <see cref="IValidatable.Validate"/>, and kept so run records and trial keys show them.
/// </summary>
public sealed class ComponentRegistry<TProduct>(string section, string discriminator = "type") : IComponentRegistry
{
    public Type ProductType => typeof(TProduct);

    object IComponentRegistry.Build(ComponentSpec spec, YamlBinder binder) => Build(spec, binder).product!;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public sealed record Entry(string Name, string Description, Type OptionsType, Func<object, TProduct> Build);

    /// <summary>What the registry's components are called in messages, e.g. "model".</summary>
    public string Section { get; } = section;

    /// <summary>The YAML key naming the component (<c>type</c>, or <c>strategy</c> for imbalance strategies).</summary>
    public string Discriminator { get; } = discriminator;

    public IEnumerable<Entry> Entries => _entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal);

    public ComponentRegistry<TProduct> Register<TOptions>(string name, string description, Func<TOptions, TProduct> build) where TOptions : new()
    {
        _entries.Add(name, new Entry(name, description, typeof(TOptions), o => build((TOptions)o)));
        return this;
    }

    public bool TryGet(string name, out Entry entry) => _entries.TryGetValue(name, out entry!);

    public IEnumerable<string> Names => Entries.Select(e => e.Name);

    public Type OptionsTypeOf(string name) => _entries[name].OptionsType;

    /// <summary>Binds the component's options and builds it; errors point at the YAML.</summary>
    public (TProduct product, object options) Build(ComponentSpec spec, YamlBinder binder)
    {
        if (!_entries.TryGetValue(spec.Type, out var entry))
            throw new SpecException(spec.Where with { Key = $"{spec.Where.Key}.{Discriminator}" },
                $"unknown {Section} {Discriminator} '{spec.Type}'{YamlBinder.Suggest(spec.Type, _entries.Keys)}; valid: {string.Join(", ", _entries.Keys.Order())}");
        var options = binder.BindObject(entry.OptionsType, spec.Options, spec.Where.Key);
        try
        {
            (options as IValidatable)?.Validate();
            return (entry.Build(options), options);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new SpecException(spec.Where, e.Message);
        }
    }
}

/// <summary>A registry without its product type: what the binder needs to bind an interface-typed option.</summary>
public interface IComponentRegistry
{
    Type ProductType { get; }
    string Section { get; }
    string Discriminator { get; }
    /// <summary>The registered names, in order.</summary>
    IEnumerable<string> Names { get; }
    /// <summary>The options record a name binds to.</summary>
    Type OptionsTypeOf(string name);
    object Build(ComponentSpec spec, YamlBinder binder);
}
