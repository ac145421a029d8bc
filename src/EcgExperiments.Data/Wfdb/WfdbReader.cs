using System.Buffers;
using System.Runtime.CompilerServices;
using EcgExperiments.Core;
using EcgExperiments.Data.Wfdb.Flac;

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

    /// <summary>Signal numbers (0-based, header order) to read, in the order wanted; null reads all. Not together with <see cref="Signals"/>.</summary>
    public IReadOnlyList<int>? Channels { get; init; }

    /// <summary>
    /// Verify each signal's checksum (when the whole record or segment is read) and initial value (when sample 0
    /// is read) against the header; a mismatch throws <see cref="EcgDataException"/>. On by default. Both describe
    /// the samples as stored, so for a skewed signal they cover its stored frames, as the WFDB writer computed them.
    /// </summary>
    public bool VerifyIntegrity { get; init; } = true;

    /// <summary>
    /// Return one sample per frame for signals with several samples per frame: their mean, truncated toward zero
    /// as the WFDB library's <c>getvec</c> does (a frame holding an invalid sample gives an invalid sample).
    /// Off by default: every sample is returned.
    /// </summary>
    public bool SmoothFrames { get; init; }
}

/// <summary>
/// Reads WFDB records (header + signal files) into raw ADC values and physical <see cref="EcgSignal"/>s, the way
/// the reference WFDB software does: formats 8, 16, 24, 32, 61, 80, 160, 212, 310, 311 and the FLAC formats 508,
/// 516, 524; several signals per file; the <c>xN</c>, <c>:skew</c> and <c>+offset</c> modifiers (sample n of a
/// skewed signal is stored in frame n + skew; samples the file does not reach are invalid); null (format 0)
/// signals; multi-segment records of fixed and variable layout read as one record; EDF/EDF+ files
/// (<see cref="Edf.EdfReader"/>). Symbolic links are followed. Every data problem is an
/// <see cref="EcgDataException"/> naming the file, the record and what is wrong.
/// </summary>
/// <example><code>
/// EcgSignal ecg = WfdbReader.ReadSignal("/data/mitbih/100");                  // whole record, all leads, mV
/// WfdbRecord raw = WfdbReader.Read("/data/mitbih/100",
///     new WfdbReadOptions { From = 360, To = 720, Signals = ["MLII"] });     // second 1..2 of MLII, ADC units
/// double[] v5 = WfdbReader.Read("/data/mitbih/100", new() { Channels = [1] }).ToPhysicalDouble(0);
/// </code></example>
public static class WfdbReader
{
    /// <summary>Reads a record; <paramref name="recordPath"/> is the header path with or without <c>.hea</c>, or an <c>.edf</c> file.</summary>
    public static WfdbRecord Read(string recordPath, WfdbReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(recordPath);
        return Read(WfdbHeader.Load(recordPath), options);
    }

    /// <summary>Reads the samples an already parsed header describes.</summary>
    public static WfdbRecord Read(WfdbHeader header, WfdbReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        options ??= new WfdbReadOptions();
        if (header.Storage == WfdbStorage.Edf) return Edf.EdfReader.Read(header, options);
        // A multi-segment header parsed from text lacks its segments' signal list: load it now.
        if (header.IsMultiSegment && header.Signals.Count == 0 && header.DeclaredSignalCount > 0) header = header.WithSegmentSignals();
        var selected = SelectSignals(header, options);
        long total = header.SampleCount ?? InferSampleCount(header);
        var (from, to) = CheckRange(header, options, total);
        if (header.IsMultiSegment) return WfdbMultiSegmentReader.Read(header, selected, from, to, options);

        bool wholeRecord = from == 0 && to == total && header.SampleCount is not null;
        var adc = ReadSignals(header, selected, from, to, total, wholeRecord && options.VerifyIntegrity, options.VerifyIntegrity);
        if (options.SmoothFrames) SmoothFrames(header, selected, adc);
        return new WfdbRecord(header, from, to, selected, adc, framesSmoothed: options.SmoothFrames);
    }

