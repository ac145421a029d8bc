using EcgExperiments.Core;
using EcgExperiments.Data.Wfdb;

namespace EcgExperiments.Data.Tests.Wfdb;

public sealed class WfdbFormatTests
{
    private static int[][] RandomSignals(int signals, int length, int bits, int seed)
    {
        var rng = new Random(seed);
        long min = -(1L << (bits - 1)) + 1, max = (1L << (bits - 1)) - 1; // leave out WFDB's invalid-sample value
        return Enumerable.Range(0, signals).Select(_ => Enumerable.Range(0, length).Select(_ => (int)rng.NextInt64(min, max + 1)).ToArray()).ToArray();
    }

    /// <summary>Every binary format with the bits its samples hold.</summary>
    public static TheoryData<int, int> BinaryFormats => new() { { 16, 16 }, { 61, 16 }, { 160, 16 }, { 80, 8 }, { 24, 24 }, { 32, 32 }, { 212, 12 }, { 310, 10 }, { 311, 10 } };

    [Theory]
    [MemberData(nameof(BinaryFormats))]
    public void Every_format_round_trips_one_two_and_three_interleaved_signals(int format, int bits)
    {
        using var tmp = new TempFolder("fmt");
        foreach (int signals in new[] { 1, 2, 3 })
            foreach (int length in new[] { 1, 2, 7, 1000 })
            {
                var expected = RandomSignals(signals, length, bits, seed: format * 100 + signals * 10 + length);
                var path = WfdbTestFiles.WriteRecord(tmp.Path, $"r{signals}_{length}", format, expected);
                var rec = WfdbReader.Read(path); // checksums and initial values verified on the way
                Assert.Equal(expected, rec.Adc);

                // Every sub-range decodes the same samples, whatever its alignment to the packing blocks.
                for (long from = 0; from < Math.Min(length, 5); from++)
                    for (long to = from; to <= length; to += Math.Max(1, length / 4))
                    {
                        var part = WfdbReader.Read(path, new WfdbReadOptions { From = from, To = to });
                        for (int s = 0; s < signals; s++) Assert.Equal(expected[s][(int)from..(int)to], part.Adc[s]);
                    }
            }
    }

    [Theory]
    [InlineData(212, 12, 1)]
    [InlineData(212, 12, 3)]
    [InlineData(310, 10, 1)]
    [InlineData(311, 10, 2)]
    [InlineData(16, 16, 5)]
    public void Long_records_decode_across_chunk_boundaries_from_odd_offsets(int format, int bits, int signals)
    {
        using var tmp = new TempFolder("long");
        var expected = RandomSignals(signals, 60_001, bits, seed: format + signals);
        var path = WfdbTestFiles.WriteRecord(tmp.Path, "long", format, expected);
        Assert.Equal(expected, WfdbReader.Read(path).Adc);
        foreach (var (from, to) in new[] { (1, 60_001), (8_191, 16_385), (12_287, 12_290), (24_575, 49_153), (59_999, 60_001) })
        {
            var part = WfdbReader.Read(path, new WfdbReadOptions { From = from, To = to });
            for (int s = 0; s < signals; s++) Assert.Equal(expected[s][from..to], part.Adc[s]);
        }
    }

    [Fact]
    public void Format_8_accumulates_first_differences_from_the_initial_value()
    {
        using var tmp = new TempFolder("fmt8");
        int[] values = [100, 101, 99, 99, 120, -7];
        var diffs = new List<byte> { 0 };
        for (int i = 1; i < values.Length; i++) diffs.Add((byte)(sbyte)(values[i] - values[i - 1]));
        File.WriteAllBytes(tmp.File("d8.dat"), diffs.ToArray());
        File.WriteAllText(tmp.File("d8.hea"), $"d8 1 250 6\nd8.dat 8 100 10 0 100 {WfdbTestFiles.Checksum(values)} 0 ECG\n");
        Assert.Equal(values, WfdbReader.Read(tmp.File("d8")).Adc[0]);
        Assert.Equal(values[2..5], WfdbReader.Read(tmp.File("d8"), new WfdbReadOptions { From = 2, To = 5 }).Adc[0]);
    }

