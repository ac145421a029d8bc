using System.Buffers;
using System.Runtime.CompilerServices;
using EcgExperiments.Core;

namespace EcgExperiments.Data.Wfdb;

/// <summary>What to read from a WFDB record. Sample ranges are half-open: [<see cref="From"/>, <see cref="To"/>).</summary>
public sealed record WfdbReadOptions
{
    /// <summary>First sample (frame) to read, inclusive.</summary>
    public long From { get; init; }

    /// <summary>End of the range, exclusive; null reads to the end of the record.</summary>
    public long? To { get; init; }

    /// <summary>Signal descriptions (lead names, case-insensitive) to read, in the order wanted; null reads all.</summary>
    public IReadOnlyList<string>? Signals { get; init; }

    /// <summary>
    /// Verify each signal's checksum (when the whole record is read) and initial value (when sample 0 is read)
    /// against the header; a mismatch throws <see cref="EcgDataException"/>. On by default.
    /// </summary>
    public bool VerifyIntegrity { get; init; } = true;
}

/// <summary>
/// Reads WFDB records (header + signal files) into raw ADC values and physical <see cref="EcgSignal"/>s.
/// Formats 8, 16, 24, 32, 61, 80, 160, 212, 310 and 311; several signals per file; the <c>xN</c>,
/// <c>:skew</c> and <c>+offset</c> modifiers. Every data problem is an <see cref="EcgDataException"/>
/// naming the file, the record and what is wrong.
/// </summary>
/// <example><code>
/// EcgSignal ecg = WfdbReader.ReadSignal("/data/mitbih/100");                  // whole record, all leads, mV
/// WfdbRecord raw = WfdbReader.Read("/data/mitbih/100",
///     new WfdbReadOptions { From = 360, To = 720, Signals = ["MLII"] });     // second 1..2 of MLII, ADC units
/// </code></example>
public static class WfdbReader
{
    /// <summary>Reads a record; <paramref name="recordPath"/> is the header path with or without <c>.hea</c>.</summary>
    public static WfdbRecord Read(string recordPath, WfdbReadOptions? options = null)
        => Read(WfdbHeader.Load(recordPath), options);

    /// <summary>Reads the samples an already parsed header describes.</summary>
    public static WfdbRecord Read(WfdbHeader header, WfdbReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        options ??= new WfdbReadOptions();
        var selected = SelectSignals(header, options.Signals);
        long total = header.SampleCount ?? InferSampleCount(header);
        long from = options.From, to = options.To ?? total;
        if (from < 0 || to < from || to > total)
            throw new ArgumentOutOfRangeException(nameof(options),
                $"record {header.RecordName}: sample range [{from}, {to}) is outside [0, {total})");
        if (to - from > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(options),
                $"record {header.RecordName}: {to - from} samples do not fit one array; read the record in ranges");

        var adc = new int[selected.Count][];
        bool fullRead = from == 0 && to == total && header.SampleCount is not null;
        foreach (var group in Groups(header))
        {
            var wanted = new List<(int Signal, int Slot)>();
            for (int k = 0; k < selected.Count; k++)
                if (selected[k] >= group.First && selected[k] < group.First + group.Count) wanted.Add((selected[k], k));
            if (wanted.Count > 0)
                ReadGroup(header, group, wanted, from, to, total, fullRead && options.VerifyIntegrity, options.VerifyIntegrity, adc);
        }
        return new WfdbRecord(header, from, to, selected, adc);
    }

    /// <summary>Reads [<paramref name="from"/>, <paramref name="to"/>) of the named leads (all when none) as physical values.</summary>
    public static EcgSignal ReadSignal(string recordPath, long from = 0, long? to = null, IReadOnlyList<string>? leads = null)
        => Read(recordPath, new WfdbReadOptions { From = from, To = to, Signals = leads }).ToEcgSignal();

    private readonly record struct SignalGroup(int First, int Count, string FileName, int Format, long ByteOffset);

    private static List<SignalGroup> Groups(WfdbHeader h)
    {
        var groups = new List<SignalGroup>();
        for (int i = 0; i < h.Signals.Count;)
        {
            int j = i + 1;
            while (j < h.Signals.Count && h.Signals[j].FileName == h.Signals[i].FileName) j++;
            groups.Add(new SignalGroup(i, j - i, h.Signals[i].FileName, h.Signals[i].Format, h.Signals[i].ByteOffset));
            i = j;
        }
        return groups;
    }

