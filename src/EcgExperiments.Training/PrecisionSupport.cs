using EcgExperiments.Torch;

namespace EcgExperiments.Training;

/// <summary>
/// Where a <see cref="Precision"/> can run and the autocast scope that runs it: the one place training
/// (<c>training.precision</c>) and inference (<c>ecg predict --precision</c>) turn a precision into libtorch autocast.
/// </summary>
/// <example><code>
/// PrecisionSupport.EnsureSupported(Precision.Bf16, Device.CPU, "--precision");
/// using (PrecisionSupport.Autocast(Precision.Bf16, DeviceType.CPU)) logits = model.forward(x).@float();
/// </code></example>
public static class PrecisionSupport
{
    /// <summary>
    /// The autocast scope that computes in <paramref name="precision"/> on <paramref name="device"/>, or null for fp32
    /// (so fp32 code paths run exactly the operations they ran before precision existed).
    /// </summary>
    public static AutocastScope? Autocast(Precision precision, DeviceType device) =>
        precision == Precision.Bf16 ? torch.autocast(device, ScalarType.BFloat16) : null;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming <paramref name="setting"/> (as the user writes it before the value:
    /// <c>training.precision:</c>, <c>--precision</c>) unless <paramref name="precision"/> can
    /// run on <paramref name="device"/>: bf16 on a CPU needs native bfloat16 (AVX512-BF16 or AMX-BF16), without which
    /// libtorch emulates it, slower than float32. <paramref name="cpuSupportsBf16"/> replaces the processor check
    /// (<see cref="torch.cpu.is_bf16_supported"/>), e.g. to exercise the refusal on a processor that has bf16.
    /// </summary>
    public static void EnsureSupported(Precision precision, Device device, string setting, Func<bool>? cpuSupportsBf16 = null)
    {
        if (precision != Precision.Bf16 || device.IsCuda) return;
        if (!(cpuSupportsBf16 ?? torch.cpu.is_bf16_supported)())
            throw new ArgumentException($"{setting} bf16 needs a processor with AVX512-BF16 or AMX-BF16 (this one reports neither in /proc/cpuinfo); use {setting} fp32");
    }
}