    [Fact]
    public void Samples_per_frame_skew_and_byte_offset_are_honoured()
    {
        using var tmp = new TempFolder("mods");
        // Signal A: 2 samples per frame; signal B: 1 per frame, skewed by 1 (its sample t is stored in frame t + 1).
        // File: 4-byte preamble, then 4 frames (A, A, B) in format 16. The header's initial value and checksum
        // describe B as stored (frames 0-3), as the WFDB writer computes them; B's sample 3 would be in frame 4,
        // which the record does not have, so it reads as invalid, as in the reference.
        int frames = 4;
        int[] a = [1, 2, 3, 4, 5, 6, 7, 8];
        int[] bStored = [-1, 20, 30, 40];            // frame 0 holds the skewed-away sample
        var stream = new List<int>();
        for (int f = 0; f < frames; f++) { stream.Add(a[2 * f]); stream.Add(a[2 * f + 1]); stream.Add(bStored[f]); }
        File.WriteAllBytes(tmp.File("m.dat"), [0xDE, 0xAD, 0xBE, 0xEF, .. WfdbTestFiles.Encode(16, stream)]);
        File.WriteAllText(tmp.File("m.hea"),
            "m 2 100 4\n" +
            $"m.dat 16x2+4 200 16 0 1 {WfdbTestFiles.Checksum(a)} 0 A\n" +
            $"m.dat 16:1+4 100 16 0 -1 {WfdbTestFiles.Checksum(bStored)} 0 B\n");
        var h = WfdbHeader.Load(tmp.File("m"));
        Assert.Equal((16, 2, 0, 4L), (h.Signals[0].Format, h.Signals[0].SamplesPerFrame, h.Signals[0].Skew, h.Signals[0].ByteOffset));
        Assert.Equal((1, 1), (h.Signals[1].SamplesPerFrame, h.Signals[1].Skew));

        var rec = WfdbReader.Read(tmp.File("m")); // checksums and initial values verified against the stored frames
        Assert.Equal(a, rec.Adc[0]);
        Assert.Equal(new[] { 20, 30, 40, short.MinValue }, rec.Adc[1]);
        Assert.True(float.IsNaN(rec.ToPhysical(1)[3]));
        var part = WfdbReader.Read(tmp.File("m"), new WfdbReadOptions { From = 1, To = 3 });
        Assert.Equal(new[] { 3, 4, 5, 6 }, part.Adc[0]);
        Assert.Equal(new[] { 30, 40 }, part.Adc[1]);

        // Different rates cannot share one EcgSignal, but each can be read alone; the oversampled one at 2 × fs.
        var ex = Assert.Throws<EcgDataException>(() => rec.ToEcgSignal());
        Assert.Contains("different rates", ex.Message);
        var onlyA = WfdbReader.ReadSignal(tmp.File("m"), leads: ["A"]);
        Assert.Equal(200, onlyA.SamplingRate);
        Assert.Equal(8, onlyA.Length);

        // Smoothed, every signal has one sample per frame: A's pairs average to their truncated mean.
        var smooth = WfdbReader.Read(tmp.File("m"), new WfdbReadOptions { SmoothFrames = true });
        Assert.Equal(new[] { 1, 3, 5, 7 }, smooth.Adc[0]); // (1+2)/2, (3+4)/2, … truncated
        Assert.Equal(100, smooth.ToEcgSignal().SamplingRate);
    }

    [Fact]
    public void Signals_in_several_files_are_read_from_each_file()
    {
        using var tmp = new TempFolder("files");
        int[] x = [5, -5, 6, -6], y = [100, 200, 300, 400], z = [7, 8, 9, 10];
        File.WriteAllBytes(tmp.File("two.dat"), WfdbTestFiles.Encode(212, [x[0], y[0], x[1], y[1], x[2], y[2], x[3], y[3]]));
        File.WriteAllBytes(tmp.File("one.dat"), WfdbTestFiles.Encode(61, z));
        File.WriteAllText(tmp.File("multi.hea"),
            "multi 3 500 4\n" +
            $"two.dat 212 200 12 0 5 {WfdbTestFiles.Checksum(x)} 0 lead x\n" +
            $"two.dat 212 200 12 0 100 {WfdbTestFiles.Checksum(y)} 0 lead y\n" +
            $"one.dat 61 200 16 0 7 {WfdbTestFiles.Checksum(z)} 0 lead z\n");
        var rec = WfdbReader.Read(tmp.File("multi"), new WfdbReadOptions { Signals = ["lead z", "lead x"] });
        Assert.Equal(new[] { 2, 0 }, rec.SignalIndices);
        Assert.Equal(z, rec.Adc[0]);
        Assert.Equal(x, rec.Adc[1]);
        Assert.Equal("lead x", rec.Header.Signals[0].Description); // descriptions keep their spaces
    }

