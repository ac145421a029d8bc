using System.Globalization;

namespace EcgExperiments.Core;

/// <summary>
/// An exclusive lock on a folder held by one process at a time: a results folder for the whole of an <c>ecg run</c>, or
/// one trial's folder for a cluster task. The lock is an operating-system lock on <c>&lt;folder&gt;/.lock</c>, so it is
/// released when the holder exits or dies (no stale lock to clear by hand); the file's text names the holder (process id,
/// host, start time, what it is doing) for the message another process gets.
/// </summary>
/// <example><code>
/// using var held = FolderLock.Acquire("results/quickstart", "ecg run experiments/quickstart.yaml");
/// // ... a second process calling Acquire on the same folder now gets a FolderLockedException naming this one
/// </code></example>
public sealed class FolderLock : IDisposable
{
    /// <summary>The lock file's name inside the locked folder.</summary>
    public const string FileName = ".lock";

    // POSIX record locks (what FileStream.Lock takes on Unix) belong to a process, so a second Acquire in the same
    // process would succeed: the folders this process holds are remembered to refuse that too.
    private static readonly HashSet<string> HeldHere = new(StringComparer.Ordinal);
    private readonly FileStream _stream;
    private bool _disposed;

    private FolderLock(string folder, string path, FileStream stream, LockHolder holder)
    {
        Folder = folder;
        Path = path;
        _stream = stream;
        Holder = holder;
    }

    /// <summary>The locked folder (full path).</summary>
    public string Folder { get; }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>This process, as written into the lock file.</summary>
    public LockHolder Holder { get; }

    /// <summary>
    /// Takes the folder's lock (creating the folder), or throws <see cref="FolderLockedException"/> at once, naming the
    /// process that holds it.
    /// </summary>
    /// <param name="folder">The folder to lock.</param>
    /// <param name="purpose">What the holder is doing, for the other process's message (e.g. the command line).</param>
    public static FolderLock Acquire(string folder, string purpose)
    {
        var full = System.IO.Path.GetFullPath(folder);
        Directory.CreateDirectory(full);
        var path = System.IO.Path.Combine(full, FileName);
        lock (HeldHere)
        {
            if (HeldHere.Contains(full))
                throw new FolderLockedException(full, LockHolder.Current(purpose), sameProcess: true);
            // FileShare.ReadWrite: another process may open the file to read who holds it; exclusivity comes from Lock below.
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
            try
            {
                LockByte(stream);
            }
            catch (IOException)
            {
                var holder = LockHolder.Parse(ReadAll(stream));
                stream.Dispose();
                throw new FolderLockedException(full, holder, sameProcess: false);
            }
            var me = LockHolder.Current(purpose);
            stream.SetLength(0);
            var bytes = System.Text.Encoding.UTF8.GetBytes(me.ToText());
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
            HeldHere.Add(full);
            return new FolderLock(full, path, stream, me);
        }
    }

    /// <summary>Who holds <paramref name="folder"/>'s lock now, or null when nobody does.</summary>
    public static LockHolder? HolderOf(string folder)
    {
        var full = System.IO.Path.GetFullPath(folder);
        var path = System.IO.Path.Combine(full, FileName);
        if (!File.Exists(path)) return null;
        lock (HeldHere)
        {
            if (HeldHere.Contains(full)) return LockHolder.Current("");
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        try
        {
            LockByte(stream);
            UnlockByte(stream);
            return null;
        }
        catch (IOException)
        {
            return LockHolder.Parse(ReadAll(stream));
        }
    }

    // A POSIX record lock (fcntl) on the first byte: unlike FileShare.None (flock) it lets other processes open the file
    // and read who holds it. Linux and Windows are the framework's platforms; macOS has no FileStream.Lock.
    private static void LockByte(FileStream stream)
    {
        if (OperatingSystem.IsMacOS()) throw new PlatformNotSupportedException("folder locks need FileStream.Lock, which macOS lacks");
        stream.Lock(0, 1);
    }

    private static void UnlockByte(FileStream stream)
    {
        if (OperatingSystem.IsMacOS()) return;
        stream.Unlock(0, 1);
    }

    private static string ReadAll(FileStream stream)
    {
        stream.Position = 0;
        using var reader = new StreamReader(stream, leaveOpen: true);
        return reader.ReadToEnd();
    }

    /// <summary>Releases the lock (the file stays: the next holder overwrites it).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (HeldHere)
        {
            try { UnlockByte(_stream); }
            catch (IOException) { } // closing the file releases it anyway
            _stream.Dispose();
            HeldHere.Remove(Folder);
        }
    }
}

/// <summary>The process holding a <see cref="FolderLock"/>: what its lock file says.</summary>
/// <param name="ProcessId">Process id (0 when the file could not be read).</param>
/// <param name="Host">Machine name.</param>
/// <param name="StartedUtc">When it took the lock.</param>
/// <param name="Purpose">What it is doing (e.g. its command line).</param>
public sealed record LockHolder(int ProcessId, string Host, DateTime? StartedUtc, string Purpose)
{
    public static LockHolder Current(string purpose) => new(Environment.ProcessId, Environment.MachineName, DateTime.UtcNow, purpose);

    /// <summary>The lock file's text: one <c>key: value</c> line each.</summary>
    public string ToText() => string.Create(CultureInfo.InvariantCulture,
        $"pid: {ProcessId}\nhost: {Host}\nstarted_utc: {StartedUtc:O}\npurpose: {Purpose.ReplaceLineEndings(" ")}\n");

    /// <summary>Reads a lock file's text; fields that are missing or unreadable are left empty.</summary>
    public static LockHolder Parse(string text)
    {
        var fields = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.Ordinal);
        int.TryParse(fields.GetValueOrDefault("pid"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid);
        DateTime? started = DateTime.TryParse(fields.GetValueOrDefault("started_utc"), CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var s) ? s : null;
        return new LockHolder(pid, fields.GetValueOrDefault("host") ?? "", started, fields.GetValueOrDefault("purpose") ?? "");
    }

    /// <summary>"process 1234 on host-a (since 2025-01-01 10:00:00 UTC: ecg run spec.yaml)".</summary>
    public string Describe()
    {
        var who = ProcessId > 0 ? $"process {ProcessId.ToString(CultureInfo.InvariantCulture)}" : "another process";
        var where = Host.Length > 0 ? $" on {Host}" : "";
        var since = StartedUtc is { } t ? $"since {t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC" : null;
        var what = Purpose.Length > 0 ? Purpose : null;
        var details = string.Join(": ", new[] { since, what }.Where(x => x is not null));
        return $"{who}{where}{(details.Length > 0 ? $" ({details})" : "")}";
    }
}

/// <summary>A folder is locked by another run (<see cref="FolderLock"/>). The message names the holder's process and host.</summary>
public sealed class FolderLockedException(string folder, LockHolder holder, bool sameProcess)
    : IOException(sameProcess
        ? $"{folder}: this process already holds this folder's lock (a second run into the same results folder from one process)"
        : $"{folder}: in use by {holder.Describe()}; wait for it to finish, or stop it, or write to another folder with --output")
{
    /// <summary>The locked folder.</summary>
    public string Folder { get; } = folder;

    /// <summary>Who holds it.</summary>
    public LockHolder Holder { get; } = holder;
}
