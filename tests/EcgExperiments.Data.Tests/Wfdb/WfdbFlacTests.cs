using System.Diagnostics;
using EcgExperiments.Core;
using EcgExperiments.Data.Wfdb;
using EcgExperiments.Data.Wfdb.Flac;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Wfdb;

/// <summary>A fact that needs libFLAC (Debian's libflac12, installed by ./ecg setup); skipped with the install hint elsewhere.</summary>
public sealed class LibFlacFactAttribute : FactAttribute
{
    public LibFlacFactAttribute(string? dataset = null)
    {
        if (!LibFlac.IsAvailable) Skip = LibFlac.InstallHint;
        else if (dataset is not null && !RealData.Has(dataset)) Skip = RealData.SkipReason(dataset);
    }
}

/// <summary>A fact that needs Debian's <c>flac</c> command-line tool as an independent encoder/decoder.</summary>
public sealed class FlacToolFactAttribute : FactAttribute
{
    public const string Tool = "/usr/bin/flac";

    public FlacToolFactAttribute()
    {
        if (!File.Exists(Tool) || !LibFlac.IsAvailable) Skip = "needs libFLAC and the flac tool (Debian: apt-get install libflac12 flac)";
        else if (!RealData.Has("mitbih")) Skip = RealData.SkipReason("mitbih");
    }
}

/// <summary>
/// FLAC signal files (formats 508, 516, 524) in the layout the WFDB library writes: FLAC copies of real MIT-BIH and
/// PTB-XL records, written with libFLAC, read back against the original samples, whole and from inside FLAC blocks.
/// </summary>
public sealed class WfdbFlacTests
{
    private static string Mit(string id) => Path.Combine(RealData.MitBih, id);

    [LibFlacFact("mitbih")]
    public void Format_516_copy_of_record_100_reads_back_every_sample_and_any_range()
    {
        using var tmp = new TempFolder("flac516");
        var original = WfdbReader.Read(Mit("100"));
        var path = WfdbWriter.Write(tmp.Path, WfdbRecordToWrite.From(original, "100flac", format: 516));
        Assert.Equal("fLaC", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(path + ".dat")[..4]));
        Assert.True(new FileInfo(path + ".dat").Length < new FileInfo(Mit("100.dat")).Length); // compressed below format 212's 1.5 bytes/sample