    /// <summary>Reads [<paramref name="from"/>, <paramref name="to"/>) of the named leads (all when none) as physical values.</summary>
    public static EcgSignal ReadSignal(string recordPath, long from = 0, long? to = null, IReadOnlyList<string>? leads = null)
        => Read(recordPath, new WfdbReadOptions { From = from, To = to, Signals = leads }).ToEcgSignal();

    internal static (long From, long To) CheckRange(WfdbHeader header, WfdbReadOptions options, long total)
    {
        long from = options.From, to = options.To ?? total;
        if (from < 0 || to < from || to > total)
            throw new ArgumentOutOfRangeException(nameof(options),
                $"record {header.RecordName}: sample range [{from}, {to}) is outside [0, {total})");
        if (to - from > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(options),
                $"record {header.RecordName}: {to - from} samples do not fit one array; read the record in ranges");
        return (from, to);
    }

    /// <summary>Signals chosen by <see cref="WfdbReadOptions.Signals"/> (names) or <see cref="WfdbReadOptions.Channels"/> (numbers), all when neither.</summary>
    internal static List<int> SelectSignals(WfdbHeader h, WfdbReadOptions options)
    {
        if (options.Signals is not null && options.Channels is not null)
            throw new ArgumentException($"record {h.RecordName}: choose signals by name (Signals) or by number (Channels), not both", nameof(options));
        if (options.Channels is { } channels)
        {
            var byIndex = new List<int>(channels.Count);
            foreach (var c in channels)
            {
                if (c < 0 || c >= h.Signals.Count)
                    throw new ArgumentOutOfRangeException(nameof(options),
                        $"record {h.RecordName}: signal number {c} is outside 0-{h.Signals.Count - 1} " +
                        $"(signals: {string.Join(", ", h.Signals.Select((s, i) => $"{i} {s.Description}"))})");
                if (byIndex.Contains(c))
                    throw new ArgumentException($"record {h.RecordName}: signal {c} is requested twice", nameof(options));
                byIndex.Add(c);
            }
            return byIndex;
        }
        if (options.Signals is not { } names) return Enumerable.Range(0, h.Signals.Count).ToList();
        var result = new List<int>(names.Count);
        foreach (var name in names)
        {
            int i = h.IndexOfSignal(name);
            if (i < 0)
                throw new EcgDataException(
                    $"no signal named '{name}' (signals: {string.Join(", ", h.Signals.Select(s => s.Description))})",
                    h.SourcePath, record: h.RecordName);
            if (result.Contains(i))
                throw new ArgumentException($"record {h.RecordName}: signal '{name}' is requested twice", nameof(options));
            result.Add(i);
        }
        return result;
    }

    /// <summary>Replaces each multi-sample-per-frame signal by its per-frame mean, truncated toward zero (WFDB <c>getvec</c>).</summary>
    internal static void SmoothFrames(WfdbHeader h, IReadOnlyList<int> selected, int[][] adc)
    {
        for (int k = 0; k < adc.Length; k++)
        {
            var spec = h.Signals[selected[k]];
            if (spec.SamplesPerFrame > 1) adc[k] = Smooth(adc[k], spec.SamplesPerFrame, spec.InvalidSample);
        }
    }

    internal static int[] Smooth(int[] samples, int spf, int? invalid)
    {
        var result = new int[samples.Length / spf];
        for (int f = 0, i = 0; f < result.Length; f++)
        {
            long sum = 0;
            bool missing = false;
            for (int j = 0; j < spf; j++, i++)
            {
                int v = samples[i];
                missing |= v == invalid;
                sum += v;
            }
            result[f] = missing ? invalid!.Value : (int)(sum / spf); // C# integer division truncates toward zero, as C does
        }
        return result;
    }