    [Fact]
    public void Physical_values_use_baseline_gain_units_and_mark_invalid_samples_as_NaN()
    {
        using var tmp = new TempFolder("phys");
        int[] v = [1024, 1224, 824, -32768];
        File.WriteAllBytes(tmp.File("p.dat"), WfdbTestFiles.Encode(16, v));
        File.WriteAllText(tmp.File("p.hea"), $"p 1 360 4\np.dat 16 400(1024)/uV 16 0 1024 {WfdbTestFiles.Checksum(v)} 0 II\n");
        var ecg = WfdbReader.ReadSignal(tmp.File("p"));
        // (adc − 1024) / 400 µV → mV.
        Assert.Equal(new[] { 0f, 0.0005f, -0.0005f }, ecg.Leads[0][..3]);
        Assert.True(float.IsNaN(ecg.Leads[0][3]));
    }

    [Fact]
    public void Header_defaults_follow_WFDB_when_fields_are_missing()
    {
        var h = WfdbHeader.Parse("# leading comment\n\nrec 2\nrec.dat 212\nrec.dat 212 0 12 2048\n", "/x/rec.hea");
        Assert.Equal(WfdbHeader.DefaultSamplingFrequency, h.SamplingFrequency);
        Assert.Null(h.SampleCount);
        var s0 = h.Signals[0];
        Assert.Equal((0.0, 200.0, false, "mV", 12, 0, 0), (s0.AdcGain, s0.EffectiveGain, s0.IsCalibrated, s0.Units, s0.AdcResolution, s0.Baseline, s0.EffectiveInitialValue));
        Assert.Null(s0.Checksum);
        Assert.Null(s0.InitialValue);
        Assert.Equal("record rec, signal 0", s0.Description);
        var s1 = h.Signals[1];
        Assert.Equal((2048, 2048, 2048), (s1.AdcZero, s1.Baseline, s1.EffectiveInitialValue));
        Assert.Equal(new[] { "leading comment" }, h.Comments);
    }

    [Fact]
    public void Record_line_with_counter_frequency_base_counter_time_and_date_parses()
    {
        var h = WfdbHeader.Parse("sel 1 250/125(7.5) 22500 13:05:00.250 25/4/1989\r\nsel.dat 16 100(-3)/mmHg 12 1 0 0 0 ABP\r\n", "sel.hea");
        Assert.Equal((250.0, 125.0, 7.5, 22500L, "13:05:00.250", "25/4/1989"),
            (h.SamplingFrequency, h.CounterFrequency!.Value, h.BaseCounterValue, h.SampleCount!.Value, h.BaseTime, h.BaseDate));
        var s = h.Signals[0];
        Assert.Equal((100.0, -3, "mmHg", false), (s.AdcGain, s.Baseline, s.Units, s.IsVoltage));
        Assert.Equal(1f, s.ToPhysical(97)); // (97 + 3) / 100 in mmHg, units kept as is
    }

    [Theory]
    [InlineData("big/3 2 360\nseg1 1000\n", null, "declares 3 segments but only 1 segment lines follow")]
    [InlineData("big/x 2 360\nseg1 1000\n", 1, "number of segments 'x'")]
    [InlineData("big/2 2 360 900\nseg1 1000\nseg2 10\n", null, "segment lengths add up to 1010 samples but the record line says 900")]
    [InlineData("big/2 2 360\nseg1 1000\nseg2 0\n", 3, "segment 1 ('seg2') has length 0")]
    [InlineData("r 1 360 10\n~ 16 200\n", 2, "has no file ('~') but format 16")]
    [InlineData("r x 360\n", 1, "number of signals 'x'")]
    [InlineData("r 1 abc\nr.dat 16\n", 1, "sampling frequency 'abc'")]
    [InlineData("r 2 360 10\nr.dat 16 200 12 0 0 0 0 I\n", null, "declares 2 signals but only 1")]
    [InlineData("r 1 360 10\nr.dat 999 200\n", 2, "signal format 999 is not supported")]
    [InlineData("r 1 360 10\nr.dat 16y3 200\n", 2, "unknown modifier 'y'")]
    [InlineData("r 1 360 10\nr.dat 16 2x0\n", 2, "gain")]
    [InlineData("r 1 360 10\nr.dat 16 200(abc)/mV\n", 2, "baseline")]
    [InlineData("r 1 360 10\nr.dat 16 200 12 0 1.5\n", 2, "(initial value): '1.5' is not an integer")]
    [InlineData("r 2 360 10\nr.dat 16\nr.dat 212\n", 3, "has format 212, not 16")]
    [InlineData("r 3 360 10\na.dat 16\nb.dat 16\na.dat 16\n", 4, "signals sharing a file must be consecutive")]
    [InlineData("# only a comment\n", null, "no record line")]
    public void Malformed_headers_name_file_line_and_problem(string text, int? line, string problem)
    {
        var ex = Assert.Throws<EcgDataException>(() => WfdbHeader.Parse(text, "/data/r.hea"));
        Assert.Contains(problem, ex.Message);
        Assert.StartsWith(line is { } l ? $"/data/r.hea:{l}" : "/data/r.hea", ex.Message);
        Assert.Equal(line, ex.Line);
    }

