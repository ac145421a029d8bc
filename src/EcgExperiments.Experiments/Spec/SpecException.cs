using YamlDotNet.Core;

namespace EcgExperiments.Experiments.Spec;

/// <summary>Where a YAML value came from: file, 1-based line and column, and its dotted key path.</summary>
public readonly record struct SourceRef(string File, int Line, int Column, string Key)
{
    public static SourceRef From(string file, Mark mark, string key) => new(file, (int)mark.Line, (int)mark.Column, key);

    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>An invalid experiment file. The message starts with <c>file:line:column</c> and names the key.</summary>
public sealed class SpecException(SourceRef where, string message) : Exception($"{where}: `{where.Key}`: {message}")
{
    public SourceRef Where { get; } = where;
}
