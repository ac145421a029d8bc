using EcgExperiments.Core;

namespace EcgExperiments.Synthetic.Tests;

/// <summary>Independent measurements on generated signals, so tests do not trust the generator's own annotations.</summary>
internal static class EcgMeasurements
{
    /// <summary>
    /// Simple multi-lead R-peak detector: squared first difference summed over leads, peaks above 30 %
    /// of the record's maximum, 250 ms refractory period, each refined to the largest |II − median|.
    /// </summary>
    public static int[] DetectRPeaks(EcgSignal s)
    {
        int n = s.Length;
        var energy = new double[n];
        for (int i = 1; i < n; i++)
            foreach (var lead in s.Leads) { double d = lead[i] - lead[i - 1]; energy[i] += d * d; }
        double threshold = 0.3 * energy.Max();
        int refractory = (int)(0.25 * s.SamplingRate);
        var peaks = new List<int>();
        int iMax = -1;
        for (int i = 1; i < n - 1; i++)
        {
            if (energy[i] < threshold || energy[i] < energy[i - 1] || energy[i] < energy[i + 1]) continue;
            if (peaks.Count > 0 && i - peaks[^1] < refractory)
            {
                if (energy[i] > energy[iMax]) { peaks[^1] = i; iMax = i; }
                continue;
            }
            peaks.Add(i);
            iMax = i;
        }
        return peaks.ToArray();
    }

    /// <summary>Heart rate (bpm) from detected R peaks.</summary>
    public static double HeartRate(EcgSignal s, int[] peaks) => 60.0 * (peaks.Length - 1) / ((peaks[^1] - peaks[0]) / s.SamplingRate);

    /// <summary>Median over beats of the Sokolow–Lyon index SV1 + RV5 (mV), against the PR-segment level 100 ms before R.</summary>
    public static double SokolowLyon(SyntheticEcg e)
    {
        var s = e.Signal;
        int v1 = s.IndexOfLead("V1"), v5 = s.IndexOfLead("V5");
        int before = (int)(0.1 * s.SamplingRate), half = (int)Math.Ceiling(0.06 * s.SamplingRate);
        var values = Beats(e, before, half).Select(b =>
            Baseline(s.Leads[v1], b, before) - Window(s.Leads[v1], b, half).Min() + Window(s.Leads[v5], b, half).Max() - Baseline(s.Leads[v5], b, before));
        return Median(values);
    }

    /// <summary>Median over beats of the R amplitude (max in ±30 ms minus PR level) in a lead.</summary>
    public static double RAmplitude(SyntheticEcg e, string lead)
    {
        var s = e.Signal;
        var x = s.Leads[s.IndexOfLead(lead)];
        int before = (int)(0.1 * s.SamplingRate), half = (int)Math.Ceiling(0.03 * s.SamplingRate);
        return Median(Beats(e, before, half).Select(b => Window(x, b, half).Max() - Baseline(x, b, before)));
    }

    /// <summary>Median over beats of the T-wave deflection 150–350 ms after R (signed extreme vs PR level).</summary>
    public static double TDeflection(SyntheticEcg e, string lead)
    {
        var s = e.Signal;
        var x = s.Leads[s.IndexOfLead(lead)];
        int before = (int)(0.1 * s.SamplingRate), from = (int)(0.15 * s.SamplingRate), to = (int)(0.35 * s.SamplingRate);
        return Median(Beats(e, before, to).Select(b =>
        {
            double baseline = Baseline(x, b, before);
            var seg = Enumerable.Range(b + from, to - from).Select(i => x[i] - baseline).ToArray();
            return seg.MaxBy(Math.Abs);
        }));
    }

    /// <summary>Fraction of the (mean-removed) power below <paramref name="hz"/> by a direct DFT.</summary>
    public static double PowerFractionBelow(float[] x, double samplingRate, double hz)
    {
        int n = x.Length;
        double mean = x.Average();
        double below = 0, total = 0;
        for (int k = 1; k <= n / 2; k++)
        {
            double re = 0, im = 0, w = 2 * Math.PI * k / n;
            for (int i = 0; i < n; i++) { re += (x[i] - mean) * Math.Cos(w * i); im -= (x[i] - mean) * Math.Sin(w * i); }
            double p = re * re + im * im;
            total += p;
            if (k * samplingRate / n < hz) below += p;
        }
        return below / total;
    }

    private static IEnumerable<int> Beats(SyntheticEcg e, int before, int after)
        => e.Beats.Where(b => b.Kind == SyntheticBeatKind.Normal && b.Sample - before >= 0 && b.Sample + after < e.Signal.Length).Select(b => b.Sample);

    private static double Baseline(float[] x, int r, int before) => x[r - before];

    private static IEnumerable<float> Window(float[] x, int r, int half) => Enumerable.Range(r - half, 2 * half + 1).Select(i => x[i]);

    private static double Median(IEnumerable<double> values)
    {
        var a = values.OrderBy(v => v).ToArray();
        if (a.Length == 0) throw new InvalidOperationException("no complete beats to measure");
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }
}
