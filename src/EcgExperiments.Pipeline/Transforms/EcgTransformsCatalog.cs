using Microsoft.ML;
using EcgExperiments.Signals.Filtering;

namespace EcgExperiments.Pipeline.Transforms;

/// <summary>
/// The framework's transforms as an ML.NET catalog: <c>mlContext.Transforms.Ecg().Resample(100)</c>. Each method has a
/// short form for the common case and an <c>Options</c> overload for everything (the same records YAML binds to).
/// Every transform reads and writes the <see cref="EcgColumns.Signal"/> column; ML.NET's own transforms compose in the
/// same chain.
/// </summary>
/// <example><code>
/// var ml = new MLContext(seed: 1);
/// var pipeline = ml.Transforms.Ecg().BandPass(lowHz: 0.5, highHz: 40)
///     .Append(ml.Transforms.Ecg().Resample(targetRate: 100))
///     .Append(ml.Transforms.Ecg().ZScore());
/// var fitted = pipeline.Fit(train);                  // z-score statistics from the training rows only
/// IDataView ready = fitted.Transform(test);          // lazy: rows are filtered, resampled and scaled as read
/// </code></example>
public sealed class EcgTransformsCatalog
{
    internal EcgTransformsCatalog(TransformsCatalog catalog) => Catalog = catalog;

    /// <summary>The ML.NET catalog this one extends.</summary>
    public TransformsCatalog Catalog { get; }

    /// <summary>Per-lead (or global) z-score with statistics from the training split only.</summary>
    public ZScoreEstimator ZScore(bool perLead = true) => new(new ZScoreOptions { PerLead = perLead });
    public ZScoreEstimator ZScore(ZScoreOptions options) => new(options);

    /// <summary>Polyphase resampling to <paramref name="targetRate"/> Hz (the input rate comes from the schema).</summary>
    public ResampleEstimator Resample(double targetRate) => new(new ResampleOptions { TargetRate = targetRate });
    public ResampleEstimator Resample(ResampleOptions options) => new(options);

    /// <summary>Zero-phase FIR band-pass (firwin + filtfilt) between <paramref name="lowHz"/> and <paramref name="highHz"/>.</summary>
    public BandPassEstimator BandPass(double lowHz, double highHz, BandPassDesign design = BandPassDesign.Fir) =>
        new(new BandPassOptions { LowHz = lowHz, HighHz = highHz, Design = design });
    public BandPassEstimator BandPass(BandPassOptions options) => new(options);

    /// <summary>Per-signal min-max scaling to [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public MinMaxEstimator MinMax(double low = 0, double high = 1) => new(new MinMaxOptions { Low = low, High = high });
    public MinMaxEstimator MinMax(MinMaxOptions options) => new(options);

    /// <summary>Keeps the named leads, in the order given.</summary>
    public SelectLeadsEstimator SelectLeads(params string[] leads) => new(new SelectLeadsOptions { Leads = leads });
    public SelectLeadsEstimator SelectLeads(SelectLeadsOptions options) => new(options);

    /// <summary>Linear interpolation of every lead to <paramref name="length"/> points.</summary>
    public InterpolateEstimator Interpolate(int length) => new(new InterpolateOptions { Length = length });
    public InterpolateEstimator Interpolate(InterpolateOptions options) => new(options);

    /// <summary>One lead → spectrogram image by a published recipe.</summary>
    public StftImageEstimator StftImage(SpectrogramRecipeName recipe = SpectrogramRecipeName.StftCnnMitBih, int channels = 1) =>
        new(new StftImageOptions { Recipe = recipe, Channels = channels });
    public StftImageEstimator StftImage(StftImageOptions options) => new(options);
}

/// <summary>Entry point of the framework's transforms on ML.NET's transforms catalog.</summary>
public static class EcgCatalogExtensions
{
    /// <summary>The ECG transforms: <c>mlContext.Transforms.Ecg().StftImage(options)</c>.</summary>
    public static EcgTransformsCatalog Ecg(this TransformsCatalog catalog) => new(catalog);
}
