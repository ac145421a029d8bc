using EcgExperiments.Data.Caching;

namespace EcgExperiments.Data.Tests.Caching;

public sealed class ContentCacheTests
{
    private static readonly CacheKey Key = CacheKey.Create("dataset-abc", """{"stft": {"nFft": 428, "hop": 16}, "lead": "MLII"}""", "1.0");

    [Fact]
    public void Key_ignores_json_formatting_and_key_order_but_not_values()
    {
        var same = CacheKey.Create("dataset-abc", """{ "lead":"MLII",  "stft":{"hop":16,"nFft":428} }""", "1.0");
        Assert.Equal("""{"lead":"MLII","stft":{"hop":16,"nFft":428}}""", same.TransformOptionsJson);
        Assert.Equal(Key.Hash, same.Hash);
        Assert.NotEqual(Key.Hash, CacheKey.Create("dataset-abc", """{"stft": {"nFft": 428, "hop": 8}, "lead": "MLII"}""", "1.0").Hash);
        Assert.NotEqual(Key.Hash, CacheKey.Create("dataset-xyz", """{"stft": {"nFft": 428, "hop": 16}, "lead": "MLII"}""", "1.0").Hash);
        Assert.NotEqual(Key.Hash, CacheKey.Create("dataset-abc", """{"stft": {"nFft": 428, "hop": 16}, "lead": "MLII"}""", "1.1").Hash);
        Assert.Throws<ArgumentException>(() => CacheKey.Create("d", "{not json", "1"));
    }

    [Fact]
    public void An_entry_is_filled_once_then_served()
    {
        using var tmp = new TempFolder("cache");
        var cache = new ContentCache(tmp.Path);
        Assert.False(cache.TryGet(Key, out _));
        int fills = 0;
        var first = cache.GetOrCreate(Key, dir => { fills++; File.WriteAllText(Path.Combine(dir, "x.txt"), "payload"); });
        var second = cache.GetOrCreate(Key, _ => fills++);
        Assert.Equal((1, first), (fills, second));
        Assert.Equal(cache.EntryPath(Key), first);
        Assert.Equal("payload", File.ReadAllText(Path.Combine(first, "x.txt")));
        Assert.Contains(Key.Hash, File.ReadAllText(Path.Combine(first, ContentCache.EntryManifest)));
        Assert.True(cache.TryGet(Key, out var found) && found == first);
    }

    [Fact]
    public void Concurrent_fills_of_one_key_leave_one_complete_entry_and_no_temporaries()
    {
        using var tmp = new TempFolder("cache-race");
        var cache = new ContentCache(tmp.Path);
        const int workers = 4;
        using var barrier = new Barrier(workers);
        var partialSeen = 0;
        var results = new string[workers];
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            barrier.SignalAndWait();
            results[w] = cache.GetOrCreate(Key, dir =>
            {
                // Write slowly in pieces; meanwhile no reader may see an entry.
                using (var s = File.Create(Path.Combine(dir, "data.bin")))
                    for (int i = 0; i < 50; i++)
                    {
                        s.Write(new byte[1000]);
                        if (cache.TryGet(Key, out var e) && new FileInfo(Path.Combine(e, "data.bin")).Length != 50_000) Interlocked.Increment(ref partialSeen);
                        Thread.Sleep(1);
                    }
            });
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();

        Assert.All(results, r => Assert.Equal(cache.EntryPath(Key), r));
        Assert.Equal(0, partialSeen);
        Assert.Equal(50_000, new FileInfo(Path.Combine(results[0], "data.bin")).Length);
        Assert.Empty(Directory.GetDirectories(Path.Combine(tmp.Path, ".incomplete")));
        Assert.Single(Directory.GetDirectories(Path.Combine(tmp.Path, Key.Hash[..2])));
    }

    [Fact]
    public void A_fill_that_throws_midway_leaves_no_entry_and_a_later_fill_succeeds()
    {
        using var tmp = new TempFolder("cache-fail");
        var cache = new ContentCache(tmp.Path);
        var ex = Assert.Throws<InvalidOperationException>(() => cache.GetOrCreate(Key, dir =>
        {
            File.WriteAllText(Path.Combine(dir, "half.bin"), "partial");
            throw new InvalidOperationException("simulated crash while writing");
        }));
        Assert.Equal("simulated crash while writing", ex.Message);
        Assert.False(cache.TryGet(Key, out _));
        Assert.False(Directory.Exists(cache.EntryPath(Key)));
        Assert.Empty(Directory.GetDirectories(Path.Combine(tmp.Path, ".incomplete")));

        // A killed process leaves its temporary folder behind: it is never readable as an entry, and can be purged.
        var orphan = Directory.CreateDirectory(Path.Combine(tmp.Path, ".incomplete", Key.Hash + ".999.dead")).FullName;
        File.WriteAllText(Path.Combine(orphan, "half.bin"), "partial");
        Assert.False(cache.TryGet(Key, out _));
        Assert.Equal(1, cache.PurgeIncomplete(TimeSpan.Zero));

        var path = cache.GetOrCreate(Key, dir => File.WriteAllText(Path.Combine(dir, "ok.txt"), "done"));
        Assert.Equal("done", File.ReadAllText(Path.Combine(path, "ok.txt")));
    }
}
