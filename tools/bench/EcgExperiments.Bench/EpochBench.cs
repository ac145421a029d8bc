using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EcgExperiments.Core;

namespace EcgExperiments.Bench;

/// <summary>
/// The whole SPEC §2.2 experiment for one epoch, end to end, ours against PyTorch + numpy in the same run: read the
/// 48 MIT-BIH records, cut the beats, render the STFT images, train one epoch, evaluate, write the results. Ours is
/// the CLI as a user runs it (<c>ecg run experiments/mitbih-stft-published.yaml --epochs 1 --output TMP</c>, a fresh
/// cache folder), the peer is stft_epoch.py (vectorised numpy, a DataLoader). Both run as child processes; wall time
/// and peak resident memory (VmHWM, polled) are taken the same way for both. Sides alternate over repeats.
///   epoch [--spec FILE] [--epochs N] [--repeats N] [--json FILE]
/// </summary>
internal static class EpochBench
{
    private sealed record SideRun(string Side, double Seconds, long PeakBytes, double? Accuracy, double? MacroF1);

    public static int Run(string[] args)
    {
        string? root = ProjectPaths.RepositoryRoot;
        if (root is null) throw new ArgumentException("epoch: run it from the repository (it starts the ecg CLI built there)");
        string spec = Path.Combine(root, "experiments", "mitbih-stft-published.yaml");
        int epochs = 1, repeats = 1;
        string? json = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--spec": spec = Path.GetFullPath(Value()); break;
                case "--epochs": epochs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--repeats": repeats = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--json": json = Value(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}' (epoch: --spec, --epochs, --repeats, --json)");
            }
        }
        var mitbih = Path.Combine(ProjectPaths.DataRoot, "mitbih");
        if (!Directory.Exists(mitbih)) { Console.Error.WriteLine($"MIT-BIH not found at {mitbih}. {ProjectPaths.DataHelp}"); return 3; }
        var cli = Path.Combine(root, "src", "EcgExperiments.Cli", "bin", "Release", "net10.0", "ecg.dll");
        if (!File.Exists(cli)) throw new ArgumentException($"epoch: {cli} is missing; build the CLI first (./ecg setup)");

        Console.WriteLine($"SPEC §2.2 end to end, {epochs} epoch(s): ours = ecg run {Path.GetFileName(spec)} --epochs {epochs}; " +
                          $"peer = stft_epoch.py (PyTorch + numpy); {ModelBench.LoadAverage()}");
        var runs = new List<SideRun>();
        for (int r = 0; r < repeats; r++)
        {
            var order = r % 2 == 0 ? new[] { "ours", "peer" } : new[] { "peer", "ours" };
            foreach (var side in order) runs.Add(side == "ours" ? Ours(cli, spec, epochs) : Peer(mitbih));
        }
        Console.WriteLine("side        | wall s  | peak RSS GiB | test accuracy | macro F1");
        foreach (var run in runs)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(run.Side == "ours" ? "ours (CLI)" : "PyTorch"),-11} | {run.Seconds,7:0.0} | {run.PeakBytes / (double)(1L << 30),12:0.00} | {Fmt(run.Accuracy),13} | {Fmt(run.MacroF1),8}"));
        double ours = Median(runs.Where(x => x.Side == "ours").Select(x => x.Seconds));
        double peer = Median(runs.Where(x => x.Side == "peer").Select(x => x.Seconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ours / PyTorch speed: {peer / ours:0.00}× (median wall {ours:0.0} s vs {peer:0.0} s); {ModelBench.LoadAverage()}"));
        if (json is not null)
        {
            var doc = new
            {
                bench = "epoch", spec = Path.GetFileName(spec), epochs, ratio = Math.Round(peer / ours, 4), machine_load = ModelBench.LoadAverage(),
                utc = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
                runs = runs.Select(x => new { side = x.Side, seconds = Math.Round(x.Seconds, 2), peak_rss_bytes = x.PeakBytes, accuracy = x.Accuracy, macro_f1 = x.MacroF1 }),
            };
            File.WriteAllText(json, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"written to {json}");
        }
        return 0;
    }

    private static string Fmt(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "—";

    private static double Median(IEnumerable<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static SideRun Ours(string cli, string spec, int epochs)
    {
        var output = Directory.CreateTempSubdirectory("ecg-epoch-ours-").FullName;
        var cache = Directory.CreateTempSubdirectory("ecg-epoch-cache-").FullName;
        try
        {
            var psi = new ProcessStartInfo("dotnet", [cli, "run", spec, "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--output", output])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.Environment["ECG_CACHE_DIR"] = cache;
            var (seconds, peak, stdout) = RunChild(psi, "ecg run");
            var (accuracy, macroF1) = ReadMetricsCsv(output);
            if (accuracy is null) Console.Error.WriteLine($"note: no metrics.csv under {output}; the CLI printed:\n{stdout}");
            return new SideRun("ours", seconds, peak, accuracy, macroF1);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
            Directory.Delete(cache, recursive: true);
        }
    }

    private static SideRun Peer(string mitbih)
    {
        var output = Directory.CreateTempSubdirectory("ecg-epoch-peer-").FullName;
        try
        {
            var psi = new ProcessStartInfo(PythonPeer.Python, [Path.Combine(AppContext.BaseDirectory, "stft_epoch.py"), mitbih, output])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            var (seconds, peak, stdout) = RunChild(psi, "stft_epoch.py");
            using var doc = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
            var rootElement = doc.RootElement;
            return new SideRun("peer", seconds, peak, rootElement.GetProperty("accuracy").GetDouble(), rootElement.GetProperty("macro_f1").GetDouble());
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>Runs a child to completion; wall seconds, its peak resident bytes (VmHWM polled every 100 ms), its stdout.</summary>
    private static (double seconds, long peak, string stdout) RunChild(ProcessStartInfo psi, string what)
    {
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {what}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!p.WaitForExit(100)) peak = Math.Max(peak, HighWaterMark(p.Id));
        double seconds = sw.Elapsed.TotalSeconds;
        if (p.ExitCode != 0) throw new InvalidOperationException($"{what} failed (exit {p.ExitCode}): {stderr.Result}{stdout.Result}");
        return (seconds, peak, stdout.Result);
    }

    private static long HighWaterMark(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }          // the child exited between polls
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    /// <summary>
    /// Test accuracy and macro F1 from the run's tidy metrics.csv (experiment, protocol, model, split, metric, class,
    /// value, …). Columns are counted from the right by the header, since the protocol column is quoted text with commas.
    /// </summary>
    private static (double? accuracy, double? macroF1) ReadMetricsCsv(string output)
    {
        var file = Directory.EnumerateFiles(output, "metrics.csv", SearchOption.AllDirectories).FirstOrDefault();
        if (file is null) return (null, null);
        var lines = File.ReadLines(file).ToList();
        var header = lines[0].Split(',');
        int FromRight(string column) => header.Length - Array.IndexOf(header, column);
        int model = FromRight("model"), split = FromRight("split"), metric = FromRight("metric"), cls = FromRight("class"), value = FromRight("value");
        var rows = lines.Skip(1).Select(l => l.Split(',')).Where(f => f.Length >= model).ToList();
        double? Find(string name) => rows
            .Where(f => f[^model] == "model" && f[^split] == "test" && f[^metric] == name && f[^cls].Length == 0)
            .Select(f => (double?)double.Parse(f[^value], CultureInfo.InvariantCulture)).FirstOrDefault();
        return (Find("accuracy"), Find("macro_f1"));
    }
}