    private static List<int> SelectSignals(WfdbHeader h, IReadOnlyList<string>? names)
    {
        if (names is null) return Enumerable.Range(0, h.Signals.Count).ToList();
        var result = new List<int>(names.Count);
        foreach (var name in names)
        {
            int i = h.IndexOfSignal(name);
            if (i < 0)
                throw new EcgDataException(
                    $"no signal named '{name}' (signals: {string.Join(", ", h.Signals.Select(s => s.Description))})",
                    h.SourcePath, record: h.RecordName);
            if (result.Contains(i))
                throw new ArgumentException($"record {h.RecordName}: signal '{name}' is requested twice", nameof(names));
            result.Add(i);
        }
        return result;
    }

    private static string SignalPath(WfdbHeader h, string fileName) => Path.Combine(h.Folder, fileName);

    private static long InferSampleCount(WfdbHeader h)
    {
        long? frames = null;
        foreach (var g in Groups(h))
        {
            var path = SignalPath(h, g.FileName);
            var length = OpenLength(h, path, g);
            int frameSamples = FrameSamples(h, g);
            long samples = WfdbFormats.SamplesIn(g.Format, Math.Max(0, length - g.ByteOffset));
            long f = samples / frameSamples;
            frames = frames is null ? f : Math.Min(frames.Value, f);
        }
        return frames ?? 0;
    }

    private static long OpenLength(WfdbHeader h, string path, SignalGroup g)
    {
        if (!File.Exists(path))
            throw new EcgDataException(
                $"signal file '{g.FileName}' (signal {g.First}, '{h.Signals[g.First].Description}') not found at {path}; " +
                "copy the record's .dat next to its .hea", h.SourcePath, record: h.RecordName);
        return new FileInfo(path).Length;
    }

    private static int FrameSamples(WfdbHeader h, SignalGroup g)
    {
        int n = 0;
        for (int s = g.First; s < g.First + g.Count; s++) n += h.Signals[s].SamplesPerFrame;
        return n;
    }

