using EcgExperiments.Core;

namespace EcgExperiments.Signals.Beats;

/// <summary>What a midpoint window does for the first and last beat, which miss a neighbour.</summary>
public enum BeatEdgePolicy
{
    /// <summary>Use the half-interval of the side that exists on both sides (clipped to the record). A beat with no neighbour at all is cut R ± length/2.</summary>
    Mirror,
    /// <summary>Drop beats without both neighbours (they are counted in <see cref="BeatWindowSet.Skipped"/>).</summary>
    Skip,
}

/// <summary>
/// SPEC §2.2 beat windows: from halfway to the previous R to halfway to the next R; longer than
/// <see cref="Length"/> → centred crop R ± length/2; shorter → zero-padded to <see cref="Length"/>.
/// </summary>
/// <remarks>
/// Measured like the published code: the window is [R − ⌊(R − R₋₁)/2⌋, R + ⌊(R₊₁ − R)/2⌋); a window
/// of exactly 428 samples is kept as is; a crop is [R − 214, R + 214) (zeros where that leaves the
/// record); padding is ⌈d/2⌉ zeros before and ⌊d/2⌋ after for a deficit d — the published code
/// pads ⌊d/2⌋ each side and prepends the odd zero. Neighbours are the R positions passed in: the
/// published code took neighbours from all annotations (rhythm and noise marks included), SPEC
/// §2.2 and this class use beats only, so pass beat annotations.
/// </remarks>
/// <example><code>
/// var set = BeatWindows.Midpoint(lead, rPeaks, new MidpointBeatWindowOptions { Length = 428 });
/// // set.Count × 428 samples in set.Samples
/// </code></example>
public sealed record MidpointBeatWindowOptions
{
    public int Length { get; init; } = 428;
    public BeatEdgePolicy Edges { get; init; } = BeatEdgePolicy.Mirror;

    public void Validate()
    {
        if (Length < 2) throw new ArgumentException($"beat window: length must be ≥ 2, got {Length}", "length");
    }
}

/// <summary>
/// SPEC §2.4 fixed windows [R − <see cref="Before"/>, R + <see cref="After"/>). Beats whose window
/// leaves the record are skipped and counted: kept when R − before ≥ 0 and R + after &lt; record
/// length — BeatGAN's test, which also drops a window that would end exactly at the last sample.
/// </summary>
/// <example><code>
/// var set = BeatWindows.Fixed(filteredLead, rPeaks);   // 320-sample windows, set.Skipped counted
/// </code></example>
public sealed record FixedBeatWindowOptions
{
    public int Before { get; init; } = 140;
    public int After { get; init; } = 180;
    public int Length => Before + After;

    public void Validate()
    {
        if (Before < 0 || After < 0 || Before + After < 1)
            throw new ArgumentException($"beat window: before ({Before}) and after ({After}) must be ≥ 0 with a positive sum", Before < 0 ? "before" : "after");
    }
}

/// <summary>Fixed-length beat windows cut from one lead, stored back to back.</summary>
/// <example><code>
/// var set = BeatWindows.Fixed(lead, rPeaks);
/// for (int i = 0; i &lt; set.Count; i++) Use(set.Window(i), labels[set.BeatIndices[i]]);
/// Console.WriteLine($"{set.Skipped} beats too close to the record edge");
/// </code></example>
public sealed class BeatWindowSet
{
    internal BeatWindowSet(int windowLength, float[] samples, int[] beatIndices, int[] skippedBeatIndices)
    {
        WindowLength = windowLength;
        Samples = samples;
        BeatIndices = beatIndices;
        SkippedBeatIndices = skippedBeatIndices;
    }

    public int WindowLength { get; }

    /// <summary>Windows kept.</summary>
    public int Count => BeatIndices.Length;

    /// <summary>Count × WindowLength samples, one window after another.</summary>
    public float[] Samples { get; }

    /// <summary>For each kept window, the index of its beat in the R-peak list passed in.</summary>
    public int[] BeatIndices { get; }

    /// <summary>Indices (into the R-peak list) of beats that were skipped.</summary>
    public int[] SkippedBeatIndices { get; }

    public int Skipped => SkippedBeatIndices.Length;

    /// <summary>Window <paramref name="i"/> (a view of <see cref="Samples"/>).</summary>
    public ReadOnlySpan<float> Window(int i) => Samples.AsSpan(i * WindowLength, WindowLength);
}

/// <summary>
/// Cuts beats out of a lead around given R-peak sample positions (strictly increasing, inside the
/// signal). The window length is known from the options alone: <see cref="MidpointBeatWindowOptions.Length"/>
/// and <see cref="FixedBeatWindowOptions.Length"/>.
/// </summary>
/// <example><code>
/// BeatWindowSet stftBeats = BeatWindows.Midpoint(record, lead: 0, rPeaks);   // SPEC §2.2, 428 samples
/// BeatWindowSet ganBeats = BeatWindows.Fixed(filtered, lead: 0, rPeaks);     // SPEC §2.4, 320 samples
/// </code></example>
public static class BeatWindows
{
    /// <summary>
    /// Which beats midpoint windows keep, from the R positions alone (no samples needed): every beat, or with
    /// <see cref="BeatEdgePolicy.Skip"/> all but those missing a neighbour. <see cref="Midpoint(ReadOnlySpan{float}, ReadOnlySpan{int}, MidpointBeatWindowOptions?, string?)"/> keeps the same ones.
    /// </summary>
    public static (int[] Kept, int[] Skipped) Select(ReadOnlySpan<int> rPeaks, MidpointBeatWindowOptions options)
    {
        var kept = new List<int>();
        var skipped = new List<int>();
        for (int i = 0; i < rPeaks.Length; i++)
            (options.Edges == BeatEdgePolicy.Skip && (i == 0 || i + 1 == rPeaks.Length) ? skipped : kept).Add(i);
        return (kept.ToArray(), skipped.ToArray());
    }

