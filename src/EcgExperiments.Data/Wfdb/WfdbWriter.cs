using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using EcgExperiments.Core;
using EcgExperiments.Data.Wfdb.Flac;

namespace EcgExperiments.Data.Wfdb;

/// <summary>One signal to write: its digital samples and how to store and calibrate them.</summary>
public sealed record WfdbSignalToWrite
{
    /// <summary>Signal description (lead name).</summary>
    public required string Description { get; init; }

    /// <summary>Digital samples, <see cref="SamplesPerFrame"/> per frame; the invalid-sample value of the format marks a missing one.</summary>
    public required int[] Samples { get; init; }

    /// <summary>Storage format: 8, 16, 24, 32, 61, 80, 160, 212, 310, 311, or FLAC 508, 516, 524.</summary>
    public int Format { get; init; } = 16;

    public int SamplesPerFrame { get; init; } = 1;

    /// <summary>ADC units per physical unit.</summary>
    public double Gain { get; init; } = WfdbSignalSpec.DefaultGain;

    public int Baseline { get; init; }

    public string Units { get; init; } = "mV";

    /// <summary>ADC resolution in bits; the format's default when null.</summary>
    public int? AdcResolution { get; init; }

    public int AdcZero { get; init; }

    /// <summary>Signal file name; null writes <c>{record}.dat</c>. Signals sharing a file must be consecutive and share a format.</summary>
    public string? FileName { get; init; }

    /// <summary>Bytes of (zero) preamble before the samples (binary formats only).</summary>
    public long ByteOffset { get; init; }
}

/// <summary>A single-segment record to write.</summary>
public sealed record WfdbRecordToWrite
{
    public required string Name { get; init; }

    /// <summary>Frames per second.</summary>
    public required double SamplingFrequency { get; init; }

    public required IReadOnlyList<WfdbSignalToWrite> Signals { get; init; }

    /// <summary>Time of day of sample 0 (HH:MM:SS), or null.</summary>
    public string? BaseTime { get; init; }

    /// <summary>Date of sample 0 (DD/MM/YYYY), or null.</summary>
    public string? BaseDate { get; init; }

    /// <summary>Comment lines (info strings) written after the signal lines.</summary>
    public IReadOnlyList<string> Comments { get; init; } = [];

    /// <summary>
    /// The raw samples of a single-segment <paramref name="record"/> with its calibration, ready to be written as
    /// <paramref name="name"/> — in <paramref name="format"/> (e.g. 516 for a FLAC copy) or each signal's own format,
    /// all signals in one file.
    /// </summary>
    public static WfdbRecordToWrite From(WfdbRecord record, string name, int? format = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Header.IsMultiSegment || record.FramesSmoothed)
            throw new ArgumentException($"record {record.Header.RecordName}: only unsmoothed single-segment reads can be copied", nameof(record));
        return new WfdbRecordToWrite
        {
            Name = name,
            SamplingFrequency = record.Header.SamplingFrequency,
            BaseTime = record.Header.BaseTime,
            BaseDate = record.Header.BaseDate,
            Comments = record.Header.Comments,
            Signals = record.Signals.Select((s, k) => new WfdbSignalToWrite
            {
                Description = s.Description,
                Samples = record.Adc[k],
                Format = format ?? s.Format,
                SamplesPerFrame = s.SamplesPerFrame,
                Gain = s.AdcGain,
                Baseline = s.Baseline,
                Units = s.Units,
                AdcResolution = format is null ? s.AdcResolution : null,
                AdcZero = s.AdcZero,
            }).ToArray(),
        };
    }
}

/// <summary>One segment of a multi-segment record to write: a record, or a gap of <paramref name="GapLength"/> samples.</summary>
public sealed record WfdbSegmentToWrite(WfdbRecordToWrite? Record, long GapLength = 0)
{
    public static WfdbSegmentToWrite Of(WfdbRecordToWrite record) => new(record);

    public static WfdbSegmentToWrite Gap(long samples) => new(null, samples);
}

