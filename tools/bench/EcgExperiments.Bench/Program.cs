// Benchmarks against peers measured in the same run (run them with `./ecg bench [mode] [options]`).
//   models (default)   every seed model's training step vs PyTorch, 1 and 2 threads (ModelBench.cs)
//   profile MODEL      where one model's training step spends its time, ours vs PyTorch, per libtorch operator
//   epoch              the whole SPEC 2.2 experiment for one epoch (CLI as a subprocess) vs PyTorch + numpy
//   mitbih-images      all 48 MIT-BIH records -> every AAMI beat -> 64x64 STFT images (SPEC 2.2) vs numpy/scipy
//   wfdb-read [N]      all 48 MIT-BIH records read and converted to float32 physical values (MB/s) vs numpy
using EcgExperiments.Bench;

var mode = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "models";
var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
try
{
    return mode switch
    {
        "models" => ModelBench.Run(rest),
        "profile" => StepProfile.Run(rest),
        "epoch" => EpochBench.Run(rest),
        "mitbih-images" => MitBihImages.Run(rest),
        "wfdb-read" => WfdbRead.Run(rest),
        _ => Usage($"unknown benchmark '{mode}'"),
    };
}
catch (ArgumentException e)
{
    return Usage(e.Message);
}

static int Usage(string problem)
{
    Console.Error.WriteLine($"{problem}\nusage: ecg bench [models|profile MODEL|epoch|mitbih-images|wfdb-read] [options]; see tools/bench/EcgExperiments.Bench/ModelBench.cs");
    return 2;
}
