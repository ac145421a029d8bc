using System.Diagnostics;
using System.Globalization;
using EcgExperiments.Models;
using EcgExperiments.Torch;
using F = EcgExperiments.Torch.torch.nn.functional;

namespace EcgExperiments.GpuSmoke;

/// <summary>
/// Training throughput (samples/s, median step after warm-up) of every seed model at its published size and
/// batch, through the framework and through the machine's PyTorch (models_peer.py) on the same device in the
/// same run. The peer also counts parameters independently, so the table doubles as a count cross-check.
///   ecg-gpu-smoke --throughput [--device cuda|cpu] [--steps N] [--only name]
/// </summary>
internal static class Throughput
{
    private static readonly (string name, Func<Module> create, long[] shape, Func<Module, Tensor, Tensor> loss)[] Cases =
    [
        ("cnn2d", () => new Cnn2dClassifier(), [16, 1, 151, 151],
            (m, x) => F.binary_cross_entropy_with_logits(((Module<Tensor, Tensor>)m).forward(x), torch.ones([x.size(0), 1], device: x.device))),
        ("stft_cnn", () => new StftCnn(3), [200, 3, 64, 64],
            (m, x) => F.cross_entropy(((Module<Tensor, Tensor>)m).forward(x), torch.arange(0, x.size(0), device: x.device).remainder(5))),
        ("bilstm_attention", () => new BiLstmAttentionReconstructor(), [32, 1000],
            (m, x) => ((Module<Tensor, Tensor>)m).forward(x).pow(2).mean()),
        ("b2i_gan_generator", () => new BeatGanGenerator(2), [64, 1, 128, 128],
            (m, x) => F.mse_loss(((Module<Tensor, Tensor>)m).forward(x), x)),
        ("beatgan_generator", () => new BeatGanGenerator(1), [64, 1, 320],
            (m, x) => F.mse_loss(((Module<Tensor, Tensor>)m).forward(x), x)),
        ("lstm_ae_e64", () => new LstmAutoencoder(64), [32, 140, 1],
            (m, x) => F.l1_loss(((Module<Tensor, Tensor>)m).forward(x), x, torch.nn.Reduction.Sum) / x.size(0)),
        ("transformer_ae_4_512_2_2", () => new TransformerAutoencoder(4, 512, 2, 2), [32, 140, 1],
            (m, x) => F.l1_loss(((Module<Tensor, Tensor>)m).forward(x), x, torch.nn.Reduction.Sum) / x.size(0)),
    ];

    public static int Run(string[] args)
    {
        string deviceName = torch.cuda.is_available() ? "cuda" : "cpu";
        int steps = 10;
        string? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--device") deviceName = args[++i];
            else if (args[i] == "--steps") steps = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else if (args[i] == "--only") only = args[++i];
        }
        var device = Device.Parse(deviceName);
        int threads = Environment.ProcessorCount;
        torch.set_num_threads(threads);
        if (device.IsCuda) torch.backends.allow_tf32 = true; // PyTorch's default for cuDNN convolutions
        var peer = Peer(deviceName, threads, steps, only);
        Console.WriteLine($"training throughput on {(device.IsCuda ? torch.cuda.get_device_name() : $"CPU ({threads} threads)")}, median of {steps} steps");
        Console.WriteLine("model                     | params (C#) | params (PyTorch) | C# samples/s | PyTorch samples/s | ratio");
        foreach (var (name, create, shape, loss) in Cases)
        {
            if (only is not null && !name.StartsWith(only, StringComparison.Ordinal)) continue;
            torch.manual_seed(0);
            using var model = create();
            model.to(device);
            model.train();
            using var opt = torch.optim.Adam(model.parameters(), lr: 1e-4);
            using var x = torch.rand(shape).to(device);
            var times = new List<double>();
            for (int i = 0; i < steps + 2; i++)
            {
                if (device.IsCuda) torch.cuda.synchronize();
                var sw = Stopwatch.StartNew();
                using (torch.NewDisposeScope())
                {
                    opt.zero_grad();
                    loss(model, x).backward();
                    opt.step();
                }
                if (device.IsCuda) torch.cuda.synchronize();
                if (i >= 2) times.Add(sw.Elapsed.TotalSeconds);
            }
            times.Sort();
            double cs = shape[0] / times[times.Count / 2];
            var (pyParams, py) = peer.TryGetValue(name, out var p) ? p : (0L, double.NaN);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-25} | {model.parameter_count(),11:N0} | {pyParams,16:N0} | {cs,12:0.0} | {py,17:0.0} | {cs / py,5:0.00}"));
        }
        return 0;
    }

    private static Dictionary<string, (long, double)> Peer(string device, int threads, int steps, string? only)
    {
        var python = Environment.GetEnvironmentVariable("ECG_BENCH_PYTHON") ?? "/usr/bin/python3";
        var script = Path.Combine(AppContext.BaseDirectory, "models_peer.py");
        var psi = new ProcessStartInfo(python, [script, device, threads.ToString(CultureInfo.InvariantCulture), steps.ToString(CultureInfo.InvariantCulture), .. only is null ? Array.Empty<string>() : [only]])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"PyTorch peer failed: {stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' '))
            .ToDictionary(f => f[0], f => (long.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture)));
    }
}
