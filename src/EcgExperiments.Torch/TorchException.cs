namespace EcgExperiments.Torch;

/// <summary>An error raised by libtorch (message preserved) or by the bridge around it.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message, Exception? inner = null) : base(message, inner) { }
}
