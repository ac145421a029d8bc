using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EcgExperiments.Core;

namespace EcgExperiments.Data.Wfdb;

/// <summary>
/// A stretch of one signal's samples in a <see cref="WfdbRecord"/> that shares one calibration: samples
/// [<see cref="Start"/>, <see cref="Start"/> + <see cref="Length"/>) of <see cref="WfdbRecord.Adc"/>[k] were
/// stored under <see cref="Spec"/>, or are missing (null: a gap, or a signal the segment lacks).
/// </summary>
/// <param name="Start">First index into the signal's sample array.</param>
/// <param name="Length">Samples in the run.</param>
/// <param name="Spec">Specification whose gain and baseline convert these samples, or null when they are missing.</param>
public readonly record struct WfdbSignalRun(int Start, int Length, WfdbSignalSpec? Spec);

/// <summary>
/// Samples read from a WFDB record: raw ADC values for the half-open sample range
/// [<see cref="From"/>, <see cref="To"/>) of the chosen signals, plus the header that explains them.
/// A multi-segment record may store a signal under different gains in different segments; <see cref="RunsOf"/>
/// says which calibration covers which samples, and the physical conversions apply each run's own.
/// </summary>
/// <example><code>
/// var rec = WfdbReader.Read("/data/mitbih/100", new WfdbReadOptions { From = 0, To = 3600 });
/// int raw = rec.Adc[0][0];              // 995
/// EcgSignal mv = rec.ToEcgSignal();     // 2 leads × 3600 samples in mV, 360 Hz
/// double[] exact = rec.ToPhysicalDouble(0); // (adc − baseline) / gain in float64, as the reference software
/// </code></example>
public sealed class WfdbRecord
{
    private readonly IReadOnlyList<WfdbSignalRun>[] _runs;

    /// <summary>
    /// A record of raw samples. <paramref name="runs"/> gives each signal's calibration runs (default: one run over
    /// all samples under the header's specification); <paramref name="framesSmoothed"/> says every signal holds one
    /// sample per frame (see <see cref="WfdbReadOptions.SmoothFrames"/>).
    /// </summary>
    public WfdbRecord(WfdbHeader header, long from, long to, IReadOnlyList<int> signalIndices, int[][] adc,
        IReadOnlyList<IReadOnlyList<WfdbSignalRun>>? runs = null, bool framesSmoothed = false)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(signalIndices);
        ArgumentNullException.ThrowIfNull(adc);
        if (signalIndices.Count != adc.Length)
            throw new ArgumentException($"{adc.Length} sample arrays for {signalIndices.Count} signals", nameof(adc));
        if (runs is not null && runs.Count != adc.Length)
            throw new ArgumentException($"{runs.Count} run lists for {adc.Length} signals", nameof(runs));
        Header = header;
        From = from;
        To = to;
        SignalIndices = signalIndices;
        Adc = adc;
        FramesSmoothed = framesSmoothed;
        _runs = new IReadOnlyList<WfdbSignalRun>[adc.Length];
        for (int k = 0; k < adc.Length; k++)
            _runs[k] = runs?[k] ?? [new WfdbSignalRun(0, adc[k].Length, header.Signals[signalIndices[k]])];
    }

    public WfdbHeader Header { get; }

    /// <summary>First sample read (inclusive).</summary>
    public long From { get; }

    /// <summary>End of the range read (exclusive).</summary>
    public long To { get; }

    /// <summary>Indices into <see cref="WfdbHeader.Signals"/> of the signals read, in the order of <see cref="Adc"/>.</summary>
    public IReadOnlyList<int> SignalIndices { get; }

    /// <summary>
    /// Raw ADC values, [signal][sample]; a signal with N samples per frame has N × (To − From) values unless
    /// <see cref="FramesSmoothed"/>. Missing samples hold the format's invalid-sample value (−32768 where it has none).
    /// </summary>
    public int[][] Adc { get; }

    /// <summary>True when each frame's samples were averaged into one (<see cref="WfdbReadOptions.SmoothFrames"/>).</summary>
    public bool FramesSmoothed { get; }

    /// <summary>Specifications of the signals read, in the order of <see cref="Adc"/>.</summary>
    public IReadOnlyList<WfdbSignalSpec> Signals => SignalIndices.Select(i => Header.Signals[i]).ToArray();

    /// <summary>Frames (samples per signal at the base rate) read.</summary>
    public int Length => checked((int)(To - From));

    /// <summary>Samples per frame of signal <paramref name="k"/> as read: 1 when smoothed, else the header's.</summary>
    public int SamplesPerFrame(int k) => FramesSmoothed ? 1 : Header.Signals[SignalIndices[k]].SamplesPerFrame;

    /// <summary>Calibration runs of signal <paramref name="k"/> in sample order; one run for a single-segment record.</summary>
    public IReadOnlyList<WfdbSignalRun> RunsOf(int k) => _runs[k];

    /// <summary>
    /// Physical values of signal <paramref name="k"/> (index into <see cref="Adc"/>): (adc − baseline) / gain,
    /// converted to mV for voltage units, rounded once to float32 from the float64 value. Samples WFDB marks
    /// invalid, and missing ones, become NaN.
    /// </summary>
    public float[] ToPhysical(int k)
    {
        var raw = Adc[k];
        var result = GC.AllocateUninitializedArray<float>(raw.Length);
        foreach (var run in _runs[k])
            PhysicalConversion.ToSingle(raw.AsSpan(run.Start, run.Length), result.AsSpan(run.Start, run.Length), run.Spec);
        return result;
    }

    /// <summary>
    /// Physical values of signal <paramref name="k"/> in float64 and in the signal's own units, exactly as the
    /// reference WFDB software computes them: (adc − baseline) / gain; invalid and missing samples are NaN.
    /// </summary>
    public double[] ToPhysicalDouble(int k)
    {
        var raw = Adc[k];
        var result = GC.AllocateUninitializedArray<double>(raw.Length);
        foreach (var run in _runs[k])
            PhysicalConversion.ToDouble(raw.AsSpan(run.Start, run.Length), result.AsSpan(run.Start, run.Length), run.Spec);
        return result;
    }

    /// <summary>
    /// The signals read as an <see cref="EcgSignal"/> in physical units (mV for voltage signals). Lead names are
    /// the signal descriptions. All signals read must have the same samples per frame; the rate is fs × that number.
    /// </summary>
    public EcgSignal ToEcgSignal()
    {
        var specs = Signals;
        int spf = specs.Count == 0 ? 1 : SamplesPerFrame(0);
        for (int k = 1; k < specs.Count; k++)
            if (SamplesPerFrame(k) != spf)
                throw new EcgDataException(
                    $"signals '{specs[0].Description}' ({spf} samples/frame) and '{specs[k].Description}' ({SamplesPerFrame(k)} samples/frame) " +
                    "have different rates; read them separately (WfdbReadOptions.Signals) or with WfdbReadOptions.SmoothFrames to get one EcgSignal",
                    Header.SourcePath, record: Header.RecordName);
        var leads = new float[Adc.Length][];
        for (int k = 0; k < Adc.Length; k++) leads[k] = ToPhysical(k);
        return new EcgSignal(Header.SamplingFrequency * spf, specs.Select(s => s.Description).ToArray(), leads, Header.RecordName);
    }
}

