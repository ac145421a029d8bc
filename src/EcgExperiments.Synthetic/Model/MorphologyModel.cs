using EcgExperiments.Core;

namespace EcgExperiments.Synthetic.Model;

/// <summary>
/// Wave tables of the dipole model. Angles and widths are ECGSYN's published defaults
/// (θ = −70°, −15°, 0°, 15°, 100°; b = 0.25, 0.1, 0.1, 0.1, 0.4 rad). The dipole of each wave is our
/// choice, made so that the inverse-Dower projection gives textbook 12-lead morphology: P upright in
/// II; septal q in I/V6 and r in V1 from a rightward-anterior Q vector; a leftward, inferior and
/// posterior R vector (tall R in II, V4–V6, S in V1–V2, transition near V3); a rightward-superior
/// terminal S; a T concordant with the QRS in the lateral leads.
/// </summary>
internal static class MorphologyModel
{
    private const double Deg = Math.PI / 180;

    public const int P = 0, Q = 1, R = 2, S = 3, ST = 4, T = 5;

    private static readonly Wave[] NormalWaves =
    [
        new("P", -70 * Deg, 0.25, new Vector3(0.08, 0.12, -0.03)),
        new("Q", -15 * Deg, 0.10, new Vector3(-0.10, 0.02, -0.10)),
        new("R", 0, 0.10, new Vector3(1.10, 0.80, 0.50)),
        new("S", 15 * Deg, 0.10, new Vector3(-0.30, -0.25, 0.30)),
        new("ST", 40 * Deg, 0.35, new Vector3(0, 0, 0)),
        new("T", 100 * Deg, 0.40, new Vector3(0.25, 0.22, -0.12)),
    ];

    // LVH: extra leftward-posterior depolarisation, and repolarisation turned rightward-anterior
    // (lateral ST depression, T inversion; upright T in V1).
    private static readonly Vector3 HypertrophyExtraR = new(1.0, 0.1, 0.7);
    private static readonly Vector3 StrainT = new(-0.25, 0.0, -0.25);
    private static readonly Vector3 StrainST = new(-0.08, 0.0, -0.06);

    /// <summary>Per-record random morphology variation, drawn in a fixed order so that a seed means the same person across conditions.</summary>
    public sealed record Jitter(double Scale, double AboutX, double AboutY, double AboutZ, double[] WaveAmplitude, double[] WaveShift, double[] WaveWidth,
        Vector3 EctopicDirection, double EctopicAmplitude);

    public static Jitter DrawJitter(SplitMix64 rng, double amount)
    {
        double scale = rng.LogNormalFactor(0.12 * amount);
        double ax = rng.NextGaussian() * 8 * Deg * amount;
        double ay = rng.NextGaussian() * 8 * Deg * amount;
        double az = rng.NextGaussian() * 12 * Deg * amount;
        var amp = new double[6];
        var shift = new double[6];
        var width = new double[6];
        for (int i = 0; i < 6; i++)
        {
            amp[i] = rng.LogNormalFactor(0.08 * amount);
            // P and T move more than the QRS events, which stay locked to each other
            shift[i] = rng.NextGaussian() * (i is P or T ? 0.04 : 0.01) * amount;
            width[i] = rng.LogNormalFactor(0.06 * amount);
        }
        // a unifocal ectopic focus per record: one direction and size for all its premature beats
        var dir = new Vector3(rng.NextGaussian(), rng.NextGaussian(), rng.NextGaussian());
        if (dir.Length < 1e-6) dir = new Vector3(1, 0, 0);
        double ectopic = rng.Uniform(1.4, 2.2);
        return new Jitter(scale, ax, ay, az, amp, shift, width, 1 / dir.Length * dir, ectopic);
    }

    /// <summary>
    /// The beat of a record: condition and jitter applied, then ECGSYN's heart-rate adaptation
    /// (widths × √(hr/60); P and T angles × (hr/60)^¼, Q and S × √(hr/60)) so that intervals shorten
    /// sub-proportionally with rate.
    /// </summary>
    public static BeatMorphology Sinus(SyntheticCondition condition, double hypertrophyStrength, Jitter j, double heartRate)
    {
        var w = (Wave[])NormalWaves.Clone();
        if (condition == SyntheticCondition.Hypertrophy)
        {
            double s = hypertrophyStrength, strain = Math.Min(1, s), widen = 1 + 0.25 * s;
            w[R] = w[R] with { Dipole = w[R].Dipole + s * HypertrophyExtraR, Width = w[R].Width * widen };
            w[Q] = w[Q] with { Theta = w[Q].Theta * widen, Width = w[Q].Width * widen };
            w[S] = w[S] with { Theta = w[S].Theta * widen, Width = w[S].Width * widen };
            w[ST] = w[ST] with { Dipole = strain * StrainST };
            w[T] = w[T] with { Dipole = Vector3.Lerp(w[T].Dipole, StrainT, strain) };
        }
        for (int i = 0; i < w.Length; i++)
        {
            var d = (j.Scale * j.WaveAmplitude[i] * w[i].Dipole).Rotate(j.AboutX, j.AboutY, j.AboutZ);
            w[i] = w[i] with { Dipole = d, Theta = w[i].Theta + j.WaveShift[i], Width = w[i].Width * j.WaveWidth[i] };
        }
        return AdaptToRate(w, heartRate);
    }

    /// <summary>
    /// A premature ventricular-like beat: no atrial wave, one wide depolarisation along the ectopic
    /// direction (≈ 140 ms), and a discordant T.
    /// </summary>
    public static BeatMorphology PrematureVentricular(Jitter j, double heartRate)
    {
        var zero = new Vector3(0, 0, 0);
        var dir = j.EctopicDirection;
        Wave[] w =
        [
            new("P", NormalWaves[P].Theta, NormalWaves[P].Width, zero),
            new("Q", NormalWaves[Q].Theta, NormalWaves[Q].Width, zero),
            new("R", 0, 0.26, j.Scale * j.EctopicAmplitude * dir),
            new("S", NormalWaves[S].Theta, NormalWaves[S].Width, zero),
            new("ST", NormalWaves[ST].Theta, NormalWaves[ST].Width, zero),
            new("T", NormalWaves[T].Theta + 10 * Deg, 0.45, -0.35 * j.Scale * j.EctopicAmplitude * dir),
        ];
        return AdaptToRate(w, heartRate);
    }

    private static BeatMorphology AdaptToRate(Wave[] w, double heartRate)
    {
        double f = Math.Sqrt(heartRate / 60), f2 = Math.Sqrt(f);
        double[] thetaFactor = [f2, f, 1, f, f, f2];
        for (int i = 0; i < w.Length; i++)
            w[i] = w[i] with { Theta = w[i].Theta * thetaFactor[i], Width = w[i].Width * f };
        return new BeatMorphology(w);
    }
}