    /// <summary>
    /// Which beats fixed windows keep in a record of <paramref name="signalLength"/> samples, from the R positions alone:
    /// those whose window lies inside the record (BeatGAN's test).
    /// </summary>
    public static (int[] Kept, int[] Skipped) Select(int signalLength, ReadOnlySpan<int> rPeaks, FixedBeatWindowOptions options)
    {
        var kept = new List<int>();
        var skipped = new List<int>();
        for (int i = 0; i < rPeaks.Length; i++)
            (rPeaks[i] - options.Before >= 0 && rPeaks[i] + options.After < signalLength ? kept : skipped).Add(i);
        return (kept.ToArray(), skipped.ToArray());
    }

    /// <summary>SPEC §2.2 windows (see <see cref="MidpointBeatWindowOptions"/>).</summary>
    public static BeatWindowSet Midpoint(ReadOnlySpan<float> signal, ReadOnlySpan<int> rPeaks, MidpointBeatWindowOptions? options = null, string? recordId = null)
    {
        options ??= new MidpointBeatWindowOptions();
        options.Validate();
        CheckPeaks(signal.Length, rPeaks, recordId);
        int length = options.Length, half = length / 2;
        var (kept, skipped) = Select(rPeaks, options);
        var samples = new float[kept.Length * length];
        for (int w = 0; w < kept.Length; w++)
        {
            int i = kept[w], r = rPeaks[i];
            bool hasPrevious = i > 0, hasNext = i + 1 < rPeaks.Length;
            var window = samples.AsSpan(w * length, length);
            int left = hasPrevious ? (r - rPeaks[i - 1]) / 2 : hasNext ? (rPeaks[i + 1] - r) / 2 : half;
            int right = hasNext ? (rPeaks[i + 1] - r) / 2 : hasPrevious ? (r - rPeaks[i - 1]) / 2 : length - half;
            if (left + right > length)
            {
                CopyClipped(signal, r - half, window);                 // centred crop, R at index half
            }
            else
            {
                // window [r − left, r + right) clipped to the record, then centred with zeros
                int start = Math.Max(0, r - left), end = Math.Min(signal.Length, r + right);
                int n = end - start, deficit = length - n;
                signal[start..end].CopyTo(window[((deficit + 1) / 2)..]); // odd zero goes first
            }
        }
        return new BeatWindowSet(length, samples, kept, skipped);
    }

    /// <summary>SPEC §2.4 windows (see <see cref="FixedBeatWindowOptions"/>).</summary>
    public static BeatWindowSet Fixed(ReadOnlySpan<float> signal, ReadOnlySpan<int> rPeaks, FixedBeatWindowOptions? options = null, string? recordId = null)
    {
        options ??= new FixedBeatWindowOptions();
        options.Validate();
        CheckPeaks(signal.Length, rPeaks, recordId);
        int length = options.Length;
        var (kept, skipped) = Select(signal.Length, rPeaks, options);
        var samples = new float[kept.Length * length];
        for (int w = 0; w < kept.Length; w++)
            signal.Slice(rPeaks[kept[w]] - options.Before, length).CopyTo(samples.AsSpan(w * length));
        return new BeatWindowSet(length, samples, kept, skipped);
    }

    /// <summary>Midpoint windows of lead <paramref name="lead"/>; errors name the record.</summary>
    public static BeatWindowSet Midpoint(EcgSignal signal, int lead, ReadOnlySpan<int> rPeaks, MidpointBeatWindowOptions? options = null)
        => Midpoint(Lead(signal, lead), rPeaks, options, signal.RecordId);

    /// <summary>Fixed windows of lead <paramref name="lead"/>; errors name the record.</summary>
    public static BeatWindowSet Fixed(EcgSignal signal, int lead, ReadOnlySpan<int> rPeaks, FixedBeatWindowOptions? options = null)
        => Fixed(Lead(signal, lead), rPeaks, options, signal.RecordId);

    private static float[] Lead(EcgSignal signal, int lead)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if ((uint)lead >= (uint)signal.LeadCount)
            throw new EcgDataException($"beat windows: lead {lead} requested, the record has {signal.LeadCount}", record: signal.RecordId);
        return signal.Leads[lead];
    }

    private static void CopyClipped(ReadOnlySpan<float> signal, int start, Span<float> window)
    {
        int from = Math.Max(0, start), to = Math.Min(signal.Length, start + window.Length);
        if (to > from) signal[from..to].CopyTo(window[(from - start)..]);
    }

    private static void CheckPeaks(int length, ReadOnlySpan<int> rPeaks, string? recordId)
    {
        for (int i = 0; i < rPeaks.Length; i++)
        {
            if ((uint)rPeaks[i] >= (uint)length)
                throw new EcgDataException($"beat windows: R peak {i} at sample {rPeaks[i]} is outside the signal (0..{length - 1})", record: recordId);
            if (i > 0 && rPeaks[i] <= rPeaks[i - 1])
                throw new EcgDataException($"beat windows: R peaks must increase; peak {i} at {rPeaks[i]} follows {rPeaks[i - 1]}", record: recordId);
        }
    }
}