    internal readonly record struct SignalGroup(int First, int Count, string FileName, int Format, long ByteOffset)
    {
        public bool IsNull => Format == 0;
    }

    internal static List<SignalGroup> Groups(WfdbHeader h)
    {
        var groups = new List<SignalGroup>();
        for (int i = 0; i < h.Signals.Count;)
        {
            int j = i + 1;
            // Null signals have no file: each is its own group.
            if (!h.Signals[i].IsNull)
                while (j < h.Signals.Count && h.Signals[j].FileName == h.Signals[i].FileName && !h.Signals[j].IsNull) j++;
            groups.Add(new SignalGroup(i, j - i, h.Signals[i].FileName, h.Signals[i].Format, h.Signals[i].ByteOffset));
            i = j;
        }
        return groups;
    }

    private static string SignalPath(WfdbHeader h, string fileName) => Path.Combine(h.Folder, fileName);

    private static long InferSampleCount(WfdbHeader h)
    {
        long? frames = null;
        foreach (var g in Groups(h))
        {
            if (g.IsNull) continue;
            var path = SignalPath(h, g.FileName);
            long f;
            if (WfdbFormats.IsFlac(g.Format))
            {
                RequireFile(h, path, g);
                long samples = FlacSignalFile.TotalSamples(path, e => Fail(h, g, e));
                if (samples <= 0)
                    throw Fail(h, g, "the header gives no record length and the FLAC stream does not state one; add the length to the record line");
                f = Math.Max(0, samples - g.ByteOffset) / h.Signals[g.First].SamplesPerFrame;
            }
            else
            {
                var length = OpenLength(h, path, g);
                long samples = WfdbFormats.SamplesIn(g.Format, Math.Max(0, length - g.ByteOffset));
                f = samples / FrameSamples(h, g);
            }
            frames = frames is null ? f : Math.Min(frames.Value, f);
        }
        return frames ?? 0;
    }

    private static EcgDataException Fail(WfdbHeader h, SignalGroup g, string problem)
        => new($"signal file '{g.FileName}': {problem}", h.SourcePath, h.Signals[g.First].HeaderLine, h.RecordName);

    private static void RequireFile(WfdbHeader h, string path, SignalGroup g)
    {
        var what = $"signal file '{g.FileName}' (signal {g.First}, '{h.Signals[g.First].Description}')";
        if (WfdbFiles.DanglingLinkTarget(path) is { } link)
            throw new EcgDataException($"{what} {WfdbFiles.DanglingLinkAdvice(link)}", h.SourcePath, record: h.RecordName);
        if (File.Exists(path)) return;
        throw new EcgDataException($"{what} not found at {path}; copy the record's signal files next to its .hea",
            h.SourcePath, record: h.RecordName);
    }

    /// <summary>Length of the file's content: through an open handle, so a symbolic link is measured by its target.</summary>
    private static long OpenLength(WfdbHeader h, string path, SignalGroup g)
    {
        RequireFile(h, path, g);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return RandomAccess.GetLength(handle);
    }

    private static int FrameSamples(WfdbHeader h, SignalGroup g)
    {
        int n = 0;
        for (int s = g.First; s < g.First + g.Count; s++) n += h.Signals[s].SamplesPerFrame;
        return n;
    }

