using System.Runtime.CompilerServices;
using EcgExperiments.Core;

namespace EcgExperiments.Data.Wfdb;

/// <summary>
/// Samples read from a WFDB record: raw ADC values for the half-open sample range
/// [<see cref="From"/>, <see cref="To"/>) of the chosen signals, plus the header that explains them.
/// </summary>
/// <example><code>
/// var rec = WfdbReader.Read("/data/mitbih/100", new WfdbReadOptions { From = 0, To = 3600 });
/// int raw = rec.Adc[0][0];              // 995
/// EcgSignal mv = rec.ToEcgSignal();     // 2 leads × 3600 samples in mV, 360 Hz
/// </code></example>
public sealed class WfdbRecord
{
    public WfdbRecord(WfdbHeader header, long from, long to, IReadOnlyList<int> signalIndices, int[][] adc)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(signalIndices);
        ArgumentNullException.ThrowIfNull(adc);
        if (signalIndices.Count != adc.Length)
            throw new ArgumentException($"{adc.Length} sample arrays for {signalIndices.Count} signals", nameof(adc));
        Header = header;
        From = from;
        To = to;
        SignalIndices = signalIndices;
        Adc = adc;
    }

    public WfdbHeader Header { get; }

    /// <summary>First sample read (inclusive).</summary>
    public long From { get; }

    /// <summary>End of the range read (exclusive).</summary>
    public long To { get; }

    /// <summary>Indices into <see cref="WfdbHeader.Signals"/> of the signals read, in the order of <see cref="Adc"/>.</summary>
    public IReadOnlyList<int> SignalIndices { get; }

    /// <summary>Raw ADC values, [signal][sample]; a signal with N samples per frame has N × (To − From) values.</summary>
    public int[][] Adc { get; }

    /// <summary>Specifications of the signals read, in the order of <see cref="Adc"/>.</summary>
    public IReadOnlyList<WfdbSignalSpec> Signals => SignalIndices.Select(i => Header.Signals[i]).ToArray();

    /// <summary>Frames (samples per signal at the base rate) read.</summary>
    public int Length => checked((int)(To - From));

    /// <summary>
    /// Physical values of signal <paramref name="k"/> (index into <see cref="Adc"/>): (adc − baseline) / gain,
    /// converted to mV for voltage units. Samples WFDB marks invalid become NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // bulk loop: skip tier-0 JIT
    public float[] ToPhysical(int k)
    {
        var spec = Header.Signals[SignalIndices[k]];
        var raw = Adc[k];
        var result = new float[raw.Length];
        int? invalid = WfdbFormats.InvalidSample(spec.Format);
        double scale = spec.MillivoltsPerUnit / spec.EffectiveGain;
        int baseline = spec.Baseline;
        for (int i = 0; i < raw.Length; i++)
            result[i] = raw[i] == invalid ? float.NaN : (float)((raw[i] - baseline) * scale);
        return result;
    }

    /// <summary>
    /// The signals read as an <see cref="EcgSignal"/> in physical units (mV for voltage signals). Lead names are
    /// the signal descriptions. All signals read must have the same samples per frame; the rate is fs × that number.
    /// </summary>
    public EcgSignal ToEcgSignal()
    {
        var specs = Signals;
        int spf = specs.Count == 0 ? 1 : specs[0].SamplesPerFrame;
        for (int k = 1; k < specs.Count; k++)
            if (specs[k].SamplesPerFrame != spf)
                throw new EcgDataException(
                    $"signals '{specs[0].Description}' ({spf} samples/frame) and '{specs[k].Description}' ({specs[k].SamplesPerFrame} samples/frame) " +
                    "have different rates; read them separately (WfdbReadOptions.Signals) to get one EcgSignal per rate",
                    Header.SourcePath, record: Header.RecordName);
        var leads = new float[Adc.Length][];
        for (int k = 0; k < Adc.Length; k++) leads[k] = ToPhysical(k);
        return new EcgSignal(Header.SamplingFrequency * spf, specs.Select(s => s.Description).ToArray(), leads, Header.RecordName);
    }
}
