using System.Globalization;
using System.Text;
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

    [Fact]
    public void Chan_num_and_sub_are_cut_to_WFDB_char_fields()
    {
        // CHN 1023 stores 255 (unsigned char); SUB and NUM 0x3FF store −1 (signed char); NUM 0x17F stores 127.
        var bytes = Bytes(Word(1, 5), Word(62, 1023), Word(61, 0x3FF), Word(60, 0x3FF), Word(5, 5), Word(60, 0x17F), 0);
        var anns = WfdbAnnotationReader.Parse(bytes, "chars.atr");
        Assert.Equal(new WfdbAnnotation(5, 1, -1, 255, -1, null), anns[0]);
        Assert.Equal(new WfdbAnnotation(10, 5, 0, 255, 127, null), anns[1]);
    }

    /// <summary>
    /// The definition block WFDB writers put at the start of an annotation file: NOTEs at sample 0 (time resolution,
    /// then "## annotation type definitions", one "code symbol description" line per custom code, "## end of
    /// definitions"), each followed by the SKIP −1 / null +1 filler that brings the time back to 0.
    /// </summary>
    private static byte[] DefinitionBlock(double resolution, params (int Code, string Symbol, string Description)[] codes)
    {
        var bytes = new List<byte>();
        void Note(string text)
        {
            var aux = Encoding.Latin1.GetBytes(text);
            bytes.AddRange(Bytes(Word(22, 0), Word(63, aux.Length)));
            bytes.AddRange(aux);
            if (aux.Length % 2 == 1) bytes.Add(0);
        }
        void Filler() => bytes.AddRange(Bytes(Word(59, 0), 0xFFFF, 0xFFFF, Word(0, 1))); // SKIP −1, then a null entry 1 later
        Note(string.Create(CultureInfo.InvariantCulture, $"## time resolution: {resolution}"));
        Filler();
        Note("## annotation type definitions");
        foreach (var (code, symbol, description) in codes) Note($"{code} {symbol} {description}");
        Note("## end of definitions");
        Filler();
        return bytes.ToArray();
    }

    [Fact]
    public void Definition_notes_and_null_entries_are_kept_apart_and_custom_codes_are_named()
    {
        var bytes = DefinitionBlock(250, (42, "Z", "zebra beat"), (43, "Y", "yak wave"))
            .Concat(Bytes(Word(1, 100), Word(42, 50), Word(22, 25), Word(63, 2))).Concat("hi"u8.ToArray()).Concat(Bytes(Word(43, 1), 0)).ToArray();
        var file = WfdbAnnotationReader.ParseAll(bytes, "defs.atr");

        Assert.Equal(250.0, file.TimeResolution);
        Assert.Equal(new[] { "## time resolution: 250", "## annotation type definitions", "42 Z zebra beat", "43 Y yak wave", "## end of definitions" },
            file.Definitions.Select(d => d.Aux));
        Assert.All(file.Definitions, d => Assert.Equal((0L, 22), (d.Sample, d.Code)));
        Assert.Equal(new[] { 0L, 0L }, file.NullEntries.Select(n => n.Sample));
        Assert.Equal(new[] { (100L, "N"), (150L, "Z"), (175L, "\""), (176L, "Y") }, file.Annotations.Select(a => (a.Sample, a.Symbol)));
        Assert.Equal("hi", file.Annotations[2].Aux); // an ordinary NOTE later on stays an annotation
        Assert.Equal(("Y", "yak wave"), (file.SymbolOf(43), file.DescriptionOf(43)));
        Assert.Equal(new[] { 100L }, WfdbAnnotationReader.Parse(bytes, "defs.atr").Where(a => a.IsBeat).Select(a => a.Sample));
    }

    [RealDataFact("mitbih")]
    public void Record_105_annotations_behind_a_definition_block_read_as_without_it()
    {
        var atr = File.ReadAllBytes(Path.Combine(RealData.MitBih, "105.atr"));
        var plain = WfdbAnnotationReader.ParseAll(atr, "105.atr");
        Assert.Empty(plain.Definitions);
        Assert.Empty(plain.NullEntries);
        Assert.Null(plain.TimeResolution);

        var withBlock = WfdbAnnotationReader.ParseAll([.. DefinitionBlock(360, (44, "k", "kink")), .. atr], "105.atr");
        Assert.Equal(plain.Annotations, withBlock.Annotations);
        Assert.Equal((360.0, 4, 2), (withBlock.TimeResolution!.Value, withBlock.Definitions.Count, withBlock.NullEntries.Count));
        Assert.Equal("kink", withBlock.CustomCodes[44].Description);
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
