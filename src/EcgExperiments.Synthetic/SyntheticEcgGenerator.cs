using EcgExperiments.Core;
using EcgExperiments.Synthetic.Model;

namespace EcgExperiments.Synthetic;

/// <summary>One generated beat: sample index of its R peak in the output and its kind.</summary>
public readonly record struct SyntheticBeat(int Sample, SyntheticBeatKind Kind);

/// <summary>A generated record with its ground truth.</summary>
/// <example><code>
/// SyntheticEcg e = SyntheticEcgGenerator.Generate(new SyntheticEcgOptions { PrematureBeatProbability = 0.1 }, seed: 3);
/// int pvcs = e.Beats.Count(b => b.Kind == SyntheticBeatKind.PrematureVentricular);
/// </code></example>
/// <param name="Signal">12 leads in PTB-XL order and names, mV.</param>
/// <param name="Condition">Morphology class the record was generated with.</param>
/// <param name="Beats">R-peak positions and beat kinds (exact, from the model).</param>
/// <param name="HeartRate">Mean heart rate over the record's RR intervals (bpm).</param>
/// <param name="Seed">Seed that reproduces the record with the same options.</param>
public sealed record SyntheticEcg(EcgSignal Signal, SyntheticCondition Condition, IReadOnlyList<SyntheticBeat> Beats, double HeartRate, ulong Seed);

/// <summary>
/// Seeded multi-lead synthetic ECG: the ECGSYN dynamical model (McSharry et al. 2003) with a 3-D
/// dipole per wave projected onto the 12 standard leads (method: README.md beside this file). Same seed and options →
/// bit-identical samples on every machine; different seeds give different heart rate variability,
/// morphology (amplitudes, heart axis, timing), wander phase and noise.
/// </summary>
/// <example><code>
/// SyntheticEcg normal = SyntheticEcgGenerator.Generate(new SyntheticEcgOptions(), seed: 1, recordId: "syn-000001");
/// float[] leadII = normal.Signal.Leads[1];                      // 1000 samples at 100 Hz, mV
/// var lvh = SyntheticEcgGenerator.Generate(new SyntheticEcgOptions { Condition = SyntheticCondition.Hypertrophy }, seed: 1);
/// </code></example>
public static class SyntheticEcgGenerator
{
    /// <summary>Lead names in PTB-XL order: I, II, III, AVR, AVL, AVF, V1–V6.</summary>
    public static IReadOnlyList<string> LeadNames { get; } = LeadProjection.LeadNames;

    // independent random streams, so that e.g. changing the noise level leaves morphology and rhythm unchanged
    private const ulong MorphologyStream = 1, RhythmStream = 2, NoiseStream = 3;

    public static SyntheticEcg Generate(SyntheticEcgOptions options, ulong seed, string? recordId = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var morphRng = SplitMix64.ForStream(seed, MorphologyStream);
        var rhythmRng = SplitMix64.ForStream(seed, RhythmStream);
        var noiseRng = SplitMix64.ForStream(seed, NoiseStream);

        int q = options.DecimationFactor;
        double internalRate = options.SamplingRate * q;
        double h = 1 / internalRate;
        int count = options.SampleCount;

        // rhythm: record mean rate, RR process, beat kinds, R-peak steps
        double heartRate = Math.Clamp(options.HeartRateMean + options.HeartRateSpread * rhythmRng.NextGaussian(), 20, 250);
        var rr = RrProcess.Create(rhythmRng, heartRate, options.HeartRateStd, options.LfHfRatio, options.MayerFrequency, options.RespiratoryFrequency);
        int firstStep = (int)Math.Floor(rhythmRng.NextDouble() * rr.MeanRr * internalRate); // record starts anywhere in the first beat
        int lastStep = firstStep + (count - 1) * q;
        var (rPeaks, kinds) = Beats(rr, rhythmRng, options.PrematureBeatProbability, internalRate, lastStep);

        // morphology
        var jitter = MorphologyModel.DrawJitter(morphRng, options.MorphologyJitter);
        var sinus = MorphologyModel.Sinus(options.Condition, options.HypertrophyStrength, jitter, heartRate);
        var ectopic = MorphologyModel.PrematureVentricular(jitter, heartRate);
        var wanderDir = new Vector3(0.2 + morphRng.NextGaussian() * 0.3, 0.6 + morphRng.NextGaussian() * 0.3, 0.5 + morphRng.NextGaussian() * 0.3);
        wanderDir = 1 / Math.Max(wanderDir.Length, 1e-9) * wanderDir;
        double wanderPhase = 2 * Math.PI * morphRng.NextDouble();

        var model = new DipoleEcgSyn([sinus, ectopic], wanderDir, options.BaselineWander, options.RespiratoryFrequency, wanderPhase);
        var dipole = model.Integrate(rPeaks, kinds, h, firstStep, q, count);

        var leads = Project(dipole, count, options, noiseRng);
        var signal = new EcgSignal(options.SamplingRate, LeadProjection.LeadNames, leads, recordId);

        var beats = new List<SyntheticBeat>();
        var inRecord = new List<int>();
        for (int b = 0; b < rPeaks.Length; b++)
        {
            if (rPeaks[b] < firstStep || rPeaks[b] > lastStep) continue;
            inRecord.Add(rPeaks[b]);
            int sample = (int)Math.Round((rPeaks[b] - firstStep) / (double)q);
            beats.Add(new SyntheticBeat(Math.Min(sample, count - 1), kinds[b] == 0 ? SyntheticBeatKind.Normal : SyntheticBeatKind.PrematureVentricular));
        }
        double meanRate = inRecord.Count >= 2 ? 60 * (inRecord.Count - 1) / ((inRecord[^1] - inRecord[0]) * h) : heartRate;
        return new SyntheticEcg(signal, options.Condition, beats, meanRate, seed);
    }