/// <summary>
/// Writes WFDB records: header and signal files in any format the reader supports (FLAC through libFLAC),
/// with checksums and initial values computed from the samples; multi-segment records of fixed or variable
/// layout (the latter with its <c>_layout</c> header). Used to make test copies of real records and to export.
/// </summary>
/// <example><code>
/// var rec = WfdbReader.Read("/data/mitbih/100");
/// WfdbWriter.Write("out", WfdbRecordToWrite.From(rec, "100flac", format: 516));  // out/100flac.hea + .dat (FLAC)
/// </code></example>
public static class WfdbWriter
{
    /// <summary>Writes a single-segment record into <paramref name="folder"/>; returns the record path (header without <c>.hea</c>).</summary>
    public static string Write(string folder, WfdbRecordToWrite record)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(record);
        Directory.CreateDirectory(folder);
        var signals = record.Signals;
        long frames = Frames(record);
        var files = new List<(string File, int First, int Count)>();
        for (int i = 0; i < signals.Count;)
        {
            var file = FileOf(record, i);
            int j = i + 1;
            while (j < signals.Count && FileOf(record, j) == file) j++;
            if (files.Any(f => f.File == file))
                throw new ArgumentException($"record {record.Name}: signals sharing file '{file}' must be consecutive", nameof(record));
            files.Add((file, i, j - i));
            i = j;
        }

