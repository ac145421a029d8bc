using EcgExperiments.Core;
using EcgExperiments.Data.MitBih;
using EcgExperiments.Data.NumPy;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.Data.Ucr;
using EcgExperiments.Data.Wfdb;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Data.Tests;

/// <summary>
/// The corrupt-input corpus: each case copies valid real files into a temp folder, damages one thing, and checks
/// that the error is an <see cref="EcgDataException"/> naming the file (line, record) and what is wrong.
/// </summary>
public sealed class CorruptInputTests
{
    private static TempFolder CopyMitBih100(bool withAtr = true)
    {
        var tmp = new TempFolder("corrupt");
        foreach (var ext in withAtr ? new[] { ".hea", ".dat", ".atr" } : [".hea", ".dat"])
            tmp.Copy(Path.Combine(RealData.MitBih, "100" + ext));
        return tmp;
    }

    private static void EditLine(string path, int line, Func<string, string> edit)
    {
        var lines = File.ReadAllLines(path);
        lines[line - 1] = edit(lines[line - 1]);
        File.WriteAllLines(path, lines);
    }

    [RealDataFact("mitbih")]
    public void Truncated_dat_names_the_signal_file_record_and_sizes()
    {
        using var tmp = CopyMitBih100();
        using (var s = new FileStream(tmp.File("100.dat"), FileMode.Open)) s.SetLength(1_000_000);
        var ex = Assert.Throws<EcgDataException>(() => WfdbReader.Read(tmp.File("100")));
        Assert.StartsWith($"{tmp.File("100.hea")}, record 100: ", ex.Message);
        Assert.Contains("signal file '100.dat' is truncated: 1000000 bytes hold 333333 samples per signal", ex.Message);
        Assert.Contains("header says 650000 samples", ex.Message);
        // The intact beginning is still readable as a range.
        Assert.Equal(995, WfdbReader.Read(tmp.File("100"), new WfdbReadOptions { To = 1000 }).Adc[0][0]);
    }

    [RealDataFact("mitbih")]
    public void Header_with_a_wrong_checksum_names_the_signal_and_its_header_line()
    {
        using var tmp = CopyMitBih100();
        EditLine(tmp.File("100.hea"), 3, l => l.Replace("20052", "20053", StringComparison.Ordinal));
        var ex = Assert.Throws<EcgDataException>(() => WfdbReader.Read(tmp.File("100")));
        Assert.StartsWith($"{tmp.File("100.hea")}:3, record 100: checksum mismatch for signal 1 ('V5') in '100.dat': header says 20053, the samples sum to 20052",
            ex.Message);
        Assert.Equal((3, "100"), (ex.Line!.Value, ex.Record));
        // Verification can be switched off explicitly, e.g. to salvage data.
        Assert.Equal(650_000, WfdbReader.Read(tmp.File("100"), new WfdbReadOptions { VerifyIntegrity = false }).Length);
    }

    [RealDataFact("mitbih")]
    public void Header_with_a_wrong_initial_value_names_the_signal()
    {
        using var tmp = CopyMitBih100();
        EditLine(tmp.File("100.hea"), 2, l => l.Replace(" 995 ", " 996 ", StringComparison.Ordinal));
        var ex = Assert.Throws<EcgDataException>(() => WfdbReader.Read(tmp.File("100"), new WfdbReadOptions { To = 10 }));
        Assert.Contains(":2, record 100: initial value mismatch for signal 0 ('MLII') in '100.dat': header says 996, the first stored sample is 995", ex.Message);
    }

    [RealDataFact("mitbih")]
    public void Unknown_format_names_the_header_line_and_the_supported_formats()
    {
        using var tmp = CopyMitBih100();
        EditLine(tmp.File("100.hea"), 2, l => l.Replace(" 212 ", " 999 ", StringComparison.Ordinal));
        var ex = Assert.Throws<EcgDataException>(() => WfdbReader.Read(tmp.File("100")));
        Assert.StartsWith($"{tmp.File("100.hea")}:2, record 100: signal 0 (format): signal format 999 is not supported (supported: 0, 8, 16, 24, 32, 61, 80, 160, 212, 310, 311, 508, 516, 524)",
            ex.Message);
    }

