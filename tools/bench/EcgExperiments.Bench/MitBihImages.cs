using System.Diagnostics;
using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Data.MitBih;
using EcgExperiments.Signals.Beats;
using EcgExperiments.Signals.Spectral;

namespace EcgExperiments.Bench;

/// <summary>
/// All 48 MIT-BIH records → lead MLII (V5 for 102/104) → every AAMI beat of the reference annotations →
/// SPEC §2.2 midpoint windows (428) → STFT images 64×64, end to end from the WFDB files; then the same
/// pipeline in numpy/scipy (mitbih_images.py) in the same run. Prints beats, wall seconds, peak memory and
/// the speed ratio.
/// </summary>
internal static class MitBihImages
{
    public static int Run(string[] args)
    {
        var folder = args.Length > 0 ? args[0] : Path.Combine(ProjectPaths.DataRoot, "mitbih");
        if (!Directory.Exists(folder)) { Console.Error.WriteLine($"MIT-BIH not found at {folder}. {ProjectPaths.DataHelp}"); return 3; }

        var sw = Stopwatch.StartNew();
        var db = MitBihDatabase.Open(folder);
        var plan = SpectrogramImagePlan.Create(SpectrogramRecipes.StftCnnMitBih, 428);
        long beats = 0;
        double checksum = 0;
        foreach (var id in db.RecordIds)
        {
            var lead = db.LoadLead(id, LeadSelection.MlIIOrV5);
            var r = db.Beats(id, BeatClassMapping.Aami).Select(b => b.RPeak).ToArray();
            var set = BeatWindows.Midpoint(lead.Leads[0], r);
            var images = new float[set.Count * plan.ImageLength];
            plan.RenderBatch(set.Samples, images);
            beats += set.Count;
            checksum += images[images.Length / 2];
        }
        var csSeconds = sw.Elapsed.TotalSeconds;
        var csPeak = PeakResident();

        if (PythonPeer.Run("mitbih_images.py", folder) is not { } parts) return 1;
        long pyBeats = long.Parse(parts[0], CultureInfo.InvariantCulture);
        double pySeconds = double.Parse(parts[1], CultureInfo.InvariantCulture);
        long pyPeak = long.Parse(parts[2], CultureInfo.InvariantCulture);

        Console.WriteLine($"MIT-BIH 48 records → AAMI beats → 64×64 STFT images (n_fft 428, Hann 64, hop 16, dB re max, floor −80); {Environment.ProcessorCount} cores");
        Console.WriteLine("pipeline      | beats   | wall s | peak RSS MiB");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"C# (this)     | {beats,7} | {csSeconds,6:0.00} | {csPeak / 1048576.0,8:0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"numpy/scipy   | {pyBeats,7} | {pySeconds,6:0.00} | {pyPeak / 1048576.0,8:0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"speed-up C# vs numpy: {pySeconds / csSeconds:0.0}×  (checksum {checksum:0.###})"));
        return 0;
    }

    private static long PeakResident()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }
}
