using System.Runtime.InteropServices;
using EcgExperiments.Core;

namespace EcgExperiments.Evaluation.Internal;

internal static class ScoreFingerprint
{
    /// <summary>SHA-256 of the scores' bytes followed by one byte per flag (targets or labels).</summary>
    public static string Of(ReadOnlySpan<double> scores, ReadOnlySpan<bool> flags)
    {
        var bytes = new byte[scores.Length * 8 + flags.Length];
        MemoryMarshal.AsBytes(scores).CopyTo(bytes);
        for (int i = 0; i < flags.Length; i++) bytes[scores.Length * 8 + i] = flags[i] ? (byte)1 : (byte)0;
        return StableHash.Of(bytes);
    }
}

internal static class Check
{
    public static void Finite(ReadOnlySpan<double> values, string name)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"{name}[{i}] is {values[i]}; scores must be finite numbers", name);
    }

    public static void SameLength(int a, int b, string nameA, string nameB)
    {
        if (a != b) throw new ArgumentException($"{nameA} has {a} entries but {nameB} has {b}; they must describe the same samples");
    }

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var d = new double[values.Length];
        for (int i = 0; i < d.Length; i++) d[i] = values[i];
        return d;
    }
}
