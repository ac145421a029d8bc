using System.Diagnostics;
using EcgExperiments.Data.Wfdb;
using EcgExperiments.TestSupport;
using Xunit.Abstractions;

namespace EcgExperiments.Data.Tests.Wfdb;

/// <summary>Timing tests run alone so parallel tests do not distort the clock.</summary>
[CollectionDefinition(nameof(TimingCollection), DisableParallelization = true)]
public sealed class TimingCollection;

[Collection(nameof(TimingCollection))]
public sealed class WfdbReaderSpeedTests(ITestOutputHelper output)
{
    [RealDataFact("mitbih")]
    public void Reading_all_48_MitBih_records_takes_well_under_a_second()
    {
        var paths = WfdbReaderRealDataTests.MitBihRecords.Select(id => Path.Combine(RealData.MitBih, id)).ToArray();
        WfdbReader.Read(paths[0]); // JIT and page cache warm-up
        long samples = 0;
        var best = TimeSpan.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            var sw = Stopwatch.StartNew();
            foreach (var p in paths) samples += WfdbReader.Read(p).Adc.Sum(a => (long)a.Length);
            sw.Stop();
            if (sw.Elapsed < best) best = sw.Elapsed;
        }
        output.WriteLine($"read 48 MIT-BIH records (650,000 × 2 samples, format 212, checksums verified): best of 3 = {best.TotalMilliseconds:F0} ms");
        Assert.Equal(3L * 48 * 2 * 650_000, samples);
        Assert.True(best < TimeSpan.FromSeconds(1), $"best of 3 runs took {best.TotalMilliseconds:F0} ms; the target is well under 1 s");
    }
}
