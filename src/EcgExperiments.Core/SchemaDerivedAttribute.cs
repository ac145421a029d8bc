namespace EcgExperiments.Core;

/// <summary>
/// Marks an option that is filled from the data's schema (input channels, class count, series length), so it is not
/// a YAML key: the binder refuses it with a message saying where the value comes from.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SchemaDerivedAttribute(string source) : Attribute
{
    /// <summary>Where the value comes from, e.g. "the number of classes".</summary>
    public string Source { get; } = source;
}
