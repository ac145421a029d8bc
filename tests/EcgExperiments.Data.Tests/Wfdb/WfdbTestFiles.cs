using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace EcgExperiments.Data.Tests.Wfdb;

/// <summary>Writes small WFDB records in any supported format, so decoders can be checked against known samples.</summary>
internal static class WfdbTestFiles
{
    /// <summary>Encodes a multiplexed stream of samples (already interleaved) in <paramref name="format"/>.</summary>
    public static byte[] Encode(int format, IReadOnlyList<int> stream, IReadOnlyList<int>? differenceStarts = null)
    {
        var bytes = new List<byte>();
        switch (format)
        {
            case 16:
                foreach (var v in stream) { var b = new byte[2]; BinaryPrimitives.WriteInt16LittleEndian(b, (short)v); bytes.AddRange(b); }
                break;
            case 61:
                foreach (var v in stream) { var b = new byte[2]; BinaryPrimitives.WriteInt16BigEndian(b, (short)v); bytes.AddRange(b); }
                break;
            case 160:
                foreach (var v in stream) { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)(v + 32768)); bytes.AddRange(b); }
                break;
            case 80:
                foreach (var v in stream) bytes.Add((byte)(v + 128));
                break;
            case 24:
                foreach (var v in stream) { bytes.Add((byte)v); bytes.Add((byte)(v >> 8)); bytes.Add((byte)(v >> 16)); }
                break;
            case 32:
                foreach (var v in stream) { var b = new byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); bytes.AddRange(b); }
                break;
            case 212:
                for (int i = 0; i < stream.Count; i += 2)
                {
                    int a = stream[i] & 0xFFF, c = i + 1 < stream.Count ? stream[i + 1] & 0xFFF : 0;
                    bytes.Add((byte)a);
                    bytes.Add((byte)((a >> 8) | ((c >> 8) << 4)));
                    if (i + 1 < stream.Count) bytes.Add((byte)c);
                }
                break;
            case 310:
                for (int i = 0; i < stream.Count; i += 3)
                {
                    int s0 = stream[i] & 0x3FF, s1 = i + 1 < stream.Count ? stream[i + 1] & 0x3FF : 0, s2 = i + 2 < stream.Count ? stream[i + 2] & 0x3FF : 0;
                    int w0 = (s0 << 1) | ((s2 & 0x1F) << 11), w1 = (s1 << 1) | ((s2 >> 5) << 11);
                    bytes.Add((byte)w0); bytes.Add((byte)(w0 >> 8)); bytes.Add((byte)w1); bytes.Add((byte)(w1 >> 8));
                }
                break;
            case 311:
                for (int i = 0; i < stream.Count; i += 3)
                {
                    uint s0 = (uint)(stream[i] & 0x3FF), s1 = i + 1 < stream.Count ? (uint)(stream[i + 1] & 0x3FF) : 0, s2 = i + 2 < stream.Count ? (uint)(stream[i + 2] & 0x3FF) : 0;
                    var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, s0 | (s1 << 10) | (s2 << 20)); bytes.AddRange(b);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }
        return bytes.ToArray();
    }

    /// <summary>Sum of samples as a signed 16-bit value, the way WFDB headers write checksums.</summary>
    public static short Checksum(IEnumerable<int> samples) => (short)samples.Aggregate(0, (a, v) => a + v);

    /// <summary>Writes a one-file record "name" in <paramref name="folder"/> with signals given as [signal][sample] (spf 1).</summary>
    public static string WriteRecord(string folder, string name, int format, int[][] signals, double gain = 200, int adcZero = 0,
        string[]? leadNames = null, string units = "mV")
    {
        Directory.CreateDirectory(folder);
        int n = signals[0].Length;
        var stream = new List<int>();
        for (int t = 0; t < n; t++) foreach (var s in signals) stream.Add(s[t]);
        File.WriteAllBytes(Path.Combine(folder, name + ".dat"), Encode(format, stream));
        var hea = new StringBuilder();
        hea.Append(CultureInfo.InvariantCulture, $"{name} {signals.Length} 360 {n}\n");
        for (int k = 0; k < signals.Length; k++)
            hea.Append(CultureInfo.InvariantCulture,
                $"{name}.dat {format} {gain}/{units} 12 {adcZero} {signals[k][0]} {Checksum(signals[k])} 0 {leadNames?[k] ?? "S" + k}\n");
        File.WriteAllText(Path.Combine(folder, name + ".hea"), hea.ToString());
        return Path.Combine(folder, name);
    }
}
