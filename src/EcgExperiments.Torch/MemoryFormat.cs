namespace EcgExperiments.Torch;

/// <summary>
/// How a 4-d N×C×H×W tensor's elements lie in memory (PyTorch's <c>torch.memory_format</c>). The values are the
/// bridge's codes. Convolutions on few channels often run faster channels-last: oneDNN then skips the
/// reorder into its blocked layout and back on every call.
/// </summary>
public enum MemoryFormat
{
    /// <summary>Row-major N, C, H, W (the default).</summary>
    Contiguous = 0,
    /// <summary>N, H, W, C: the channels of one pixel are adjacent.</summary>
    ChannelsLast = 1,
}