    /// <summary>
    /// R-peak steps from the RR process. A premature beat comes after 60–70 % of the RR interval and
    /// is followed by a full compensatory pause (the two intervals sum to two normal ones).
    /// </summary>
    private static (int[] RPeaks, int[] Kinds) Beats(RrProcess rr, SplitMix64 rng, double prematureProbability, double internalRate, int lastStep)
    {
        var peaks = new List<int> { 0 };
        var kinds = new List<int> { 0 };
        int pendingCompensation = -1;
        while (peaks[^1] <= lastStep)
        {
            int at = peaks[^1];
            double nominal = rr.At(at / internalRate);
            double draw = rng.NextDouble(), coupling = rng.Uniform(0.6, 0.7);
            bool premature = peaks.Count >= 2 && kinds[^1] == 0 && draw < prematureProbability;
            double interval;
            if (pendingCompensation >= 0)
            {
                interval = pendingCompensation / internalRate;
                pendingCompensation = -1;
            }
            else if (premature)
            {
                interval = coupling * nominal;
                pendingCompensation = Math.Max(1, (int)Math.Round(2 * nominal * internalRate) - Math.Max(1, (int)Math.Round(interval * internalRate)));
            }
            else
            {
                interval = nominal;
            }
            peaks.Add(at + Math.Max(1, (int)Math.Round(interval * internalRate)));
            kinds.Add(premature ? 1 : 0);
        }
        return (peaks.ToArray(), kinds.ToArray());
    }

    private static float[][] Project(double[][] dipole, int count, SyntheticEcgOptions o, SplitMix64 rng)
    {
        var leads = new float[LeadProjection.LeadNames.Length][];
        for (int l = 0; l < leads.Length; l++) leads[l] = new float[count];
        int independent = LeadProjection.Independent.Length;
        var powerPhase = new double[independent];
        for (int l = 0; l < independent; l++) powerPhase[l] = 2 * Math.PI * rng.NextDouble();
        double powerOmega = 2 * Math.PI * o.PowerlineFrequency / o.SamplingRate;
        for (int j = 0; j < count; j++)
        {
            var d = new Vector3(dipole[0][j], dipole[1][j], dipole[2][j]);
            for (int l = 0; l < independent; l++)
            {
                // noise is per electrode lead; the derived limb leads inherit it, as in a real recorder
                double v = LeadProjection.Independent[l].Dot(d) + o.WhiteNoise * rng.NextGaussian();
                if (o.PowerlineAmplitude > 0) v += o.PowerlineAmplitude * Math.Sin(powerOmega * j + powerPhase[l]);
                leads[LeadProjection.IndependentSlots[l]][j] = (float)v;
            }
            LeadProjection.DeriveLimbLeads(leads, j);
        }
        return leads;
    }
}
