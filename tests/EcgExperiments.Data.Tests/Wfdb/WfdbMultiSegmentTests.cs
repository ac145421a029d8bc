using EcgExperiments.Core;
using EcgExperiments.Data.Wfdb;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Wfdb;

/// <summary>
/// Multi-segment records built from real MIT-BIH records with the project's writer, read back as one record
/// against the original samples: fixed layout with a gap, variable layout with a signal missing from one segment
/// and stored under another gain and format in another.
/// </summary>
public sealed class WfdbMultiSegmentTests
{
    private static string Mit(string id) => Path.Combine(RealData.MitBih, id);

    private static WfdbRecordToWrite Piece(WfdbRecord source, string name, int from, int to, int[] signals, int format = 212,
        Func<int, int>? transform = null, double gainFactor = 1) => new()
        {
            Name = name,
            SamplingFrequency = source.Header.SamplingFrequency,
            Signals = signals.Select(k => new WfdbSignalToWrite
            {
                Description = source.Signals[k].Description,
                Samples = source.Adc[k][from..to].Select(transform ?? (v => v)).ToArray(),
                Format = format,
                Gain = source.Signals[k].AdcGain * gainFactor,
                Baseline = (int)(source.Signals[k].Baseline * gainFactor),
                AdcZero = source.Signals[k].AdcZero,
            }).ToArray(),
        };

    [RealDataFact("mitbih")]
    public void Fixed_layout_with_a_gap_reads_as_one_record_across_segment_boundaries()
    {
        using var tmp = new TempFolder("fixed");
        var rec = WfdbReader.Read(Mit("203"));
        var path = WfdbWriter.WriteMultiSegment(tmp.Path, "m203", 360,
        [
            WfdbSegmentToWrite.Of(Piece(rec, "m203_1", 0, 200_000, [0, 1])),
            WfdbSegmentToWrite.Gap(1_000),
            WfdbSegmentToWrite.Of(Piece(rec, "m203_2", 201_000, 650_000, [0, 1])),
        ], WfdbSegmentLayout.Fixed);

        var h = WfdbHeader.Load(path);
        Assert.Equal((WfdbSegmentLayout.Fixed, 3, 650_000L), (h.Layout!.Value, h.Segments!.Count, h.SampleCount!.Value));
        Assert.Equal(new[] { "MLII", "V1" }, h.Signals.Select(s => s.Description));
        Assert.Equal(new[] { 0L, 200_000, 201_000 }, h.Segments.Select(s => s.Start));

        var whole = WfdbReader.Read(path); // every segment's checksums verified
        for (int s = 0; s < 2; s++)
        {
            Assert.Equal(rec.Adc[s][..200_000], whole.Adc[s][..200_000]);
            Assert.All(whole.Adc[s][200_000..201_000], v => Assert.Equal(WfdbSpecConstants.InvalidSample, v));
            Assert.Equal(rec.Adc[s][201_000..], whole.Adc[s][201_000..]);
            var mv = whole.ToPhysicalDouble(s);
            Assert.True(double.IsNaN(mv[200_500]));
            Assert.Equal(rec.ToPhysicalDouble(s)[201_000], mv[201_000]);
        }
        Assert.Equal(new[] { 200_000, 1_000, 449_000 }, whole.RunsOf(0).Select(r => r.Length));
        Assert.Null(whole.RunsOf(0)[1].Spec);

        foreach (var (from, to) in new (long, long)[] { (199_990, 201_010), (199_999, 200_001), (200_999, 201_001), (5, 649_995) })
        {
            var part = WfdbReader.Read(path, new WfdbReadOptions { From = from, To = to, Channels = [1] });
            Assert.Equal(whole.Adc[1][(int)from..(int)to], part.Adc[0]);
        }
    }

