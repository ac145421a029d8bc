using EcgExperiments.Data.Wfdb;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Wfdb;

public sealed class WfdbReaderRealDataTests
{
    internal static readonly string[] MitBihRecords =
    [
        "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "111", "112", "113", "114", "115", "116", "117", "118", "119",
        "121", "122", "123", "124", "200", "201", "202", "203", "205", "207", "208", "209", "210", "212", "213", "214", "215", "217", "219",
        "220", "221", "222", "223", "228", "230", "231", "232", "233", "234",
    ];

    private static string Mit(string id) => Path.Combine(RealData.MitBih, id);

    /// <summary>16-bit checksum computed here, independently of the reader's own verification.</summary>
    private static ushort Sum16(int[] samples)
    {
        int s = 0;
        foreach (var v in samples) s += v;
        return (ushort)s;
    }

    [RealDataFact("mitbih")]
    public void All_48_MitBih_records_decode_with_header_checksums_and_first_values()
    {
        foreach (var id in MitBihRecords)
        {
            var rec = WfdbReader.Read(Mit(id));
            Assert.Equal(650_000, rec.Length);
            Assert.Equal(2, rec.Adc.Length);
            for (int s = 0; s < 2; s++)
            {
                var spec = rec.Header.Signals[s];
                Assert.Equal(212, spec.Format);
                Assert.Equal(650_000, rec.Adc[s].Length);
                Assert.Equal((ushort)spec.Checksum!.Value, Sum16(rec.Adc[s]));
                Assert.Equal(spec.InitialValue, rec.Adc[s][0]);
                // 11-bit ADC with zero 1024: every sample lies in [0, 2047].
                Assert.InRange(rec.Adc[s].Min(), 0, 2047);
                Assert.InRange(rec.Adc[s].Max(), 0, 2047);
            }
        }
    }

    [RealDataFact("mitbih")]
    public void Record_100_has_the_raw_and_physical_values_computed_from_its_bytes_independently()
    {
        // Golden values decoded from 100.dat with a separate NumPy implementation of format 212.
        var rec = WfdbReader.Read(Mit("100"));
        Assert.Equal(new[] { 995, 1011 }, new[] { rec.Adc[0][0], rec.Adc[1][0] });
        Assert.Equal(new[] { 945, 970 }, new[] { rec.Adc[0][1000], rec.Adc[1][1000] });
        Assert.Equal(new[] { 929, 938 }, new[] { rec.Adc[0][123456], rec.Adc[1][123456] });
        Assert.Equal(new[] { 768, 1024 }, new[] { rec.Adc[0][649999], rec.Adc[1][649999] });
        Assert.Equal((481, 1311), (rec.Adc[0].Min(), rec.Adc[0].Max()));

        var ecg = rec.ToEcgSignal();
        Assert.Equal(360, ecg.SamplingRate);
        Assert.Equal(new[] { "MLII", "V5" }, ecg.LeadNames);
        Assert.Equal("100", ecg.RecordId);
        Assert.Equal(-0.145f, ecg.Leads[0][0], 6);   // (995 − 1024) / 200
        Assert.Equal(-0.065f, ecg.Leads[1][0], 6);   // (1011 − 1024) / 200
        Assert.Equal(-0.475f, ecg.Leads[0][123456], 6);
        Assert.Equal(-0.43f, ecg.Leads[1][123456], 6);
        Assert.Equal(-1.28f, ecg.Leads[0][649999], 6);
    }

    [RealDataFact("mitbih")]
    public void Half_open_ranges_match_the_whole_record_at_odd_and_even_boundaries()
    {
        var full = WfdbReader.Read(Mit("208"));
        foreach (var (from, to) in new (long, long)[] { (0, 1), (1, 2), (1, 4), (12345, 12346), (99_999, 100_360), (649_999, 650_000), (650_000, 650_000) })
        {
            var part = WfdbReader.Read(Mit("208"), new WfdbReadOptions { From = from, To = to });
            Assert.Equal(from, part.From);
            Assert.Equal(to, part.To);
            for (int s = 0; s < 2; s++)
                Assert.Equal(full.Adc[s][(int)from..(int)to], part.Adc[s]);
        }
    }

