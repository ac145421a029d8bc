using System.Text;
using EcgExperiments.Core;

namespace EcgExperiments.Torch;

/// <summary>
/// The project's model-state file: a documented little-endian binary format, not an opaque pickle.
/// <code>
/// "ECGSTATE" | u32 version | metadata: i32 count, (string key, string value)* |
/// i32 tensors | per tensor: string name, i32 dtype (c10::ScalarType), i32 rank, i64 dims[rank], i64 nbytes, bytes
/// </code>
/// Strings are BinaryWriter strings (7-bit length + UTF-8). Files are written atomically.
/// Version 1 is the only one so far; a newer file is refused with a message saying so.
/// </summary>
public static class StateFile
{
    public const int CurrentVersion = 1;
    private static readonly byte[] Magic = "ECGSTATE"u8.ToArray();

    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.Write(path, stream => Save(stream, tensors, metadata));

    /// <summary>Writes the state to <paramref name="stream"/> (e.g. an entry of a model zip).</summary>
    public static void Save(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write((uint)CurrentVersion);
            var meta = metadata ?? new Dictionary<string, string>();
            w.Write(meta.Count);
            foreach (var (k, v) in meta.OrderBy(p => p.Key, StringComparer.Ordinal)) { w.Write(k); w.Write(v); }
            var list = tensors.ToList();
            w.Write(list.Count);
            foreach (var (name, t) in list)
            {
                using var host = t.detach().cpu().contiguous();
                var shape = host.shape;
                w.Write(name);
                w.Write((int)host.dtype);
                w.Write(shape.Length);
                foreach (var d in shape) w.Write(d);
                var bytes = new byte[host.numel() * ScalarTypeInfo.ElementSize(host.dtype)];
                host.CopyRaw(bytes);
                w.Write((long)bytes.Length);
                w.Write(bytes);
            }
        }
    }

    /// <summary>Only the metadata of a state file (it precedes the tensors, so large files are not read).</summary>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        if (!File.Exists(path)) throw new EcgDataException("model state file not found", path);
        using var stream = File.OpenRead(path);
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            ReadHeader(r, path);
            return ReadMeta(r);
        }
        catch (EndOfStreamException e)
        {
            throw new EcgDataException("file ends early (truncated state file)", path, inner: e);
        }
    }

    private static void ReadHeader(BinaryReader r, string path)
    {
        var magic = r.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic)) throw new EcgDataException("not an EcgExperiments model state file (bad magic bytes)", path);
        var version = r.ReadUInt32();
        if (version > CurrentVersion)
            throw new EcgDataException($"state file format version {version} is newer than this build reads (≤ {CurrentVersion}); update EcgExperiments", path);
        if (version == 0) throw new EcgDataException("state file format version 0 is invalid", path);
    }

    private static Dictionary<string, string> ReadMeta(BinaryReader r)
    {
        var meta = new Dictionary<string, string>();
        int mc = r.ReadInt32();
        for (int i = 0; i < mc; i++) meta[r.ReadString()] = r.ReadString();
        return meta;
    }

    public static (Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata) Load(string path)
    {
        if (!File.Exists(path)) throw new EcgDataException("model state file not found", path);
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads a state from <paramref name="stream"/>; <paramref name="path"/> names it in errors.</summary>
    public static (Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata) Load(Stream stream, string path)
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            ReadHeader(r, path);
            var meta = ReadMeta(r);
            int count = r.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                var name = r.ReadString();
                var dtype = (ScalarType)r.ReadInt32();
                int rank = r.ReadInt32();
                if (rank is < 0 or > 16) throw new EcgDataException($"tensor '{name}' has an invalid rank {rank}", path);
                var shape = new long[rank];
                for (int d = 0; d < rank; d++) shape[d] = r.ReadInt64();
                long nbytes = r.ReadInt64();
                long expected = shape.Aggregate(1L, (a, b) => a * b) * ScalarTypeInfo.ElementSize(dtype);
                if (nbytes != expected) throw new EcgDataException($"tensor '{name}' declares {nbytes} bytes but its shape needs {expected}", path);
                var bytes = r.ReadBytes(checked((int)nbytes));
                if (bytes.Length != nbytes) throw new EcgDataException($"file ends inside tensor '{name}' (truncated)", path);
                tensors[name] = Tensor.FromRaw(bytes, shape, dtype).DetachFromDisposeScope();
            }
            return (tensors, meta);
        }
        catch (EndOfStreamException e)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new EcgDataException("file ends early (truncated state file)", path, inner: e);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }
}

public sealed unsafe partial class Tensor
{
    internal void CopyRaw(Span<byte> destination)
    {
        fixed (byte* p = destination) Check(Native.NativeMethods.ecg_copy_to_host(Handle, p, destination.Length), "copy", this);
    }

    internal static Tensor FromRaw(ReadOnlySpan<byte> bytes, long[] shape, ScalarType dtype)
    {
        fixed (byte* p = bytes) fixed (long* s = shape)
            return Wrap(Native.NativeMethods.ecg_from_blob(p, s, shape.Length, (int)dtype, 0, 0), "from_raw");
    }
}
