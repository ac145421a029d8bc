namespace EcgExperiments.Synthetic;

/// <summary>Morphology class of a synthetic record.</summary>
public enum SyntheticCondition
{
    /// <summary>Normal sinus rhythm, normal axis and voltages (Sokolow–Lyon ≈ 2–2.5 mV).</summary>
    Normal,

    /// <summary>
    /// Left-ventricular-hypertrophy-like: larger leftward/posterior QRS vector (tall R in I, aVL, V5,
    /// V6; deep S in V1, V2; Sokolow–Lyon SV1 + RV5 &gt; 3.5 mV at strength 1), slightly wider QRS,
    /// lateral ST depression and T inversion ("strain"). Size set by <see cref="SyntheticEcgOptions.HypertrophyStrength"/>.
    /// </summary>
    Hypertrophy,
}

/// <summary>Kind of one generated beat.</summary>
public enum SyntheticBeatKind
{
    Normal,

    /// <summary>Premature ventricular-like beat: early, no P wave, wide QRS with discordant T, compensatory pause.</summary>
    PrematureVentricular,
}

/// <summary>
/// Settings of <see cref="SyntheticEcgGenerator"/>. Defaults give a PTB-XL-shaped record: 12 leads ×
/// 1000 samples at 100 Hz, 70 bpm, mild noise and baseline wander.
/// </summary>
/// <example><code>
/// var options = new SyntheticEcgOptions { Condition = SyntheticCondition.Hypertrophy, HypertrophyStrength = 0.5, WhiteNoise = 0.02 };
/// SyntheticEcg ecg = SyntheticEcgGenerator.Generate(options, seed: 42);
/// </code></example>
public sealed record SyntheticEcgOptions
{
    /// <summary>Output sampling rate (Hz).</summary>
    public double SamplingRate { get; init; } = 100;

    /// <summary>Record length (s).</summary>
    public double DurationSeconds { get; init; } = 10;

    /// <summary>Requested mean heart rate (bpm). ECGSYN's morphology is realistic from about 40 to 140 bpm.</summary>
    public double HeartRateMean { get; init; } = 70;

    /// <summary>Beat-to-beat heart-rate variability (bpm), ECGSYN's <c>hrstd</c>: SD of the RR process.</summary>
    public double HeartRateStd { get; init; } = 1;

    /// <summary>Between-record SD (bpm) of the record's mean rate around <see cref="HeartRateMean"/>; 0 = every record at the requested rate.</summary>
    public double HeartRateSpread { get; init; }

    /// <summary>Power ratio of the Mayer-wave (LF, ~0.1 Hz) to the respiratory (HF) peak of the RR spectrum.</summary>
    public double LfHfRatio { get; init; } = 0.5;

    /// <summary>Centre of the LF (Mayer wave) peak of the RR spectrum (Hz).</summary>
    public double MayerFrequency { get; init; } = 0.1;

    /// <summary>Respiratory frequency (Hz): the HF peak of the RR spectrum and the baseline-wander frequency.</summary>
    public double RespiratoryFrequency { get; init; } = 0.25;

    /// <summary>SD of additive white Gaussian noise per electrode lead (mV).</summary>
    public double WhiteNoise { get; init; } = 0.01;

    /// <summary>Amplitude of the respiratory baseline wander along the wander direction (mV).</summary>
    public double BaselineWander { get; init; } = 0.05;

    /// <summary>Powerline interference amplitude (mV); sampled without anti-alias filtering, as an unfiltered ADC would.</summary>
    public double PowerlineAmplitude { get; init; }

    /// <summary>Powerline frequency (Hz).</summary>
    public double PowerlineFrequency { get; init; } = 50;

    /// <summary>Scale of the record-to-record morphology variation (amplitudes, heart axis, wave timing); 0 = every record identical in shape.</summary>
    public double MorphologyJitter { get; init; } = 1;

    public SyntheticCondition Condition { get; init; } = SyntheticCondition.Normal;

    /// <summary>Size of the hypertrophy effect: 0 = normal morphology, 1 = clear LVH (Sokolow–Lyon ≈ 4–5 mV), &gt;1 stronger.</summary>
    public double HypertrophyStrength { get; init; } = 1;

