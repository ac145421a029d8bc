using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using EcgExperiments.Core;

namespace EcgExperiments.Data.Caching;

/// <summary>
/// Content hashes of data files for dataset fingerprints, so a trial key changes when a waveform does (a corrupted or
/// replaced <c>.dat</c> is a different dataset, not a reason to overwrite a good result). Each hash is remembered by full
/// path, size and modification time in <c>file-hashes.tsv</c> under the content cache (<c>$ECG_CACHE_DIR</c>), so a file is
/// read again only when it changes. Links are followed: the target's content is hashed.
/// </summary>
public static class FileHashes
{
    private static readonly ConcurrentDictionary<string, (long Size, long Ticks, string Hash)> Memory = new(StringComparer.Ordinal);
    private static readonly Lock FileLock = new();
    private static bool _loaded;

    /// <summary>Where the remembered hashes live.</summary>
    public static string StorePath => Path.Combine(ContentCache.Default().Root, "file-hashes.tsv");

    /// <summary>SHA-256 (hex) of the file's content; "(missing)" when it does not exist.</summary>
    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        if (info.LinkTarget is not null) info = (FileInfo?)info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
        if (!info.Exists) return "(missing)";
        Load();
        long size = info.Length, ticks = info.LastWriteTimeUtc.Ticks;
        if (Memory.TryGetValue(full, out var known) && known.Size == size && known.Ticks == ticks) return known.Hash;
        string hash;
        using (var stream = info.OpenRead()) hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        Memory[full] = (size, ticks, hash);
        _dirty = true;
        return hash;
    }

    /// <summary>One hash over several files (order matters), remembering the new ones on disk.</summary>
    public static string OfFiles(IEnumerable<string> paths)
    {
        var hashes = paths.AsParallel().AsOrdered().Select(Of).ToList();
        Save();
        return StableHash.OfSequence(hashes);
    }

    private static bool _dirty;

    private static void Load()
    {
        if (_loaded) return;
        lock (FileLock)
        {
            if (_loaded) return;
            try
            {
                if (File.Exists(StorePath))
                    foreach (var line in File.ReadLines(StorePath))
                    {
                        var f = line.Split('\t');
                        if (f.Length == 4 && long.TryParse(f[1], CultureInfo.InvariantCulture, out var size) && long.TryParse(f[2], CultureInfo.InvariantCulture, out var ticks))
                            Memory.TryAdd(f[0], (size, ticks, f[3]));
                    }
            }
            catch (IOException) { }   // a damaged store only costs re-hashing
            _loaded = true;
        }
    }

    private static void Save()
    {
        if (!_dirty) return;
        lock (FileLock)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(StorePath)!);
                AtomicFile.WriteAllText(StorePath, string.Concat(Memory.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                    .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}\t{kv.Value.Size}\t{kv.Value.Ticks}\t{kv.Value.Hash}\n"))));
                _dirty = false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // a read-only cache only costs re-hashing
        }
    }
}
