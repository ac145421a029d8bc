namespace EcgExperiments.Experiments.Running.Workers;

/// <summary>
/// The GPUs worker processes can be spread over, without loading libtorch (dry runs must work without it): the
/// entries of <c>CUDA_VISIBLE_DEVICES</c> when it is set (a scheduler's or the user's choice, honoured as given),
/// else one id per NVIDIA device the driver lists under /proc/driver/nvidia/gpus.
/// </summary>
public static class GpuInventory
{
    public const string VisibleDevicesVariable = "CUDA_VISIBLE_DEVICES";

    /// <summary>Device ids as <c>CUDA_VISIBLE_DEVICES</c> takes them ("0", "1", or UUIDs); empty when there are none.</summary>
    public static IReadOnlyList<string> VisibleDevices()
    {
        if (Environment.GetEnvironmentVariable(VisibleDevicesVariable) is { } visible)
            return visible.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeWhile(d => d != "-1" && d != "NoDevFiles").ToList();
        const string driver = "/proc/driver/nvidia/gpus";
        try
        {
            return Directory.Exists(driver) ? Enumerable.Range(0, Directory.GetDirectories(driver).Length).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList() : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