    [RealDataFact("mitbih")]
    public void Choosing_signals_by_name_follows_the_header_order_of_record_114()
    {
        // Record 114 stores V5 first and MLII second: asking for MLII by name gets signal 1.
        var rec = WfdbReader.Read(Mit("114"), new WfdbReadOptions { Signals = ["MLII"], To = 10 });
        Assert.Equal(new[] { 1 }, rec.SignalIndices);
        Assert.Equal(1027, rec.Adc[0][0]);
        var ecg = rec.ToEcgSignal();
        Assert.Equal(new[] { "MLII" }, ecg.LeadNames);
        Assert.Equal((1027 - 1024) / 200f, ecg.Leads[0][0], 6);
    }

    [RealDataFact("mitbih")]
    public void Header_of_record_100_parses_every_field_and_comment()
    {
        var h = WfdbHeader.Load(Mit("100"));
        Assert.Equal("100", h.RecordName);
        Assert.Equal(360, h.SamplingFrequency);
        Assert.Equal(650_000, h.SampleCount);
        Assert.Equal(2, h.SignalCount);
        var s = h.Signals[0];
        Assert.Equal(("100.dat", 212, 200.0, 1024, 11, 1024, 995, -22131, 0, "MLII"),
            (s.FileName, s.Format, s.AdcGain, s.Baseline, s.AdcResolution, s.AdcZero, s.InitialValue!.Value, s.Checksum!.Value, s.BlockSize, s.Description));
        Assert.Equal("mV", s.Units);
        Assert.Equal(new[] { "69 M 1085 1629 x1", "Aldomet, Inderal" }, h.Comments);
        Assert.Equal(1, h.IndexOfSignal("v5"));
    }

    [RealDataFact("ptbxl")]
    public void All_400_PtbXl_records_decode_with_header_checksums_and_first_values()
    {
        var folder = Path.Combine(RealData.PtbXl, "records100", "00000");
        var headers = Directory.GetFiles(folder, "*_lr.hea").OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.Equal(400, headers.Count);
        foreach (var hea in headers)
        {
            var rec = WfdbReader.Read(hea);
            Assert.Equal(12, rec.Adc.Length);
            Assert.Equal(100, rec.Header.SamplingFrequency);
            for (int s = 0; s < 12; s++)
            {
                var spec = rec.Header.Signals[s];
                Assert.Equal((16, 1000.0, 0, "mV"), (spec.Format, spec.AdcGain, spec.Baseline, spec.Units));
                Assert.Equal(1000, rec.Adc[s].Length);
                Assert.Equal((ushort)spec.Checksum!.Value, Sum16(rec.Adc[s]));
                Assert.Equal(spec.InitialValue, rec.Adc[s][0]);
            }
        }
    }

    [RealDataFact("ptbxl")]
    public void PtbXl_record_1_has_the_physical_values_computed_from_its_bytes_independently()
    {
        var ecg = WfdbReader.ReadSignal(Path.Combine(RealData.PtbXl, "records100", "00000", "00001_lr"));
        Assert.Equal(new[] { "I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6" }, ecg.LeadNames);
        Assert.Equal(1000, ecg.Length);
        // int16 values at sample 500 read with NumPy, divided by the gain of 1000 ADC units per mV.
        int[] at500 = [-75, -59, 16, 67, -46, -21, 51, 53, -14, -46, -54, -83];
        for (int lead = 0; lead < 12; lead++) Assert.Equal(at500[lead] / 1000f, ecg.Leads[lead][500], 6);
        Assert.Equal(-0.119f, ecg.Leads[0][0], 6);
        Assert.Equal(-0.12f, ecg.Leads[11][999], 6);
    }
}
