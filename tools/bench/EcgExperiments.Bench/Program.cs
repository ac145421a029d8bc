// Benchmarks against peers measured in the same run.
//   step [N]        training step of the quick-start SE-CNN vs PyTorch (below)
//   mitbih-images   all 48 MIT-BIH records -> every AAMI beat -> 64x64 STFT images (SPEC 2.2) vs numpy/scipy
//   wfdb-read [N]   all 48 MIT-BIH records read and converted to float32 physical values (MB/s) vs numpy
// Training-step benchmark: the quick-start SE-CNN (batch 32 of 1×12×1000) through the C# API, against the same
// model in PyTorch (tools/bench/se_cnn_step.py, run by /usr/bin/python3) in the same run, at 1 and 2 threads.
// Prints median milliseconds per step and the ratio C# / PyTorch (below 1 = faster than PyTorch).
using System.Diagnostics;
using EcgExperiments.Bench;
using System.Globalization;
using EcgExperiments.Models;
using EcgExperiments.Torch;
using F = EcgExperiments.Torch.torch.nn.functional;

var mode = args.Length > 0 && !char.IsDigit(args[0][0]) ? args[0] : "step";
if (mode == "mitbih-images") return MitBihImages.Run(args.Skip(1).ToArray());
if (mode == "wfdb-read") return WfdbRead.Run(args.Skip(1).ToArray());
if (mode != "step") { Console.Error.WriteLine($"unknown benchmark '{mode}': step | mitbih-images | wfdb-read"); return 2; }
var steps = args.Length > 0 && char.IsDigit(args[^1][0]) ? int.Parse(args[^1], CultureInfo.InvariantCulture) : 30;
var warmup = 5;
var python = Environment.GetEnvironmentVariable("ECG_BENCH_PYTHON") ?? "/usr/bin/python3";
var script = Path.Combine(AppContext.BaseDirectory, "se_cnn_step.py");
var threadCounts = new[] { 1, Math.Min(2, Environment.ProcessorCount) }.Distinct().ToArray();

Console.WriteLine($"SE-CNN training step, batch 32 × 1×12×1000, Adam; {steps} timed steps after {warmup} warm-up; median");
Console.WriteLine($"libtorch {torch.version} (C#)  vs  PyTorch via {python}");
Console.WriteLine("threads | C# ms/step | PyTorch ms/step | ratio C#/PyTorch");
foreach (var threads in threadCounts)
{
    var cs = Measure(threads);
    var py = Peer(threads);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{threads,7} | {cs,9:0.00} | {py,15:0.00} | {cs / py,6:0.000}"));
}
return 0;

double Measure(int threads)
{
    torch.set_num_threads(threads);
    torch.manual_seed(0);
    using var model = new Cnn2dClassifier(new Cnn2dOptions
    {
        Widths = [16, 32, 64], Kernel = 9, KernelHeight = 3, Padding = (1, 0), Pool = (2, 4),
        SqueezeExcitation = true, SeReduction = 4, Dropout = 0.3, Outputs = 1,
    });
    model.train();
    using var opt = torch.optim.Adam(model.parameters(), lr: 0.002);
    using var x = torch.randn(32, 1, 12, 1000);
    using var y = torch.randint(0, 2, [32, 1]).to(ScalarType.Float32);
    var times = new List<double>();
    for (int i = 0; i < warmup + steps; i++)
    {
        var sw = Stopwatch.StartNew();
        using (torch.NewDisposeScope())
        {
            opt.zero_grad();
            F.binary_cross_entropy_with_logits(model.forward(x), y).backward();
            opt.step();
        }
        if (i >= warmup) times.Add(sw.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return times[times.Count / 2];
}

double Peer(int threads)
{
    var psi = new ProcessStartInfo(python, [script, threads.ToString(CultureInfo.InvariantCulture), steps.ToString(CultureInfo.InvariantCulture), warmup.ToString(CultureInfo.InvariantCulture)])
    { RedirectStandardOutput = true, RedirectStandardError = true };
    using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
    var stdout = p.StandardOutput.ReadToEnd();
    var stderr = p.StandardError.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"PyTorch peer failed ({python} {script}): {stderr}");
    return double.Parse(stdout.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
}
