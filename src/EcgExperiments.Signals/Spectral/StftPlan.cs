using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MathNet.Numerics;

namespace EcgExperiments.Signals.Spectral;

/// <summary>
/// Per-thread scratch memory of an <see cref="StftPlan"/>: buffers grow to the largest signal seen
/// and are reused, so steady-state STFTs allocate nothing. Not thread-safe: one per thread.
/// </summary>
/// <example><code>
/// Parallel.ForEach(chunks, () =&gt; plan.CreateWorkspace(), (chunk, _, ws) =&gt; { Work(chunk, ws); return ws; }, _ =&gt; { });
/// </code></example>
public sealed class StftWorkspace
{
    internal float[] Padded = [];
    internal float[] Frames = [];
    internal float[] Real = [];
    internal float[] Imaginary = [];
    internal double[] Accumulator = [];
    internal double[] WindowSum = [];
    internal float[] Frame = [];

    internal static float[] Ensure(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer;
    }

    internal static double[] Ensure(ref double[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new double[length];
        return buffer;
    }
}

/// <summary>
/// A prepared STFT: window, frame geometry and DFT plan computed once from <see cref="StftOptions"/>.
/// Immutable and thread-safe; give each thread its own <see cref="StftWorkspace"/>. Outputs are
/// (bins × frames) row-major, librosa's layout.
/// </summary>
/// <example><code>
/// var plan = StftPlan.Create(StftOptions.For(nFft: 428, winLength: 64, hopLength: 16));
/// var ws = plan.CreateWorkspace();
/// var power = new float[215 * 27];
/// foreach (var beat in beats) { plan.Power(beat, power, ws); /* ... */ }
/// </code></example>
public sealed class StftPlan
{
    private readonly float[] _window;       // the padded window over the DFT support
    private readonly float[] _paddedWindow; // the whole n_fft-sample window (inverse transform)
    private readonly IRealDftPlan _dft;

    private StftPlan(StftOptions options, float[] window, float[] paddedWindow, IRealDftPlan dft)
    {
        Options = options;
        _window = window;
        _paddedWindow = paddedWindow;
        _dft = dft;
    }

    /// <summary>Validates <paramref name="options"/> and prepares the window and DFT plan.</summary>
    /// <param name="options">The transform; validated here.</param>
    /// <param name="provider">DFT engine; null uses <see cref="Fft.Provider"/>.</param>
    public static StftPlan Create(StftOptions options, IFftProvider? provider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int nFft = options.NFft;
        double[] padded = Windows.PadCenter(options.Window.Create(options.EffectiveWinLength, periodic: true), nFft);
        // The DFT only needs the window's non-zero span (a periodic Hann starts with an exact 0).
        int start = 0, end = nFft;
        while (start < end && padded[start] == 0) start++;
        while (end > start && padded[end - 1] == 0) end--;
        if (start == end) throw new ArgumentException($"stft: the {options.Window} window of {options.EffectiveWinLength} samples is all zeros", "window");
        var support = new float[end - start];
        for (int i = 0; i < support.Length; i++) support[i] = (float)padded[start + i];
        var dft = (provider ?? Fft.Provider).CreateRealPlan(nFft, start, end - start);
        return new StftPlan(options, support, Array.ConvertAll(padded, v => (float)v), dft);
    }

    public StftOptions Options { get; }
    public int Bins => _dft.Bins;

    /// <summary>Name of the DFT provider behind this plan (for run records).</summary>
    public string ProviderName => _dft.ProviderName;

    /// <summary>(bins, frames) for an input of <paramref name="inputLength"/> samples; see <see cref="StftOptions.OutputShape"/>.</summary>
    public (int Bins, int Frames) OutputShape(int inputLength) => Options.OutputShape(inputLength);

    public StftWorkspace CreateWorkspace() => new();

    /// <summary>|X|² into <paramref name="destination"/> (bins × frames, row-major).</summary>
    public void Power(ReadOnlySpan<float> signal, Span<float> destination, StftWorkspace workspace)
    {
        int frames = Frame(signal, workspace, destination.Length);
        _dft.ForwardPower(workspace.Frames.AsSpan(0, frames * _window.Length), frames, destination, binStride: frames, frameStride: 1);
    }

    /// <summary>|X| into <paramref name="destination"/> (bins × frames, row-major).</summary>
    public void Magnitude(ReadOnlySpan<float> signal, Span<float> destination, StftWorkspace workspace)
    {
        Power(signal, destination, workspace);
        for (int i = 0; i < destination.Length; i++) destination[i] = MathF.Sqrt(destination[i]);
    }

    /// <summary>Complex spectrum into <paramref name="destination"/> (bins × frames, row-major).</summary>
    public void Spectrum(ReadOnlySpan<float> signal, Span<Complex32> destination, StftWorkspace workspace)
    {
        int frames = Analyse(signal, workspace, destination.Length);
        int bins = Bins;
        for (int t = 0; t < frames; t++)
            for (int k = 0; k < bins; k++)
                destination[k * frames + t] = new Complex32(workspace.Real[t * bins + k], workspace.Imaginary[t * bins + k]);
    }

