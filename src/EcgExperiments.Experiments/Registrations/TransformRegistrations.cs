using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Pipeline.Transforms;

namespace EcgExperiments.Experiments;

internal static class TransformRegistrations
{
    public static void Register(ComponentRegistry<IEcgEstimator> r) => r
        .Register<ZScoreOptions>("zscore", "z-score per lead, statistics fitted on the training split only", o => new ZScoreEstimator(o))
        .Register<ResampleOptions>("resample", "polyphase resampling to target_rate (scipy resample_poly); the schema carries the new rate", o => new ResampleEstimator(o))
        .Register<InterpolateOptions>("interpolate", "linear interpolation of every lead to length points (SPEC §2.3)", o => new InterpolateEstimator(o))
        .Register<BandPassOptions>("bandpass", "zero-phase band-pass: FIR window method + filtfilt (SPEC §2.4, 3–45 Hz) or Butterworth sosfiltfilt", o => new BandPassEstimator(o))
        .Register<MinMaxOptions>("minmax", "per-signal min-max to [low, high], flat signals → low (SPEC §2.3)", o => new MinMaxEstimator(o))
        .Register<SelectLeadsOptions>("select_leads", "keep leads by name, in the order given", o => new SelectLeadsEstimator(o))
        .Register<StftImageOptions>("stft_image", "one lead → [channels × H × W] spectrogram image; recipe stft_cnn_mitbih (§2.2) or b2i_gan (§2.4), each part overridable", o => new StftImageEstimator(o));
}
