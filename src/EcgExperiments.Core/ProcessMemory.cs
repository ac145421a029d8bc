using System.Globalization;

namespace EcgExperiments.Core;

/// <summary>The memory this process has used, as the run records and training checkpoints report it.</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident memory of this process (Linux's VmHWM), in bytes; the current working set where that is not readable.</summary>
    public static long PeakResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Environment.WorkingSet;
    }
}
