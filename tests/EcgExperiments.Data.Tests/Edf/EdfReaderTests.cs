using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Data.Edf;
using EcgExperiments.Data.Wfdb;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Edf;

/// <summary>
/// EDF/EDF+ input: an EDF+C file written here from 60 s of MIT-BIH record 100 (MLII at 360 Hz, V5 decimated to
/// 180 Hz, beat annotations as TALs) reads back through the same record type as WFDB records.
/// </summary>
public sealed class EdfReaderTests
{
    private const int Seconds = 60;

    private sealed record Fixture(TempFolder Folder, string Path, WfdbRecord Original, short[] Mlii, short[] V5, List<(double Onset, string Text)> Beats)
        : IDisposable
    {
        public void Dispose() => Folder.Dispose();
    }

    private static Fixture Write100AsEdf()
    {
        var tmp = new TempFolder("edf");
        var rec = WfdbReader.Read(Path.Combine(RealData.MitBih, "100"), new WfdbReadOptions { To = 360 * Seconds });
        short[] mlii = rec.Adc[0].Select(v => (short)(v - 1024)).ToArray();
        short[] v5 = rec.Adc[1].Where((_, i) => i % 2 == 0).Select(v => (short)(v - 1024)).ToArray();
        var beats = WfdbAnnotationReader.Read(Path.Combine(RealData.MitBih, "100"))
            .Where(a => a.IsBeat && a.Sample < 360 * Seconds).Select(a => (a.Sample / 360.0, a.Symbol)).ToList();
        var tals = Enumerable.Range(0, Seconds).Select(r =>
            $"+{r}\x14\x14\0" + string.Concat(beats.Where(b => (int)b.Item1 == r)
                .Select(b => string.Create(CultureInfo.InvariantCulture, $"+{b.Item1:0.######}\x14{b.Item2}\x14\0")))).ToList();
        var path = tmp.File("rec100.edf");
        // Digital −1024…1023 ↔ physical −5.12…5.115 mV: 200 ADC units per mV, zero at digital 0.
        EdfTestFiles.Write(path,
        [
            new EdfTestSignal("MLII", "mV", -5.12, 5.115, -1024, 1023, 360, mlii),
            new EdfTestSignal("V5", "mV", -5.12, 5.115, -1024, 1023, 180, v5),
        ], Seconds, 1, annotations: tals, annotationBytes: 400);
        return new Fixture(tmp, path, rec, mlii, v5, beats.Select(b => (b.Item1, b.Item2)).ToList());
    }

    [RealDataFact("mitbih")]
    public void EdfPlus_file_reads_samples_rates_scaling_and_leaves_the_annotation_channel_out()
    {
        using var fx = Write100AsEdf();
        var header = WfdbHeader.Load(fx.Path);
        Assert.Equal(WfdbStorage.Edf, header.Storage);
        Assert.Equal(new[] { "MLII", "V5" }, header.Signals.Select(s => s.Description));      // "EDF Annotations" left out
        Assert.Equal((180.0, 180L * Seconds), (header.SamplingFrequency, header.SampleCount!.Value)); // gcd(360, 180) per 1 s record
        Assert.Equal(new[] { 2, 1 }, header.Signals.Select(s => s.SamplesPerFrame));
        Assert.Equal(("13:05:00", "25/04/1989"), (header.BaseTime, header.BaseDate));

        var rec = WfdbReader.Read(fx.Path);
        Assert.Equal(fx.Mlii.Select(v => (int)v), rec.Adc[0]);
        Assert.Equal(fx.V5.Select(v => (int)v), rec.Adc[1]);
        // EDF scaling: physical = (d − dmin)(pmax − pmin)/(dmax − dmin) + pmin, here (adc − 1024) / 200 of the original.
        var mlii = rec.ToPhysicalDouble(0);
        var original = fx.Original.ToPhysicalDouble(0);
        for (int i = 0; i < mlii.Length; i++) Assert.Equal(original[i], mlii[i], 1e-12);

        var mliiOnly = EdfReader.Read(fx.Path, new WfdbReadOptions { Signals = ["MLII"] }).ToEcgSignal();
        Assert.Equal((360.0, 360 * Seconds), (mliiOnly.SamplingRate, mliiOnly.Length));
        var both = EdfReader.Read(fx.Path, new WfdbReadOptions { SmoothFrames = true }).ToEcgSignal();
        Assert.Equal((180.0, 180 * Seconds), (both.SamplingRate, both.Length));
    }

