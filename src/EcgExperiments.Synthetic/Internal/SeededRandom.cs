namespace EcgExperiments.Synthetic.Internal;

/// <summary>
/// SplitMix64 with uniform and Gaussian draws. Our own generator because "same seed → bit-identical
/// record" must hold across .NET versions, which <see cref="Random"/> does not promise.
/// </summary>
internal sealed class SeededRandom
{
    private ulong _state;
    private double? _spare;

    private SeededRandom(ulong state) => _state = state;

    /// <summary>An independent stream per (seed, stream): e.g. record i, or its morphology/rhythm/noise parts.</summary>
    public static SeededRandom ForStream(ulong seed, ulong stream)
    {
        var mixer = new SeededRandom(seed ^ (0xD1B54A32D192ED03UL * (stream + 1)));
        return new SeededRandom(mixer.NextUInt64());
    }

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Standard normal by the Marsaglia polar method (uses only +, ×, log, sqrt: reproducible).</summary>
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
}
