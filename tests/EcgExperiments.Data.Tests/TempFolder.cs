namespace EcgExperiments.Data.Tests;

/// <summary>A fresh folder under the system temp directory, deleted on dispose. Corrupt-input corpora are built here.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string purpose)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"ecgdata-{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Copies a file into the folder (optionally under another name) and returns the copy's path.</summary>
    public string Copy(string source, string? name = null)
    {
        var target = File(name ?? System.IO.Path.GetFileName(source));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        System.IO.File.Copy(source, target, overwrite: true);
        return target;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