    /// <summary>Probability that a beat is a premature ventricular-like beat (never two in a row).</summary>
    public double PrematureBeatProbability { get; init; }

    /// <summary>ODE integration rate (Hz); must be an integer multiple of <see cref="SamplingRate"/>. Null: the smallest multiple ≥ 500 Hz.</summary>
    public double? InternalSamplingRate { get; init; }

    /// <summary>Throws with a message naming the bad setting.</summary>
    public void Validate()
    {
        static void Require(bool ok, string name, object value, string why)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, why);
        }
        Require(SamplingRate > 0 && double.IsFinite(SamplingRate), nameof(SamplingRate), SamplingRate, "must be a positive number of Hz");
        Require(DurationSeconds > 0 && DurationSeconds <= 3600, nameof(DurationSeconds), DurationSeconds, "must be in (0, 3600] s");
        Require(DurationSeconds * SamplingRate >= 1, nameof(DurationSeconds), DurationSeconds, "record must hold at least one sample");
        Require(HeartRateMean is >= 20 and <= 250, nameof(HeartRateMean), HeartRateMean, "must be in [20, 250] bpm");
        Require(HeartRateStd is >= 0 and <= 20, nameof(HeartRateStd), HeartRateStd, "must be in [0, 20] bpm");
        Require(HeartRateSpread is >= 0 and <= 50, nameof(HeartRateSpread), HeartRateSpread, "must be in [0, 50] bpm");
        Require(LfHfRatio >= 0 && double.IsFinite(LfHfRatio), nameof(LfHfRatio), LfHfRatio, "must be ≥ 0");
        Require(MayerFrequency is > 0 and < 0.5, nameof(MayerFrequency), MayerFrequency, "must be in (0, 0.5) Hz");
        Require(RespiratoryFrequency is > 0 and < 1, nameof(RespiratoryFrequency), RespiratoryFrequency, "must be in (0, 1) Hz");
        Require(WhiteNoise is >= 0 and <= 10, nameof(WhiteNoise), WhiteNoise, "must be in [0, 10] mV");
        Require(BaselineWander is >= 0 and <= 10, nameof(BaselineWander), BaselineWander, "must be in [0, 10] mV");
        Require(PowerlineAmplitude is >= 0 and <= 10, nameof(PowerlineAmplitude), PowerlineAmplitude, "must be in [0, 10] mV");
        Require(PowerlineFrequency > 0 && double.IsFinite(PowerlineFrequency), nameof(PowerlineFrequency), PowerlineFrequency, "must be a positive number of Hz");
        Require(MorphologyJitter is >= 0 and <= 5, nameof(MorphologyJitter), MorphologyJitter, "must be in [0, 5]");
        Require(HypertrophyStrength is >= 0 and <= 5, nameof(HypertrophyStrength), HypertrophyStrength, "must be in [0, 5]");
        Require(PrematureBeatProbability is >= 0 and <= 0.5, nameof(PrematureBeatProbability), PrematureBeatProbability, "must be in [0, 0.5]");
        Require(Enum.IsDefined(Condition), nameof(Condition), Condition, "unknown condition");
        if (InternalSamplingRate is { } f)
        {
            double ratio = f / SamplingRate;
            Require(f >= SamplingRate && Math.Abs(ratio - Math.Round(ratio)) < 1e-9, nameof(InternalSamplingRate), f,
                $"must be an integer multiple of the sampling rate {SamplingRate} Hz");
            Require(f <= 20000, nameof(InternalSamplingRate), f, "must be at most 20 kHz");
        }
    }

    /// <summary>Output samples per lead.</summary>
    public int SampleCount => (int)Math.Round(DurationSeconds * SamplingRate);

    /// <summary>Internal steps per output sample (ECGSYN integrates fast and keeps every q-th sample).</summary>
    public int DecimationFactor => InternalSamplingRate is { } f ? (int)Math.Round(f / SamplingRate) : Math.Max(1, (int)Math.Ceiling(500 / SamplingRate - 1e-9));
}
