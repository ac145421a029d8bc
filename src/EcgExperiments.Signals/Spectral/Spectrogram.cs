using System.Collections.Concurrent;
using EcgExperiments.Core;
using MathNet.Numerics;

namespace EcgExperiments.Signals.Spectral;

/// <summary>
/// STFT facade with librosa semantics (see <see cref="StftOptions"/>). These calls allocate their
/// results and reuse cached plans; for per-beat loops hold an <see cref="StftPlan"/> and a
/// <see cref="StftWorkspace"/> instead.
/// </summary>
/// <example><code>
/// var o = StftOptions.For(nFft: 256, winLength: 64, hopLength: 2);
/// Grid2D&lt;Complex32&gt; d = Spectrogram.Stft(beat, o);            // 129 × 161 for 320 samples
/// float[] back = Spectrogram.Istft(d, o, length: beat.Length); // ≈ beat
/// </code></example>
public static class Spectrogram
{
    private static readonly ConcurrentDictionary<(StftOptions, IFftProvider), StftPlan> s_plans = new();

    /// <summary>A cached plan for these options and provider (null: <see cref="Fft.Provider"/>).</summary>
    public static StftPlan Plan(StftOptions options, IFftProvider? provider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var p = provider ?? Fft.Provider;
        return s_plans.GetOrAdd((options, p), static key => StftPlan.Create(key.Item1, key.Item2));
    }

    /// <summary>librosa.stft: complex (bins × frames).</summary>
    public static Grid2D<Complex32> Stft(ReadOnlySpan<float> signal, StftOptions options, IFftProvider? provider = null)
    {
        var plan = Plan(options, provider);
        var (bins, frames) = plan.OutputShape(signal.Length);
        var result = new Grid2D<Complex32>(bins, frames);
        plan.Spectrum(signal, result.Data, plan.CreateWorkspace());
        return result;
    }

    /// <summary>np.abs(librosa.stft(...)): magnitude (bins × frames).</summary>
    public static Grid2D<float> StftMagnitude(ReadOnlySpan<float> signal, StftOptions options, IFftProvider? provider = null)
    {
        var plan = Plan(options, provider);
        var (bins, frames) = plan.OutputShape(signal.Length);
        var result = new Grid2D<float>(bins, frames);
        plan.Magnitude(signal, result.Data, plan.CreateWorkspace());
        return result;
    }

    /// <summary>np.abs(librosa.stft(...))**2: power (bins × frames).</summary>
    public static Grid2D<float> StftPower(ReadOnlySpan<float> signal, StftOptions options, IFftProvider? provider = null)
    {
        var plan = Plan(options, provider);
        var (bins, frames) = plan.OutputShape(signal.Length);
        var result = new Grid2D<float>(bins, frames);
        plan.Power(signal, result.Data, plan.CreateWorkspace());
        return result;
    }

    /// <summary>
    /// librosa.istft with the same options as the forward transform. <paramref name="length"/> null
    /// returns istft's default length (<see cref="StftOptions.InverseLength"/>); otherwise the
    /// output is cut or zero-filled to it.
    /// </summary>
    public static float[] Istft(Grid2D<Complex32> spectrum, StftOptions options, int? length = null, IFftProvider? provider = null)
    {
        ArgumentNullException.ThrowIfNull(spectrum);
        var plan = Plan(options, provider);
        if (spectrum.Rows != plan.Bins)
            throw new ArgumentException($"istft: n_fft {options.NFft} expects {plan.Bins} bins, got {spectrum.Rows}", nameof(spectrum));
        int n = length ?? options.InverseLength(spectrum.Columns);
        ArgumentOutOfRangeException.ThrowIfNegative(n, nameof(length));
        var output = new float[n];
        plan.Inverse(spectrum.Data, spectrum.Columns, output, plan.CreateWorkspace());
        return output;
    }

    /// <summary>STFT magnitude of one lead of <paramref name="signal"/>.</summary>
    public static Grid2D<float> StftMagnitude(EcgSignal signal, int lead, StftOptions options, IFftProvider? provider = null)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if ((uint)lead >= (uint)signal.LeadCount)
            throw new ArgumentOutOfRangeException(nameof(lead), lead, $"record {signal.RecordId ?? "?"} has {signal.LeadCount} leads");
        return StftMagnitude(signal.Leads[lead], options, provider);
    }
}
