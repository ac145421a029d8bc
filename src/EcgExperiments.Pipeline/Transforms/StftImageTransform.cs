using System.Globalization;
using System.Text.Json.Nodes;
using EcgExperiments.Signals.Imaging;
using EcgExperiments.Signals.Normalisation;
using EcgExperiments.Signals.Spectral;

namespace EcgExperiments.Pipeline.Transforms;

/// <summary>Named spectrogram-image recipes of the published workloads (see <see cref="SpectrogramRecipes"/>).</summary>
public enum SpectrogramRecipeName
{
    /// <summary>SPEC §2.2: n_fft 428, Hann 64, hop 16, dB re max floored at −80 → 64 × 64, values in [−80, 0].</summary>
    StftCnnMitBih,
    /// <summary>SPEC §2.4: n_fft 256, Hann 64, hop 2, dB re 1 (top 80), frames 10..149 → 128 × 128 in [−1, 1].</summary>
    B2iGan,
}

/// <summary>
/// YAML <c>type: stft_image</c>: one lead → spectrogram image. Start from a <see cref="Recipe"/> and override any
/// part explicitly (every override is optional; unset keeps the recipe's value).
/// </summary>
public sealed record StftImageOptions
{
    public SpectrogramRecipeName Recipe { get; init; } = SpectrogramRecipeName.StftCnnMitBih;
    public int? NFft { get; init; }
    /// <summary>Hann window length, zero-padded and centred in the n_fft frame.</summary>
    public int? Window { get; init; }
    public int? Hop { get; init; }
    /// <summary>0 dB reference: "max" (relative to the image's peak) or a number (e.g. "1").</summary>
    public string? DbReference { get; init; }
    /// <summary>Floor of the dB image below its peak (null keeps the recipe's).</summary>
    public double? TopDb { get; init; }
    public int? FrameStart { get; init; }
    public int? FrameCount { get; init; }
    /// <summary>Image size [height, width].</summary>
    public (int, int)? Size { get; init; }
    public ResizeMode? Resize { get; init; }
    /// <summary>none (keep dB), zero_one or minus_one_one, per image.</summary>
    public ImageScaling? Scaling { get; init; }
    /// <summary>1 = gray image; 3 = the gray image replicated to RGB (the published CNNs read rendered RGB images).</summary>
    public int Channels { get; init; } = 1;
    /// <summary>Lead to use when items have several leads (by name).</summary>
    public string? Lead { get; init; }

    /// <summary>The signal-level recipe these options describe.</summary>
    public SpectrogramImageOptions Resolve()
    {
        var r = Recipe == SpectrogramRecipeName.B2iGan ? SpectrogramRecipes.B2iGan : SpectrogramRecipes.StftCnnMitBih;
        var stft = r.Stft with
        {
            NFft = NFft ?? r.Stft.NFft,
            WinLength = Window ?? r.Stft.WinLength,
            HopLength = Hop ?? r.Stft.HopLength,
        };
        var db = r.Decibels;
        if (DbReference is { } reference)
            db = db with
            {
                Reference = reference.Equals("max", StringComparison.OrdinalIgnoreCase) ? Signals.Spectral.DbReference.Max
                    : double.TryParse(reference, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? Signals.Spectral.DbReference.Of(v)
                    : throw new ArgumentException($"db_reference must be 'max' or a positive number, got '{reference}'"),
            };
        if (TopDb is { } top) db = db with { TopDb = top };
        return r with
        {
            Stft = stft,
            Decibels = db,
            FrameStart = FrameStart ?? r.FrameStart,
            FrameCount = FrameStart is not null && FrameCount is null ? null : FrameCount ?? r.FrameCount,
            Height = Size?.Item1 ?? r.Height,
            Width = Size?.Item2 ?? r.Width,
            Resize = Resize ?? r.Resize,
            Scaling = Scaling ?? r.Scaling,
        };
    }
}

/// <summary>
/// Renders one lead of each item ([samples], [1 × samples], or [leads × samples] with <see cref="StftImageOptions.Lead"/>)
/// as a [channels × height × width] spectrogram image. Rows are frequency (row 0 = DC), columns time. Images are
/// rendered when rows are read, in batches, so a view of 109,494 MIT-BIH beats never holds all its images.
/// </summary>
/// <example><code>
/// var stft = mlContext.Transforms.Ecg().StftImage(new StftImageOptions { Recipe = SpectrogramRecipeName.StftCnnMitBih, Channels = 3 });
/// stft.GetOutputSchema(new EcgSchema([1, 428], 360, ["N", "S", "V", "F", "Q"])); // [3 × 64 × 64]
/// </code></example>
public sealed class StftImageTransformer(StftImageOptions options) : EcgTransformerBase
{
    private readonly Lazy<SpectrogramImageOptions> _recipe = new(options.Resolve);

