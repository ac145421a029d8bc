using System.Numerics;
using EcgExperiments.Core;

namespace EcgExperiments.Signals.Normalisation;

/// <summary>Which fixed range an image or signal is min-max scaled to.</summary>
public enum ImageScaling
{
    /// <summary>Leave values as they are.</summary>
    None,
    /// <summary>Min-max to [0, 1].</summary>
    ZeroOne,
    /// <summary>Min-max to [−1, 1] (GAN images with a tanh output).</summary>
    MinusOneOne,
}

/// <summary>
/// Per-array min-max scaling. A flat input (max == min) carries no shape, and dividing by zero
/// would give NaN: it maps to the low end of the range (zeros for [0, 1], −1 for [−1, 1]), which
/// keeps y₋₁ = 2·y₀ − 1 true for every input.
/// </summary>
/// <example><code>
/// Scaling.MinMax(lead, scaled);                   // [0, 1], SPEC §2.3
/// Scaling.Apply(image, image, ImageScaling.MinusOneOne);   // in place, SPEC §2.4
/// </code></example>
public static class Scaling
{
    /// <summary>Scales to [<paramref name="low"/>, <paramref name="high"/>]; in place when the spans are the same.</summary>
    public static void MinMax(ReadOnlySpan<float> source, Span<float> destination, float low = 0f, float high = 1f)
    {
        if (destination.Length != source.Length)
            throw new ArgumentException($"min-max: destination has {destination.Length} values for {source.Length} inputs", nameof(destination));
        if (!(high > low)) throw new ArgumentException($"min-max: range [{low}, {high}] is empty", nameof(high));
        if (source.IsEmpty) return;
        var (min, max) = MinMaxOf(source);
        if (!(max > min))
        {
            destination.Fill(low);
            return;
        }
        // double for the scale: max − min can be tiny against the values themselves
        float scale = (float)((high - (double)low) / ((double)max - min));
        int i = 0, w = Vector<float>.Count;
        var vMin = new Vector<float>(min);
        var vScale = new Vector<float>(scale);
        var vLow = new Vector<float>(low);
        for (; i + w <= source.Length; i += w)
            Vector.FusedMultiplyAdd(new Vector<float>(source[i..]) - vMin, vScale, vLow).CopyTo(destination[i..]);
        for (; i < source.Length; i++) destination[i] = (source[i] - min) * scale + low;
    }

    /// <summary>Applies <paramref name="scaling"/> (a copy for <see cref="ImageScaling.None"/>).</summary>
    public static void Apply(ReadOnlySpan<float> source, Span<float> destination, ImageScaling scaling)
    {
        switch (scaling)
        {
            case ImageScaling.None:
                if (destination.Length != source.Length) throw new ArgumentException($"scaling: destination has {destination.Length} values for {source.Length} inputs", nameof(destination));
                source.CopyTo(destination);
                break;
            case ImageScaling.ZeroOne: MinMax(source, destination, 0f, 1f); break;
            case ImageScaling.MinusOneOne: MinMax(source, destination, -1f, 1f); break;
            default: throw new ArgumentOutOfRangeException(nameof(scaling), scaling, "unknown scaling");
        }
    }

    /// <summary>Min-max scales every lead of <paramref name="signal"/> on its own to [0, 1] (SPEC §2.3).</summary>
    public static EcgSignal MinMaxPerLead(EcgSignal signal, float low = 0f, float high = 1f)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var leads = new float[signal.LeadCount][];
        for (int l = 0; l < leads.Length; l++)
        {
            leads[l] = new float[signal.Length];
            MinMax(signal.Leads[l], leads[l], low, high);
        }
        return signal.With(leads);
    }

    internal static (float Min, float Max) MinMaxOf(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        int i = 0, w = Vector<float>.Count;
        if (values.Length >= w)
        {
            var vMin = new Vector<float>(values);
            var vMax = vMin;
            for (i = w; i + w <= values.Length; i += w)
            {
                var v = new Vector<float>(values[i..]);
                vMin = Vector.Min(vMin, v);
                vMax = Vector.Max(vMax, v);
            }
            for (int l = 0; l < w; l++)
            {
                min = MathF.Min(min, vMin[l]);
                max = MathF.Max(max, vMax[l]);
            }
        }
        for (; i < values.Length; i++)
        {
            min = MathF.Min(min, values[i]);
            max = MathF.Max(max, values[i]);
        }
        return (min, max);
    }
}
