namespace EcgExperiments.Core;

/// <summary>An options record that can check its own values (ranges, combinations) before anything is built from it.</summary>
public interface IValidatable
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the offending option and its valid range.</summary>
    void Validate();
}
