using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using EcgExperiments.Core;
using EcgExperiments.Data.Wfdb;

namespace EcgExperiments.Data.Edf;

/// <summary>One EDF+ annotation: onset (seconds from the start of the recording), duration when given, and its text.</summary>
public readonly record struct EdfAnnotation(double Onset, double? Duration, string Text);

/// <summary>
/// Reads EDF and EDF+ files into the same <see cref="WfdbRecord"/> the WFDB reader returns (raw 16-bit samples,
/// header-derived gain and baseline, physical values through <see cref="WfdbRecord.ToPhysical"/>), so a
/// researcher's own recordings flow through the same pipeline as PhysioNet records. EDF+ annotation channels are
/// left out of the signals and read by <see cref="ReadAnnotations"/>. <see cref="WfdbReader.Read(string, WfdbReadOptions?)"/>
/// on an <c>.edf</c> path comes here too.
/// </summary>
/// <example><code>
/// WfdbRecord rec = EdfReader.Read("patient7.edf", new WfdbReadOptions { Signals = ["ECG II"] });
/// EcgSignal ecg = rec.ToEcgSignal();
/// var events = EdfReader.ReadAnnotations("patient7.edf");   // onset, duration, text
/// </code></example>
public static class EdfReader
{
    /// <summary>Reads and checks the header of an EDF/EDF+ file.</summary>
    public static EdfHeader ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (WfdbFiles.DanglingLinkTarget(full) is { } link)
            throw new EcgDataException($"EDF file {WfdbFiles.DanglingLinkAdvice(link)}", full, record: Path.GetFileNameWithoutExtension(full));
        if (!File.Exists(full))
            throw new EcgDataException("EDF file not found", full, record: Path.GetFileNameWithoutExtension(full));
        using var handle = File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = RandomAccess.GetLength(handle);
        var fixedPart = new byte[Math.Min(256, length)];
        RandomAccess.Read(handle, fixedPart, 0);
        int ns = fixedPart.Length == 256 && int.TryParse(Encoding.Latin1.GetString(fixedPart, 252, 4).Trim(), NumberStyles.Integer,
            CultureInfo.InvariantCulture, out var n) && n is > 0 and < 100_000 ? n : 0;
        var bytes = new byte[Math.Min(length, 256L * (ns + 1))];
        RandomAccess.Read(handle, bytes, 0);
        return EdfHeader.Parse(bytes, length, full);
    }

    /// <summary>Reads the sampled signals of an EDF/EDF+ file (options as for WFDB records: range, signals, smoothing).</summary>
    public static WfdbRecord Read(string path, WfdbReadOptions? options = null)
        => Read(ReadHeader(path).ToWfdbHeader(), options ?? new WfdbReadOptions());

    internal static WfdbRecord Read(WfdbHeader header, WfdbReadOptions options)
    {
        var edf = ReadHeader(header.SourcePath);
        if (edf.IsDiscontinuous)
            throw new EcgDataException(
                "EDF+D (discontinuous) data records do not form one time axis; read the annotations for their start times or convert the file to EDF+C",
                header.SourcePath, record: header.RecordName);
        var selected = WfdbReader.SelectSignals(header, options);
        long total = header.SampleCount ?? 0;
        var (from, to) = WfdbReader.CheckRange(header, options, total);
        var sampled = edf.SampledSignals;
        int divisor = sampled.Count == 0 ? 1 : edf.Signals[sampled[0]].SamplesPerRecord / header.Signals[0].SamplesPerFrame;

        // Byte offset of each signal's block inside a data record.
        var blockOffset = new long[edf.Signals.Count];
        for (int i = 1; i < blockOffset.Length; i++) blockOffset[i] = blockOffset[i - 1] + 2L * edf.Signals[i - 1].SamplesPerRecord;

        var adc = new int[selected.Count][];
        for (int k = 0; k < selected.Count; k++)
            adc[k] = GC.AllocateUninitializedArray<int>(checked((int)((to - from) * header.Signals[selected[k]].SamplesPerFrame)));
        if (to > from)
        {
            long firstRecord = from / divisor, endRecord = (to - 1) / divisor + 1;
            long recordBytes = edf.RecordBytes;
            var buffer = new byte[checked((int)Math.Min(recordBytes * (endRecord - firstRecord), Math.Max(recordBytes, 1 << 22)))];
            int recordsPerRead = (int)Math.Max(1, buffer.Length / recordBytes);
            using var handle = File.OpenHandle(header.SourcePath, FileMode.Open, FileAccess.Read, FileShare.Read);
            for (long r0 = firstRecord; r0 < endRecord; r0 += recordsPerRead)
            {
                int count = (int)Math.Min(recordsPerRead, endRecord - r0);
                var chunk = buffer.AsSpan(0, checked((int)(count * recordBytes)));
                long position = edf.HeaderBytes + r0 * recordBytes;
                for (int got = 0; got < chunk.Length;)
                {
                    int n = RandomAccess.Read(handle, chunk[got..], position + got);
                    if (n == 0) throw new EcgDataException("EDF file ended early while reading (changed during read?)", header.SourcePath, record: header.RecordName);
                    got += n;
                }
                for (int k = 0; k < selected.Count; k++)
                {
                    int e = sampled[selected[k]], spf = header.Signals[selected[k]].SamplesPerFrame;
                    for (int r = 0; r < count; r++)
                    {
                        long frame0 = (r0 + r) * divisor; // first frame of this data record
                        long lo = Math.Max(frame0, from), hi = Math.Min(frame0 + divisor, to);
                        var block = chunk.Slice((int)(r * recordBytes + blockOffset[e] + 2 * (lo - frame0) * spf), (int)(2 * (hi - lo) * spf));
                        var target = adc[k].AsSpan((int)((lo - from) * spf));
                        for (int i = 0; i < block.Length / 2; i++) target[i] = BinaryPrimitives.ReadInt16LittleEndian(block.Slice(2 * i, 2));
                    }
                }
            }
        }
        if (options.SmoothFrames) WfdbReader.SmoothFrames(header, selected, adc);
        return new WfdbRecord(header, from, to, selected, adc, framesSmoothed: options.SmoothFrames);
    }

    /// <summary>
    /// The annotations of an EDF+ file's annotation channels (time-stamped annotation lists), in file order;
    /// the time-keeping entries that only stamp each data record are left out. Empty for plain EDF.
    /// </summary>
    public static IReadOnlyList<EdfAnnotation> ReadAnnotations(string path)
    {
        var edf = ReadHeader(path);
        var channels = Enumerable.Range(0, edf.Signals.Count).Where(i => edf.Signals[i].IsAnnotations).ToArray();
        var result = new List<EdfAnnotation>();
        if (channels.Length == 0) return result;
        var blockOffset = new long[edf.Signals.Count];
        for (int i = 1; i < blockOffset.Length; i++) blockOffset[i] = blockOffset[i - 1] + 2L * edf.Signals[i - 1].SamplesPerRecord;
        using var handle = File.OpenHandle(edf.SourcePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        var record = new byte[edf.RecordBytes];
        for (long r = 0; r < edf.RecordCount; r++)
        {
            RandomAccess.Read(handle, record, edf.HeaderBytes + r * edf.RecordBytes);
            foreach (var c in channels)
                ParseTals(record.AsSpan((int)blockOffset[c], 2 * edf.Signals[c].SamplesPerRecord), result, edf.SourcePath, r);
        }
        return result;
    }

    /// <summary>TALs: "+onset[\x15duration]\x14text\x14…\x14\0", several per block, zero-padded.</summary>
    private static void ParseTals(ReadOnlySpan<byte> block, List<EdfAnnotation> into, string source, long record)
    {
        int pos = 0;
        while (pos < block.Length && block[pos] != 0)
        {
            int end = block[pos..].IndexOf((byte)0);
            if (end < 0) end = block.Length - pos;
            var tal = Encoding.UTF8.GetString(block.Slice(pos, end));
            pos += end + 1;
            var parts = tal.Split('\x14');
            var stamp = parts[0].Split('\x15');
            if (!double.TryParse(stamp[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var onset) || stamp[0].Length == 0
                || stamp[0][0] is not ('+' or '-'))
                throw new EcgDataException($"EDF+ annotation in data record {record} has onset '{stamp[0]}'; a TAL must start with +seconds or -seconds",
                    source, record: Path.GetFileNameWithoutExtension(source));
            double? duration = stamp.Length > 1 && double.TryParse(stamp[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
            for (int i = 1; i < parts.Length; i++)
                if (parts[i].Length > 0) into.Add(new EdfAnnotation(onset, duration, parts[i]));
        }
    }
}
