using System.Numerics;

namespace EcgExperiments.Signals.Spectral;

/// <summary>The 0 dB reference: a fixed value, or the maximum of the input (librosa's <c>ref=np.max</c>).</summary>
/// <example><code>
/// DbReference peak = DbReference.Max;
/// DbReference unit = 1.0;   // implicit fixed reference
/// </code></example>
public readonly record struct DbReference
{
    private DbReference(bool isMax, double value)
    {
        IsMax = isMax;
        Value = value;
    }

    /// <summary>Use the largest input value as 0 dB.</summary>
    public static DbReference Max { get; } = new(true, double.NaN);

    /// <summary>A fixed reference (amplitude for <see cref="Decibels.AmplitudeToDb"/>, power for <see cref="Decibels.PowerToDb"/>); librosa uses its absolute value.</summary>
    public static DbReference Of(double value) => new(false, Math.Abs(value));

    public bool IsMax { get; }
    public double Value { get; }

    public static implicit operator DbReference(double value) => Of(value);

    public override string ToString() => IsMax ? "max" : Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Options of librosa.amplitude_to_db / power_to_db: values below <see cref="Amin"/> are raised to
/// it, the result is relative to <see cref="Reference"/>, and with <see cref="TopDb"/> everything
/// more than top_db below the peak is clipped to peak − top_db.
/// </summary>
/// <example><code>
/// var relMax = DecibelOptions.Amplitude with { Reference = DbReference.Max };   // 0 dB at the peak, floor −80
/// </code></example>
public sealed record DecibelOptions
{
    /// <summary>0 dB reference; librosa's default is 1.0.</summary>
    public DbReference Reference { get; init; } = DbReference.Of(1.0);

    /// <summary>Smallest value taken into account (amplitude 1e-5 or power 1e-10 in librosa).</summary>
    public required double Amin { get; init; }

    /// <summary>Dynamic range kept below the peak, in dB; null keeps everything.</summary>
    public double? TopDb { get; init; } = 80.0;

    /// <summary>librosa.amplitude_to_db defaults: ref 1, amin 1e-5, top_db 80.</summary>
    public static DecibelOptions Amplitude { get; } = new() { Amin = 1e-5 };

    /// <summary>librosa.power_to_db defaults: ref 1, amin 1e-10, top_db 80.</summary>
    public static DecibelOptions Power { get; } = new() { Amin = 1e-10 };

    public void Validate()
    {
        if (!(Amin > 0)) throw new ArgumentException($"db: amin must be > 0, got {Amin}", "amin");
        if (TopDb is { } top && !(top >= 0)) throw new ArgumentException($"db: top_db must be ≥ 0, got {top}", "top_db");
        if (!Reference.IsMax && !double.IsFinite(Reference.Value)) throw new ArgumentException($"db: ref must be finite, got {Reference}", "ref");
    }
}

/// <summary>Decibel conversion with librosa semantics, vectorised.</summary>
/// <example><code>
/// var db = new float[magnitude.Length];
/// Decibels.AmplitudeToDb(magnitude, db, DecibelOptions.Amplitude with { Reference = DbReference.Max });
/// </code></example>
public static class Decibels
{
    /// <summary>
    /// librosa.amplitude_to_db: 20·log10(|S| / ref), computed as power_to_db(|S|², ref², amin²).
    /// </summary>
    public static void AmplitudeToDb(ReadOnlySpan<float> amplitude, Span<float> destination, DecibelOptions? options = null)
    {
        options ??= DecibelOptions.Amplitude;
        options.Validate();
        CheckLengths(amplitude.Length, destination.Length);
        for (int i = 0; i < amplitude.Length; i++) destination[i] = amplitude[i] * amplitude[i];
        PowerToDbCore(destination, destination, Square(options.Reference), options.Amin * options.Amin, options.TopDb);
    }

    /// <summary>librosa.power_to_db: 10·log10(max(amin, S)) − 10·log10(max(amin, ref)), then the top_db floor.</summary>
    public static void PowerToDb(ReadOnlySpan<float> power, Span<float> destination, DecibelOptions? options = null)
    {
        options ??= DecibelOptions.Power;
        options.Validate();
        CheckLengths(power.Length, destination.Length);
        PowerToDbCore(power, destination, options.Reference, options.Amin, options.TopDb);
    }

    /// <summary>
    /// amplitude_to_db of the magnitudes whose squares are <paramref name="power"/>: the fast path
    /// of the spectrogram recipes, which never take the square root.
    /// </summary>
    public static void AmplitudeToDbFromPower(ReadOnlySpan<float> power, Span<float> destination, DecibelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckLengths(power.Length, destination.Length);
        PowerToDbCore(power, destination, Square(options.Reference), options.Amin * options.Amin, options.TopDb);
    }

    private static DbReference Square(DbReference r) => r.IsMax ? r : DbReference.Of(r.Value * r.Value);

    private static void CheckLengths(int source, int destination)
    {
        if (source != destination) throw new ArgumentException($"db: destination has {destination} values for {source} inputs");
    }

    internal static void PowerToDbCore(ReadOnlySpan<float> power, Span<float> destination, DbReference reference, double amin, double? topDb)
    {
        if (power.IsEmpty) return;
        float peak = Max(power);
        double refPower = reference.IsMax ? peak : reference.Value;
        const double tenOverLn10 = 4.3429448190325182; // 10 / ln 10
        double offset = 10 * Math.Log10(Math.Max(amin, refPower));
        double top = 10 * Math.Log10(Math.Max(amin, peak)) - offset;
        float floor = topDb is { } t ? (float)(top - t) : float.NegativeInfinity;
        float fOffset = (float)offset, fScale = (float)tenOverLn10, fAmin = (float)amin;
        if (fAmin == 0f) fAmin = float.Epsilon; // amin below float range: still never take log(0)
        int i = 0, w = Vector<float>.Count;
        var vAmin = new Vector<float>(fAmin);
        var vScale = new Vector<float>(fScale);
        var vOffset = new Vector<float>(fOffset);
        var vFloor = new Vector<float>(floor);
        bool normal = fAmin >= MinNormal; // the fast logarithm needs normal floats
        for (; i + w <= power.Length; i += w)
        {
            var p = Vector.Max(new Vector<float>(power[i..]), vAmin);
            var ln = normal ? FastLog(p) : Vector.Log(p);
            Vector.Max(ln * vScale - vOffset, vFloor).CopyTo(destination[i..]);
        }
        for (; i < power.Length; i++)
            destination[i] = MathF.Max(MathF.Log(MathF.Max(power[i], fAmin)) * fScale - fOffset, floor);
    }

    private const float MinNormal = 1.17549435e-38f;

    /// <summary>
    /// Natural logarithm of positive normal floats to ~1e-7 relative error, about twice as fast as
    /// <see cref="Vector.Log(Vector{float})"/>: x = 2^e·m with m in [√½, √2), then
    /// ln m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172, by its odd series to s⁹ (next term 7e-10).
    /// </summary>
    internal static Vector<float> FastLog(Vector<float> x)
    {
        var bits = Vector.AsVectorInt32(x);
        var exponent = Vector.ShiftRightArithmetic(bits, 23) - new Vector<int>(127);
        var mantissa = Vector.AsVectorSingle((bits & new Vector<int>(0x007FFFFF)) | new Vector<int>(0x3F800000));
        var high = Vector.GreaterThan(mantissa, new Vector<float>(1.41421356f));
        mantissa = Vector.ConditionalSelect(high, mantissa * 0.5f, mantissa);
        exponent -= high; // a true mask is −1
        var s = (mantissa - Vector<float>.One) / (mantissa + Vector<float>.One);
        var z = s * s;
        var series = Vector.FusedMultiplyAdd(z, new Vector<float>(2f / 9), new Vector<float>(2f / 7));
        series = Vector.FusedMultiplyAdd(z, series, new Vector<float>(2f / 5));
        series = Vector.FusedMultiplyAdd(z, series, new Vector<float>(2f / 3));
        series = Vector.FusedMultiplyAdd(z, series, new Vector<float>(2f));
        return Vector.FusedMultiplyAdd(Vector.ConvertToSingle(exponent), new Vector<float>(0.693147181f), s * series);
    }

    private static float Max(ReadOnlySpan<float> values)
    {
        int i = 0, w = Vector<float>.Count;
        float max = float.NegativeInfinity;
        if (values.Length >= w)
        {
            var m = new Vector<float>(values);
            for (i = w; i + w <= values.Length; i += w) m = Vector.Max(m, new Vector<float>(values[i..]));
            for (int l = 0; l < w; l++) max = MathF.Max(max, m[l]);
        }
        for (; i < values.Length; i++) max = MathF.Max(max, values[i]);
        return max;
    }
}