    [Fact]
    public void Asking_for_a_lead_the_record_lacks_lists_the_leads_it_has()
    {
        using var tmp = new TempFolder("lead");
        var path = WfdbTestFiles.WriteRecord(tmp.Path, "l", 16, [[1, 2], [3, 4]], leadNames: ["V5", "V2"]);
        var ex = Assert.Throws<EcgDataException>(() => WfdbReader.Read(path, new WfdbReadOptions { Signals = ["MLII"] }));
        Assert.Contains("record l", ex.Message);
        Assert.Contains("no signal named 'MLII' (signals: V5, V2)", ex.Message);
        var twice = Assert.Throws<ArgumentException>(() => WfdbReader.Read(path, new WfdbReadOptions { Signals = ["V5", "v5"] }));
        Assert.Contains("signal 'v5' is requested twice", twice.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => WfdbReader.Read(path, new WfdbReadOptions { From = 1, To = 3 }));
        Assert.Contains("[1, 3) is outside [0, 2)", range.Message);
    }
}

public sealed class WfdbWriterTests
{
    [Theory]
    [MemberData(nameof(WfdbFormatTests.BinaryFormats), MemberType = typeof(WfdbFormatTests))]
    public void Writer_bytes_equal_the_independent_test_encoder_and_read_back(int format, int bits)
    {
        using var tmp = new TempFolder("writer");
        var rng = new Random(format);
        long min = -(1L << (bits - 1)), max = (1L << (bits - 1)) - 1;
        foreach (int length in new[] { 1, 2, 3, 7, 999 })
        {
            // Three signals, the second at 2 samples per frame, so streams of every length modulo the block size occur.
            int[][] signals = [.. new[] { 1, 2, 1 }.Select(spf => Enumerable.Range(0, length * spf).Select(_ => (int)rng.NextInt64(min, max + 1)).ToArray())];
            var stream = new List<int>();
            for (int f = 0; f < length; f++)
            {
                stream.Add(signals[0][f]);
                stream.Add(signals[1][2 * f]);
                stream.Add(signals[1][2 * f + 1]);
                stream.Add(signals[2][f]);
            }
            Assert.Equal(WfdbTestFiles.Encode(format, stream), WfdbWriter.Encode(format, stream.ToArray()));

            var path = WfdbWriter.Write(tmp.Path, new WfdbRecordToWrite
            {
                Name = $"w{length}", SamplingFrequency = 250,
                Signals = [.. signals.Select((s, k) => new WfdbSignalToWrite { Description = $"S{k}", Samples = s, Format = format, SamplesPerFrame = k == 1 ? 2 : 1 })],
            });
            Assert.Equal(signals, WfdbReader.Read(path).Adc); // checksums and initial values as the writer computed them
        }
    }

    [Fact]
    public void Format_8_differences_round_trip_and_a_jump_too_large_is_refused()
    {
        using var tmp = new TempFolder("writer8");
        int[] values = [-500, -400, -273, -273, -146, -20, 107, 3];
        var path = WfdbWriter.Write(tmp.Path, new WfdbRecordToWrite
        {
            Name = "d", SamplingFrequency = 100, Signals = [new WfdbSignalToWrite { Description = "x", Samples = values, Format = 8 }],
        });
        Assert.Equal(values, WfdbReader.Read(path).Adc[0]);
        Assert.Equal(values[3..6], WfdbReader.Read(path, new WfdbReadOptions { From = 3, To = 6 }).Adc[0]);
        var ex = Assert.Throws<ArgumentException>(() => WfdbWriter.Write(tmp.Path, new WfdbRecordToWrite
        {
            Name = "e", SamplingFrequency = 100, Signals = [new WfdbSignalToWrite { Description = "x", Samples = [0, 128], Format = 8 }],
        }));
        Assert.Contains("changes by 128 at sample 1; format 8 stores at most ±127", ex.Message);
        var range = Assert.Throws<ArgumentException>(() => WfdbWriter.Write(tmp.Path, new WfdbRecordToWrite
        {
            Name = "r", SamplingFrequency = 100, Signals = [new WfdbSignalToWrite { Description = "x", Samples = [2048], Format = 212 }],
        }));
        Assert.Contains("sample 0 is 2048, outside format 212's range [-2048, 2047]", range.Message);
    }
}