    [RealDataFact("mitbih")]
    public void Variable_layout_matches_signals_by_name_and_fills_a_missing_signal_with_NaN()
    {
        using var tmp = new TempFolder("variable");
        var rec = WfdbReader.Read(Mit("100"), new WfdbReadOptions { To = 30_000 });
        // Segment 1: both leads. Segment 2: V5 only. Segment 3: V5 then MLII (order swapped), MLII at twice the
        // gain in format 16, so its raw values differ while its physical values must not.
        var third = new WfdbRecordToWrite
        {
            Name = "v100_3",
            SamplingFrequency = 360,
            Signals =
            [
                Piece(rec, "x", 20_000, 30_000, [1]).Signals[0],
                Piece(rec, "x", 20_000, 30_000, [0], format: 16, transform: v => 2 * v, gainFactor: 2).Signals[0] with { FileName = "v100_3.mlii" },
            ],
        };
        var path = WfdbWriter.WriteMultiSegment(tmp.Path, "v100", 360,
        [
            WfdbSegmentToWrite.Of(Piece(rec, "v100_1", 0, 10_000, [0, 1])),
            WfdbSegmentToWrite.Of(Piece(rec, "v100_2", 10_000, 20_000, [1])),
            WfdbSegmentToWrite.Of(third),
        ], WfdbSegmentLayout.Variable);

        var h = WfdbHeader.Load(path);
        Assert.Equal(WfdbSegmentLayout.Variable, h.Layout);
        Assert.Equal(("v100_layout", 0L), (h.Segments![0].Name, h.Segments[0].SampleCount));
        Assert.Equal(new[] { "MLII", "V5" }, h.Signals.Select(s => s.Description));
        Assert.All(h.Signals, s => Assert.Equal(0, s.Format)); // the layout header's null signals

        var all = WfdbReader.Read(path);
        var mlii = all.ToPhysicalDouble(0);
        var expected = rec.ToPhysicalDouble(0);
        Assert.Equal(expected[..10_000], mlii[..10_000]);
        Assert.All(mlii[10_000..20_000], v => Assert.True(double.IsNaN(v)));
        Assert.Equal(expected[20_000..], mlii[20_000..]); // (2v − 2b) / 2g == (v − b) / g exactly
        Assert.Equal(rec.Adc[0][20_000..].Select(v => 2 * v), all.Adc[0][20_000..]);
        Assert.Equal(rec.ToPhysical(1), all.ToPhysical(1));
        Assert.Equal(new[] { 212, 0, 16 }, all.RunsOf(0).Select(r => r.Spec?.Format ?? 0));

        var crossing = WfdbReader.Read(path, new WfdbReadOptions { From = 9_995, To = 20_005, Signals = ["MLII"] }).ToEcgSignal();
        Assert.Equal(10_010, crossing.Length);
        Assert.Equal((float)expected[9_995], crossing.Leads[0][0]);
        Assert.True(float.IsNaN(crossing.Leads[0][5]));
        Assert.Equal((float)expected[20_004], crossing.Leads[0][^1]);
    }

    [RealDataFact("mitbih")]
    public void Layout_header_reads_alone_and_missing_segments_are_named()
    {
        using var tmp = new TempFolder("layout");
        var rec = WfdbReader.Read(Mit("100"), new WfdbReadOptions { To = 2_000 });
        var path = WfdbWriter.WriteMultiSegment(tmp.Path, "L", 360,
            [WfdbSegmentToWrite.Of(Piece(rec, "L_1", 0, 1_000, [0])), WfdbSegmentToWrite.Of(Piece(rec, "L_2", 1_000, 2_000, [1]))],
            WfdbSegmentLayout.Variable);

        // A layout header on its own: format-0 signals with no file ("~"), length 0 — recognised, not "format 0 unsupported".
        var layout = WfdbHeader.Load(tmp.File("L_layout"));
        Assert.Equal((0L, 2), (layout.SampleCount ?? 0, layout.SignalCount));
        Assert.All(layout.Signals, s => Assert.True(s.IsNull && s.FileName == "~"));
        Assert.Equal((200.0, 1024, "mV"), (layout.Signals[0].AdcGain, layout.Signals[0].Baseline, layout.Signals[0].Units));
        Assert.Empty(WfdbReader.Read(tmp.File("L_layout")).Adc[0]);

        File.Delete(tmp.File("L_2.hea"));
        var ex = Assert.Throws<EcgDataException>(() => WfdbReader.Read(path));
        Assert.Contains("segment header 'L_2.hea' (samples 1000-1999) not found", ex.Message);
        Assert.Equal(rec.Adc[0][..1_000], WfdbReader.Read(path, new WfdbReadOptions { To = 1_000, Signals = ["MLII"] }).Adc[0]);
    }
}

internal static class WfdbSpecConstants
{
    /// <summary>WFDB_INVALID_SAMPLE: what a gap or a missing signal holds in raw units.</summary>
    public const int InvalidSample = -32768;
}
