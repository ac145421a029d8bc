namespace EcgExperiments.Signals.Filtering;

/// <summary>Filters of the published workloads, with what was found about how they were applied.</summary>
/// <example><code>
/// float[] filtered = Filter.FiltFilt(FilterPresets.BeatGanBandPass(360), record.Leads[0]);
/// </code></example>
public static class FilterPresets
{
    /// <summary>
    /// SPEC §2.4's "FIR band-pass 3–45 Hz, order 108 at 360 Hz": BeatGAN's preprocess.py takes
    /// <c>biosppy.signals.ecg.ecg(signal, sampling_rate=360)["filtered"]</c> for the whole record
    /// before cutting [R−140, R+180) windows. biosppy uses order = int(0.3·fs) = 108 and, in
    /// <c>tools.get_filter</c>, bumps an even FIR order to the next odd number before calling
    /// <c>scipy.signal.firwin(numtaps=order, cutoff=[3, 45]/(fs/2), pass_zero=False)</c> (Hamming
    /// window), so the filter has <b>109 taps</b> (a type-I linear-phase FIR, delay 54 samples).
    /// <c>tools.filter_signal</c> then applies it with <c>scipy.signal.filtfilt</c>
    /// (check_phase=True): zero phase, magnitude response squared. Use it with
    /// <see cref="Filter.FiltFilt(TransferFunction, ReadOnlySpan{float}, FiltFiltOptions?)"/> on the
    /// whole record: filtfilt needs more than 3 × 109 = 327 samples, more than one 320-sample beat.
    /// </summary>
    /// <example><code>
    /// float[] filtered = Filter.FiltFilt(FilterPresets.BeatGanBandPass(360), record.Leads[0]);
    /// </code></example>
    public static TransferFunction BeatGanBandPass(double samplingRate = 360)
        => TransferFunction.Fir(FirDesign.Firwin(new FirwinOptions
        {
            Taps = BiosppyTaps(samplingRate),
            CutoffsHz = [3, 45],
            PassZero = false,
            SamplingRate = samplingRate,
        }));

    /// <summary>biosppy's FIR length for its ECG band-pass: int(0.3·fs), made odd.</summary>
    public static int BiosppyTaps(double samplingRate)
    {
        int order = (int)(0.3 * samplingRate);
        return order % 2 == 0 ? order + 1 : order;
    }
}
