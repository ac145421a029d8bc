using System.Security.Cryptography;
using System.Text;

namespace EcgExperiments.Core;

/// <summary>Content hashes used for cache keys, split fingerprints and trial keys (SHA-256, lower-case hex).</summary>
public static class StableHash
{
    public static string Of(string text) => Of(Encoding.UTF8.GetBytes(text));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Hash of an ordered sequence of strings; element boundaries are unambiguous.</summary>
    public static string OfSequence(IEnumerable<string> items)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> len = stackalloc byte[4];
        foreach (var item in items)
        {
            var b = Encoding.UTF8.GetBytes(item);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(len, b.Length);
            h.AppendData(len);
            h.AppendData(b);
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    /// <summary>First <paramref name="chars"/> hex digits, for short human-facing ids.</summary>
    public static string Short(string hash, int chars = 12) => hash[..Math.Min(chars, hash.Length)];
}