    /// <summary>
    /// Raw samples of the <paramref name="selected"/> signals of a single-segment record over frames
    /// [<paramref name="from"/>, <paramref name="to"/>), every sample of each frame.
    /// </summary>
    internal static int[][] ReadSignals(WfdbHeader h, IReadOnlyList<int> selected, long from, long to, long total,
        bool verifyChecksums, bool verifyInitial)
    {
        var adc = new int[selected.Count][];
        foreach (var group in Groups(h))
        {
            var wanted = new List<(int Signal, int Slot)>();
            for (int k = 0; k < selected.Count; k++)
                if (selected[k] >= group.First && selected[k] < group.First + group.Count) wanted.Add((selected[k], k));
            if (wanted.Count == 0) continue;
            if (group.IsNull)
            {
                foreach (var (s, slot) in wanted)
                {
                    var missing = GC.AllocateUninitializedArray<int>(checked((int)((to - from) * h.Signals[s].SamplesPerFrame)));
                    missing.AsSpan().Fill(WfdbFormats.InvalidSampleDefault);
                    adc[slot] = missing;
                }
                continue;
            }
            ReadGroup(h, group, wanted, from, to, total, verifyChecksums, verifyInitial, adc);
        }
        return adc;
    }

    private static void ReadGroup(WfdbHeader h, SignalGroup g, List<(int Signal, int Slot)> wanted, long from, long to,
        long total, bool verifyChecksums, bool verifyInitial, int[][] adc)
    {
        // Stored frames to decode. Sample n of a signal with skew k lies in stored frame n + k; stored frames at or
        // beyond the record length hold nothing (those samples read as invalid, as in the reference). Format 8 must
        // start at frame 0 (differences accumulate); checksums cover stored frames [0, total); the initial value
        // is the first stored sample.
        long startFrame = long.MaxValue, endFrame = 0;
        foreach (var (s, _) in wanted)
        {
            startFrame = Math.Min(startFrame, from + h.Signals[s].Skew);
            endFrame = Math.Max(endFrame, to + h.Signals[s].Skew);
        }
        endFrame = Math.Min(endFrame, total);
        if (g.Format == 8 || verifyChecksums || (verifyInitial && from == 0)) startFrame = 0;
        if (verifyChecksums) endFrame = total;
        startFrame = Math.Min(startFrame, endFrame);

        var decoded = WfdbFormats.IsFlac(g.Format)
            ? DecodeFlac(h, g, wanted, startFrame, endFrame)
            : Decode(h, g, wanted, startFrame, endFrame, total);
        for (int w = 0; w < wanted.Count; w++)
            adc[wanted[w].Slot] = Finish(h, g, wanted[w].Signal, decoded[w], startFrame, endFrame, from, to, total, verifyChecksums, verifyInitial);
    }

    /// <summary>Decodes stored frames [startFrame, endFrame) of a binary-format file, one array per wanted signal.</summary>
    private static int[][] Decode(WfdbHeader h, SignalGroup g, List<(int Signal, int Slot)> wanted, long startFrame, long endFrame, long total)
    {
        var path = SignalPath(h, g.FileName);
        long fileLength = OpenLength(h, path, g);
        int frameSamples = FrameSamples(h, g);

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
        int byteCount = checked((int)Math.Max(0, byteEnd - byteStart));

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
        if (streamCount == 0) return decoded;

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
            if (g.Format == 212 && frameSamples == 2 && slotStep[0] == 1 && slotStep[1] == 1 && firstSample == blockStartSample)
                WfdbFormats.Decode212Frames(bytes.AsSpan(0, byteCount), slotTarget[0], slotTarget[1], frames);
            else
                DecodeAndScatter(g.Format, bytes.AsSpan(0, byteCount), (int)(firstSample - blockStartSample), streamCount,
                    slotTarget, slotCursor, slotStep);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
        return decoded;
    }

