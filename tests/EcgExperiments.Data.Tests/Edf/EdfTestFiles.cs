using System.Globalization;
using System.Text;

namespace EcgExperiments.Data.Tests.Edf;

/// <summary>One signal of a test EDF file: its header fields and digital samples (SamplesPerRecord per data record).</summary>
internal sealed record EdfTestSignal(string Label, string Dimension, double PhysicalMin, double PhysicalMax, int DigitalMin, int DigitalMax,
    int SamplesPerRecord, short[] Samples);

/// <summary>
/// Writes EDF/EDF+ files byte by byte from the specification (fixed 256-byte header, 256 bytes per signal,
/// data records of little-endian int16), independently of the reader, so its parsing can be checked.
/// </summary>
internal static class EdfTestFiles
{
    /// <summary>Writes the file; <paramref name="annotations"/> (one TAL list per data record) adds an "EDF Annotations" channel.</summary>
    public static void Write(string path, IReadOnlyList<EdfTestSignal> signals, int records, double duration, string reserved = "EDF+C",
        IReadOnlyList<string>? annotations = null, int annotationBytes = 120, string version = "0", int? headerBytesField = null,
        string? recordsField = null)
    {
        var all = signals.ToList();
        if (annotations is not null)
        {
            var tal = new short[records * annotationBytes / 2];
            var bytes = new byte[tal.Length * 2];
            for (int r = 0; r < records; r++)
            {
                var text = Encoding.UTF8.GetBytes(annotations[r]);
                if (text.Length > annotationBytes) throw new ArgumentException("TALs longer than the annotation channel");
                text.CopyTo(bytes, r * annotationBytes);
            }
            Buffer.BlockCopy(bytes, 0, tal, 0, bytes.Length);
            all.Add(new EdfTestSignal("EDF Annotations", "", -1, 1, -32768, 32767, annotationBytes / 2, tal));
        }
        int ns = all.Count;
        var h = new StringBuilder();
        void Field(string value, int width) => h.Append(value.PadRight(width)[..width]);
        string Num(double v) => v.ToString(CultureInfo.InvariantCulture);
        Field(version, 8);
        Field("X M 01-JAN-1970 Test_Patient", 80);
        Field("Startdate 25-APR-1989 X test_recording", 80);
        Field("25.04.89", 8);
        Field("13.05.00", 8);
        Field((headerBytesField ?? 256 * (ns + 1)).ToString(CultureInfo.InvariantCulture), 8);
        Field(reserved, 44);
        Field(recordsField ?? records.ToString(CultureInfo.InvariantCulture), 8);
        Field(Num(duration), 8);
        Field(ns.ToString(CultureInfo.InvariantCulture), 4);
        foreach (var s in all) Field(s.Label, 16);
        foreach (var _ in all) Field("AgAgCl electrode", 80);
        foreach (var s in all) Field(s.Dimension, 8);
        foreach (var s in all) Field(Num(s.PhysicalMin), 8);
        foreach (var s in all) Field(Num(s.PhysicalMax), 8);
        foreach (var s in all) Field(Num(s.DigitalMin), 8);
        foreach (var s in all) Field(Num(s.DigitalMax), 8);
        foreach (var _ in all) Field("HP:0.1Hz LP:100Hz", 80);
        foreach (var s in all) Field(s.SamplesPerRecord.ToString(CultureInfo.InvariantCulture), 8);
        foreach (var _ in all) Field("", 32);
        using var f = File.Create(path);
        f.Write(Encoding.Latin1.GetBytes(h.ToString()));
        var sample = new byte[2];
        for (int r = 0; r < records; r++)
            foreach (var s in all)
                for (int i = 0; i < s.SamplesPerRecord; i++)
                {
                    BitConverter.TryWriteBytes(sample, s.Samples[r * s.SamplesPerRecord + i]);
                    f.Write(sample);
                }
    }
}
