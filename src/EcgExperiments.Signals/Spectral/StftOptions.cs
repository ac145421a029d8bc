namespace EcgExperiments.Signals.Spectral;

/// <summary>How a centred STFT extends the signal by n_fft/2 samples at each end.</summary>
public enum StftPadMode
{
    /// <summary>numpy.pad mode 'reflect' (mirror without repeating the edge sample; periodic when the pad is longer than the signal).</summary>
    Reflect,
    /// <summary>numpy.pad mode 'constant' with zeros (librosa ≥ 0.10's default).</summary>
    Constant,
}

/// <summary>
/// Options of a librosa-compatible short-time Fourier transform: frames of <see cref="NFft"/>
/// samples every <see cref="HopLength"/>, each multiplied by a periodic window of
/// <see cref="WinLength"/> samples zero-padded and centred in the frame (librosa.util.pad_center).
/// With <see cref="Center"/> the signal is first padded by n_fft/2 at both ends so that frame t is
/// centred on sample t·hop.
/// </summary>
/// <remarks>
/// Defaults follow librosa.stft except <see cref="PadMode"/>: this project's recipes (SPEC §2.2,
/// §2.4) were produced with librosa &lt; 0.10, whose default was 'reflect'; librosa 0.10 changed
/// it to 'constant', which is available as <see cref="StftPadMode.Constant"/>.
/// </remarks>
/// <example><code>
/// var o = StftOptions.For(nFft: 428, winLength: 64, hopLength: 16);
/// var (bins, frames) = o.OutputShape(428);   // (215, 27)
/// </code></example>
public sealed record StftOptions
{
    /// <summary>Frame (FFT) length; the output has n_fft/2 + 1 frequency bins.</summary>
    public required int NFft { get; init; }

    /// <summary>Window length ≤ n_fft; null means n_fft (librosa's default).</summary>
    public int? WinLength { get; init; }

    /// <summary>Samples between frames; null means win_length / 4 (librosa's default).</summary>
    public int? HopLength { get; init; }

    /// <summary>Window family; always used in its periodic (fftbins=True) form like librosa.</summary>
    public WindowSpec Window { get; init; } = WindowSpec.Hann;

    /// <summary>Pad n_fft/2 at both ends so frame t is centred at sample t·hop (librosa center=True).</summary>
    public bool Center { get; init; } = true;

    /// <summary>Padding used when <see cref="Center"/> is set.</summary>
    public StftPadMode PadMode { get; init; } = StftPadMode.Reflect;

    /// <summary>Short factory for the common case.</summary>
    public static StftOptions For(int nFft, int? winLength = null, int? hopLength = null,
                                  bool center = true, StftPadMode padMode = StftPadMode.Reflect)
        => new() { NFft = nFft, WinLength = winLength, HopLength = hopLength, Center = center, PadMode = padMode };

    /// <summary>Window length after defaults.</summary>
    public int EffectiveWinLength => WinLength ?? NFft;

    /// <summary>Hop after defaults (librosa: win_length // 4).</summary>
    public int EffectiveHopLength => HopLength ?? EffectiveWinLength / 4;

    /// <summary>Frequency bins, n_fft/2 + 1.</summary>
    public int Bins => NFft / 2 + 1;

    /// <summary>Checks the options alone; throws <see cref="ArgumentException"/> naming the option.</summary>
    public void Validate()
    {
        if (NFft < 1) throw new ArgumentException($"stft: n_fft must be ≥ 1, got {NFft}", "n_fft");
        if (EffectiveWinLength < 1 || EffectiveWinLength > NFft)
            throw new ArgumentException($"stft: n_fft {NFft} needs a window 1 ≤ win_length ≤ n_fft, got {EffectiveWinLength}", "win_length");
        if (EffectiveHopLength < 1)
            throw new ArgumentException(HopLength is null
                ? $"stft: the default hop (win_length / 4) is 0 for a {EffectiveWinLength}-sample window; set hop_length ≥ 1"
                : $"stft: hop_length must be ≥ 1, got {EffectiveHopLength}", "hop_length");
        if (Window.Kind == WindowKind.Kaiser && !(Window.Beta >= 0))
            throw new ArgumentException($"stft: kaiser window needs β ≥ 0, got {Window.Beta}", "window");
    }

    /// <summary>
    /// (bins, frames) for an input of <paramref name="inputLength"/> samples, without data:
    /// frames = 1 + (len + 2·(n_fft/2) − n_fft) / hop when centred (1 + len/hop for even n_fft),
    /// 1 + (len − n_fft) / hop otherwise. Throws when the input is too short.
    /// </summary>
    public (int Bins, int Frames) OutputShape(int inputLength)
    {
        Validate();
        if (inputLength < 1) throw new ArgumentException($"stft: expects a 1-D signal of ≥ 1 sample, got {inputLength}", "input");
        int padded = PaddedLength(inputLength);
        if (padded < NFft)
            throw new ArgumentException(Center
                ? $"stft: n_fft {NFft} needs ≥ {NFft - 2 * (NFft / 2)} samples, got {inputLength}"
                : $"stft: n_fft {NFft} without centring needs a signal of ≥ {NFft} samples, got {inputLength}", "input");
        return (Bins, 1 + (padded - NFft) / EffectiveHopLength);
    }

    /// <summary>Length of the signal after centre padding.</summary>
    public int PaddedLength(int inputLength) => Center ? inputLength + 2 * (NFft / 2) : inputLength;

    /// <summary>
    /// Length istft returns by default for <paramref name="frames"/> frames:
    /// n_fft + hop·(frames − 1), less n_fft/2 at both ends when centred.
    /// </summary>
    public int InverseLength(int frames)
    {
        Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        int full = NFft + EffectiveHopLength * (frames - 1);
        return Center ? full - 2 * (NFft / 2) : full;
    }
}
