using EcgExperiments.Core;
using EcgExperiments.Data.Wfdb;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests.Wfdb;

public sealed class WfdbAnnotationTests
{
    private static ushort Word(int code, int data) => (ushort)((code << 10) | (data & 0x3FF));

    private static byte[] Bytes(params ushort[] words) => words.SelectMany(w => new[] { (byte)w, (byte)(w >> 8) }).ToArray();

    [Fact]
    public void Code_table_matches_WFDB_ecgcodes()
    {
        var expected = new Dictionary<int, string>
        {
            [1] = "N", [2] = "L", [3] = "R", [4] = "a", [5] = "V", [6] = "F", [7] = "J", [8] = "A", [9] = "S", [10] = "E",
            [11] = "j", [12] = "/", [13] = "Q", [14] = "~", [16] = "|", [18] = "s", [19] = "T", [20] = "*", [21] = "D",
            [22] = "\"", [23] = "=", [24] = "p", [25] = "B", [26] = "^", [27] = "t", [28] = "+", [29] = "u", [30] = "?",
            [31] = "!", [32] = "[", [33] = "]", [34] = "e", [35] = "n", [36] = "@", [37] = "x", [38] = "f", [39] = "(",
            [40] = ")", [41] = "r",
        };
        foreach (var (code, symbol) in expected)
        {
            Assert.Equal(symbol, WfdbAnnotationCodes.Symbol(code));
            Assert.Equal(code, WfdbAnnotationCodes.CodeOf(symbol));
        }
        Assert.Equal("[15]", WfdbAnnotationCodes.Symbol(15));
        Assert.Equal("[55]", WfdbAnnotationCodes.Symbol(55));
        // isqrs: beats yes, rhythm/noise/non-conducted P no.
        Assert.All(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 25, 30, 31, 34, 35, 38, 41 }, c => Assert.True(WfdbAnnotationCodes.IsBeat(c)));
        Assert.All(new[] { 0, 14, 16, 22, 28, 32, 33, 37 }, c => Assert.False(WfdbAnnotationCodes.IsBeat(c)));
    }

    [Fact]
    public void Pseudo_annotations_skip_num_sub_chn_and_aux_decode_as_WFDB_getann_does()
    {
        var aux = "(AFIB"u8.ToArray(); // odd length: padded with one zero byte
        var bytes = new List<byte>();
        bytes.AddRange(Bytes(Word(59, 0), 0x0001, 0x0002));         // SKIP 0x00010002 = 65538 (high word first)
        bytes.AddRange(Bytes(Word(28, 10)));                        // '+' at 65548
        bytes.AddRange(Bytes(Word(63, aux.Length)));
        bytes.AddRange([.. aux, 0]);
        bytes.AddRange(Bytes(Word(1, 100), Word(62, 1), Word(60, 7))); // 'N' at 65648 on channel 1, num 7
        bytes.AddRange(Bytes(Word(5, 20), Word(61, 3)));            // 'V' at 65668, subtype 3; chan/num carry over
        bytes.AddRange(Bytes(Word(59, 0), 0xFFFF, 0xFFF6));         // SKIP −10
        bytes.AddRange(Bytes(Word(14, 0)));                         // '~' at 65658
        bytes.AddRange(Bytes(0));                                   // end
        var anns = WfdbAnnotationReader.Parse(bytes.ToArray(), "synthetic.atr");

        Assert.Equal(4, anns.Count);
        Assert.Equal(new WfdbAnnotation(65548, 28, 0, 0, 0, "(AFIB"), anns[0]);
        Assert.Equal(new WfdbAnnotation(65648, 1, 0, 1, 7, null), anns[1]);
        Assert.Equal(new WfdbAnnotation(65668, 5, 3, 1, 7, null), anns[2]);
        Assert.Equal(new WfdbAnnotation(65658, 14, 0, 1, 7, null), anns[3]);
        Assert.Equal(new[] { "+", "N", "V", "~" }, anns.Select(a => a.Symbol));
        Assert.Equal(new[] { false, true, true, false }, anns.Select(a => a.IsBeat));
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 0x04 }, "without its end marker")]                          // 'N' then EOF
    [InlineData(new byte[] { 0x00, 0xEC, 0x00, 0x00 }, "SKIP at byte 0 lacks its 4-byte interval")]
    [InlineData(new byte[] { 0x05, 0x04, 0x05, 0xFC, 0x41 }, "AUX at byte 2 announces 5 bytes")]
    [InlineData(new byte[] { 0x05, 0xC8, 0x00, 0x00 }, "annotation code 50 at byte 0 is not a valid code")]
    [InlineData(new byte[] { 0x07, 0xF0, 0x00, 0x00 }, "NUM at byte 0 precedes any annotation")]
    public void Corrupt_annotation_bytes_name_the_file_and_offset(byte[] bytes, string problem)
    {
        var ex = Assert.Throws<EcgDataException>(() => WfdbAnnotationReader.Parse(bytes, "/d/x.atr", "x"));
        Assert.StartsWith("/d/x.atr, record x:", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [RealDataFact("mitbih")]
    public void Record_100_annotations_start_and_end_where_an_independent_decoder_puts_them()
    {
        var anns = WfdbAnnotationReader.Read(Path.Combine(RealData.MitBih, "100"));
        Assert.Equal(2274, anns.Count);
        Assert.Equal((18L, "+", "(N"), (anns[0].Sample, anns[0].Symbol, anns[0].Aux));
        Assert.Equal((77L, "N"), (anns[1].Sample, anns[1].Symbol));
        Assert.Equal((370L, "N"), (anns[2].Sample, anns[2].Symbol));
        Assert.Equal((649991L, "N"), (anns[^1].Sample, anns[^1].Symbol));
        Assert.Equal(2273, anns.Count(a => a.IsBeat));

        var afib = WfdbAnnotationReader.Read(Path.Combine(RealData.MitBih, "201"));
        Assert.Equal(new[] { (60L, "(AFIB"), (136226L, "(NOD"), (138552L, "(N") },
            afib.Where(a => a.Aux is not null).Take(3).Select(a => (a.Sample, a.Aux!)));
    }

    [RealDataFact("mitbih")]
    public void Symbol_counts_over_all_48_atr_files_equal_the_data_README()
    {
        var counts = new Dictionary<string, int>();
        foreach (var atr in Directory.GetFiles(RealData.MitBih, "*.atr"))
            foreach (var a in WfdbAnnotationReader.ReadFile(atr))
                counts[a.Symbol] = counts.GetValueOrDefault(a.Symbol) + 1;
        var expected = new Dictionary<string, int>
        {
            ["N"] = 75052, ["L"] = 8075, ["R"] = 7259, ["V"] = 7130, ["/"] = 7028, ["A"] = 2546, ["f"] = 982, ["F"] = 803,
            ["!"] = 472, ["j"] = 229, ["a"] = 150, ["E"] = 106, ["J"] = 83, ["Q"] = 33, ["e"] = 16, ["S"] = 2,
            // non-beat annotations
            ["+"] = 1291, ["~"] = 616, ["\""] = 437, ["x"] = 193, ["|"] = 132, ["["] = 6, ["]"] = 6,
        };
        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), counts.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }
}