    [RealDataFact("mitbih")]
    public void Missing_and_truncated_annotation_files_name_the_record()
    {
        using var tmp = CopyMitBih100(withAtr: false);
        var db = MitBihDatabase.Open(tmp.Path);
        Assert.Equal(["100"], db.RecordIds);
        var missing = Assert.Throws<EcgDataException>(() => db.Annotations("100"));
        Assert.StartsWith($"{tmp.File("100.atr")}, record 100: annotation file not found", missing.Message);

        var atr = File.ReadAllBytes(Path.Combine(RealData.MitBih, "100.atr"));
        File.WriteAllBytes(tmp.File("100.atr"), atr[..(atr.Length / 2 + 1)]);
        var truncated = Assert.Throws<EcgDataException>(() => db.Beats("100", BeatClassMapping.Aami));
        Assert.Contains("record 100", truncated.Message);
        Assert.Contains("without its end marker", truncated.Message);

        var missingHeader = Assert.Throws<EcgDataException>(() => WfdbHeader.Load(tmp.File("101")));
        Assert.StartsWith($"{tmp.File("101.hea")}, record 101: WFDB header not found", missingHeader.Message);
        Assert.Contains(ProjectPaths.DataRootVariable, missingHeader.Message);
    }

    [RealDataFact("mitbih")]
    public void Missing_signal_file_and_header_lacking_a_signal_line_are_explained()
    {
        using var tmp = CopyMitBih100();
        File.Delete(tmp.File("100.dat"));
        var ex = Assert.Throws<EcgDataException>(() => WfdbReader.Read(tmp.File("100")));
        Assert.Contains("record 100: signal file '100.dat' (signal 0, 'MLII') not found", ex.Message);

        var lines = File.ReadAllLines(tmp.File("100.hea"));
        File.WriteAllLines(tmp.File("100.hea"), lines[..2]);
        var header = Assert.Throws<EcgDataException>(() => WfdbHeader.Load(tmp.File("100")));
        Assert.Contains("record line declares 2 signals but only 1 signal lines follow", header.Message);
    }

    [RealDataFact("ptbxl")]
    public void Malformed_rows_in_ptbxl_database_csv_name_line_and_ecg_id()
    {
        var cases = new (int EcgId, Func<string, string> Damage, string Problem)[]
        {
            (17, row => row.Replace("\"{", "{", StringComparison.Ordinal), "fields but the header has 28"),        // unquoted dict: its commas split it
            (17, row => row.Replace("}\"", "}", StringComparison.Ordinal), "unexpected character ' ' after a closing quote"), // closes at a later quote
            (400, row => row.Replace(",records500", ",\"records500", StringComparison.Ordinal), "quoted field 28 is never closed"),
            (23, row => row.Replace("{'", "{", StringComparison.Ordinal), "scp_codes"),                             // key lost its quote
            (42, row => ReplaceField(row, 25, "11"), "strat_fold is '11', expected an integer 1-10"),
            (43, row => ReplaceField(row, 25, "eleven"), "column 'strat_fold' is 'eleven', expected a number"),
            (99, row => ReplaceField(row, 1, "n/a"), "column 'patient_id' is 'n/a', expected a number"),
        };
        foreach (var (ecgId, damage, problem) in cases)
        {
            using var tmp = new TempFolder("ptbxl-csv");
            tmp.Copy(Path.Combine(RealData.PtbXl, PtbXlDatabase.StatementsFile));
            var lines = File.ReadAllLines(Path.Combine(RealData.PtbXl, PtbXlDatabase.DatabaseFile));
            int line = ecgId + 1; // header is line 1; rows hold ecg_id 1..400 in order, one line each
            Assert.StartsWith($"{ecgId},", lines[line - 1]);
            lines[line - 1] = damage(lines[line - 1]);
            File.WriteAllLines(tmp.File(PtbXlDatabase.DatabaseFile), lines);
            var ex = Assert.Throws<EcgDataException>(() => PtbXlDatabase.Open(tmp.Path));
            Assert.Contains(problem, ex.Message);
            Assert.StartsWith($"{tmp.File(PtbXlDatabase.DatabaseFile)}:{line}", ex.Message);
            Assert.Equal(line, ex.Line);
        }
    }

    [RealDataFact("ptbxl")]
    public void Unknown_scp_code_names_the_statements_file_to_use()
    {
        using var tmp = new TempFolder("ptbxl-scp");
        tmp.Copy(Path.Combine(RealData.PtbXl, PtbXlDatabase.StatementsFile));
        var lines = File.ReadAllLines(Path.Combine(RealData.PtbXl, PtbXlDatabase.DatabaseFile));
        lines[1] = lines[1].Replace("'LVOLT'", "'XYZ'", StringComparison.Ordinal);
        File.WriteAllLines(tmp.File(PtbXlDatabase.DatabaseFile), lines);
        var ex = Assert.Throws<EcgDataException>(() => PtbXlDatabase.Open(tmp.Path));
        Assert.Contains(":2, record 1: scp code 'XYZ' is not in scp_statements.csv", ex.Message);
    }

