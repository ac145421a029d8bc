namespace EcgExperiments.Training.Reconstruction;

/// <summary>
/// SPEC §2.3 input preprocessing of the single lead: linear interpolation to the model's length
/// (numpy <c>np.interp(np.linspace(0, n − 1, length), np.arange(n), x)</c>), then min-max scaling of the
/// whole signal to [0, 1]. A flat signal (max == min) maps to all zeros instead of dividing by zero.
/// </summary>
/// <remarks>
/// Kept here rather than taken from EcgExperiments.Signals so that the trainer stays independent of the
/// signal-processing and data layers; the tests check it against <c>Signals.Interpolate.LinearToLength</c>.
/// </remarks>
/// <example><code>
/// float[] x = ReconstructionPreprocessing.Prepare(leadI, 1000);   // 1000 values in [0, 1]
/// </code></example>
public static class ReconstructionPreprocessing
{
    /// <summary>Interpolates <paramref name="lead"/> to <paramref name="length"/> points and min-max scales it to [0, 1].</summary>
    public static float[] Prepare(ReadOnlySpan<float> lead, int length)
    {
        var y = new float[length];
        Prepare(lead, y);
        return y;
    }

    /// <inheritdoc cref="Prepare(ReadOnlySpan{float}, int)"/>
    public static void Prepare(ReadOnlySpan<float> lead, Span<float> destination)
    {
        Interpolate(lead, destination);
        MinMaxInPlace(destination);
    }

    /// <summary>Linear interpolation over the same time span, first and last samples kept.</summary>
    public static void Interpolate(ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.IsEmpty) throw new ArgumentException("reconstruction input: the lead has no samples", nameof(x));
        if (y.IsEmpty) throw new ArgumentException("reconstruction input: the target length must be ≥ 1", nameof(y));
        foreach (var v in x)
            if (!float.IsFinite(v)) throw new ArgumentException("reconstruction input: the lead contains NaN or infinite samples", nameof(x));
        int n = x.Length, m = y.Length;
        if (n == m) { x.CopyTo(y); return; }
        if (n == 1 || m == 1) { y.Fill(x[0]); if (m > 1) y[^1] = x[^1]; return; }
        double step = (double)(n - 1) / (m - 1);
        for (int i = 0; i < m - 1; i++)
        {
            double position = i * step;
            int j = Math.Min((int)position, n - 2);
            y[i] = (float)(((double)x[j + 1] - x[j]) * (position - j) + x[j]);
        }
        y[m - 1] = x[n - 1];
    }

    /// <summary>Scales to [0, 1] in place; a flat signal becomes all zeros (the guard SPEC §2.3 asks for).</summary>
    public static void MinMaxInPlace(Span<float> y)
    {
        if (y.IsEmpty) return;
        float min = y[0], max = y[0];
        foreach (var v in y) { if (v < min) min = v; if (v > max) max = v; }
        if (!(max > min)) { y.Clear(); return; }
        double scale = 1.0 / ((double)max - min);
        for (int i = 0; i < y.Length; i++) y[i] = (float)((y[i] - (double)min) * scale);
    }
}
