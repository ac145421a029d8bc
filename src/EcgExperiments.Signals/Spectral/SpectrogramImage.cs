using EcgExperiments.Signals.Imaging;
using EcgExperiments.Signals.Normalisation;

namespace EcgExperiments.Signals.Spectral;

/// <summary>
/// A whole "signal → spectrogram image" recipe: STFT power → amplitude dB over the full
/// spectrogram → optional frame crop → resize → optional min-max scaling. Rows of the image are
/// frequency (row 0 = DC, not flipped as a plotted spectrogram would be), columns are time.
/// </summary>
/// <example><code>
/// var recipe = SpectrogramRecipes.StftCnnMitBih;
/// var (h, w) = recipe.OutputShape(428);                  // (64, 64), without data
/// var plan = SpectrogramImagePlan.Create(recipe, 428);
/// </code></example>
public sealed record SpectrogramImageOptions
{
    public required StftOptions Stft { get; init; }

    /// <summary>dB conversion of the magnitudes (librosa.amplitude_to_db semantics).</summary>
    public DecibelOptions Decibels { get; init; } = DecibelOptions.Amplitude;

    /// <summary>First frame kept after the dB conversion (the top_db floor is taken over all frames first).</summary>
    public int FrameStart { get; init; }

    /// <summary>Frames kept from <see cref="FrameStart"/>; null keeps the rest.</summary>
    public int? FrameCount { get; init; }

    public required int Height { get; init; }
    public required int Width { get; init; }
    public ResizeMode Resize { get; init; } = ResizeMode.Area;
    public ImageScaling Scaling { get; init; } = ImageScaling.None;

    /// <summary>Checks options and, for a given input length, every intermediate shape.</summary>
    public void Validate(int inputLength)
    {
        SpectrogramShape(inputLength);
        CroppedShape(inputLength);
        Decibels.Validate();
        if (Height < 1 || Width < 1)
            throw new ArgumentException($"spectrogram image: size must be at least 1 × 1, got {Height} × {Width}", "size");
    }

    /// <summary>(bins, frames) of the STFT.</summary>
    public (int Bins, int Frames) SpectrogramShape(int inputLength) => Stft.OutputShape(inputLength);

    /// <summary>(bins, frames) after the frame crop.</summary>
    public (int Bins, int Frames) CroppedShape(int inputLength)
    {
        var (bins, frames) = SpectrogramShape(inputLength);
        int count = FrameCount ?? frames - FrameStart;
        if (FrameStart < 0 || count < 1 || FrameStart + count > frames)
            throw new ArgumentException(
                $"spectrogram image: keeps frames {FrameStart}..{FrameStart + count - 1} but a {inputLength}-sample signal has frames 0..{frames - 1}", "frames");
        return (bins, count);
    }

    /// <summary>(height, width) of the image, without data.</summary>
    public (int Height, int Width) OutputShape(int inputLength)
    {
        Validate(inputLength);
        return (Height, Width);
    }
}

/// <summary>The spectrogram-image recipes of the published workloads.</summary>
/// <example><code>
/// var mine = SpectrogramRecipes.B2iGan with { Height = 64, Width = 64 };   // a variant for a sweep
/// </code></example>
public static class SpectrogramRecipes
{
    /// <summary>
    /// SPEC §2.2 (STFT CNN on MIT-BIH beats): 428-sample beat → STFT n_fft 428, Hann 64 centred in
    /// the frame, hop 16, centred with reflect padding → |X| in dB relative to the maximum, floor
    /// −80 dB → 215 × 27 → area resize to 64 × 64. Values stay in dB, [−80, 0].
    /// </summary>
    public static SpectrogramImageOptions StftCnnMitBih { get; } = new()
    {
        Stft = StftOptions.For(nFft: 428, winLength: 64, hopLength: 16),
        Decibels = DecibelOptions.Amplitude with { Reference = DbReference.Max, TopDb = 80 },
        Height = 64,
        Width = 64,
    };

    /// <summary>
    /// SPEC §2.4 (B2I-GAN): 320-sample beat → STFT n_fft 256, Hann 64, hop 2, centred reflect →
    /// 129 × 161 → amplitude dB (ref 1, amin 1e-5, top 80) → frames 10..149 (129 × 140) → area
    /// resize 128 × 128 → min-max to [−1, 1] per image.
    /// </summary>
    public static SpectrogramImageOptions B2iGan { get; } = new()
    {
        Stft = StftOptions.For(nFft: 256, winLength: 64, hopLength: 2),
        Decibels = DecibelOptions.Amplitude,
        FrameStart = 10,
        FrameCount = 140,
        Height = 128,
        Width = 128,
        Scaling = ImageScaling.MinusOneOne,
    };
}