        var copy = WfdbReader.Read(path); // checksums and initial values written by the writer, verified by the reader
        Assert.Equal(516, copy.Header.Signals[0].Format);
        Assert.Equal(original.Adc, copy.Adc);
        Assert.Equal(original.ToPhysicalDouble(1), copy.ToPhysicalDouble(1));
        // Ranges that start and end inside FLAC blocks (4096 samples at level 5) and cross their boundaries.
        foreach (var (from, to) in new (long, long)[] { (1, 2), (4095, 4097), (123_456, 131_073), (649_999, 650_000), (300_000, 300_000) })
        {
            var part = WfdbReader.Read(path, new WfdbReadOptions { From = from, To = to, Signals = ["V5"] });
            Assert.Equal(original.Adc[1][(int)from..(int)to], part.Adc[0]);
        }
    }

    [LibFlacFact("mitbih")]
    public void Formats_508_and_524_hold_8_and_24_bit_samples_derived_from_record_119()
    {
        using var tmp = new TempFolder("flac8-24");
        var original = WfdbReader.Read(Mit("119"), new WfdbReadOptions { To = 50_000 });
        // 8 bits: the 11-bit samples scaled down around their zero; 24 bits: scaled up by 2^12 (negative values included).
        int[] eight = original.Adc[0].Select(v => Math.Clamp((v - 1024) >> 3, -127, 127)).ToArray();
        int[] wide = original.Adc[1].Select(v => (v - 1024) << 12).ToArray();
        var path = WfdbWriter.Write(tmp.Path, new WfdbRecordToWrite
        {
            Name = "deep",
            SamplingFrequency = 360,
            Signals =
            [
                new WfdbSignalToWrite { Description = "MLII/8", Samples = eight, Format = 508, Gain = 25, FileName = "deep.d8" },
                new WfdbSignalToWrite { Description = "V5<<12", Samples = wide, Format = 524, Gain = 200 * 4096, FileName = "deep.d24" },
            ],
        });
        var rec = WfdbReader.Read(path);
        Assert.Equal(eight, rec.Adc[0]);
        Assert.Equal(wide, rec.Adc[1]);
        Assert.Equal(wide[40_000..40_100], WfdbReader.Read(path, new WfdbReadOptions { From = 40_000, To = 40_100, Channels = [1] }).Adc[0]);
    }

    [LibFlacFact("ptbxl")]
    public void Twelve_lead_PtbXl_record_as_two_six_channel_FLAC_files_with_two_samples_per_frame()
    {
        using var tmp = new TempFolder("flac12");
        var original = WfdbReader.Read(Path.Combine(RealData.PtbXl, "records100", "00000", "00007_lr"));
        // A FLAC stream holds at most 8 channels: limb leads in one file, chest leads in another; each lead stored
        // at 2 samples per frame (frame pairs of the original), as an oversampled signal would be.
        var signals = original.Signals.Select((s, k) => new WfdbSignalToWrite
        {
            Description = s.Description, Samples = original.Adc[k], Format = 516, SamplesPerFrame = 2, Gain = s.AdcGain,
            FileName = k < 6 ? "p7.limb" : "p7.chest",
        }).ToArray();
        var path = WfdbWriter.Write(tmp.Path, new WfdbRecordToWrite { Name = "p7", SamplingFrequency = 50, Signals = signals });
        var rec = WfdbReader.Read(path);
        Assert.Equal(500, rec.Length);
        Assert.Equal(original.Adc, rec.Adc);
        var v3 = WfdbReader.Read(path, new WfdbReadOptions { From = 101, To = 250, Signals = ["V3"] });
        Assert.Equal(original.Adc[8][202..500], v3.Adc[0]);
        Assert.Equal(100, v3.ToEcgSignal().SamplingRate);
    }

    [LibFlacFact("mitbih")]
    public void Sample_offset_truncation_and_damage_are_reported_with_the_file()
    {
        using var tmp = new TempFolder("flacbad");
        var original = WfdbReader.Read(Mit("100"), new WfdbReadOptions { To = 20_000 });
        var path = WfdbWriter.Write(tmp.Path, WfdbRecordToWrite.From(original, "f", format: 516));
        var hea = File.ReadAllText(path + ".hea");

        // "+10" on a FLAC signal skips 10 samples (not bytes): sample n is FLAC sample n + 10.
        File.WriteAllText(tmp.File("off.hea"), hea.Replace("f 2 360 20000", "off 2 360 19990").Replace(" 516 ", " 516+10 ")
            .Replace("f.dat", "f.dat"));
        var shifted = WfdbReader.Read(tmp.File("off"), new WfdbReadOptions { VerifyIntegrity = false });
        Assert.Equal(original.Adc[0][10..], shifted.Adc[0]);

        // A header longer than the stream: the read names the file and where the stream ends.
        File.WriteAllText(tmp.File("long.hea"), hea.Replace("f 2 360 20000", "long 2 360 25000"));
        var truncated = Assert.Throws<EcgDataException>(() => WfdbReader.Read(tmp.File("long"), new WfdbReadOptions { VerifyIntegrity = false }));
        Assert.Contains("'f.dat': the FLAC stream is truncated: it ends at sample 20000", truncated.Message);

        // Damaged frames: libFLAC's CRC check catches them.
        var bytes = File.ReadAllBytes(path + ".dat");
        for (int i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(tmp.File("bad.dat"), bytes);
        File.WriteAllText(tmp.File("bad.hea"), hea.Replace("f 2 360", "bad 2 360").Replace("f.dat", "bad.dat"));
        var damaged = Assert.Throws<EcgDataException>(() => WfdbReader.Read(tmp.File("bad")));
        Assert.Contains("'bad.dat'", damaged.Message);
        Assert.Matches("FLAC|checksum", damaged.Message);

        // Too many channels for the header: the stream's channel count is checked against the file's signals.
        File.WriteAllText(tmp.File("one.hea"), "one 1 360 20000\nf.dat 516 200 16 0 0 0 0 MLII\n");
        var channels = Assert.Throws<EcgDataException>(() => WfdbReader.Read(tmp.File("one")));
        Assert.Contains("FLAC stream has 2 channels but the header puts 1 signals in this file", channels.Message);
    }

    [FlacToolFact]
    public void Files_of_the_flac_tool_read_as_WFDB_signals_and_the_writers_files_decode_with_it()
    {
        using var tmp = new TempFolder("flaccli");
        var original = WfdbReader.Read(Mit("208"), new WfdbReadOptions { To = 100_000 });
        // Raw interleaved 16-bit PCM of the two signals: one FLAC channel per WFDB signal, one FLAC sample per frame.
        var pcm = new byte[original.Length * 4];
        for (int i = 0; i < original.Length; i++)
            for (int s = 0; s < 2; s++)
                BitConverter.TryWriteBytes(pcm.AsSpan(4 * i + 2 * s, 2), (short)original.Adc[s][i]);
        File.WriteAllBytes(tmp.File("raw.pcm"), pcm);
        Run("--silent", "--force-raw-format", "--endian=little", "--sign=signed", "--channels=2", "--bps=16", "--sample-rate=96000",
            "-o", tmp.File("cli.dat"), tmp.File("raw.pcm"));
        File.WriteAllText(tmp.File("cli.hea"), "cli 2 360 100000\ncli.dat 516 200 11 1024 0 0 0 MLII\ncli.dat 516 200 11 1024 0 0 0 V1\n");
        Assert.Equal(original.Adc, WfdbReader.Read(tmp.File("cli"), new WfdbReadOptions { VerifyIntegrity = false }).Adc);

        var written = WfdbWriter.Write(tmp.Path, WfdbRecordToWrite.From(original, "ours", format: 516));
        Run("--silent", "--decode", "--force-raw-format", "--endian=little", "--sign=signed", "-o", tmp.File("ours.pcm"), written + ".dat");
        Assert.Equal(pcm, File.ReadAllBytes(tmp.File("ours.pcm")));
    }

    private static void Run(params string[] args)
    {
        var psi = new ProcessStartInfo(FlacToolFactAttribute.Tool, args) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"flac {string.Join(' ', args)} failed: {err}");
    }
}
