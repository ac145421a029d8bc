using EcgExperiments.Data.Caching;
using EcgExperiments.Data.MitBih;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Caching;

/// <summary>Dataset fingerprints cover the signal files' content, remembered by size and modification time.</summary>
public sealed class FileHashTests
{
    [RealDataFact("mitbih")]
    public void A_changed_waveform_changes_the_mitbih_fingerprint_and_an_unchanged_one_keeps_it()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-fingerprint-").FullName;
        try
        {
            foreach (var id in new[] { "100", "101" })
                foreach (var ext in new[] { ".hea", ".dat", ".atr" })
                    File.Copy(Path.Combine(RealData.MitBih, id + ext), Path.Combine(dir, id + ext));
            var before = MitBihDatabase.Open(dir).Fingerprint;
            Assert.Equal(before, MitBihDatabase.Open(dir).Fingerprint);   // reopened: the same data, the same fingerprint

            // One byte of record 101's samples changes: headers and annotations are the same, the data is not.
            var dat = Path.Combine(dir, "101.dat");
            var bytes = File.ReadAllBytes(dat);
            bytes[100_000] ^= 0x01;
            File.WriteAllBytes(dat, bytes);
            File.SetLastWriteTimeUtc(dat, DateTime.UtcNow.AddMinutes(1));
            var after = MitBihDatabase.Open(dir).Fingerprint;
            Assert.NotEqual(before, after);

            // The hashes are remembered by path, size and time in the cache's store.
            Assert.Contains(dat, File.ReadAllText(FileHashes.StorePath));
            Assert.Equal(FileHashes.Of(dat), FileHashes.Of(dat));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_link_hashes_its_target_and_a_missing_file_says_so()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-hash-").FullName;
        try
        {
            var target = Path.Combine(dir, "a.dat");
            File.WriteAllBytes(target, [1, 2, 3]);
            var link = Path.Combine(dir, "b.dat");
            File.CreateSymbolicLink(link, target);
            Assert.Equal(FileHashes.Of(target), FileHashes.Of(link));
            Assert.Equal("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81", FileHashes.Of(target));   // sha256 of 01 02 03
            Assert.Equal("(missing)", FileHashes.Of(Path.Combine(dir, "none.dat")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