    /// <summary>Decodes stored frames [startFrame, endFrame) of a FLAC signal file, one array per wanted signal.</summary>
    private static int[][] DecodeFlac(WfdbHeader h, SignalGroup g, List<(int Signal, int Slot)> wanted, long startFrame, long endFrame)
    {
        var path = SignalPath(h, g.FileName);
        RequireFile(h, path, g);
        int spf = h.Signals[g.First].SamplesPerFrame;
        long first = g.ByteOffset + startFrame * spf; // for FLAC the +offset field counts samples
        int count = checked((int)((endFrame - startFrame) * spf));
        var targets = new int[]?[g.Count];
        var decoded = new int[wanted.Count][];
        for (int w = 0; w < wanted.Count; w++)
            targets[wanted[w].Signal - g.First] = decoded[w] = GC.AllocateUninitializedArray<int>(count);
        long got = FlacSignalFile.Decode(path, g.Count, WfdbFormats.FlacBits(g.Format), first, count, targets, e => Fail(h, g, e));
        if (got < count)
            throw Fail(h, g,
                $"the FLAC stream is truncated: it ends at sample {first + got} per signal, but reading frames up to {endFrame} " +
                $"needs {first + count}. Re-download the record or read a shorter range");
        return decoded;
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

    /// <summary>Sum with 32-bit wrap-around (its low 16 bits are the WFDB checksum), vectorised.</summary>
    internal static int Sum(ReadOnlySpan<int> values)
    {
        var acc = System.Numerics.Vector<int>.Zero;
        int i = 0, width = System.Numerics.Vector<int>.Count;
        for (; i <= values.Length - width; i += width) acc += new System.Numerics.Vector<int>(values[i..]);
        int sum = System.Numerics.Vector.Sum(acc);
        for (; i < values.Length; i++) sum += values[i];
        return sum;
    }

    /// <summary>
    /// Applies format 8 accumulation, verifies checksum and initial value against the stored frames, and cuts out
    /// samples [from, to) of the signal, reading sample n from stored frame n + skew; samples whose stored frame
    /// lies at or beyond the record's end are invalid.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // bulk loops: skip tier-0 JIT
    private static int[] Finish(WfdbHeader h, SignalGroup g, int s, int[] stored, long startFrame, long endFrame, long from, long to, long total,
        bool verifyChecksums, bool verifyInitial)
    {
        var spec = h.Signals[s];
        int spf = spec.SamplesPerFrame;
        if (g.Format == 8)
        {
            // First differences accumulate from the initial value: sample n = initial + d[0] + … + d[n].
            int v = spec.EffectiveInitialValue;
            for (int i = 0; i < stored.Length; i++) stored[i] = v += stored[i];
        }

        if (verifyChecksums && spec.Checksum is { } expected)
        {
            int sum = Sum(stored.AsSpan(0, checked((int)(total * spf))));
            if ((ushort)sum != (ushort)expected)
                throw new EcgDataException(
                    $"checksum mismatch for signal {s} ('{spec.Description}') in '{g.FileName}': header says {expected}, " +
                    $"the samples sum to {(short)sum} (mod 2^16). The signal file is corrupt or belongs to another header; re-download the record",
                    h.SourcePath, spec.HeaderLine, h.RecordName);
        }

        // The header's initial value is the first sample stored in the file (for a skewed signal, the sample
        // `skew` frames before sample 0), as the WFDB writer records it.
        if (verifyInitial && from == 0 && startFrame == 0 && g.Format != 8 && spec.InitialValue is { } initial && stored.Length > 0
            && stored[0] != initial)
            throw new EcgDataException(
                $"initial value mismatch for signal {s} ('{spec.Description}') in '{g.FileName}': header says {initial}, " +
                $"the first stored sample is {stored[0]}. The signal file is corrupt or belongs to another header",
                h.SourcePath, spec.HeaderLine, h.RecordName);

        long firstStored = from + spec.Skew;
        int length = checked((int)((to - from) * spf));
        long presentFrames = Math.Clamp(endFrame - firstStored, 0, to - from);
        long offset = (firstStored - startFrame) * spf;
        if (offset == 0 && length == stored.Length && presentFrames == to - from) return stored;
        var result = GC.AllocateUninitializedArray<int>(length);
        int present = (int)(presentFrames * spf);
        if (present > 0) Array.Copy(stored, offset, result, 0, present);
        result.AsSpan(present).Fill(spec.InvalidSample ?? WfdbFormats.InvalidSampleDefault);
        return result;
    }
}
