using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EcgExperiments.Torch;

namespace EcgExperiments.Bench;

/// <summary>
/// Training throughput of every seed model (SeedModels.cs) through the framework against the same model in
/// PyTorch (seed_models.py), at 1 and 2 threads, in the same run. Each row builds the model on both sides, warms
/// both up, then alternates rounds of our steps and the peer's steps (who goes first alternates too), so a change
/// in machine load hits both sides alike. Samples per second come from the median step; the ratio is ours over
/// PyTorch (above 1 = faster). Each row also gives the median CPU seconds per step of each process (all threads)
/// and their ratio (PyTorch's over ours, above 1 = ours needs less), the figure to trust on a loaded machine.
///   models [--only a,b] [--threads 1,2] [--precision fp32,bf16] [--seconds S] [--repeat N] [--published-batch] [--device cpu|cuda] [--json FILE]
/// With --repeat N the whole table is measured N times (passes, so slow drifts in machine load reach every row) and a
/// summary gives each row's median ratio with its range: a ratio near 1 is only a result when its range is on one side.
/// </summary>
internal static class ModelBench
{
    /// <summary>A row: samples/s from the median wall-clock step on each side, and the median CPU seconds per step
    /// (all threads of each process), which a loaded machine distorts far less than wall time.</summary>
    private sealed record Row(string Model, string Family, string Workload, int Batch, int Threads, string Precision, long Parameters, double Ours, double Peer,
        double OursCpu, double PeerCpu)
    {
        /// <summary>Which pass of <c>--repeat</c> measured the row (1-based).</summary>
        public int Pass { get; init; } = 1;

        public double Ratio => Ours / Peer;
        public double CpuRatio => PeerCpu / OursCpu;
    }

