namespace EcgExperiments.Torch;

/// <summary>Where tensors live. Parse "cpu", "cuda", "cuda:1" or "auto" with <see cref="Parse"/>.</summary>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    public static readonly Device CPU = new(DeviceType.CPU);
    public static readonly Device CUDA = new(DeviceType.CUDA);

    public bool IsCuda => Type == DeviceType.CUDA;

    /// <summary>
    /// Parses a device name. "auto" picks CUDA when libtorch sees a GPU, else CPU. Asking for "cuda" on a
    /// machine without one fails here with a clear message instead of deep inside the first operation.
    /// </summary>
    public static Device Parse(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return CPU;
        if (n == "auto") return torch.cuda.is_available() ? CUDA : CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (n.Length > 5 && !int.TryParse(n.AsSpan(5), out index))
                throw new ArgumentException($"device '{name}': expected cuda:<index>");
            if (!torch.cuda.is_available())
                throw new TorchException($"device '{name}' was requested but no CUDA device is available to libtorch " +
                                         $"(libtorch {torch.version}, {torch.cuda.device_count()} GPUs visible). Use 'cpu' or 'auto', " +
                                         "or build the bridge against a CUDA libtorch (see README, GPU).");
            if (index >= torch.cuda.device_count())
                throw new TorchException($"device '{name}': only {torch.cuda.device_count()} CUDA device(s) are visible");
            return new Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"unknown device '{name}': expected cpu, cuda, cuda:<index> or auto");
    }

    public override string ToString() => Type == DeviceType.CPU ? "cpu" : $"cuda:{Index}";
}

public enum DeviceType { CPU = 0, CUDA = 1 }