    public override string Name => "stft_image";
    public StftImageOptions Options { get; } = options;

    private (int Lead, int Samples) Source(EcgSchema input)
    {
        var s = input.ItemShape;
        if (s.Count is not (1 or 2))
            throw new SchemaException(Name, $"expects a 1-lead signal [samples] or [leads × samples], got {input.ShapeText}");
        int samples = (int)s[^1];
        if (s.Count == 1 || s[0] == 1)
        {
            if (Options.Lead is { } only && input.LeadNames is [var name] && !string.Equals(name, only, StringComparison.OrdinalIgnoreCase))
                throw new SchemaException(Name, $"lead '{only}' asked for, but the input's only lead is {name}");
            return (0, samples);
        }
        var names = input.LeadNames;
        if (Options.Lead is null)
            throw new SchemaException(Name, $"input has {s[0]} leads ({input.ShapeText}); set lead: to one of {(names is null ? "them" : string.Join(", ", names))}");
        if (names is null) throw new SchemaException(Name, $"lead '{Options.Lead}' asked for, but the input {input.ShapeText} has no lead names");
        for (int i = 0; i < names.Count; i++)
            if (string.Equals(names[i], Options.Lead, StringComparison.OrdinalIgnoreCase)) return (i, samples);
        throw new SchemaException(Name, $"no lead '{Options.Lead}'; available leads: {string.Join(", ", names)}");
    }

    private SpectrogramImageOptions Recipe()
    {
        try { return _recipe.Value; }
        catch (ArgumentException e) { throw new SchemaException(Name, e.Message); }
    }

    public override EcgSchema GetOutputSchema(EcgSchema input)
    {
        var (_, samples) = Source(input);
        if (Options.Channels is not (1 or 3)) throw new SchemaException(Name, $"channels must be 1 or 3, got {Options.Channels}");
        var recipe = Recipe();
        if (samples < 2) throw new SchemaException(Name, $"expects 1-D signals of ≥ 2 samples, got {samples} ({input.ShapeText})");
        try
        {
            var (h, w) = recipe.OutputShape(samples);
            return input with { ItemShape = [Options.Channels, h, w], SamplingRate = null, LeadNames = null };
        }
        catch (ArgumentException e)
        {
            throw new SchemaException(Name, $"{e.Message} (input {input.ShapeText})");
        }
    }

    protected override SignalMapper CreateMapper(EcgSchema input, EcgSchema output)
    {
        var (lead, samples) = Source(input);
        return new Mapper(input, output, SpectrogramImagePlan.Create(Recipe(), samples), lead, Options.Channels);
    }

    /// <summary>Renders a batch of leads at once (the plan's batched STFT), then replicates the gray image over the channels.</summary>
    private sealed class Mapper(EcgSchema input, EcgSchema output, SpectrogramImagePlan plan, int lead, int channels) : SignalMapper(input, output)
    {
        public override void MapRow(ReadOnlySpan<float> x, Span<float> y)
        {
            var image = y[..plan.ImageLength];
            plan.Render(x.Slice(lead * plan.InputLength, plan.InputLength), image, plan.CreateWorkspace());
            for (int c = 1; c < channels; c++) image.CopyTo(y.Slice(c * plan.ImageLength, plan.ImageLength));
        }

        public override void MapBatch(float[] x, float[] y, int rows)
        {
            int inSize = (int)Input.ItemSize, samples = plan.InputLength, image = plan.ImageLength;
            var signals = new float[rows * samples];
            var images = new float[rows * image];
            for (int i = 0; i < rows; i++) Array.Copy(x, i * inSize + lead * samples, signals, i * samples, samples);
            plan.RenderBatch(signals, images);
            for (int i = 0; i < rows; i++)
                for (int c = 0; c < channels; c++) Array.Copy(images, i * image, y, (i * channels + c) * image, image);
        }
    }

    public override JsonObject SaveState() => TransformStateJson.Save(Options);

    /// <summary>Rebuilds the transformer from <see cref="SaveState"/>.</summary>
    public static StftImageTransformer LoadState(JsonObject state) => new(TransformStateJson.Load<StftImageOptions>(state, "stft_image"));
}

/// <summary>Estimator of <see cref="StftImageTransformer"/> (a fixed recipe: nothing learned from data).</summary>
public sealed class StftImageEstimator(StftImageOptions options) : TrivialEcgEstimator<StftImageTransformer>(new StftImageTransformer(options));