    [RealDataFact("ecg5000")]
    public void NaN_and_ragged_rows_in_a_UCR_file_name_line_and_column()
    {
        using var tmp = new TempFolder("ucr-bad");
        var lines = File.ReadAllLines(Path.Combine(RealData.Ecg5000, "ECG5000_TRAIN.txt"));
        var fields = lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        fields[4] = "NaN";
        lines[2] = string.Join("  ", fields);
        File.WriteAllLines(tmp.File("ECG5000_TRAIN.txt"), lines);
        var ex = Assert.Throws<EcgDataException>(() => UcrDataset.Load(tmp.File("ECG5000_TRAIN.txt")));
        Assert.StartsWith($"{tmp.File("ECG5000_TRAIN.txt")}:3: value in column 5 is NaN", ex.Message);

        lines = File.ReadAllLines(Path.Combine(RealData.Ecg5000, "ECG5000_TRAIN.txt"));
        lines[9] = lines[9][..lines[9].LastIndexOf(' ')];
        File.WriteAllLines(tmp.File("ECG5000_TRAIN.txt"), lines);
        ex = Assert.Throws<EcgDataException>(() => Ecg5000Database.Open(tmp.Path));
        Assert.Contains(":10: row has 139 values but earlier rows have 140", ex.Message);

        lines[9] = "x.5 " + lines[0][16..];
        File.WriteAllLines(tmp.File("ECG5000_TRAIN.txt"), lines);
        ex = Assert.Throws<EcgDataException>(() => UcrDataset.Load(tmp.File("ECG5000_TRAIN.txt")));
        Assert.Contains(":10: class label 'x.5' is not a whole number", ex.Message);
    }

    [Fact]
    public void Bad_npy_headers_name_the_file_and_the_problem()
    {
        using var tmp = new TempFolder("npy-bad");
        NpyFile.Write(tmp.File("good.npy"), NpyArray.Create(new float[] { 1, 2, 3, 4 }, 2, 2));
        var good = File.ReadAllBytes(tmp.File("good.npy"));
        string Header(byte[] b) => System.Text.Encoding.Latin1.GetString(b, 10, 118);

        var cases = new (string Name, Func<byte[], byte[]> Damage, string Problem)[]
        {
            ("magic.npy", b => { var c = (byte[])b.Clone(); c[1] = (byte)'X'; return c; }, "does not start with the magic bytes"),
            ("version.npy", b => { var c = (byte[])b.Clone(); c[6] = 9; return c; }, ".npy format version 9.0 is not supported"),
            ("descr.npy", b => Patch(b, "'<f4'", "'<c8'"), "dtype '<c8' is not supported"),
            ("endian.npy", b => Patch(b, "'<f4'", "'>f4'"), "dtype '>f4' is big-endian"),
            ("fortran.npy", b => Patch(b, "False", "True "), "Fortran (column-major) order"),
            ("shape.npy", b => Patch(b, "(2, 2)", "(2, x)"), "shape dimension 'x' is not a non-negative integer"),
            ("dict.npy", b => Patch(b, "{'descr'", "['descr'"), "header is not a Python dict literal"),
            ("length.npy", b => { var c = (byte[])b.Clone(); c[8] = 0xFF; c[9] = 0x7F; return c; }, "the file is truncated"),
            ("data.npy", b => b[..^3], "data is truncated: shape (2, 2) of <f4 needs 16 bytes, the file has 13"),
        };
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", Header(good));
        foreach (var (name, damage, problem) in cases)
        {
            File.WriteAllBytes(tmp.File(name), damage(good));
            var ex = Assert.Throws<EcgDataException>(() => NpyFile.Read(tmp.File(name)));
            Assert.StartsWith(tmp.File(name), ex.Message);
            Assert.Contains(problem, ex.Message);
        }
    }

    private static byte[] Patch(byte[] bytes, string from, string to)
    {
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        Assert.Contains(from, text);
        Assert.Equal(from.Length, to.Length);
        return System.Text.Encoding.Latin1.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }

    private static string ReplaceField(string csvRow, int index, string value)
    {
        // Split on commas outside quotes, replace one field, join back.
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (var ch in csvRow)
        {
            if (ch == '"') quoted = !quoted;
            if (ch == ',' && !quoted) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(ch);
        }
        fields.Add(current.ToString());
        fields[index] = value;
        return string.Join(",", fields);
    }
}