    [RealDataFact("mitbih")]
    public void Ranges_across_data_records_match_the_whole_file()
    {
        using var fx = Write100AsEdf();
        var whole = EdfReader.Read(fx.Path);
        foreach (var (from, to) in new (long, long)[] { (0, 1), (179, 181), (1000, 5000), (10_799, 10_800) })
        {
            var part = EdfReader.Read(fx.Path, new WfdbReadOptions { From = from, To = to, Channels = [1, 0] });
            Assert.Equal(whole.Adc[1][(int)from..(int)to], part.Adc[0]);
            Assert.Equal(whole.Adc[0][(int)(2 * from)..(int)(2 * to)], part.Adc[1]);
        }
    }

    [RealDataFact("mitbih")]
    public void EdfPlus_annotations_come_back_with_their_onsets_and_texts()
    {
        using var fx = Write100AsEdf();
        var annotations = EdfReader.ReadAnnotations(fx.Path);
        Assert.Equal(fx.Beats.Count, annotations.Count); // the per-record time-keeping TALs are left out
        for (int i = 0; i < annotations.Count; i++)
        {
            Assert.Equal(fx.Beats[i].Text, annotations[i].Text);
            Assert.Equal(fx.Beats[i].Onset, annotations[i].Onset, 1e-6);
        }
    }

    public static TheoryData<string, Action<string>, string> BadFiles => new()
    {
        { "version", p => Small(p, version: "1"), "version field is '1       ', expected '0'" },
        { "header bytes", p => Small(p, headerBytes: 768), "header record is said to be 768 bytes, but 1 signals need 256 × 2 = 512" },
        { "records", p => Small(p, recordsField: "many"), "number of data records is 'many', not an integer" },
        { "digital range", p => Small(p, digitalMax: -2000), "digital range [-1000, -2000] is not an increasing 16-bit range" },
        { "physical range", p => Small(p, physicalMax: -1), "physical minimum and maximum are both -1" },
        { "truncated", p => { Small(p); using var f = new FileStream(p, FileMode.Open); f.SetLength(f.Length - 3); },
            "EDF file is truncated: 1557 bytes hold 3 whole data records of 262 bytes, but the header announces 4 (1560 bytes)" },
        { "unknown count", p => { Small(p, recordsField: "-1"); File.AppendAllText(p, "x"); }, "number of data records is -1 (unknown) and the 1049 data bytes" },
        { "bdf", p => { Small(p); var b = File.ReadAllBytes(p); b[0] = 0xFF; "BIOSEMI"u8.CopyTo(b.AsSpan(1)); File.WriteAllBytes(p, b); }, "this is a BDF file" },
    };

    private static void Small(string path, string version = "0", int? headerBytes = null, string? recordsField = null, int digitalMax = 1000,
        double physicalMax = 1) =>
        EdfTestFiles.Write(path, [new EdfTestSignal("ECG", "mV", -1, physicalMax, -1000, digitalMax, 131, new short[4 * 131])], 4, 1,
            annotations: null, version: version, headerBytesField: headerBytes, recordsField: recordsField, reserved: "");

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_EDF_headers_name_the_file_and_the_field(string name, Action<string> write, string problem)
    {
        using var tmp = new TempFolder("edfbad");
        var path = tmp.File(name.Replace(' ', '_') + ".edf");
        write(path);
        var ex = Assert.Throws<EcgDataException>(() => WfdbReader.Read(path));
        Assert.StartsWith(path, ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void Discontinuous_EdfPlus_is_refused_for_samples_but_its_annotations_read()
    {
        using var tmp = new TempFolder("edfd");
        var path = tmp.File("d.edf");
        EdfTestFiles.Write(path, [new EdfTestSignal("ECG", "uV", -500, 500, -2048, 2047, 10, new short[30])], 3, 1, reserved: "EDF+D",
            annotations: ["+0\x14\x14\0", "+5\x14\x14\0+5.5\x15" + "2\x14Lead off\x14\0", "+9\x14\x14\0"], annotationBytes: 40);
        var ex = Assert.Throws<EcgDataException>(() => EdfReader.Read(path));
        Assert.Contains("EDF+D (discontinuous)", ex.Message);
        Assert.Equal(new[] { new EdfAnnotation(5.5, 2, "Lead off") }, EdfReader.ReadAnnotations(path));
        var h = EdfReader.ReadHeader(path);
        Assert.True(h.IsEdfPlus && h.IsDiscontinuous);
        var spec = h.ToWfdbHeader().Signals[0];
        Assert.Equal("uV", spec.Units);
        Assert.Equal(4095 / 1000.0, spec.AdcGain, 1e-12);
        Assert.Equal(-2048 + 500 * 4.095, spec.EffectiveBaseline, 1e-9); // −0.5: not an integer, kept exact
    }
}
