namespace EcgExperiments.Data.Wfdb;

/// <summary>
/// One signal specification line of a WFDB header (<c>.hea</c>), with WFDB's documented defaults
/// applied where a field is absent. Field meanings follow WFDB <c>header(5)</c>.
/// </summary>
/// <example><code>
/// // "100.dat 212 200 11 1024 995 -22131 0 MLII"
/// WfdbSignalSpec mlii = header.Signals[0];
/// float mv = mlii.ToPhysical(995); // (995 - 1024) / 200 = -0.145 mV
/// </code></example>
public sealed record WfdbSignalSpec
{
    /// <summary>WFDB's gain for uncalibrated signals (gain field zero or absent): 200 ADC units per physical unit.</summary>
    public const double DefaultGain = 200;

    /// <summary>Signal file name, relative to the header's folder.</summary>
    public required string FileName { get; init; }

    /// <summary>
    /// Storage format code: 8, 16, 24, 32, 61, 80, 160, 212, 310, 311, the FLAC formats 508, 516, 524, or 0 for a
    /// null signal that has no samples (as in the layout header of a multi-segment record).
    /// </summary>
    public required int Format { get; init; }

    /// <summary>Samples of this signal per frame (the <c>xN</c> format modifier); 1 unless the signal is oversampled.</summary>
    public int SamplesPerFrame { get; init; } = 1;

    /// <summary>Samples of this signal stored before sample 0 (the <c>:skew</c> format modifier).</summary>
    public int Skew { get; init; }

    /// <summary>
    /// Bytes of preamble before sample 0 in the signal file (the <c>+offset</c> format modifier); for the FLAC
    /// formats it counts FLAC samples instead of bytes, as in the WFDB library.
    /// </summary>
    public long ByteOffset { get; init; }

    /// <summary>ADC gain as written (ADC units per physical unit); 0 when absent or uncalibrated.</summary>
    public double AdcGain { get; init; }

    /// <summary>ADC value that corresponds to 0 physical units; WFDB default is <see cref="AdcZero"/>.</summary>
    public required int Baseline { get; init; }

    private readonly double? _exactBaseline;

    /// <summary>
    /// Baseline the physical conversion uses: <see cref="Baseline"/>, or the exact non-integer value where the
    /// source defines one (EDF's physical/digital ranges rarely give an integer).
    /// </summary>
    public double EffectiveBaseline { get => _exactBaseline ?? Baseline; init => _exactBaseline = value; }

    /// <summary>Physical units (WFDB default "mV").</summary>
    public string Units { get; init; } = "mV";

    /// <summary>ADC resolution in bits (WFDB default depends on the format).</summary>
    public required int AdcResolution { get; init; }

    /// <summary>ADC value at the middle of the converter's range (default 0).</summary>
    public int AdcZero { get; init; }

    /// <summary>Value of sample 0 as the header gives it, or null when absent; checked when sample 0 is read.</summary>
    public int? InitialValue { get; init; }

    /// <summary>Value of sample 0 with WFDB's default applied (<see cref="AdcZero"/> when the header gives none).</summary>
    public int EffectiveInitialValue => InitialValue ?? AdcZero;

    /// <summary>16-bit checksum of all samples of the signal, or null when the header gives none.</summary>
    public int? Checksum { get; init; }

    private readonly int? _invalid;
    private readonly bool _invalidSet;

    /// <summary>
    /// Raw value marking a missing sample (WFDB's invalid-sample value for the format, e.g. −2048 in format 212,
    /// −32768 in format 16), or null where the storage has none. Physical values of such samples are NaN.
    /// </summary>
    public int? InvalidSample
    {
        get => _invalidSet ? _invalid : WfdbFormats.InvalidSample(Format);
        init { _invalid = value; _invalidSet = true; }
    }

    /// <summary>True for a null signal (format 0): no file, every sample invalid.</summary>
    public bool IsNull => Format == 0;

    /// <summary>Block size in bytes (0 for ordinary files).</summary>
    public int BlockSize { get; init; }

    /// <summary>Signal description, which names the lead for ECGs (e.g. "MLII", "V5", "I").</summary>
    public required string Description { get; init; }

    /// <summary>Line of the header this specification came from (1-based), for error messages.</summary>
    public int HeaderLine { get; init; }

    /// <summary>Gain used for conversion: <see cref="AdcGain"/>, or <see cref="DefaultGain"/> when that is 0.</summary>
    public double EffectiveGain => AdcGain == 0 ? DefaultGain : AdcGain;

    /// <summary>False when the header gives no gain (WFDB then assumes 200 ADC units per unit).</summary>
    public bool IsCalibrated => AdcGain != 0;

    /// <summary>Factor from this signal's units to millivolts (1 for mV, 0.001 for µV, 1000 for V), or 1 for non-voltage units.</summary>
    public double MillivoltsPerUnit => Units switch
    {
        "uV" or "µV" or "μV" or "microvolt" or "microvolts" => 0.001,
        "V" or "volt" or "volts" => 1000,
        _ => 1,
    };

    /// <summary>True when <see cref="Units"/> is a voltage unit that converts to millivolts.</summary>
    public bool IsVoltage => Units is "mV" or "uV" or "µV" or "μV" or "V" or "microvolt" or "microvolts" or "volt" or "volts" or "millivolt" or "millivolts";

    /// <summary>Physical value (in mV for voltage signals) of an ADC sample: (adc − baseline) / gain; NaN for the invalid-sample value.</summary>
    public float ToPhysical(int adc) => adc == InvalidSample ? float.NaN : (float)(ToPhysicalDouble(adc) * MillivoltsPerUnit);

    /// <summary>
    /// Physical value in the signal's own <see cref="Units"/>, in float64 exactly as the reference WFDB software
    /// computes it: (adc − baseline) / gain; NaN for the invalid-sample value.
    /// </summary>
    public double ToPhysicalDouble(int adc) => adc == InvalidSample ? double.NaN : (adc - EffectiveBaseline) / EffectiveGain;
}
