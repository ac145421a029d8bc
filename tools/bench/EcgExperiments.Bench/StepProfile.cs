using System.Diagnostics;
using System.Globalization;
using EcgExperiments.Torch;

namespace EcgExperiments.Bench;

/// <summary>
/// Where a training step's time goes, ours against PyTorch's, from libtorch's operator profiler on both sides
/// (the bridge's torch.autograd.profiler and PyTorch's): per operator, self milliseconds per step, side by side,
/// plus each process's CPU and wall time per step. The gap between "profiled ops" and "step" is time outside
/// libtorch operators (our C# layer, or the Python interpreter).
///   profile MODEL [--threads N] [--steps N] [--batch N] [--precision fp32|bf16] [--top N]
/// </summary>
internal static class StepProfile
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-')) throw new ArgumentException("profile needs a model name: " + string.Join(", ", SeedModels.All.Select(c => c.Name)));
        var c = SeedModels.Find(args[0]);
        int threads = 1, steps = 5, top = 15;
        int? batch = null;
        string precision = "fp32";
        for (int i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--threads": threads = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--steps": steps = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--precision": precision = Value(); break;
                case "--top": top = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option '{args[i]}' (profile: --threads, --steps, --batch, --precision, --top)");
            }
        }
        int b = batch ?? c.BenchBatch;
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        using var ours = c.Create(b, Device.CPU, precision == "bf16");
        using var peer = PeerProcess.Start("seed_models.py");
        peer.Build(c.Name, threads, "cpu", b, precision);
        ours.Step(); ours.Step();
        _ = peer.Steps(2);

        var me = Process.GetCurrentProcess();
        var cpu0 = me.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        IReadOnlyList<OpStats> oursOps;
        using (var prof = torch.autograd.profiler.profile())
        {
            for (int i = 0; i < steps; i++) ours.Step();
            oursOps = prof.KeyAverages();
        }
        double oursWall = wall.Elapsed.TotalSeconds;
        me.Refresh();
        double oursCpu = (me.TotalProcessorTime - cpu0).TotalSeconds;
        var (peerCpu, peerWall, peerOps) = peer.Profile(steps);

        Console.WriteLine($"{c.Name} ({c.Workload}), batch {b}, {threads} thread(s), {precision}, {steps} profiled steps; {ModelBench.LoadAverage()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"per step: ours {1000 * oursWall / steps:0.0} ms wall, {1000 * oursCpu / steps:0.0} ms CPU | PyTorch {1000 * peerWall / steps:0.0} ms wall, {1000 * peerCpu / steps:0.0} ms CPU"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"profiled ops (self time summed): ours {SelfMs(oursOps) / steps:0.0} ms, PyTorch {SelfMs(peerOps) / steps:0.0} ms per step"));
        var names = oursOps.Select(o => o.Name).Union(peerOps.Select(o => o.Name))
            .Select(n => (n, ours: Find(oursOps, n), peer: Find(peerOps, n)))
            .OrderByDescending(t => Math.Max(t.ours?.SelfMicroseconds ?? 0, t.peer?.SelfMicroseconds ?? 0))
            .Take(top);
        Console.WriteLine("operator                                  | ours calls | ours self ms/step | PyTorch calls | PyTorch self ms/step");
        foreach (var (n, o, p) in names)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(n.Length > 41 ? n[..40] + "…" : n),-41} | {(o?.Calls ?? 0) / steps,10} | {(o?.SelfMicroseconds ?? 0) / 1000 / steps,17:0.00} | {(p?.Calls ?? 0) / steps,13} | {(p?.SelfMicroseconds ?? 0) / 1000 / steps,20:0.00}"));
        return 0;
    }

    private static OpStats? Find(IEnumerable<OpStats> ops, string name) => ops.FirstOrDefault(o => o.Name == name);

    private static double SelfMs(IEnumerable<OpStats> ops) => ops.Sum(o => o.SelfMicroseconds) / 1000;
}
