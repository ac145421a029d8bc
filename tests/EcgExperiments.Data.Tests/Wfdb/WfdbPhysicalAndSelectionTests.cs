using System.Text;
using EcgExperiments.Core;
using EcgExperiments.Data.Wfdb;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Wfdb;

/// <summary>
/// Physical values in float64 and float32, invalid samples, units defaults, channel selection by number, frame
/// smoothing and symbolic links, on real records or small files written here.
/// </summary>
public sealed class WfdbPhysicalAndSelectionTests
{
    private static string Mit(string id) => Path.Combine(RealData.MitBih, id);

    [RealDataFact("mitbih")]
    public void Float64_values_are_exactly_adc_minus_baseline_over_gain_and_float32_is_their_rounding()
    {
        var rec = WfdbReader.Read(Mit("105"));
        for (int s = 0; s < 2; s++)
        {
            var exact = rec.ToPhysicalDouble(s);
            var single = rec.ToPhysical(s);
            for (int i = 0; i < exact.Length; i++)
            {
                // The reference's arithmetic: float64(adc) − baseline, then ÷ gain.
                double expected = ((double)rec.Adc[s][i] - 1024) / 200.0;
                if (exact[i] != expected || single[i] != (float)expected)
                    Assert.Fail($"signal {s} sample {i}: adc {rec.Adc[s][i]} gave {exact[i]:R} / {single[i]:R}, expected {expected:R}");
            }
        }
    }

    [Theory]
    [InlineData(16, short.MinValue)]
    [InlineData(212, -2048)]
    [InlineData(310, -512)]
    [InlineData(80, -128)]
    [InlineData(24, -(1 << 23))]
    [InlineData(32, int.MinValue)]
    public void Invalid_sample_values_become_NaN_in_float32_and_float64(int format, int invalid)
    {
        using var tmp = new TempFolder("nan");
        var path = WfdbTestFiles.WriteRecord(tmp.Path, "n", format, [[5, invalid, -7, invalid]], gain: 10, units: "uV");
        var rec = WfdbReader.Read(path);
        Assert.Equal(new[] { 0.5, double.NaN, -0.7, double.NaN }, rec.ToPhysicalDouble(0)); // own units (µV)
        var mv = rec.ToPhysical(0);                                                      // mV
        Assert.Equal(new[] { 0.0005f, float.NaN, -0.0007f, float.NaN }, mv);
    }

    [Fact]
    public void Units_default_to_mV_when_absent_or_empty_and_Latin1_microvolts_read_as_microvolts()
    {
        var h = WfdbHeader.Parse("r 3 100 2\nr.dat 16 100\nr.dat 16 100/\nr.dat 16 100(3)\n", "/x/r.hea");
        Assert.All(h.Signals, s => Assert.Equal("mV", s.Units));
        Assert.Equal(3, h.Signals[2].Baseline);

        using var tmp = new TempFolder("units");
        File.WriteAllBytes(tmp.File("u.dat"), WfdbTestFiles.Encode(16, [1000, 2000]));
        var latin1 = Encoding.Latin1.GetBytes("u 1 100 2\nu.dat 16 1(0)/\u00b5V 16 0 1000 3000 0 EEG\n"); // µ as the single byte 0xB5
        File.WriteAllBytes(tmp.File("u.hea"), latin1);
        var rec = WfdbReader.Read(tmp.File("u"));
        Assert.Equal("µV", rec.Header.Signals[0].Units);
        Assert.Equal(new[] { 1f, 2f }, rec.ToPhysical(0)); // 1000 µV = 1 mV
    }