    private static void ReadGroup(WfdbHeader h, SignalGroup g, List<(int Signal, int Slot)> wanted, long from, long to,
        long total, bool verifyChecksums, bool verifyInitial, int[][] adc)
    {
        var path = SignalPath(h, g.FileName);
        long fileLength = OpenLength(h, path, g);
        int frameSamples = FrameSamples(h, g);

        // Frame range to decode: skew shifts a signal's samples later in the file; format 8 must start at frame 0
        // (differences accumulate), and checksums cover file frames [0, total).
        long startFrame = from, endFrame = to;
        foreach (var (s, _) in wanted)
        {
            startFrame = Math.Min(startFrame, from + h.Signals[s].Skew);
            endFrame = Math.Max(endFrame, to + h.Signals[s].Skew);
        }
        if (g.Format == 8 || verifyChecksums) startFrame = 0;
        if (verifyChecksums) endFrame = Math.Max(endFrame, total);

        var (spb, bpb) = WfdbFormats.Block(g.Format);
        long firstSample = startFrame * frameSamples, endSample = endFrame * frameSamples;
        long blockStartSample = firstSample / spb * spb;
        long byteStart = g.ByteOffset + blockStartSample / spb * bpb;
        long byteEnd = g.ByteOffset + WfdbFormats.BytesFor(g.Format, endSample);
        if (fileLength < byteEnd)
        {
            long framesPresent = WfdbFormats.SamplesIn(g.Format, Math.Max(0, fileLength - g.ByteOffset)) / frameSamples;
            throw new EcgDataException(
                $"signal file '{g.FileName}' is truncated: {fileLength} bytes hold {framesPresent} samples per signal, " +
                $"but reading samples up to {endFrame} needs {byteEnd} bytes (header says {total} samples). " +
                "Re-download the record or read a shorter range", h.SourcePath, record: h.RecordName);
        }

        long streamCount = endSample - firstSample;
        int frames = checked((int)(endFrame - startFrame));
        int byteCount = checked((int)(byteEnd - byteStart));

        // One array per wanted signal holding every decoded frame [startFrame, endFrame); samples are
        // scattered into them while decoding in cache-sized chunks, so the stream is touched once.
        var decoded = new int[wanted.Count][];
        var slotTarget = new int[]?[frameSamples];
        var slotCursor = new int[frameSamples];
        var slotStep = new int[frameSamples];
        for (int w = 0; w < wanted.Count; w++)
        {
            var spec = h.Signals[wanted[w].Signal];
            decoded[w] = GC.AllocateUninitializedArray<int>(checked(frames * spec.SamplesPerFrame));
            int offsetInFrame = 0;
            for (int k = g.First; k < wanted[w].Signal; k++) offsetInFrame += h.Signals[k].SamplesPerFrame;
            for (int j = 0; j < spec.SamplesPerFrame; j++)
            {
                slotTarget[offsetInFrame + j] = decoded[w];
                slotCursor[offsetInFrame + j] = j;
                slotStep[offsetInFrame + j] = spec.SamplesPerFrame;
            }
        }

        var bytes = ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                int read = 0;
                while (read < byteCount)
                {
                    int n = RandomAccess.Read(handle, bytes.AsSpan(read, byteCount - read), byteStart + read);
                    if (n == 0)
                        throw new EcgDataException($"signal file '{g.FileName}' ended early while reading (changed during read?)",
                            h.SourcePath, record: h.RecordName);
                    read += n;
                }
            }
            DecodeAndScatter(g.Format, bytes.AsSpan(0, byteCount), (int)(firstSample - blockStartSample), streamCount,
                slotTarget, slotCursor, slotStep);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }

        for (int w = 0; w < wanted.Count; w++)
            adc[wanted[w].Slot] = Finish(h, g, wanted[w].Signal, decoded[w], startFrame, from, to, total, verifyChecksums, verifyInitial);
    }

    /// <summary>Decodes the stream chunk by chunk and deals each sample to its signal's array (slot = position in the frame).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // bulk loops: skip tier-0 JIT
    private static void DecodeAndScatter(int format, ReadOnlySpan<byte> data, int skip, long count,
        int[]?[] slotTarget, int[] slotCursor, int[] slotStep)
    {
        var (spb, bpb) = WfdbFormats.Block(format);
        const int ChunkSamples = 6 * 4096; // a multiple of every block size (1, 2, 3 samples)
        int chunkBytes = ChunkSamples / spb * bpb;
        var buffer = ArrayPool<int>.Shared.Rent(ChunkSamples);
        try
        {
            int frameSamples = slotTarget.Length, slot = 0;
            long produced = 0;
            for (int chunk = 0; produced < count; chunk++)
            {
                int first = chunk == 0 ? skip : 0;
                int n = (int)Math.Min(ChunkSamples - first, count - produced);
                var samples = buffer.AsSpan(0, n);
                WfdbFormats.Decode(format, data[(chunk * chunkBytes)..], first, samples);
                produced += n;
                if (frameSamples == 1)
                {
                    var target = slotTarget[0]!;
                    samples.CopyTo(target.AsSpan(slotCursor[0]));
                    slotCursor[0] += n;
                    continue;
                }
                // Sample i of this chunk sits at position (slot + i) mod F of its frame: copy each position with stride F.
                for (int t = 0; t < frameSamples; t++)
                {
                    var target = slotTarget[t];
                    if (target is null) continue;
                    int i = (t - slot + frameSamples) % frameSamples;
                    int cursor = slotCursor[t], step = slotStep[t];
                    for (; i < n; i += frameSamples, cursor += step) target[cursor] = samples[i];
                    slotCursor[t] = cursor;
                }
                slot = (int)((slot + n) % frameSamples);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buffer);
        }
    }

    /// <summary>Applies format 8 accumulation, verifies checksum and initial value, and cuts out [from, to).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // bulk loops: skip tier-0 JIT
    private static int[] Finish(WfdbHeader h, SignalGroup g, int s, int[] all, long startFrame, long from, long to, long total,
        bool verifyChecksums, bool verifyInitial)
    {
        var spec = h.Signals[s];
        int spf = spec.SamplesPerFrame;
        if (g.Format == 8)
        {
            // First differences accumulate from the initial value: sample n = initial + d[0] + … + d[n].
            int v = spec.EffectiveInitialValue;
            for (int i = 0; i < all.Length; i++) all[i] = v += all[i];
        }

        if (verifyChecksums && spec.Checksum is { } expected)
        {
            int sum = 0;
            int n = checked((int)(total * spf));
            for (int i = 0; i < n; i++) sum += all[i];
            if ((ushort)sum != (ushort)expected)
                throw new EcgDataException(
                    $"checksum mismatch for signal {s} ('{spec.Description}') in '{g.FileName}': header says {expected}, " +
                    $"the samples sum to {(short)sum} (mod 2^16). The signal file is corrupt or belongs to another header; re-download the record",
                    h.SourcePath, spec.HeaderLine, h.RecordName);
        }

        long first = (from + spec.Skew - startFrame) * spf;
        int length = checked((int)((to - from) * spf));
        int[] result;
        if (first == 0 && length == all.Length) result = all;
        else
        {
            result = new int[length];
            Array.Copy(all, first, result, 0, length);
        }

        if (verifyInitial && from == 0 && g.Format != 8 && spec.InitialValue is { } initial && result.Length > 0 && result[0] != initial)
            throw new EcgDataException(
                $"initial value mismatch for signal {s} ('{spec.Description}') in '{g.FileName}': header says {initial}, " +
                $"sample 0 is {result[0]}. The signal file is corrupt or belongs to another header",
                h.SourcePath, spec.HeaderLine, h.RecordName);
        return result;
    }
}
