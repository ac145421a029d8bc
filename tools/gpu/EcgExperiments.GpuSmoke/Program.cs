// GPU smoke test: every seed model at its published size (dropout off so both runs draw no random masks) is
// trained a few Adam steps on fixed random batches, once on the CPU and once on the GPU, from the same initial
// weights. TF32 is switched off so the GPU computes in full float32. The loss curves must agree to a relative
// tolerance. Without a GPU, `--compare-threads` checks the harness itself (CPU with 1 vs N threads).
//   ecg-gpu-smoke [--steps N] [--tolerance T] [--compare-threads] [--only name]
// Throughput against PyTorch on the GPU is the bench's job: `ecg bench models --device cuda` (tools/bench).
using System.Diagnostics;
using System.Globalization;
using EcgExperiments.Models;
using EcgExperiments.Torch;
using F = EcgExperiments.Torch.torch.nn.functional;

int steps = 5;
double tolerance = 2e-3;
bool compareThreads = false;
string? only = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--steps": steps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--tolerance": tolerance = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--compare-threads": compareThreads = true; break;
        case "--only": only = args[++i]; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

if (!compareThreads && !torch.cuda.is_available())
{
    Console.Error.WriteLine($"no CUDA device visible to libtorch {torch.version}: build the bridge against a CUDA libtorch (build-native.sh) on a GPU machine, or run with --compare-threads");
    return 3;
}
if (torch.cuda.is_available())
{
    torch.backends.allow_tf32 = false;
    var (driver, runtime) = torch.cuda.versions();
    Console.WriteLine($"GPU: {torch.cuda.get_device_name()} (driver {driver}, runtime {runtime}, cuDNN {torch.cuda.cudnn_version()}), libtorch {torch.version}");
}

var cases = new (string name, Func<Module> create, long[] input, Func<Module, Tensor, Tensor> loss)[]
{
    ("cnn2d (SPEC 2.1, 65.0M)", () => new Cnn2dClassifier(new Cnn2dOptions { Dropout = 0 }), [4, 1, 151, 151],
        (m, x) => F.binary_cross_entropy_with_logits(((Module<Tensor, Tensor>)m).forward(x), torch.ones([x.size(0), 1], device: x.device))),
    ("cnn2d+se 5 blocks", () => new Cnn2dClassifier(Cnn2dOptions.PublishedSeVariant with { Dropout = 0 }), [2, 1, 311, 311],
        (m, x) => ((Module<Tensor, Tensor>)m).forward(x).pow(2).mean()),
    ("stft_cnn (SPEC 2.2)", () => new StftCnn(3, dropout: 0), [16, 3, 64, 64],
        (m, x) => F.cross_entropy(((Module<Tensor, Tensor>)m).forward(x), torch.arange(0, 16, device: x.device).remainder(5))),
    ("bilstm_attention (SPEC 2.3)", () => new BiLstmAttentionReconstructor(), [4, 1000],
        (m, x) => ((Module<Tensor, Tensor>)m).forward(x).pow(2).mean()),
    ("b2i_gan generator (SPEC 2.4)", () => new BeatGanGenerator(2), [4, 1, 128, 128],
        (m, x) => F.mse_loss(((Module<Tensor, Tensor>)m).forward(x), x)),
    ("b2i_gan discriminator", () => new BeatGanDiscriminator(2), [4, 1, 128, 128],
        (m, x) => ((BeatGanDiscriminator)m).forward(x).features.pow(2).mean()),
    ("beatgan 1-d generator", () => new BeatGanGenerator(1), [8, 1, 320],
        (m, x) => F.mse_loss(((Module<Tensor, Tensor>)m).forward(x), x)),
    ("lstm_ae E=64 (SPEC 2.5)", () => new LstmAutoencoder(64), [8, 140, 1],
        (m, x) => F.l1_loss(((Module<Tensor, Tensor>)m).forward(x), x, torch.nn.Reduction.Sum) / x.size(0)),
    ("transformer_ae [4,512,2,2]", () => new TransformerAutoencoder(4, 512, 2, 2, dropout: 0), [8, 140, 1],
        (m, x) => F.l1_loss(((Module<Tensor, Tensor>)m).forward(x), x, torch.nn.Reduction.Sum) / x.size(0)),
};

int failures = 0;
Console.WriteLine($"{(compareThreads ? "CPU 1 thread vs CPU " + Environment.ProcessorCount + " threads" : "CPU vs CUDA")}, {steps} Adam steps, relative tolerance {tolerance:G}");
foreach (var (name, create, shape, loss) in cases)
{
    if (only is not null && !name.StartsWith(only, StringComparison.OrdinalIgnoreCase)) continue;
    torch.manual_seed(1234);
    var batches = Enumerable.Range(0, steps).Select(_ => torch.rand(shape).DetachFromDisposeScope()).ToList();
    torch.manual_seed(99);
    using var reference = create();
    var state = reference.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
    var (a, ta) = Train(create, state, batches, loss, Device.CPU, compareThreads ? 1 : Math.Min(Environment.ProcessorCount, 16));
    var (b, tb) = Train(create, state, batches, loss, compareThreads ? Device.CPU : Device.CUDA, Environment.ProcessorCount);
    double worst = a.Zip(b).Max(p => Math.Abs(p.First - p.Second) / Math.Max(1e-8, Math.Abs(p.First)));
    bool ok = worst <= tolerance;
    failures += ok ? 0 : 1;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{(ok ? "PASS" : "FAIL")}  {name,-30} losses {string.Join(" ", a.Select(v => v.ToString("0.0000", CultureInfo.InvariantCulture)))}  max rel diff {worst:0.0e+0}  ({ta:0.00} s vs {tb:0.00} s)"));
    foreach (var t in batches) t.Dispose();
    foreach (var t in state.Values) t.Dispose();
}
Console.WriteLine(failures == 0 ? "all models agree" : $"{failures} model(s) disagree");
return failures == 0 ? 0 : 1;

static (double[] losses, double seconds) Train(Func<Module> create, Dictionary<string, Tensor> state, List<Tensor> batches,
    Func<Module, Tensor, Tensor> loss, Device device, int threads)
{
    torch.set_num_threads(threads);
    using var model = create();
    model.load_state_dict(state);
    model.to(device);
    model.train();
    using var opt = torch.optim.Adam(model.parameters(), lr: 1e-4);
    var losses = new List<double>();
    var sw = Stopwatch.StartNew();
    foreach (var batch in batches)
    {
        using var scope = torch.NewDisposeScope();
        opt.zero_grad();
        var l = loss(model, batch.to(device));
        l.backward();
        opt.step();
        losses.Add(l.item<double>());
    }
    if (device.IsCuda) torch.cuda.synchronize();
    return (losses.ToArray(), sw.Elapsed.TotalSeconds);
}