    [RealDataFact("mitbih")]
    public void Channels_by_number_follow_the_requested_order_and_bad_numbers_say_what_exists()
    {
        var byName = WfdbReader.Read(Mit("114"), new WfdbReadOptions { Signals = ["MLII", "V5"], To = 1000 });
        var byNumber = WfdbReader.Read(Mit("114"), new WfdbReadOptions { Channels = [1, 0], To = 1000 });
        Assert.Equal(new[] { 1, 0 }, byNumber.SignalIndices);
        Assert.Equal(byName.Adc, byNumber.Adc);

        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => WfdbReader.Read(Mit("114"), new WfdbReadOptions { Channels = [2] }));
        Assert.Contains("signal number 2 is outside 0-1 (signals: 0 V5, 1 MLII)", outside.Message);
        var both = Assert.Throws<ArgumentException>(() => WfdbReader.Read(Mit("114"), new WfdbReadOptions { Channels = [0], Signals = ["V5"] }));
        Assert.Contains("not both", both.Message);
        var twice = Assert.Throws<ArgumentException>(() => WfdbReader.Read(Mit("114"), new WfdbReadOptions { Channels = [0, 0] }));
        Assert.Contains("signal 0 is requested twice", twice.Message);
    }

    [RealDataFact("mitbih")]
    public void Smoothing_averages_each_frame_truncating_toward_zero_and_invalid_frames_stay_invalid()
    {
        using var tmp = new TempFolder("smooth");
        var rec = WfdbReader.Read(Mit("201"), new WfdbReadOptions { To = 36_000 });
        // MLII around its zero at 3 samples per frame (negative sums included), V1 at 1 per frame; one invalid sample.
        int[] mlii = rec.Adc[0].Select(v => v - 1024).ToArray();
        mlii[3 * 500 + 1] = short.MinValue;
        int frames = mlii.Length / 3;
        int[] v1 = rec.Adc[1][..frames];
        var path = WfdbWriter.Write(tmp.Path, new WfdbRecordToWrite
        {
            Name = "s", SamplingFrequency = 120,
            Signals =
            [
                new WfdbSignalToWrite { Description = "MLII", Samples = mlii, SamplesPerFrame = 3 },
                new WfdbSignalToWrite { Description = "V1", Samples = v1, Baseline = 1024 },
            ],
        });
        var smooth = WfdbReader.Read(path, new WfdbReadOptions { SmoothFrames = true });
        Assert.True(smooth.FramesSmoothed);
        int negatives = 0;
        for (int f = 0; f < frames; f++)
        {
            int sum = mlii[3 * f] + mlii[3 * f + 1] + mlii[3 * f + 2];
            int expected = f == 500 ? short.MinValue : (int)Math.Truncate(sum / 3.0);
            if (sum < 0 && sum % 3 != 0) negatives++;
            Assert.Equal(expected, smooth.Adc[0][f]);
        }
        Assert.True(negatives > 100, "the record must exercise truncation of negative means");
        Assert.Equal(v1, smooth.Adc[1]);
        var ecg = smooth.ToEcgSignal(); // one rate now
        Assert.Equal((120, frames), (ecg.SamplingRate, ecg.Length));
        Assert.True(float.IsNaN(ecg.Leads[0][500]));
        Assert.Equal(mlii[300..303], WfdbReader.Read(path, new WfdbReadOptions { From = 100, To = 101, Channels = [0] }).Adc[0]);
    }

    [RealDataFact("mitbih")]
    public void Symbolic_links_to_the_files_read_like_the_files_and_dangling_ones_say_what_to_fetch()
    {
        using var tmp = new TempFolder("links");
        foreach (var ext in new[] { ".hea", ".dat", ".atr" })
            File.CreateSymbolicLink(tmp.File("100" + ext), Mit("100") + ext);
        var linked = WfdbReader.Read(tmp.File("100")); // the .dat link is 40-odd bytes; its target is 1.95 MB
        Assert.Equal(WfdbReader.Read(Mit("100")).Adc, linked.Adc);
        Assert.Equal(2274, WfdbAnnotationReader.Read(tmp.File("100")).Count);

        File.Delete(tmp.File("100.dat"));
        File.CreateSymbolicLink(tmp.File("100.dat"), tmp.File(".git/annex/objects/xx/100.dat"));
        var dangling = Assert.Throws<EcgDataException>(() => WfdbReader.Read(tmp.File("100")));
        Assert.Contains("signal file '100.dat' (signal 0, 'MLII') is a symbolic link to", dangling.Message);
        Assert.Contains("git annex get", dangling.Message);

        File.Delete(tmp.File("100.atr"));
        File.CreateSymbolicLink(tmp.File("100.atr"), tmp.File("missing/100.atr"));
        var atr = Assert.Throws<EcgDataException>(() => WfdbAnnotationReader.Read(tmp.File("100")));
        Assert.Contains("annotation file is a symbolic link to", atr.Message);
    }
}