    /// <summary>
    /// librosa.istft: inverse DFT of each frame, multiplied by the window, overlap-added and divided
    /// by the summed squared window where that sum is above the smallest normal float; centred
    /// transforms drop n_fft/2 samples at the start. <paramref name="destination"/>'s length is
    /// istft's <c>length</c> argument: shorter than the reconstruction truncates, longer zero-fills.
    /// Use <see cref="StftOptions.InverseLength"/> for istft's default length.
    /// </summary>
    public void Inverse(ReadOnlySpan<Complex32> spectrum, int frames, Span<float> destination, StftWorkspace workspace)
    {
        int bins = Bins, nFft = Options.NFft, hop = Options.EffectiveHopLength;
        if (frames < 1 || spectrum.Length != bins * frames)
            throw new ArgumentException($"istft: expects {bins} × frames values with frames ≥ 1, got {spectrum.Length} values for {frames} frames", nameof(spectrum));
        int full = nFft + hop * (frames - 1);
        var y = StftWorkspace.Ensure(ref workspace.Accumulator, full);
        var wss = StftWorkspace.Ensure(ref workspace.WindowSum, full);
        Array.Clear(y, 0, full);
        Array.Clear(wss, 0, full);
        var re = StftWorkspace.Ensure(ref workspace.Real, bins);
        var im = StftWorkspace.Ensure(ref workspace.Imaginary, bins);
        var frame = StftWorkspace.Ensure(ref workspace.Frame, nFft);
        for (int t = 0; t < frames; t++)
        {
            for (int k = 0; k < bins; k++)
            {
                var z = spectrum[k * frames + t];
                re[k] = z.Real;
                im[k] = z.Imaginary;
            }
            _dft.Inverse(re.AsSpan(0, bins), im.AsSpan(0, bins), frame.AsSpan(0, nFft));
            int offset = t * hop;
            for (int n = 0; n < nFft; n++)
            {
                float w = _paddedWindow[n];
                y[offset + n] += frame[n] * w;
                wss[offset + n] += w * w;
            }
        }
        const double tiny = 1.1754943508222875e-38; // numpy.finfo(float32).tiny, librosa's threshold
        for (int i = 0; i < full; i++)
            if (wss[i] > tiny) y[i] /= wss[i];
        int start = Options.Center ? nFft / 2 : 0;
        int available = full - start;
        for (int i = 0; i < destination.Length; i++)
            destination[i] = i < available ? (float)y[start + i] : 0f;
    }

    /// <summary>Frames, windows and transforms <paramref name="signal"/> into the workspace's real and imaginary parts (frames × bins); returns the frame count.</summary>
    private int Analyse(ReadOnlySpan<float> signal, StftWorkspace workspace, int destinationLength)
    {
        int frames = Frame(signal, workspace, destinationLength);
        int bins = Bins;
        var re = StftWorkspace.Ensure(ref workspace.Real, frames * bins);
        var im = StftWorkspace.Ensure(ref workspace.Imaginary, frames * bins);
        _dft.Forward(workspace.Frames.AsSpan(0, frames * _window.Length), frames, re, im);
        return frames;
    }

    /// <summary>Pads <paramref name="signal"/> and writes its windowed frames (support only) into the workspace; returns the frame count.</summary>
    private int Frame(ReadOnlySpan<float> signal, StftWorkspace workspace, int destinationLength)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var (bins, frames) = OutputShape(signal.Length);
        if (destinationLength != bins * frames)
            throw new ArgumentException($"stft: a {signal.Length}-sample signal gives {bins} × {frames} = {bins * frames} values, destination has {destinationLength}");
        int nFft = Options.NFft, hop = Options.EffectiveHopLength;
        int pad = Options.Center ? nFft / 2 : 0;
        int paddedLength = signal.Length + 2 * pad;
        var padded = StftWorkspace.Ensure(ref workspace.Padded, paddedLength);
        signal.CopyTo(padded.AsSpan(pad));
        if (pad > 0) FillPadding(signal, padded, pad, Options.PadMode);

        int support = _window.Length, start = _dft.SupportStart;
        var framesBuffer = StftWorkspace.Ensure(ref workspace.Frames, frames * support);
        for (int t = 0; t < frames; t++)
        {
            var src = padded.AsSpan(t * hop + start, support);
            var dst = framesBuffer.AsSpan(t * support, support);
            for (int i = 0; i < support; i++) dst[i] = src[i] * _window[i];
        }
        return frames;
    }

    private static void FillPadding(ReadOnlySpan<float> signal, float[] padded, int pad, StftPadMode mode)
    {
        int n = signal.Length;
        if (mode == StftPadMode.Constant)
        {
            Array.Clear(padded, 0, pad);
            Array.Clear(padded, pad + n, pad);
            return;
        }
        if (pad < n)
        {
            // One reflection reaches far enough: plain index arithmetic, no modulo per sample.
            for (int i = 0; i < pad; i++)
            {
                padded[pad - 1 - i] = signal[i + 1];
                padded[pad + n + i] = signal[n - 2 - i];
            }
            return;
        }
        for (int i = 0; i < pad; i++)
        {
            padded[i] = signal[Reflect(i - pad, n)];
            padded[pad + n + i] = signal[Reflect(n + i, n)];
        }
    }

    /// <summary>numpy 'reflect' index: mirror about the end samples, periodic with period 2(n − 1).</summary>
    internal static int Reflect(int index, int n)
    {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        int m = index % period;
        if (m < 0) m += period;
        return m < n ? m : period - m;
    }
}
