using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using EcgExperiments.Core;

namespace EcgExperiments.Data.Caching;

/// <summary>
/// What a cache entry depends on: the input data's fingerprint, the transform options (JSON, canonicalised so
/// key order and whitespace do not matter) and the code version that produced it.
/// </summary>
/// <param name="DatasetFingerprint">E.g. <see cref="IEcgDatabase.Fingerprint"/> or a split fingerprint.</param>
/// <param name="TransformOptionsJson">Canonical JSON of the transform options.</param>
/// <param name="CodeVersion">Version of the code that fills the entry (assembly version, git commit, or a transform's format version).</param>
public sealed record CacheKey(string DatasetFingerprint, string TransformOptionsJson, string CodeVersion)
{
    /// <summary>Builds a key, canonicalising <paramref name="transformOptionsJson"/> (sorted keys, no whitespace).</summary>
    public static CacheKey Create(string datasetFingerprint, string transformOptionsJson, string codeVersion)
    {
        ArgumentNullException.ThrowIfNull(datasetFingerprint);
        ArgumentNullException.ThrowIfNull(transformOptionsJson);
        ArgumentNullException.ThrowIfNull(codeVersion);
        return new CacheKey(datasetFingerprint, CanonicalJson(transformOptionsJson), codeVersion);
    }

    /// <summary>SHA-256 of the three parts; names the entry's folder.</summary>
    public string Hash => StableHash.OfSequence(["ecg-cache-v1", DatasetFingerprint, TransformOptionsJson, CodeVersion]);

    /// <summary>JSON with object keys sorted (ordinal) and no insignificant whitespace.</summary>
    public static string CanonicalJson(string json)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new ArgumentException($"transform options are not valid JSON: {e.Message}", nameof(json), e); }
        using (doc)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
                WriteSorted(doc.RootElement, writer);
            return Encoding.UTF8.GetString(buffer.ToArray());
        }
    }

    private static void WriteSorted(JsonElement e, Utf8JsonWriter w)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    w.WritePropertyName(p.Name);
                    WriteSorted(p.Value, w);
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in e.EnumerateArray()) WriteSorted(item, w);
                w.WriteEndArray();
                break;
            default:
                e.WriteTo(w);
                break;
        }
    }
}

/// <summary>
/// Content-addressed cache of transformed data: one folder per <see cref="CacheKey"/> under a root
/// (<c>$ECG_CACHE_DIR</c>, else <c>.cache/</c> in the repository). An entry is filled in a private temporary folder
/// and renamed into place in one step, so readers see a complete entry or none; when two processes fill the same
/// key at once, both produce the same content, one rename wins and the other's copy is discarded; a fill that
/// throws (or a process that dies) leaves no entry behind.
/// </summary>
/// <example><code>
/// var cache = ContentCache.Default();
/// var key = CacheKey.Create(db.Fingerprint, """{"stft":{"nFft":428,"hop":16}}""", "signals-1.0");
/// string folder = cache.GetOrCreate(key, dir => NpyFile.Write(Path.Combine(dir, "images.npy"), images));
/// </code></example>
public sealed class ContentCache
{
    public const string RootVariable = "ECG_CACHE_DIR";

    /// <summary>Marker written last into every entry; its presence in the final folder means the entry is complete.</summary>
    public const string EntryManifest = "cache-entry.json";

    private const string TemporaryFolder = ".incomplete";

    public ContentCache(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    /// <summary>Cache at <c>$ECG_CACHE_DIR</c>, else <c>.cache/</c> in the repository checkout, else <c>./.cache</c>.</summary>
    public static ContentCache Default()
    {
        var env = Environment.GetEnvironmentVariable(RootVariable);
        if (!string.IsNullOrWhiteSpace(env)) return new ContentCache(env);
        return new ContentCache(Path.Combine(ProjectPaths.RepositoryRoot ?? Directory.GetCurrentDirectory(), ".cache"));
    }

    /// <summary>Folder an entry lives in once complete.</summary>
    public string EntryPath(CacheKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hash = key.Hash;
        return Path.Combine(Root, hash[..2], hash);
    }

    /// <summary>True with the entry's folder when a complete entry exists.</summary>
    public bool TryGet(CacheKey key, [NotNullWhen(true)] out string? entryFolder)
    {
        var path = EntryPath(key);
        if (File.Exists(Path.Combine(path, EntryManifest)))
        {
            entryFolder = path;
            return true;
        }
        entryFolder = null;
        return false;
    }

    /// <summary>
    /// Returns the entry's folder, filling it first when absent: <paramref name="fill"/> receives an empty private
    /// folder to write into; when it returns, the folder becomes the entry atomically. Exceptions from
    /// <paramref name="fill"/> propagate and leave no entry.
    /// </summary>
    public string GetOrCreate(CacheKey key, Action<string> fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        if (TryGet(key, out var existing)) return existing;

        var final = EntryPath(key);
        var temp = Path.Combine(Root, TemporaryFolder, $"{key.Hash}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            fill(temp);
            File.WriteAllText(Path.Combine(temp, EntryManifest), Manifest(key));
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            try
            {
                Directory.Move(temp, final);
                return final;
            }
            catch (IOException) when (TryGet(key, out var winner))
            {
                // Another process or thread completed the same entry first; its content is equivalent.
                return winner;
            }
            catch (IOException e) when (Directory.Exists(final))
            {
                throw new IOException(
                    $"cache entry folder {final} exists but has no {EntryManifest}, so it was not made by this cache; delete it and retry", e);
            }
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                try { Directory.Delete(temp, recursive: true); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
    }

    /// <summary>Deletes temporary folders older than <paramref name="olderThan"/> (left by killed processes); returns how many.</summary>
    public int PurgeIncomplete(TimeSpan olderThan)
    {
        var dir = Path.Combine(Root, TemporaryFolder);
        if (!Directory.Exists(dir)) return 0;
        int removed = 0;
        foreach (var d in Directory.GetDirectories(dir))
        {
            if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(d) < olderThan) continue;
            try
            {
                Directory.Delete(d, recursive: true);
                removed++;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    private static string Manifest(CacheKey key) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["hash"] = key.Hash,
        ["datasetFingerprint"] = key.DatasetFingerprint,
        ["transformOptions"] = key.TransformOptionsJson,
        ["codeVersion"] = key.CodeVersion,
        ["createdUtc"] = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    }, new JsonSerializerOptions { WriteIndented = true });
}
