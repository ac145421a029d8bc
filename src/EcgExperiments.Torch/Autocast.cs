using static EcgExperiments.Torch.Native.NativeMethods;

namespace EcgExperiments.Torch;

public static partial class torch
{
    /// <summary>
    /// Mixed precision for the enclosed operations on this thread, like PyTorch's <c>torch.autocast(device_type, dtype)</c>:
    /// matrix products and convolutions run in <paramref name="dtype"/>, precision-sensitive operations (losses, softmax,
    /// normalisation statistics) stay in float32, parameters and their gradients stay float32. Put the forward pass
    /// and the loss inside, the backward pass outside. Scopes nest; disposing restores the previous state.
    /// </summary>
    /// <example><code>
    /// Tensor loss;
    /// using (torch.autocast(DeviceType.CPU, ScalarType.BFloat16)) loss = F.cross_entropy(model.forward(x), y);
    /// loss.backward();
    /// </code></example>
    public static AutocastScope autocast(DeviceType deviceType, ScalarType dtype = ScalarType.BFloat16, bool enabled = true)
    {
        if (dtype is not (ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"autocast computes in BFloat16 or Float16, not {dtype}");
        if (deviceType == DeviceType.CPU && dtype != ScalarType.BFloat16)
            throw new ArgumentException("CPU autocast computes in BFloat16 only (libtorch has no CPU float16 autocast)");
        return new AutocastScope(deviceType, dtype, enabled);
    }

    /// <summary>Whether an autocast scope is active on this thread for <paramref name="deviceType"/>.</summary>
    public static bool is_autocast_enabled(DeviceType deviceType = DeviceType.CPU) => ecg_autocast_is_enabled((int)deviceType) == 1;
}

/// <summary>An active <see cref="torch.autocast"/> region; <see cref="Dispose"/> ends it on the thread that began it.</summary>
public sealed class AutocastScope : IDisposable
{
    private readonly DeviceType _device;
    private readonly int _previousEnabled, _previousDtype;
    private bool _done;

    internal AutocastScope(DeviceType device, ScalarType dtype, bool enabled)
    {
        _device = device;
        Tensor.Check(ecg_autocast_enter((int)device, (int)dtype, enabled ? 1 : 0, out _previousEnabled, out _previousDtype), "autocast");
        DType = dtype;
        Enabled = enabled;
    }

    public ScalarType DType { get; }
    public bool Enabled { get; }

    public void Dispose()
    {
        if (_done) return;
        _done = true;
        Tensor.Check(ecg_autocast_exit((int)_device, _previousEnabled, _previousDtype), "autocast exit");
    }
}
