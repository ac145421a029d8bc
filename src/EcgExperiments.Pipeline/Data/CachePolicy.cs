namespace EcgExperiments.Pipeline;

/// <summary>
/// When a view is read into memory (a cache checkpoint) instead of being recomputed from its source on every pass. The
/// numbers are the same either way; only time and memory differ. A source's rows (raw records or beats) are cached when
/// they fit <see cref="SourceBytes"/>; a trainer caches its training and validation rows (after the pipeline) when they
/// fit <see cref="TrainingBytes"/>, and otherwise streams them, each batch computed as it is needed — which is how the
/// full MIT-BIH STFT experiment trains on 73,000 images without holding them.
/// </summary>
public static class CachePolicy
{
    /// <summary>Largest source view cached: 4 GiB, or <c>ECG_SOURCE_CACHE_MB</c>.</summary>
    public static long SourceBytes { get; } = Megabytes("ECG_SOURCE_CACHE_MB") ?? 4L << 30;

    /// <summary>Largest training or validation view cached: 1 GiB, or <c>ECG_TRAINING_CACHE_MB</c>.</summary>
    public static long TrainingBytes { get; } = Megabytes("ECG_TRAINING_CACHE_MB") ?? 1L << 30;

    /// <summary>The view in memory when it fits <paramref name="budget"/> (or already is), else as given.</summary>
    public static EcgDataView Prepare(EcgDataView view, long budget, CancellationToken cancel = default) =>
        view is InMemoryDataView || view.SignalBytes > budget ? view : view.Materialize(cancel);

    private static long? Megabytes(string variable) =>
        long.TryParse(Environment.GetEnvironmentVariable(variable), out var mb) && mb >= 0 ? mb << 20 : null;
}