        var header = new StringBuilder();
        header.Append(CultureInfo.InvariantCulture, $"{record.Name} {signals.Count} {Number(record.SamplingFrequency)} {frames}");
        if (record.BaseTime is not null) header.Append(' ').Append(record.BaseTime);
        if (record.BaseDate is not null) header.Append(' ').Append(record.BaseDate);
        header.Append('\n');
        foreach (var (file, first, count) in files)
        {
            var group = signals.Skip(first).Take(count).ToArray();
            int format = group[0].Format;
            if (group.Any(s => s.Format != format) || group.Any(s => s.ByteOffset != group[0].ByteOffset))
                throw new ArgumentException($"record {record.Name}: signals in file '{file}' must share format and byte offset", nameof(record));
            foreach (var s in group) CheckRange(record, s);
            var path = Path.Combine(folder, file);
            if (WfdbFormats.IsFlac(format))
            {
                if (group.Any(s => s.SamplesPerFrame != group[0].SamplesPerFrame) || group.Length > FlacSignalFile.MaxChannels || group[0].ByteOffset != 0)
                    throw new ArgumentException(
                        $"record {record.Name}: a FLAC file holds at most {FlacSignalFile.MaxChannels} signals with equal samples per frame and no offset", nameof(record));
                FlacSignalFile.Encode(path, WfdbFormats.FlacBits(format), group.Select(s => s.Samples).ToArray(),
                    problem => new EcgDataException(problem, path, record: record.Name));
            }
            else
            {
                using var stream = File.Create(path);
                stream.Write(new byte[group[0].ByteOffset]);
                stream.Write(Encode(format, Interleave(group, frames)));
            }
            foreach (var s in group) AppendSignalLine(header, file, s);
        }
        foreach (var c in record.Comments) header.Append('#').Append(c).Append('\n');
        File.WriteAllText(Path.Combine(folder, record.Name + ".hea"), header.ToString());
        return Path.Combine(folder, record.Name);
    }

    /// <summary>
    /// Writes a multi-segment record <paramref name="name"/>: every segment record (named as given), the master
    /// header and, for a variable layout, <c>{name}_layout.hea</c> listing every signal of any segment.
    /// A fixed layout needs the same signals, in the same order, in every segment.
    /// </summary>
    public static string WriteMultiSegment(string folder, string name, double samplingFrequency, IReadOnlyList<WfdbSegmentToWrite> segments,
        WfdbSegmentLayout layout)
    {
        ArgumentNullException.ThrowIfNull(segments);
        Directory.CreateDirectory(folder);
        var records = segments.Where(s => s.Record is not null).Select(s => s.Record!).ToArray();
        var lines = new List<string>();
        List<WfdbSignalToWrite> layoutSignals = [];
        foreach (var r in records)
            foreach (var s in r.Signals)
                if (!layoutSignals.Any(l => l.Description == s.Description)) layoutSignals.Add(s);
        if (layout == WfdbSegmentLayout.Fixed)
        {
            var names = records.FirstOrDefault()?.Signals.Select(s => s.Description).ToArray() ?? [];
            if (records.Any(r => !r.Signals.Select(s => s.Description).SequenceEqual(names)))
                throw new ArgumentException($"record {name}: a fixed layout needs the same signals in every segment", nameof(segments));
        }
        else
        {
            var layoutName = name + "_layout";
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{layoutName} {layoutSignals.Count} {Number(samplingFrequency)} 0\n");
            foreach (var s in layoutSignals)
                text.Append(CultureInfo.InvariantCulture,
                    $"~ 0{(s.SamplesPerFrame > 1 ? $"x{s.SamplesPerFrame}" : "")} {Number(s.Gain)}({s.Baseline})/{s.Units} " +
                    $"{s.AdcResolution ?? WfdbFormats.DefaultResolution(s.Format)} {s.AdcZero} 0 0 0 {s.Description}\n");
            File.WriteAllText(Path.Combine(folder, layoutName + ".hea"), text.ToString());
            lines.Add($"{layoutName} 0");
        }
        long total = 0;
        foreach (var seg in segments)
        {
            if (seg.Record is { } r)
            {
                if (Math.Abs(r.SamplingFrequency - samplingFrequency) > 1e-9 * samplingFrequency)
                    throw new ArgumentException($"segment {r.Name} is sampled at {r.SamplingFrequency} Hz, the record at {samplingFrequency}", nameof(segments));
                Write(folder, r);
                long n = Frames(r);
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{r.Name} {n}"));
                total += n;
            }
            else
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"~ {seg.GapLength}"));
                total += seg.GapLength;
            }
        }
        int signalCount = layout == WfdbSegmentLayout.Variable ? layoutSignals.Count : records.FirstOrDefault()?.Signals.Count ?? 0;
        var master = string.Create(CultureInfo.InvariantCulture, $"{name}/{lines.Count} {signalCount} {Number(samplingFrequency)} {total}\n") +
            string.Concat(lines.Select(l => l + "\n"));
        File.WriteAllText(Path.Combine(folder, name + ".hea"), master);
        return Path.Combine(folder, name);
    }

    private static string FileOf(WfdbRecordToWrite r, int i) => r.Signals[i].FileName ?? r.Name + ".dat";

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static long Frames(WfdbRecordToWrite r)
    {
        if (r.Signals.Count == 0) return 0;
        long frames = r.Signals[0].Samples.Length / r.Signals[0].SamplesPerFrame;
        foreach (var s in r.Signals)
            if (s.SamplesPerFrame < 1 || s.Samples.Length != frames * s.SamplesPerFrame)
                throw new ArgumentException(
                    $"record {r.Name}: signal '{s.Description}' has {s.Samples.Length} samples, not {frames} frames × {s.SamplesPerFrame}", nameof(r));
        return frames;
    }

    private static void CheckRange(WfdbRecordToWrite r, WfdbSignalToWrite s)
    {
        if (!WfdbFormats.IsSupported(s.Format) || s.Format == 0)
            throw new ArgumentException($"record {r.Name}: signal '{s.Description}': format {s.Format} cannot be written", nameof(r));
        if (s.Format == 8) return; // checked on the differences
        var (min, max) = Range(s.Format);
        for (int i = 0; i < s.Samples.Length; i++)
            if (s.Samples[i] < min || s.Samples[i] > max)
                throw new ArgumentException(
                    $"record {r.Name}: signal '{s.Description}' sample {i} is {s.Samples[i]}, outside format {s.Format}'s range [{min}, {max}]", nameof(r));
    }

    private static (long Min, long Max) Range(int format)
    {
        int bits = format switch { 80 or 508 => 8, 310 or 311 => 10, 212 => 12, 16 or 61 or 160 or 516 => 16, 24 or 524 => 24, _ => 32 };
        return (-(1L << (bits - 1)), (1L << (bits - 1)) - 1);
    }

    /// <summary>Frame-interleaved stream of the group's samples; format 8 stores first differences per signal.</summary>
    private static int[] Interleave(WfdbSignalToWrite[] group, long frames)
    {
        int frameSamples = group.Sum(s => s.SamplesPerFrame);
        var stream = new int[checked(frames * frameSamples)];
        int o = 0;
        var previous = group.Select(s => s.Samples.Length > 0 ? s.Samples[0] : 0).ToArray();
        for (long f = 0; f < frames; f++)
            for (int k = 0; k < group.Length; k++)
            {
                var s = group[k];
                for (int j = 0; j < s.SamplesPerFrame; j++)
                {
                    int v = s.Samples[f * s.SamplesPerFrame + j];
                    if (s.Format == 8)
                    {
                        int d = v - previous[k];
                        if (d is < sbyte.MinValue or > sbyte.MaxValue)
                            throw new ArgumentException($"signal '{s.Description}' changes by {d} at sample {f * s.SamplesPerFrame + j}; format 8 stores at most ±127");
                        previous[k] = v;
                        v = d;
                    }
                    stream[o++] = v;
                }
            }
        return stream;
    }

    /// <summary>Bytes of a multiplexed sample stream in a binary format (the inverse of <see cref="WfdbFormats.Decode"/>).</summary>
    internal static byte[] Encode(int format, ReadOnlySpan<int> stream)
    {
        int n = stream.Length;
        var (spb, bpb) = WfdbFormats.Block(format);
        // Packed 10-bit formats end on a whole 4-byte block, as the WFDB library writes them (readers need not).
        var bytes = new byte[format is 310 or 311 ? (n + 2) / 3 * 4 : WfdbFormats.BytesFor(format, n)];
        var b = bytes.AsSpan();
        for (int i = 0; i < n; i += spb)
        {
            int o = i / spb * bpb;
            int v = stream[i];
            switch (format)
            {
                case 8: case 80: b[o] = (byte)(format == 80 ? v + 128 : v); break;
                case 16: BinaryPrimitives.WriteInt16LittleEndian(b[o..], (short)v); break;
                case 61: BinaryPrimitives.WriteInt16BigEndian(b[o..], (short)v); break;
                case 160: BinaryPrimitives.WriteUInt16LittleEndian(b[o..], (ushort)(v + 32768)); break;
                case 24: b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); b[o + 2] = (byte)(v >> 16); break;
                case 32: BinaryPrimitives.WriteInt32LittleEndian(b[o..], v); break;
                case 212:
                    {
                        int a = v & 0xFFF, c = i + 1 < n ? stream[i + 1] & 0xFFF : 0;
                        b[o] = (byte)a;
                        b[o + 1] = (byte)((a >> 8) | ((c >> 8) << 4));
                        if (i + 1 < n) b[o + 2] = (byte)c;
                        break;
                    }
                case 310:
                case 311:
                    {
                        int s0 = v & 0x3FF, s1 = i + 1 < n ? stream[i + 1] & 0x3FF : 0, s2 = i + 2 < n ? stream[i + 2] & 0x3FF : 0;
                        Span<byte> quad = stackalloc byte[4];
                        if (format == 310)
                        {
                            int w0 = (s0 << 1) | ((s2 & 0x1F) << 11), w1 = (s1 << 1) | ((s2 >> 5) << 11);
                            BinaryPrimitives.WriteUInt16LittleEndian(quad, (ushort)w0);
                            BinaryPrimitives.WriteUInt16LittleEndian(quad[2..], (ushort)w1);
                        }
                        else BinaryPrimitives.WriteUInt32LittleEndian(quad, (uint)(s0 | (s1 << 10) | (s2 << 20)));
                        quad[..Math.Min(4, bytes.Length - o)].CopyTo(b[o..]);
                        break;
                    }
                default: throw new ArgumentOutOfRangeException(nameof(format), format, "not a binary WFDB format");
            }
        }
        return bytes;
    }

    private static void AppendSignalLine(StringBuilder h, string file, WfdbSignalToWrite s)
    {
        int initial = s.Samples.Length > 0 ? s.Samples[0] : 0;
        int sum = 0;
        foreach (var v in s.Samples) sum += v;
        var fmt = new StringBuilder().Append(s.Format.ToString(CultureInfo.InvariantCulture));
        if (s.SamplesPerFrame > 1) fmt.Append('x').Append(s.SamplesPerFrame.ToString(CultureInfo.InvariantCulture));
        if (s.ByteOffset > 0) fmt.Append('+').Append(s.ByteOffset.ToString(CultureInfo.InvariantCulture));
        h.Append(CultureInfo.InvariantCulture,
            $"{file} {fmt} {Number(s.Gain)}({s.Baseline})/{s.Units} {s.AdcResolution ?? WfdbFormats.DefaultResolution(s.Format)} {s.AdcZero} " +
            $"{initial} {(short)sum} 0 {s.Description}\n");
    }
}
