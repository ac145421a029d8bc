using System.Globalization;

namespace EcgExperiments.Core;

/// <summary>
/// Checks that results can be written before any work is done: the folder can be created, a file can be written in it
/// (a real write, so read-only mounts and root-owned folders are found whatever the permission bits say), and its file
/// system has room. Finding this after an hour of training loses the hour.
/// </summary>
/// <example><code>
/// OutputStorage.EnsureWritable("results/quickstart");   // throws StorageException naming the folder and what to do
/// </code></example>
public static class OutputStorage
{
    /// <summary>Environment variable overriding <see cref="MinimumFreeBytes"/>, in MB (MiB).</summary>
    public const string MinimumFreeVariable = "ECG_MIN_FREE_MB";

    /// <summary>Free space a run needs before it starts: 200 MiB (a model file, predictions and tables), or <c>ECG_MIN_FREE_MB</c>.</summary>
    public static long MinimumFreeBytes =>
        long.TryParse(Environment.GetEnvironmentVariable(MinimumFreeVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var mb) && mb >= 0
            ? mb << 20
            : 200L << 20;

    /// <summary>Creates <paramref name="folder"/> if needed and checks a file can be written there and enough space is free.</summary>
    /// <param name="folder">The folder results go to.</param>
    /// <param name="what">What the folder is, for messages (e.g. "results folder").</param>
    /// <param name="minimumFreeBytes">Free space needed (default <see cref="MinimumFreeBytes"/>).</param>
    /// <exception cref="StorageException">The folder cannot be created or written, or its file system is too full.</exception>
    public static void EnsureWritable(string folder, string what = "results folder", long? minimumFreeBytes = null)
    {
        var full = Path.GetFullPath(folder);
        if (File.Exists(full))
            throw new StorageException(full, $"the {what} is a file, not a folder; choose a folder (--output or output.dir)");
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(full, $"the {what} cannot be created ({Reason(e)}); choose a writable folder with --output or output.dir", e);
        }
        var probe = Path.Combine(full, $".write-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (var s = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                s.WriteByte(0);
                s.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(full, $"the {what} is not writable ({Reason(e)}); fix its permissions or choose another folder with --output or output.dir", e);
        }
        long need = minimumFreeBytes ?? MinimumFreeBytes;
        if (FreeBytes(full) is { } free && free < need)
            throw new StorageException(full,
                $"only {Megabytes(free)} free on the {what}'s file system, a run needs at least {Megabytes(need)}; free some space or choose another folder " +
                $"with --output (the threshold is {MinimumFreeVariable})");
    }

    /// <summary>Bytes free to this user on the file system holding <paramref name="path"/>, or null when it cannot be told.</summary>
    public static long? FreeBytes(string path)
    {
        try
        {
            return new DriveInfo(path).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The operating system's reason without .NET's path echo (the message names the path once, first).</summary>
    public static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "a parent folder does not exist",
        _ when e.HResult == 28 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase) => "no space left on the device",
        _ when e.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase) => "read-only file system",
        _ when e.Message.Contains("Not a directory", StringComparison.OrdinalIgnoreCase) => "a part of the path is a file, not a folder",
        _ => e.Message,
    };

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0} MB");
}

/// <summary>Results cannot be written where asked: the message starts with the path and says what to do.</summary>
public sealed class StorageException(string path, string message, Exception? inner = null) : IOException($"{path}: {message}", inner)
{
    /// <summary>The folder or file that could not be written.</summary>
    public string Path { get; } = path;
}
