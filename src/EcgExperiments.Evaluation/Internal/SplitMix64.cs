namespace EcgExperiments.Evaluation.Internal;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014). Our own generator rather than <see cref="Random"/> because
/// persisted bootstrap resample ids must re-create the same resamples on any .NET version forever;
/// the algorithm name is stored next to the seed ("splitmix64-v1").
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>Independent stream per (seed, stream): each resample can be regenerated on its own.</summary>
    public static SplitMix64 ForStream(ulong seed, ulong stream)
    {
        var mixer = new SplitMix64(seed ^ (0xD1B54A32D192ED03UL * (stream + 1)));
        return new SplitMix64(mixer.NextUInt64());
    }

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, bound) without modulo bias (Lemire's multiply-shift with rejection).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound));
        ulong b = (ulong)bound;
        ulong x = NextUInt64() >> 32;
        ulong m = x * b;
        ulong low = m & 0xFFFFFFFFUL;
        if (low < b)
        {
            ulong threshold = (0x1_0000_0000UL - b) % b;
            while (low < threshold)
            {
                x = NextUInt64() >> 32;
                m = x * b;
                low = m & 0xFFFFFFFFUL;
            }
        }
        return (int)(m >> 32);
    }
}
