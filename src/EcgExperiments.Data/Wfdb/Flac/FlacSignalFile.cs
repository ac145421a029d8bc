using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EcgExperiments.Core;

namespace EcgExperiments.Data.Wfdb.Flac;

/// <summary>
/// WFDB FLAC signal files (formats 508, 516, 524), laid out as the WFDB library writes them: one FLAC stream
/// per signal file, one FLAC channel per signal of the file (at most 8), all with the same samples per frame;
/// FLAC sample <c>t × spf + j</c> of channel <c>c</c> is sample <c>j</c> of frame <c>t</c> of the file's
/// signal <c>c</c>, counted from the header's <c>+offset</c> (a sample offset for FLAC). Bits per sample are
/// at most format − 500; the FLAC sample rate field carries no meaning (the WFDB library writes 96 kHz).
/// </summary>
internal static unsafe class FlacSignalFile
{
    /// <summary>Most channels one FLAC stream may hold.</summary>
    public const int MaxChannels = 8;

    /// <summary>FLAC sample rate the WFDB library writes; meaningless to readers, kept for byte-compatible files.</summary>
    public const int WfdbSampleRate = 96000;

    /// <summary>
    /// Decodes FLAC samples [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) of
    /// every channel whose target is non-null into <c>targets[c][0..count)</c>. Returns how many samples the
    /// stream held in that range (less than <paramref name="count"/> when it ends early).
    /// </summary>
    public static long Decode(string path, int channels, int maxBits, long first, long count, int[]?[] targets, Func<string, Exception> fail)
    {
        if (!LibFlac.IsAvailable) throw fail(LibFlac.InstallHint);
        var state = new DecodeState(targets, channels, maxBits, first, first + count);
        var handle = GCHandle.Alloc(state);
        IntPtr decoder = LibFlac.DecoderNew();
        if (decoder == IntPtr.Zero) { handle.Free(); throw fail("libFLAC could not allocate a stream decoder"); }
        try
        {
            int init = LibFlac.DecoderInitFile(decoder, path, &OnWrite, &OnMetadata, &OnError, GCHandle.ToIntPtr(handle));
            if (init != 0) throw fail($"libFLAC could not open the file as a FLAC stream (init status {init})");
            if (LibFlac.DecoderProcessUntilEndOfMetadata(decoder) == 0 || state.Problem is not null || state.StreamChannels == 0)
                throw fail($"not a readable FLAC stream ({state.Problem ?? LibFlac.DecoderGetState(decoder).ToString()})");
            if (state.StreamChannels != channels)
                throw fail($"FLAC stream has {state.StreamChannels} channels but the header puts {channels} signals in this file");
            if (state.StreamBits > maxBits)
                throw fail($"FLAC stream has {state.StreamBits} bits per sample, more than the header's format allows ({maxBits})");
            if (count == 0) return 0;
            if (first > 0 && LibFlac.DecoderSeekAbsolute(decoder, (ulong)first) == 0)
                throw fail(state.Problem ?? $"cannot seek to FLAC sample {first} (the stream holds {state.StreamTotal} samples per channel)");
            while (state.Reached < state.End && state.Problem is null)
            {
                if (LibFlac.DecoderProcessSingle(decoder) == 0) break;
                if (LibFlac.DecoderGetState(decoder) == LibFlac.DecoderState.EndOfStream) break;
            }
            if (state.Problem is not null) throw fail(state.Problem);
            return Math.Clamp(state.Reached - first, 0, count);
        }
        finally
        {
            LibFlac.DecoderFinish(decoder);
            LibFlac.DecoderDelete(decoder);
            handle.Free();
        }
    }

    /// <summary>Samples per channel the stream's STREAMINFO states, or 0 when it leaves the length unknown.</summary>
    public static long TotalSamples(string path, Func<string, Exception> fail)
    {
        if (!LibFlac.IsAvailable) throw fail(LibFlac.InstallHint);
        var state = new DecodeState([], 0, 32, 0, 0);
        var handle = GCHandle.Alloc(state);
        IntPtr decoder = LibFlac.DecoderNew();
        try
        {
            if (LibFlac.DecoderInitFile(decoder, path, &OnWrite, &OnMetadata, &OnError, GCHandle.ToIntPtr(handle)) != 0
                || LibFlac.DecoderProcessUntilEndOfMetadata(decoder) == 0 || state.Problem is not null)
                throw fail($"not a readable FLAC stream ({state.Problem ?? LibFlac.DecoderGetState(decoder).ToString()})");
            return state.StreamTotal > long.MaxValue ? 0 : (long)state.StreamTotal;
        }
        finally
        {
            LibFlac.DecoderFinish(decoder);
            LibFlac.DecoderDelete(decoder);
            handle.Free();
        }
    }