/// <summary>Per-thread scratch of a <see cref="SpectrogramImagePlan"/> (not thread-safe: one per thread).</summary>
/// <example><code>
/// var ws = plan.CreateWorkspace();
/// foreach (var beat in beats) plan.Render(beat, image, ws);
/// </code></example>
public sealed class SpectrogramImageWorkspace
{
    internal SpectrogramImageWorkspace(StftWorkspace stft, float[] spectrogram, float[] resizeScratch)
    {
        Stft = stft;
        Spectrogram = spectrogram;
        ResizeScratch = resizeScratch;
    }

    internal StftWorkspace Stft { get; }
    internal float[] Spectrogram { get; }
    internal float[] ResizeScratch { get; }
}

/// <summary>
/// A prepared <see cref="SpectrogramImageOptions"/> for signals of one length: STFT plan and resize
/// weights computed once. Immutable and thread-safe; rendering one beat allocates nothing.
/// </summary>
/// <example><code>
/// var plan = SpectrogramImagePlan.Create(SpectrogramRecipes.StftCnnMitBih, inputLength: 428);
/// var images = new float[beatCount * plan.ImageLength];
/// plan.RenderBatch(beats, images);                          // parallel over beats
/// </code></example>
public sealed class SpectrogramImagePlan
{
    private readonly StftPlan _stft;
    private readonly ResizePlan _resize;
    private readonly int _frames;

    private SpectrogramImagePlan(SpectrogramImageOptions options, int inputLength, StftPlan stft, ResizePlan resize, int frames)
    {
        Options = options;
        InputLength = inputLength;
        _stft = stft;
        _resize = resize;
        _frames = frames;
    }

    public static SpectrogramImagePlan Create(SpectrogramImageOptions options, int inputLength, IFftProvider? provider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(inputLength);
        var (bins, frames) = options.SpectrogramShape(inputLength);
        var (_, kept) = options.CroppedShape(inputLength);
        var stft = StftPlan.Create(options.Stft, provider);
        var resize = ResizePlan.Create(bins, kept, options.Height, options.Width, options.Resize);
        return new SpectrogramImagePlan(options, inputLength, stft, resize, frames);
    }

    public SpectrogramImageOptions Options { get; }
    public int InputLength { get; }
    public int ImageLength => Options.Height * Options.Width;
    public string ProviderName => _stft.ProviderName;

    public SpectrogramImageWorkspace CreateWorkspace()
        => new(_stft.CreateWorkspace(), new float[_stft.Bins * _frames], new float[_resize.ScratchLength]);

    /// <summary>Renders one signal of <see cref="InputLength"/> samples into <paramref name="image"/> (height × width).</summary>
    public void Render(ReadOnlySpan<float> signal, Span<float> image, SpectrogramImageWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (signal.Length != InputLength)
            throw new ArgumentException($"spectrogram image: plan is for {InputLength}-sample signals, got {signal.Length}", nameof(signal));
        if (image.Length != ImageLength)
            throw new ArgumentException($"spectrogram image: image needs {ImageLength} values, got {image.Length}", nameof(image));
        var spec = workspace.Spectrogram;
        _stft.Power(signal, spec, workspace.Stft);
        Decibels.AmplitudeToDbFromPower(spec, spec, Options.Decibels);
        _resize.Apply(spec.AsSpan(Options.FrameStart), _frames, image, workspace.ResizeScratch);
        if (Options.Scaling != ImageScaling.None) Scaling.Apply(image, image, Options.Scaling);
    }

    /// <summary>
    /// Renders <c>signals.Length / InputLength</c> signals stored back to back into
    /// <paramref name="images"/> (one image after another), in parallel with one workspace per
    /// worker. <paramref name="maxDegreeOfParallelism"/> 1 runs on the calling thread.
    /// </summary>
    public void RenderBatch(ReadOnlyMemory<float> signals, Memory<float> images, int maxDegreeOfParallelism = -1)
    {
        if (signals.Length % InputLength != 0)
            throw new ArgumentException($"spectrogram image: {signals.Length} samples are not a whole number of {InputLength}-sample signals", nameof(signals));
        int count = signals.Length / InputLength;
        if (images.Length != (long)count * ImageLength)
            throw new ArgumentException($"spectrogram image: {count} signals need {(long)count * ImageLength} image values, got {images.Length}", nameof(images));
        if (maxDegreeOfParallelism == 1)
        {
            var ws = CreateWorkspace();
            for (int i = 0; i < count; i++)
                Render(signals.Span.Slice(i * InputLength, InputLength), images.Span.Slice(i * ImageLength, ImageLength), ws);
            return;
        }
        // Chunks of beats amortise the per-task overhead; each worker keeps its own workspace.
        const int chunk = 64;
        int chunks = (count + chunk - 1) / chunk;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            CreateWorkspace,
            (c, _, ws) =>
            {
                int end = Math.Min(count, (c + 1) * chunk);
                for (int i = c * chunk; i < end; i++)
                    Render(signals.Span.Slice(i * InputLength, InputLength), images.Span.Slice(i * ImageLength, ImageLength), ws);
                return ws;
            },
            _ => { });
    }
}
