namespace EcgExperiments.Signals.Spectral;

/// <summary>
/// Creates real-input DFT plans. The provider is the swappable engine behind every STFT and
/// spectrum in this library (compare MathNet's <c>Control.FourierTransformProvider</c>).
/// </summary>
/// <example><code>
/// IRealDftPlan plan = FftProviders.Auto.CreateRealPlan(length: 428, supportStart: 183, supportLength: 63);
/// plan.Forward(windowedSupports, count: 27, re, im);
/// </code></example>
public interface IFftProvider
{
    /// <summary>Short name for run records and benchmarks, e.g. "mathnet".</summary>
    string Name { get; }

    /// <summary>
    /// A plan for the <paramref name="length"/>-point DFT of real frames that are zero outside
    /// [<paramref name="supportStart"/>, <paramref name="supportStart"/> + <paramref name="supportLength"/>)
    /// — an STFT frame whose window is shorter than n_fft. A provider may exploit the zeros; the
    /// result is the same full-length DFT either way.
    /// </summary>
    IRealDftPlan CreateRealPlan(int length, int supportStart, int supportLength);
}

/// <summary>
/// A reusable, thread-safe real DFT of fixed length: forward gives bins 0..length/2 with numpy's
/// convention (X[k] = Σ x[n]·e^(−2πikn/N), unscaled); inverse is numpy.fft.irfft (scaled by 1/N).
/// </summary>
/// <example><code>
/// var plan = Fft.Provider.CreateRealPlan(256, 0, 256);
/// plan.Forward(frame, 1, re, im);       // 129 bins
/// plan.Inverse(re, im, frameAgain);     // ≈ frame
/// </code></example>
public interface IRealDftPlan
{
    /// <summary>Name of the provider that made the plan (after any automatic choice), for run records.</summary>
    string ProviderName { get; }

    int Length { get; }

    /// <summary>Number of non-negative frequency bins, length / 2 + 1.</summary>
    int Bins { get; }

    int SupportStart { get; }
    int SupportLength { get; }

    /// <summary>
    /// DFTs of <paramref name="count"/> frames. <paramref name="frames"/> holds, per frame, only the
    /// <see cref="SupportLength"/> samples at [SupportStart, SupportStart + SupportLength) (row-major,
    /// count × SupportLength); the rest of each frame is zero. Writes count × <see cref="Bins"/>
    /// real and imaginary parts, row-major by frame.
    /// </summary>
    void Forward(ReadOnlySpan<float> frames, int count, Span<float> real, Span<float> imaginary);

    /// <summary>
    /// |X|² of <paramref name="count"/> frames (same input layout as <see cref="Forward"/>), written to
    /// <c>power[k·binStride + t·frameStride]</c> — frameStride 1 and binStride count gives the
    /// (bins × frames) layout of a spectrogram without a separate transpose. The default goes
    /// through <see cref="Forward"/>; providers may skip the phase entirely.
    /// </summary>
    void ForwardPower(ReadOnlySpan<float> frames, int count, Span<float> power, int binStride, int frameStride)
    {
        FftProviders.CheckPowerArguments(this, count, power, binStride, frameStride);
        float[] re = System.Buffers.ArrayPool<float>.Shared.Rent(Math.Max(1, count * Bins));
        float[] im = System.Buffers.ArrayPool<float>.Shared.Rent(Math.Max(1, count * Bins));
        try
        {
            Forward(frames, count, re, im);
            for (int t = 0; t < count; t++)
                for (int k = 0; k < Bins; k++)
                {
                    float a = re[t * Bins + k], b = im[t * Bins + k];
                    power[k * binStride + t * frameStride] = a * a + b * b;
                }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(re);
            System.Buffers.ArrayPool<float>.Shared.Return(im);
        }
    }

    /// <summary>
    /// numpy.fft.irfft(X, n=Length): the real frame whose spectrum is the conjugate-even extension
    /// of bins 0..Bins-1 (the imaginary parts of DC and, for even length, Nyquist are ignored).
    /// </summary>
    void Inverse(ReadOnlySpan<float> real, ReadOnlySpan<float> imaginary, Span<float> output);
}

/// <summary>
/// Static facade over the current <see cref="IFftProvider"/>. The default is
/// <see cref="FftProviders.Auto"/>: the pruned direct DFT for the frame sizes of ECG spectrograms
/// (n_fft 428 with a 64-sample window: ≈ 1 µs per frame against MathNet's ≈ 84 µs — 428 = 4·107
/// sends MathNet to Bluestein), MathNet.Numerics for large frames and every inverse transform.
/// Set <see cref="Provider"/> to <see cref="FftProviders.MathNet"/> to use MathNet throughout.
/// </summary>
/// <example><code>
/// Fft.Provider = FftProviders.MathNet;           // force MathNet everywhere, e.g. to compare
/// var (re, im) = Fft.ForwardReal(samples);        // bins 0..N/2, numpy.fft.rfft convention
/// </code></example>
public static class Fft
{
    private static volatile IFftProvider s_provider = FftProviders.Auto;

