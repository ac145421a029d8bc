namespace EcgExperiments.Core;

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood 2014): the project's one seeded generator. Its sequence is fixed by this
/// code rather than by the .NET version (which <see cref="Random"/> does not promise), so a seed re-creates the
/// same synthetic records, splits, minibatch orders and bootstrap resamples on every machine and release.
/// Persisted resample ids name it "splitmix64-v1".
/// </summary>
/// <example><code>
/// var rng = SplitMix64.ForStream(seed, stream: 3);
/// int k = rng.NextInt(10);  double g = rng.NextGaussian();
/// </code></example>
public sealed class SplitMix64
{
    private ulong _state;
    private double? _spare;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>Where a generator is in its sequence, for training checkpoints.</summary>
    public readonly record struct Position(ulong State, double? Spare);

    /// <summary>This generator's place in its sequence; <see cref="At"/> continues from it.</summary>
    public Position GetPosition() => new(_state, _spare);

    /// <summary>A generator continuing exactly where <paramref name="position"/> was taken.</summary>
    public static SplitMix64 At(Position position) => new(position.State) { _spare = position.Spare };

    /// <summary>An independent stream per (seed, stream): e.g. record i, resample r, or epoch e.</summary>
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
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), bound, "bound must be > 0");
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

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Standard normal by the Marsaglia polar method (only +, ×, log, sqrt: reproducible).</summary>
    public double NextGaussian()
    {
        if (_spare is { } s) { _spare = null; return s; }
        double u, v, r;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            r = u * u + v * v;
        } while (r >= 1 || r == 0);
        double f = Math.Sqrt(-2 * Math.Log(r) / r);
        _spare = v * f;
        return u * f;
    }

    /// <summary>Log-normal factor with median 1 and log-SD <paramref name="sigma"/>.</summary>
    public double LogNormalFactor(double sigma) => Math.Exp(sigma * NextGaussian());

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