/// <summary>
/// ADC → physical conversion. Each value is ((double)adc − baseline) / gain, the reference's float64 arithmetic;
/// float32 values are that, scaled to mV, rounded once. Long runs of narrow formats (≤ 16 bits) go through a
/// table of every possible value, built with the same arithmetic, so speed costs no exactness.
/// </summary>
internal static class PhysicalConversion
{
    private const int TableUse = 8; // build a table only when the run is this many times longer than the table

    private static int TableBits(WfdbSignalSpec spec) => spec.Format switch
    {
        80 or 508 => 8,
        310 or 311 => 10,
        212 => 12,
        16 or 61 or 160 or 516 => 16,
        _ => 0, // format 8 accumulates beyond 8 bits; 24 and 32 bits are too wide
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToSingle(ReadOnlySpan<int> raw, Span<float> dst, WfdbSignalSpec? spec)
    {
        if (spec is null) { dst.Fill(float.NaN); return; }
        double gain = spec.EffectiveGain, baseline = spec.EffectiveBaseline, mv = spec.MillivoltsPerUnit;
        int invalid = spec.InvalidSample ?? int.MinValue;
        bool hasInvalid = spec.InvalidSample is not null;
        int bits = TableBits(spec);
        if (bits > 0 && raw.Length >= TableUse << bits)
        {
            int min = -(1 << (bits - 1)), size = 1 << bits;
            var table = new float[size];
            for (int i = 0; i < size; i++)
                table[i] = hasInvalid && min + i == invalid ? float.NaN : (float)((min + i - baseline) / gain * mv);
            ref float t0 = ref table[0];
            ref int r0 = ref MemoryMarshal.GetReference(raw);
            ref float d0 = ref MemoryMarshal.GetReference(dst[..raw.Length]);
            for (int i = 0; i < raw.Length; i++)
            {
                int v = Unsafe.Add(ref r0, i);
                uint index = (uint)(v - min);
                Unsafe.Add(ref d0, i) = index < (uint)size ? Unsafe.Add(ref t0, (int)index) : (float)((v - baseline) / gain * mv);
            }
            return;
        }
        for (int i = 0; i < raw.Length; i++)
            dst[i] = hasInvalid && raw[i] == invalid ? float.NaN : (float)((raw[i] - baseline) / gain * mv);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToDouble(ReadOnlySpan<int> raw, Span<double> dst, WfdbSignalSpec? spec)
    {
        if (spec is null) { dst.Fill(double.NaN); return; }
        double gain = spec.EffectiveGain, baseline = spec.EffectiveBaseline;
        int invalid = spec.InvalidSample ?? int.MinValue;
        bool hasInvalid = spec.InvalidSample is not null;
        for (int i = 0; i < raw.Length; i++)
            dst[i] = hasInvalid && raw[i] == invalid ? double.NaN : (raw[i] - baseline) / gain;
    }
}
