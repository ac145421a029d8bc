using System.Reflection;
using System.Runtime.InteropServices;

namespace EcgExperiments.Data.Wfdb.Flac;

/// <summary>
/// The few libFLAC entry points the WFDB FLAC formats need, called straight into the system library
/// (Debian's <c>libflac12</c>: <c>libFLAC.so.12</c>). The library is loaded on first use, so records in
/// other formats never need it; when it is missing the first FLAC read says which package to install.
/// </summary>
internal static unsafe partial class LibFlac
{
    private const string Library = "FLAC";

    /// <summary>Sonames tried in order: Debian 12's, newer and older ABIs, then the development link.</summary>
    private static readonly string[] Candidates = ["libFLAC.so.12", "libFLAC.so.14", "libFLAC.so.8", "libFLAC.so", "libFLAC.dylib", "FLAC.dll", "libFLAC.dll"];

    /// <summary>What to do when no candidate loads.</summary>
    public const string InstallHint =
        "FLAC-compressed WFDB signals (formats 508, 516, 524) need libFLAC: on Debian/Ubuntu `apt-get install libflac12` " +
        "(./ecg setup installs it)";

    private static readonly Lazy<bool> Loaded = new(Load);

    // Runs before the first call into libFLAC (an explicit static constructor is never run lazily past a method call).
    static LibFlac()
    {
        // Another component may already own the assembly's resolver; then DllImport falls back to its own search.
        try { NativeLibrary.SetDllImportResolver(typeof(LibFlac).Assembly, Resolve); }
        catch (InvalidOperationException) { }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library) return IntPtr.Zero;
        foreach (var candidate in Candidates)
            if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle)) return handle;
        return IntPtr.Zero;
    }

    private static bool Load()
    {
        foreach (var candidate in Candidates)
            if (NativeLibrary.TryLoad(candidate, typeof(LibFlac).Assembly, null, out _)) return true;
        return false;
    }

    /// <summary>True when libFLAC can be loaded on this machine.</summary>
    public static bool IsAvailable => Loaded.Value;

    // ---- decoder ----

    public enum DecoderState
    {
        SearchForMetadata = 0, ReadMetadata, SearchForFrameSync, ReadFrame, EndOfStream, OggError, SeekError, Aborted,
        MemoryAllocationError, Uninitialized,
    }

    public const int WriteContinue = 0, WriteAbort = 1;

    /// <summary>FLAC__FrameHeader: the fields the write callback reads (layout as in libFLAC 1.3 and 1.4).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FrameHeader
    {
        public uint BlockSize;
        public uint SampleRate;
        public uint Channels;
        public int ChannelAssignment;
        public uint BitsPerSample;
        public int NumberType;       // libFLAC turns frame numbers into sample numbers before calling back
        public ulong SampleNumber;   // union { uint32 frame_number; uint64 sample_number }
        public byte Crc;
    }

    /// <summary>FLAC__StreamMetadata holding STREAMINFO (type 0): the fields the metadata callback reads.</summary>
    [StructLayout(LayoutKind.Explicit)]
    public struct StreamInfoMetadata
    {
        [FieldOffset(0)] public int Type;
        [FieldOffset(36)] public uint Channels;       // data.stream_info starts at 16 (8-byte aligned union)
        [FieldOffset(40)] public uint BitsPerSample;
        [FieldOffset(48)] public ulong TotalSamples;  // 0: unknown
    }

    [LibraryImport(Library, EntryPoint = "FLAC__stream_decoder_new")]
    public static partial IntPtr DecoderNew();

    [LibraryImport(Library, EntryPoint = "FLAC__stream_decoder_delete")]
    public static partial void DecoderDelete(IntPtr decoder);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_decoder_init_file", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int DecoderInitFile(IntPtr decoder, string path,
        delegate* unmanaged[Cdecl]<IntPtr, FrameHeader*, int**, IntPtr, int> write,
        delegate* unmanaged[Cdecl]<IntPtr, StreamInfoMetadata*, IntPtr, void> metadata,
        delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, void> error,
        IntPtr clientData);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_decoder_process_single")]
    public static partial int DecoderProcessSingle(IntPtr decoder);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_decoder_process_until_end_of_metadata")]
    public static partial int DecoderProcessUntilEndOfMetadata(IntPtr decoder);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_decoder_seek_absolute")]
    public static partial int DecoderSeekAbsolute(IntPtr decoder, ulong sample);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_decoder_get_state")]
    public static partial DecoderState DecoderGetState(IntPtr decoder);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_decoder_get_total_samples")]
    public static partial ulong DecoderGetTotalSamples(IntPtr decoder);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_decoder_finish")]
    public static partial int DecoderFinish(IntPtr decoder);

    // ---- encoder ----

    [LibraryImport(Library, EntryPoint = "FLAC__stream_encoder_new")]
    public static partial IntPtr EncoderNew();

    [LibraryImport(Library, EntryPoint = "FLAC__stream_encoder_delete")]
    public static partial void EncoderDelete(IntPtr encoder);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_encoder_set_channels")]
    public static partial int EncoderSetChannels(IntPtr encoder, uint channels);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_encoder_set_bits_per_sample")]
    public static partial int EncoderSetBitsPerSample(IntPtr encoder, uint bits);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_encoder_set_sample_rate")]
    public static partial int EncoderSetSampleRate(IntPtr encoder, uint rate);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_encoder_set_compression_level")]
    public static partial int EncoderSetCompressionLevel(IntPtr encoder, uint level);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_encoder_set_verify")]
    public static partial int EncoderSetVerify(IntPtr encoder, int verify);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_encoder_init_file", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int EncoderInitFile(IntPtr encoder, string path, IntPtr progress, IntPtr clientData);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_encoder_process_interleaved")]
    public static partial int EncoderProcessInterleaved(IntPtr encoder, int* buffer, uint samples);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_encoder_finish")]
    public static partial int EncoderFinish(IntPtr encoder);

    [LibraryImport(Library, EntryPoint = "FLAC__stream_encoder_get_state")]
    public static partial int EncoderGetState(IntPtr encoder);
}
