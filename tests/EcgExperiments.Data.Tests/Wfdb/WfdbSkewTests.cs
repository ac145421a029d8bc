using EcgExperiments.Core;
using EcgExperiments.Data.Wfdb;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Wfdb;

/// <summary>
/// Skew as the reference reads it, on the reference test corpus's own case: record 100 with a skew of 3 stated on
/// V5 (header "100skew", the unchanged 100.dat). Sample n of V5 is then stored in frame n + 3, so the read V5 is
/// the stored V5 moved 3 samples earlier, its last 3 samples beyond the file (invalid); the header's initial value
/// and checksum still describe the stored samples.
/// </summary>
public sealed class WfdbSkewTests
{
    private static TempFolder SkewedCopyOf100(string? editV5 = null)
    {
        var tmp = new TempFolder("skew");
        tmp.Copy(Path.Combine(RealData.MitBih, "100.dat"));
        var lines = File.ReadAllLines(Path.Combine(RealData.MitBih, "100.hea"));
        lines[0] = lines[0].Replace("100 ", "100skew ", StringComparison.Ordinal);
        lines[2] = lines[2].Replace("100.dat 212 ", "100.dat 212:3 ", StringComparison.Ordinal);
        if (editV5 is not null) lines[2] = lines[2].Replace("20052", editV5, StringComparison.Ordinal);
        File.WriteAllLines(tmp.File("100skew.hea"), lines);
        return tmp;
    }

    [RealDataFact("mitbih")]
    public void Whole_record_read_of_a_skewed_record_shifts_the_skewed_signal_and_verifies_stored_checksums()
    {
        using var tmp = SkewedCopyOf100();
        var original = WfdbReader.Read(Path.Combine(RealData.MitBih, "100"));
        var skewed = WfdbReader.Read(tmp.File("100skew")); // checksum and initial value verified: no "truncated", no mismatch
        Assert.Equal(3, skewed.Header.Signals[1].Skew);
        Assert.Equal(650_000, skewed.Length);
        Assert.Equal(original.Adc[0], skewed.Adc[0]);
        Assert.Equal(original.Adc[1][3..], skewed.Adc[1][..^3]);
        Assert.Equal(new[] { -2048, -2048, -2048 }, skewed.Adc[1][^3..]); // format 212's invalid-sample value
        var mv = skewed.ToPhysicalDouble(1);
        Assert.All(mv[^3..], v => Assert.True(double.IsNaN(v)));
        Assert.Equal((original.Adc[1][3] - 1024) / 200.0, mv[0]);
    }

    [RealDataFact("mitbih")]
    public void Partial_reads_of_a_skewed_record_match_the_whole_record_and_check_the_stored_initial_value()
    {
        using var tmp = SkewedCopyOf100();
        var whole = WfdbReader.Read(tmp.File("100skew"));
        foreach (var (from, to) in new (long, long)[] { (0, 10), (1, 4), (12345, 12399), (649_990, 650_000), (649_997, 650_000) })
        {
            var part = WfdbReader.Read(tmp.File("100skew"), new WfdbReadOptions { From = from, To = to });
            for (int s = 0; s < 2; s++) Assert.Equal(whole.Adc[s][(int)from..(int)to], part.Adc[s]);
        }
        // Only V5, from sample 0: its initial value (1011) is checked against the first stored sample, while the
        // samples returned start at stored frame 3.
        var v5 = WfdbReader.Read(tmp.File("100skew"), new WfdbReadOptions { Signals = ["V5"], To = 5 });
        var original = WfdbReader.Read(Path.Combine(RealData.MitBih, "100"), new WfdbReadOptions { Signals = ["V5"], To = 8 });
        Assert.Equal(original.Adc[0][3..8], v5.Adc[0]);
        Assert.Equal(1011, original.Adc[0][0]);
    }

    [RealDataFact("mitbih")]
    public void A_wrong_checksum_on_the_skewed_signal_is_still_caught()
    {
        using var tmp = SkewedCopyOf100(editV5: "20053");
        var ex = Assert.Throws<EcgDataException>(() => WfdbReader.Read(tmp.File("100skew")));
        Assert.Contains("checksum mismatch for signal 1 ('V5')", ex.Message);
    }
}
