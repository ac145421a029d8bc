using System.Diagnostics;
using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Data.Wfdb;

namespace EcgExperiments.Bench;

/// <summary>
/// WFDB read speed: all 48 MIT-BIH records (format 212, 2 signals × 650 000 samples) read whole, decoded and
/// converted to float32 physical values, reported as MB/s of <c>.dat</c> bytes; then the same in numpy
/// (wfdb_read.py) in the same run. Each side makes one warm-up pass (so both read from the page cache) and
/// reports the median of the timed passes, in wall time and in the process's CPU time (user + system, GC and
/// page faults included): on a shared machine the wall time mostly measures the neighbours, the CPU time the work.
/// </summary>
internal static class WfdbRead
{
    public static int Run(string[] args)
    {
        var folder = args.FirstOrDefault(a => !char.IsDigit(a[0])) ?? Path.Combine(ProjectPaths.DataRoot, "mitbih");
        int passes = args.FirstOrDefault(a => char.IsDigit(a[0])) is { } p ? int.Parse(p, CultureInfo.InvariantCulture) : 5;
        if (!Directory.Exists(folder)) { Console.Error.WriteLine($"MIT-BIH not found at {folder}. {ProjectPaths.DataHelp}"); return 3; }
        var records = Directory.GetFiles(folder, "*.hea").Select(f => Path.Combine(folder, Path.GetFileNameWithoutExtension(f)))
            .Where(r => File.Exists(r + ".dat")).OrderBy(r => r, StringComparer.Ordinal).ToArray();
        long bytes = records.Sum(r => new FileInfo(r + ".dat").Length);

        double checksum = 0;
        var times = new List<double>();
        var cpuTimes = new List<double>();
        using var self = Process.GetCurrentProcess();
        for (int pass = 0; pass <= passes; pass++)
        {
            self.Refresh();
            var cpu0 = self.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            foreach (var r in records)
            {
                var rec = WfdbReader.Read(r);
                for (int k = 0; k < rec.Adc.Length; k++)
                {
                    var mv = rec.ToPhysical(k);
                    checksum += mv[mv.Length / 2];
                }
            }
            self.Refresh();
            if (pass > 0) // pass 0 warms the page cache and the JIT
            {
                times.Add(sw.Elapsed.TotalSeconds);
                cpuTimes.Add((self.TotalProcessorTime - cpu0).TotalSeconds);
            }
        }
        double cs = Median(times), csCpu = Median(cpuTimes);

        if (PythonPeer.Run("wfdb_read.py", folder, passes.ToString(CultureInfo.InvariantCulture)) is not { } peer) return 1;
        double py = double.Parse(peer[0], CultureInfo.InvariantCulture), pyCpu = double.Parse(peer[1], CultureInfo.InvariantCulture);

        double mb = bytes / 1e6;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"WFDB read: {records.Length} MIT-BIH records, {mb:0.0} MB of format-212 .dat → float32 physical; median of {passes} warm passes; {Environment.ProcessorCount} cores"));
        Console.WriteLine("reader        | wall s | MB/s wall | CPU s | MB/s CPU");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"C# WfdbReader | {cs,6:0.000} | {mb / cs,9:0} | {csCpu,5:0.000} | {mb / csCpu,8:0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"numpy         | {py,6:0.000} | {mb / py,9:0} | {pyCpu,5:0.000} | {mb / pyCpu,8:0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"speed-up C# vs numpy: {py / cs:0.00}× wall, {pyCpu / csCpu:0.00}× CPU  (checksum {checksum:0.###})"));
        return 0;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
