using System.Globalization;

namespace EcgExperiments.Corpus;

/// <summary>
/// Small fabricated copies of the real databases for the data cases: the few records a case needs are copied into its
/// folder (copies, not links, so every build reads them the same way) and damaged there; the shared data is never modified.
/// </summary>
public static class CorpusData
{
    /// <summary>A PTB-XL folder with the first <paramref name="records"/> records at 100 Hz (table rows and signal files).</summary>
    public static string PtbXl(CaseContext ctx, int records = 60)
    {
        var source = Path.Combine(ctx.Workspace.DataRoot, "ptbxl");
        var folder = Path.Combine(ctx.Folder, "ptbxl");
        Directory.CreateDirectory(Path.Combine(folder, "records100", "00000"));
        var lines = File.ReadAllLines(Path.Combine(source, "ptbxl_database.csv"));
        File.WriteAllLines(Path.Combine(folder, "ptbxl_database.csv"), lines.Take(records + 1));
        File.Copy(Path.Combine(source, "scp_statements.csv"), Path.Combine(folder, "scp_statements.csv"));
        for (int id = 1; id <= records; id++)
            foreach (var ext in new[] { ".hea", ".dat" })
            {
                var name = RecordName(id) + ext;
                File.Copy(Path.Combine(source, "records100", "00000", name), Path.Combine(folder, "records100", "00000", name));
            }
        return folder;
    }

    /// <summary>
    /// A researcher's WFDB folder (<c>data: { type: wfdb_folder }</c>) built from the first <paramref name="records"/>
    /// PTB-XL records: <c>ecgs/NNNNN_lr</c> and a labels.csv (record, label NORM or ABNORMAL by turns, patient_id, fold).
    /// </summary>
    public static string WfdbFolder(CaseContext ctx, int records = 40)
    {
        var source = Path.Combine(ctx.Workspace.DataRoot, "ptbxl", "records100", "00000");
        var folder = Path.Combine(ctx.Folder, "study");
        Directory.CreateDirectory(Path.Combine(folder, "ecgs"));
        var csv = new List<string> { "record,label,patient_id,fold" };
        for (int id = 1; id <= records; id++)
        {
            foreach (var ext in new[] { ".hea", ".dat" }) File.Copy(Path.Combine(source, RecordName(id) + ext), Path.Combine(folder, "ecgs", RecordName(id) + ext));
            csv.Add($"ecgs/{RecordName(id)},{(id % 2 == 0 ? "NORM" : "ABNORMAL")},{id},{id % 10 + 1}");
        }
        File.WriteAllLines(Path.Combine(folder, "labels.csv"), csv);
        return folder;
    }

    /// <summary>ecgs/NNNNN_lr (without extension) of a <see cref="WfdbFolder"/> study.</summary>
    public static string WfdbFolderRecord(string folder, int id) => Path.Combine(folder, "ecgs", RecordName(id));

    /// <summary>records100/00000/NNNNN_lr (without extension) of a PTB-XL copy.</summary>
    public static string PtbXlRecord(string folder, int id) => Path.Combine(folder, "records100", "00000", RecordName(id));

    private static string RecordName(int id) => id.ToString("00000", CultureInfo.InvariantCulture) + "_lr";

    /// <summary>A file of a case's copy that the case damages (the copies are the case's own).</summary>
    public static string Own(string path) => path;

    /// <summary>A MIT-BIH folder with the given records (.hea, .dat, .atr).</summary>
    public static string MitBih(CaseContext ctx, params string[] records)
    {
        var source = Path.Combine(ctx.Workspace.DataRoot, "mitbih");
        var folder = Path.Combine(ctx.Folder, "mitbih");
        Directory.CreateDirectory(folder);
        foreach (var r in records)
            foreach (var ext in new[] { ".hea", ".dat", ".atr" })
                File.Copy(Path.Combine(source, r + ext), Path.Combine(folder, r + ext));
        return folder;
    }

    /// <summary>An ECG5000 folder whose TRAIN file is the shared one after <paramref name="edit"/> (rows as lines).</summary>
    public static string Ecg5000(CaseContext ctx, Func<string[], string[]>? edit = null)
    {
        var folder = Path.Combine(ctx.Folder, "ecg5000");
        Directory.CreateDirectory(folder);
        var lines = File.ReadAllLines(Path.Combine(ctx.Workspace.DataRoot, "ecg5000", "ECG5000_TRAIN.txt"));
        File.WriteAllLines(Path.Combine(folder, "ECG5000_TRAIN.txt"), edit is null ? lines : edit(lines));
        return folder;
    }

    /// <summary>Row <paramref name="row"/> of a UCR text file with value <paramref name="index"/> (after the label) replaced.</summary>
    public static string[] SetValue(string[] lines, int row, int index, string value)
    {
        var copy = (string[])lines.Clone();
        var fields = copy[row].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        fields[index + 1] = value;
        copy[row] = "  " + string.Join("  ", fields);
        return copy;
    }

    /// <summary>
    /// Writes the format-16 invalid-sample marker (−32768) over samples [from, from + count) of signal
    /// <paramref name="signal"/> of a PTB-XL record, and fixes the header's checksum so only the marker is wrong.
    /// </summary>
    public static void WriteInvalidSamples(string record, int signal, int from, int count, int signals = 12)
    {
        var dat = Own(record + ".dat");
        var hea = Own(record + ".hea");
        var bytes = File.ReadAllBytes(dat);
        for (int i = from; i < from + count; i++)
        {
            int at = (i * signals + signal) * 2;
            bytes[at] = 0x00;
            bytes[at + 1] = 0x80;
        }
        File.WriteAllBytes(dat, bytes);
        int sum = 0;
        for (int i = 0; i < bytes.Length / (2 * signals); i++) sum += BitConverter.ToInt16(bytes, (i * signals + signal) * 2);
        var lines = File.ReadAllLines(hea);
        var fields = lines[signal + 1].Split(' ');
        fields[6] = ((ushort)(sum & 0xFFFF)).ToString(CultureInfo.InvariantCulture);
        lines[signal + 1] = string.Join(' ', fields);
        File.WriteAllLines(hea, lines);
    }
}
