using EcgExperiments.Core;

namespace EcgExperiments.Synthetic.Model;

/// <summary>
/// ECGSYN's RR-interval process: a random-phase signal whose power spectrum is the sum of two
/// Gaussians, the Mayer-wave (LF) peak at ~0.1 Hz and the respiratory sinus arrhythmia (HF) peak at
/// the respiratory frequency (SD 0.01 Hz each, LF:HF power ratio given), scaled to the requested RR
/// standard deviation and added to the mean RR. ECGSYN builds it by inverse FFT on a 1 Hz grid; we
/// sum the same spectral lines (a 256 s period, i.e. 1/256 Hz resolution) directly, which lets it be
/// evaluated at each beat's time and keeps the spectral peaks resolved even for 10 s records.
/// The scaling uses the theoretical SD of the sum, not the sample SD of one realisation.
/// </summary>
internal sealed class RrProcess
{
    private const double Period = 256;
    private const double PeakSd = 0.01;

    private readonly double[] _freq;
    private readonly double[] _amp;
    private readonly double[] _phase;

    private RrProcess(double meanRr, double[] freq, double[] amp, double[] phase)
    {
        MeanRr = meanRr;
        _freq = freq;
        _amp = amp;
        _phase = phase;
    }

    public double MeanRr { get; }

    public static RrProcess Create(SplitMix64 rng, double heartRate, double heartRateStd, double lfHfRatio, double mayerHz, double respiratoryHz)
    {
        double meanRr = 60 / heartRate;
        double rrStd = 60 * heartRateStd / (heartRate * heartRate); // d(60/hr) = −60/hr² d(hr)
        var freq = new List<double>();
        var amp = new List<double>();
        for (int k = 1; k < Period / 2; k++)
        {
            double f = k / Period;
            double power = lfHfRatio * Gauss(f, mayerHz) + Gauss(f, respiratoryHz);
            if (power < 1e-12) continue;
            freq.Add(f);
            amp.Add(Math.Sqrt(power));
        }
        // theoretical SD of Σ A cos(·) with independent uniform phases is √(Σ A² / 2)
        double sd = Math.Sqrt(amp.Sum(a => a * a) / 2);
        double scale = sd > 0 ? rrStd / sd : 0;
        var phase = new double[freq.Count];
        for (int i = 0; i < phase.Length; i++) phase[i] = 2 * Math.PI * rng.NextDouble();
        return new RrProcess(meanRr, freq.ToArray(), amp.Select(a => a * scale).ToArray(), phase);
    }

    /// <summary>RR interval (s) of the beat starting at time <paramref name="t"/> (s).</summary>
    public double At(double t)
    {
        double x = 0;
        for (int i = 0; i < _freq.Length; i++) x += _amp[i] * Math.Cos(2 * Math.PI * _freq[i] * t + _phase[i]);
        return Math.Max(0.3 * MeanRr, MeanRr + x);
    }

    private static double Gauss(double f, double centre)
        => Math.Exp(-0.5 * Math.Pow((f - centre) / PeakSd, 2)) / Math.Sqrt(2 * Math.PI * PeakSd * PeakSd);
}
