using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Prediction;
using EcgExperiments.Torch;
using EcgExperiments.Training;

namespace EcgExperiments.Cli;

/// <summary>
/// <c>ecg predict MODEL INPUT [-o predictions.csv]</c>: applies a saved model (fitted pipeline + network) to new records —
/// a WFDB record, a folder of records, a PTB-XL or MIT-BIH folder, or <c>.npy</c> arrays — and writes a tidy CSV: id, the
/// probability of each class (or the anomaly score), the predicted label and the threshold chosen on validation.
/// <c>--precision bf16</c> runs the network under bf16 autocast (refused where the processor has no native bf16).
/// </summary>
internal static class PredictCommand
{
    /// <param name="guarded">The error boundary the action runs in.</param>
    /// <param name="cpuSupportsBf16">Replaces the processor's bf16 check (tests exercise the refusal with it); null = the real check.</param>
    public static Command Create(Func<Func<int>, int> guarded, Func<bool>? cpuSupportsBf16 = null)
    {
        var model = new Argument<string>("model") { Description = "model file (model.ecgmodel in a run folder)" };
        var input = new Argument<string>("input") { Description = "a WFDB record, a folder of records, a PTB-XL or MIT-BIH folder, or .npy file(s)" };
        var output = Flags.OutputFile("--output", "CSV file to write (default: print to the console)", "-o");
        var device = Flags.Device("--device", "cpu, cuda, cuda:N or auto (default cpu)");
        var threads = Flags.Threads("--threads", "libtorch threads: auto (the model's policy) or a number");
        var precision = Flags.Precision("--precision", "fp32 (default) or bf16: the network's forward passes under bf16 autocast (needs AVX512-BF16 or AMX on a CPU)");
        var command = new Command("predict", "Predict new records with a saved model (classification and anomaly models)") { model, input, output, device, threads, precision };
        command.SetAction(p => guarded(() => Predict(p.GetValue(model)!, p.GetValue(input)!, p.GetValue(output), p.GetValue(device), p.GetValue(threads),
            p.GetValue(precision), cpuSupportsBf16)));
        return command;
    }

    private static int Predict(string modelPath, string input, string? output, string? device, string? threads, Precision precision, Func<bool>? cpuSupportsBf16)
    {
        var dev = Device.Parse(device ?? "cpu");
        PrecisionSupport.EnsureSupported(precision, dev, "--precision", cpuSupportsBf16); // before reading the model or any record
        using var model = EcgModelFile.Load(modelPath, dev);
        torch.set_num_threads(ThreadPolicy.Resolve(threads ?? "auto", model.Kind).Threads);
        var clock = Stopwatch.StartNew();
        var rows = EcgRecords.Load(model, input);
        var read = clock.Elapsed;
        var predictions = ModelPredictions.Read(model, model.Predict(rows, precision));
        var total = clock.Elapsed;
        var csv = ModelPredictions.Csv(model, predictions);
        if (output is null) Console.Write(csv);
        else
        {
            AtomicFile.WriteAllText(output, csv);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{predictions.Count} prediction(s) by {model.Manifest.ModelDescription}{(precision == Precision.Bf16 ? " in bf16" : "")} → {output} ({total.TotalSeconds:0.0} s: reading {read.TotalSeconds:0.0} s, " +
                $"pipeline and model {(total - read).TotalSeconds:0.0} s, {predictions.Count / Math.Max(1e-9, (total - read).TotalSeconds):0} predictions/s)"));
        }
        return 0;
    }
}