    /// <summary>
    /// Writes one FLAC stream with <paramref name="bits"/> bits per sample whose channel c holds
    /// <paramref name="channels"/>[c] (all the same length), with the WFDB library's encoder settings
    /// (compression level 5, 96 kHz rate field); libFLAC verifies its own output while encoding.
    /// </summary>
    public static void Encode(string path, int bits, IReadOnlyList<int[]> channels, Func<string, Exception> fail)
    {
        if (!LibFlac.IsAvailable) throw fail(LibFlac.InstallHint);
        int n = channels.Count == 0 ? 0 : channels[0].Length;
        IntPtr encoder = LibFlac.EncoderNew();
        if (encoder == IntPtr.Zero) throw fail("libFLAC could not allocate a stream encoder");
        try
        {
            LibFlac.EncoderSetChannels(encoder, (uint)channels.Count);
            LibFlac.EncoderSetBitsPerSample(encoder, (uint)bits);
            LibFlac.EncoderSetSampleRate(encoder, WfdbSampleRate);
            LibFlac.EncoderSetCompressionLevel(encoder, 5);
            LibFlac.EncoderSetVerify(encoder, 1);
            int init = LibFlac.EncoderInitFile(encoder, path, IntPtr.Zero, IntPtr.Zero);
            if (init != 0) throw fail($"libFLAC could not start a stream (init status {init}, encoder state {LibFlac.EncoderGetState(encoder)})");
            const int Chunk = 4096;
            var interleaved = new int[Chunk * channels.Count];
            for (int start = 0; start < n; start += Chunk)
            {
                int m = Math.Min(Chunk, n - start);
                for (int i = 0, o = 0; i < m; i++)
                    for (int c = 0; c < channels.Count; c++) interleaved[o++] = channels[c][start + i];
                fixed (int* p = interleaved)
                    if (LibFlac.EncoderProcessInterleaved(encoder, p, (uint)m) == 0)
                        throw fail($"libFLAC failed to encode (encoder state {LibFlac.EncoderGetState(encoder)})");
            }
            if (LibFlac.EncoderFinish(encoder) == 0)
                throw fail($"libFLAC failed to finish the stream (encoder state {LibFlac.EncoderGetState(encoder)})");
        }
        finally
        {
            LibFlac.EncoderDelete(encoder);
        }
    }

    private sealed class DecodeState(int[]?[] targets, int channels, int maxBits, long first, long end)
    {
        public readonly int[]?[] Targets = targets;
        public readonly int Channels = channels;
        public readonly int MaxBits = maxBits;
        public readonly long First = first;
        public readonly long End = end;
        public long Reached = first;
        public string? Problem;
        public uint StreamChannels, StreamBits;
        public ulong StreamTotal;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnMetadata(IntPtr decoder, LibFlac.StreamInfoMetadata* metadata, IntPtr client)
    {
        if (metadata->Type != 0) return; // STREAMINFO only
        var state = (DecodeState)GCHandle.FromIntPtr(client).Target!;
        state.StreamChannels = metadata->Channels;
        state.StreamBits = metadata->BitsPerSample;
        state.StreamTotal = metadata->TotalSamples;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnWrite(IntPtr decoder, LibFlac.FrameHeader* frame, int** buffer, IntPtr client)
    {
        var state = (DecodeState)GCHandle.FromIntPtr(client).Target!;
        try
        {
            if (frame->Channels != state.Channels)
            {
                state.Problem = $"a FLAC frame at sample {frame->SampleNumber} has {frame->Channels} channels, not {state.Channels}";
                return LibFlac.WriteAbort;
            }
            if (frame->BitsPerSample > state.MaxBits)
            {
                state.Problem = $"a FLAC frame at sample {frame->SampleNumber} has {frame->BitsPerSample} bits per sample, more than {state.MaxBits}";
                return LibFlac.WriteAbort;
            }
            long start = (long)frame->SampleNumber, end = start + frame->BlockSize;
            long lo = Math.Max(start, state.First), hi = Math.Min(end, state.End);
            if (hi > lo)
                for (int c = 0; c < state.Channels; c++)
                    if (state.Targets[c] is { } target)
                        new ReadOnlySpan<int>(buffer[c] + (lo - start), (int)(hi - lo)).CopyTo(target.AsSpan((int)(lo - state.First)));
            state.Reached = Math.Max(state.Reached, end);
            return LibFlac.WriteContinue;
        }
        catch (Exception e)
        {
            state.Problem = e.Message;
            return LibFlac.WriteAbort;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnError(IntPtr decoder, int status, IntPtr client)
    {
        var state = (DecodeState)GCHandle.FromIntPtr(client).Target!;
        state.Problem ??= status switch
        {
            0 => "FLAC decoding lost sync (the file is damaged)",
            1 => "FLAC frame header is invalid (the file is damaged)",
            2 => "FLAC frame CRC mismatch (the file is damaged)",
            3 => "FLAC stream uses features this libFLAC cannot parse",
            _ => $"FLAC decoding error {status}",
        };
    }
}