    public static int Run(string[] args)
    {
        var only = new List<string>();
        var threadCounts = new[] { 1, Math.Min(2, Environment.ProcessorCount) }.Distinct().ToList();
        var precisions = new List<string> { "fp32" };
        double seconds = 4;
        int repeat = 1;
        bool publishedBatch = false;
        string deviceName = "cpu";
        string? json = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--only": only.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                case "--threads": threadCounts = Value().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList(); break;
                case "--precision": precisions = Value().Split(',').Select(p => p.Trim().ToLowerInvariant()).ToList(); break;
                case "--seconds": seconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--repeat": repeat = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--published-batch": publishedBatch = true; break;
                case "--device": deviceName = Value(); break;
                case "--json": json = Value(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}' (models: --only, --threads, --precision, --seconds, --repeat, --published-batch, --device, --json)");
            }
        }
        foreach (var p in precisions)
            if (p is not ("fp32" or "bf16")) throw new ArgumentException($"--precision takes fp32 and/or bf16, got '{p}'");
        if (repeat < 1) throw new ArgumentException($"--repeat must be ≥ 1, got {repeat}");
        var cases = only.Count == 0 ? SeedModels.All : only.Select(SeedModels.Find).ToList();
        var device = Device.Parse(deviceName);

        Console.WriteLine($"training throughput, ours (libtorch {torch.version} through the bridge) vs PyTorch ({PythonPeer.Python}), {device}, same run;");
        Console.WriteLine($"~{seconds:0.#} s of steps per side per row after one warm-up step, interleaved; samples/s from the median step. {LoadAverage()}");
        Console.WriteLine("model            | workload                               | batch | thr | prec |  ours samples/s | PyTorch samples/s | ours/PyTorch | CPU s/step ours | PyTorch | CPU ratio");
        var rows = new List<Row>();
        var clock = Stopwatch.StartNew();
        using (var peer = PeerProcess.Start("seed_models.py"))
        {
            for (int pass = 1; pass <= repeat; pass++)
            foreach (var precision in precisions)
                foreach (var c in cases)
                    foreach (var threads in threadCounts)
                    {
                        var row = Measure(peer, c, threads, precision, publishedBatch ? c.PublishedBatch : c.BenchBatch, device, seconds) with { Pass = pass };
                        rows.Add(row);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{row.Model,-16} | {row.Workload,-38} | {row.Batch,5} | {row.Threads,3} | {row.Precision,-4} | {row.Ours,15:0.0} | {row.Peer,17:0.0} | {row.Ratio,12:0.00} | {row.OursCpu,15:0.000} | {row.PeerCpu,7:0.000} | {row.CpuRatio,9:0.00}"));
                    }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows.Count} rows in {clock.Elapsed.TotalSeconds:0} s; {LoadAverage()}"));
        if (repeat > 1)
        {
            Console.WriteLine($"summary over {repeat} passes: median samples/s and the median ratio with its range (lowest–highest pass)");
            Console.WriteLine("model            | thr | prec |  ours samples/s | PyTorch samples/s | ratio median | ratio range   | CPU ratio median");
            foreach (var g in Summaries(rows))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{g.Model,-16} | {g.Threads,3} | {g.Precision,-4} | {g.Ours,15:0.0} | {g.Peer,17:0.0} | {g.Ratio,12:0.00} | {g.RatioLow,5:0.00}–{g.RatioHigh,-5:0.00}   | {g.CpuRatio,16:0.00}"));
        }
        if (json is not null) WriteJson(json, rows, device);
        return 0;
    }

    private static Row Measure(PeerProcess peer, SeedModelCase c, int threads, string precision, int batch, Device device, double seconds)
    {
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        using var ours = c.Create(batch, device, precision == "bf16");
        long peerParams = peer.Build(c.Name, threads, device.ToString(), batch, precision);
        if (peerParams != ours.Parameters)
            throw new InvalidOperationException($"{c.Name}: the PyTorch peer has {peerParams:N0} parameters, ours {ours.Parameters:N0}; the two definitions drifted apart");

        // Warm-up: first-call costs (oneDNN primitives, allocator growth, JIT) on both sides.
        double warmOurs = TimeSteps(ours, 1, device)[0].Wall;
        double warmPeer = peer.Steps(1)[0].Wall;
        int steps = Math.Clamp((int)Math.Round(seconds / Math.Max(warmOurs, warmPeer)), 1, 40);
        int rounds = Math.Min(steps, 6);
        int perRound = (steps + rounds - 1) / rounds;
        var oursTimes = new List<StepTime>();
        var peerTimes = new List<StepTime>();
        for (int r = 0; r < rounds; r++)
        {
            if (r % 2 == 0)
            {
                oursTimes.AddRange(TimeSteps(ours, perRound, device));
                peerTimes.AddRange(peer.Steps(perRound));
            }
            else
            {
                peerTimes.AddRange(peer.Steps(perRound));
                oursTimes.AddRange(TimeSteps(ours, perRound, device));
            }
        }
        return new Row(c.Name, c.Family.ToString().ToLowerInvariant(), c.Workload, batch, threads, precision, ours.Parameters,
            batch / Median(oursTimes.Select(t => t.Wall)), batch / Median(peerTimes.Select(t => t.Wall)),
            Median(oursTimes.Select(t => t.Cpu)), Median(peerTimes.Select(t => t.Cpu)));
    }

    private static StepTime[] TimeSteps(ITrainingStep step, int n, Device device)
    {
        var times = new StepTime[n];
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < n; i++)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            step.Step();
            if (device.IsCuda) torch.cuda.synchronize();
            double wall = sw.Elapsed.TotalSeconds;
            process.Refresh();
            times[i] = new StepTime(wall, (process.TotalProcessorTime - cpu).TotalSeconds);
        }
        return times;
    }

    private static double Median(IEnumerable<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    internal static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load average {parts[0]} {parts[1]} {parts[2]} on {Environment.ProcessorCount} cores";
        }
        catch (IOException)
        {
            return $"{Environment.ProcessorCount} cores";
        }
    }

    private sealed record Summary(string Model, int Threads, string Precision, double Ours, double Peer, double Ratio, double RatioLow, double RatioHigh, double CpuRatio);

    /// <summary>Each row's passes reduced to medians, with the range of the ratio.</summary>
    private static IEnumerable<Summary> Summaries(List<Row> rows) =>
        rows.GroupBy(r => (r.Model, r.Threads, r.Precision)).Select(g => new Summary(g.Key.Model, g.Key.Threads, g.Key.Precision,
            Median(g.Select(r => r.Ours)), Median(g.Select(r => r.Peer)), Median(g.Select(r => r.Ratio)), g.Min(r => r.Ratio), g.Max(r => r.Ratio),
            Median(g.Select(r => r.CpuRatio))));

    private static void WriteJson(string path, List<Row> rows, Device device)
    {
        var doc = new
        {
            bench = "models",
            unit = "samples/s",
            ratio = "ours / peer samples per second (above 1 = faster); cpu_ratio = peer / ours CPU seconds per step",
            libtorch = torch.version,
            device = device.ToString(),
            cores = Environment.ProcessorCount,
            machine_load = LoadAverage(),
            utc = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            rows = rows.Select(r => new
            {
                model = r.Model, family = r.Family, pass = r.Pass, threads = r.Threads, ours = Math.Round(r.Ours, 3), peer = Math.Round(r.Peer, 3), ratio = Math.Round(r.Ratio, 4),
                batch = r.Batch, precision = r.Precision, parameters = r.Parameters, workload = r.Workload,
                ours_cpu_seconds_per_step = Math.Round(r.OursCpu, 5), peer_cpu_seconds_per_step = Math.Round(r.PeerCpu, 5), cpu_ratio = Math.Round(r.CpuRatio, 4),
            }),
            summary = Summaries(rows).Select(g => new
            {
                model = g.Model, threads = g.Threads, precision = g.Precision, ours = Math.Round(g.Ours, 3), peer = Math.Round(g.Peer, 3),
                ratio = Math.Round(g.Ratio, 4), ratio_low = Math.Round(g.RatioLow, 4), ratio_high = Math.Round(g.RatioHigh, 4), cpu_ratio = Math.Round(g.CpuRatio, 4),
            }),
        };
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, path, overwrite: true);
        Console.WriteLine($"rows written to {path}");
    }
}