    /// <summary>The provider new plans are created with. Existing plans keep theirs.</summary>
    public static IFftProvider Provider
    {
        get => s_provider;
        set => s_provider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>numpy.fft.rfft of <paramref name="samples"/> (allocating convenience).</summary>
    public static (float[] Real, float[] Imaginary) ForwardReal(ReadOnlySpan<float> samples)
    {
        if (samples.IsEmpty) throw new ArgumentException("fft: no samples", nameof(samples));
        var plan = Provider.CreateRealPlan(samples.Length, 0, samples.Length);
        var re = new float[plan.Bins];
        var im = new float[plan.Bins];
        plan.Forward(samples, 1, re, im);
        return (re, im);
    }

    /// <summary>numpy.fft.irfft(spectrum, n=<paramref name="length"/>) (allocating convenience).</summary>
    public static float[] InverseReal(ReadOnlySpan<float> real, ReadOnlySpan<float> imaginary, int length)
    {
        var plan = Provider.CreateRealPlan(length, 0, length);
        if (real.Length != plan.Bins || imaginary.Length != plan.Bins)
            throw new ArgumentException($"irfft: length {length} needs {plan.Bins} bins, got {real.Length} real and {imaginary.Length} imaginary");
        var output = new float[length];
        plan.Inverse(real, imaginary, output);
        return output;
    }
}

/// <summary>The built-in providers.</summary>
/// <example><code>
/// var plan = StftPlan.Create(StftOptions.For(428, 64, 16), FftProviders.MathNet);   // compare engines
/// </code></example>
public static class FftProviders
{
    /// <summary>MathNet.Numerics <c>Fourier.ForwardReal/InverseReal</c> with the Matlab convention (numpy's).</summary>
    public static IFftProvider MathNet { get; } = new MathNetFftProvider();

    /// <summary>Direct DFT over the non-zero support only, with precomputed bases (<see cref="PrunedDftProvider"/>).</summary>
    public static IFftProvider PrunedDft { get; } = new PrunedDftProvider();

    /// <summary>Pruned direct DFT where it is cheaper, MathNet elsewhere (see <see cref="AutoFftProvider"/>).</summary>
    public static IFftProvider Auto { get; } = new AutoFftProvider(MathNet, PrunedDft);

    internal static void CheckPlanArguments(int length, int supportStart, int supportLength)
    {
        if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length), length, "dft length must be positive");
        if (supportStart < 0 || supportLength <= 0 || supportStart + supportLength > length)
            throw new ArgumentOutOfRangeException(nameof(supportLength),
                $"dft support [{supportStart}, {supportStart + supportLength}) must be a non-empty part of [0, {length})");
    }

    internal static void CheckPowerArguments(IRealDftPlan plan, int count, Span<float> power, int binStride, int frameStride)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return;
        if (binStride < 1 || frameStride < 1)
            throw new ArgumentException($"dft: strides must be positive, got bin stride {binStride} and frame stride {frameStride}");
        long last = (long)(plan.Bins - 1) * binStride + (long)(count - 1) * frameStride;
        if (power.Length <= last) throw new ArgumentException($"dft: power output needs {last + 1} values, got {power.Length}", nameof(power));
    }

    internal static void CheckForwardArguments(IRealDftPlan plan, ReadOnlySpan<float> frames, int count, Span<float> real, Span<float> imaginary)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (frames.Length < (long)count * plan.SupportLength)
            throw new ArgumentException($"dft: {count} frames need {(long)count * plan.SupportLength} support samples, got {frames.Length}", nameof(frames));
        if (real.Length < (long)count * plan.Bins || imaginary.Length < (long)count * plan.Bins)
            throw new ArgumentException($"dft: {count} frames need {(long)count * plan.Bins} outputs each for real and imaginary parts", nameof(real));
    }
}

/// <summary>
/// Chooses per plan: the pruned direct DFT while its precomputed basis stays within 16 MiB
/// (support × bins/2 ≤ 2²² floats), MathNet beyond that. Measured on this project's build
/// machine (µs per frame, full JIT): n_fft 428 with a 64-sample window 1.0 vs MathNet 84;
/// 256/64 0.7 vs 12.5; 1024 full 12.6 vs 36; 2048 full 51 vs 93; 3000 full 169 vs 880; but
/// 4096 full 928 vs 184, where the basis no longer fits in cache.
/// </summary>
/// <example><code>
/// Fft.Provider = new AutoFftProvider(FftProviders.MathNet, FftProviders.PrunedDft);   // the default
/// </code></example>
public sealed class AutoFftProvider : IFftProvider
{
    private readonly IFftProvider _general;
    private readonly IFftProvider _pruned;

    public AutoFftProvider(IFftProvider general, IFftProvider pruned)
    {
        _general = general ?? throw new ArgumentNullException(nameof(general));
        _pruned = pruned ?? throw new ArgumentNullException(nameof(pruned));
    }

    public string Name => "auto";

    public IRealDftPlan CreateRealPlan(int length, int supportStart, int supportLength)
    {
        FftProviders.CheckPlanArguments(length, supportStart, supportLength);
        long basisFloats = (long)supportLength * (length / 2 + 1) / 2;
        return basisFloats <= 1L << 22
            ? _pruned.CreateRealPlan(length, supportStart, supportLength)
            : _general.CreateRealPlan(length, supportStart, supportLength);
    }
}
