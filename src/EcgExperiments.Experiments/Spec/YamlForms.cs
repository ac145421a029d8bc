using System.Collections.Concurrent;
using System.Reflection;
using YamlDotNet.RepresentationModel;

namespace EcgExperiments.Experiments.Spec;

/// <summary>
/// An option type with its own YAML forms, e.g. PTB-XL's <c>labels:</c>, written as a list (<c>[NORM, HYP]</c>) or a
/// mapping (<c>{ preset: superdiagnostic }</c>). <see cref="YamlBinder"/> hands such a node to the type, which reports
/// errors at the exact key through the binder (<see cref="YamlBinder.Error"/>) and may bind parts of the node as
/// ordinary options (<see cref="YamlBinder.Convert"/>).
/// </summary>
/// <example><code>
/// public sealed record Labels : IYamlForm&lt;Labels&gt;
/// {
///     public static Labels FromYaml(YamlBinder binder, YamlNode node, string key) =&gt; node is YamlSequenceNode ? … : …;
/// }
/// </code></example>
public interface IYamlForm<TSelf> where TSelf : IYamlForm<TSelf>
{
    /// <summary>The value <paramref name="node"/> (at dotted <paramref name="key"/>) stands for.</summary>
    static abstract TSelf FromYaml(YamlBinder binder, YamlNode node, string key);
}

/// <summary>Finds the <see cref="IYamlForm{TSelf}.FromYaml"/> of option types that have one.</summary>
public static class YamlForms
{
    private static readonly ConcurrentDictionary<Type, Func<YamlBinder, YamlNode, string, object?>?> Binders = new();

    /// <summary>The type's own binder, or null when it is bound as an ordinary options record.</summary>
    public static Func<YamlBinder, YamlNode, string, object?>? For(Type type) => Binders.GetOrAdd(type, static t =>
    {
        var form = t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IYamlForm<>) && i.GetGenericArguments()[0] == t);
        if (form is null) return null;
        var method = t.GetMethod("FromYaml", BindingFlags.Public | BindingFlags.Static, [typeof(YamlBinder), typeof(YamlNode), typeof(string)])
            ?? throw new InvalidOperationException($"{t.Name} implements IYamlForm but has no public static FromYaml(YamlBinder, YamlNode, string)");
        return (binder, node, key) =>
        {
            try
            {
                return method.Invoke(null, [binder, node, key]);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        };
    });
}
