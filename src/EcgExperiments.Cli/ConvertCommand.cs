using System.CommandLine;
using EcgExperiments.Core;
using EcgExperiments.Data.NumPy;
using EcgExperiments.Torch;
using EcgExperiments.Experiments.Prediction;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Models;
using EcgExperiments.Training;
using EcgExperiments.Training.Reconstruction;

namespace EcgExperiments.Cli;

/// <summary>What <see cref="ConvertCommand.ConvertFolder"/> did.</summary>
/// <param name="Converted">Output files written, by input file name.</param>
/// <param name="Leads">Leads per output file.</param>
/// <param name="Length">Samples per lead in the outputs.</param>
public sealed record ConversionSummary(IReadOnlyList<string> Converted, int Leads, int Length);

/// <summary>
/// <c>ecg convert MODEL INPUT_DIR OUTPUT_DIR</c>: SPEC §2.3 batch conversion. Every <c>.npy</c> file of INPUT_DIR
/// holds one lead (a 1-D float32/float64 array of any length, or shape (1, n)); OUTPUT_DIR receives a file of the
/// same name holding the reconstructed leads × length float32 array (12 × 1000 for the published model). The model
/// file is a run's model.ecgmodel (or a file written by <see cref="ReconstructionModelFile.Save"/>); it carries the
/// architecture and the input lead.
/// </summary>
/// <example><code>
/// ecg convert results/ptbxl-reconstruction-small/&lt;key&gt;/model.ecgmodel single_lead/ twelve_lead/ --device auto
/// </code></example>
public static class ConvertCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "reconstruction model: the model.ecgmodel of a run folder (or a reconstruction .ecgstate file)" };
        var input = new Argument<string>("input") { Description = "folder of single-lead .npy files (1-D arrays)" };
        var output = new Argument<string>("output") { Description = "folder for the reconstructed leads × samples .npy files (same names)" };
        var device = Flags.Device("--device", "cpu, cuda, cuda:N or auto (default cpu)");
        var command = new Command("convert", "Reconstruct 12-lead ECGs from a folder of single-lead .npy files (SPEC 2.3)") { model, input, output, device };
        command.SetAction(p => ErrorBoundary.Run(() =>
        {
            var summary = ConvertFolder(p.GetValue(model)!, p.GetValue(input)!, p.GetValue(output)!, Device.Parse(p.GetValue(device) ?? "cpu"));
            Console.WriteLine($"converted {summary.Converted.Count} file(s) to {summary.Leads} × {summary.Length} in {p.GetValue(output)}");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Converts every <c>*.npy</c> of <paramref name="inputFolder"/> (sorted by name) into <paramref name="outputFolder"/>.</summary>
    public static ConversionSummary ConvertFolder(string modelPath, string inputFolder, string outputFolder, Device device, int batchSize = 64)
    {
        if (!Directory.Exists(inputFolder)) throw new EcgDataException("input folder not found", inputFolder);
        var files = Directory.GetFiles(inputFolder, "*.npy").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new EcgDataException("no .npy files in the input folder", inputFolder);
        if (Path.GetFullPath(inputFolder) == Path.GetFullPath(outputFolder))
            throw new ArgumentException($"the output folder is the input folder ({inputFolder}); the inputs would be overwritten");
        // Every input is read and checked before the model loads or anything is written: a bad file fails the whole
        // conversion at once, naming it, instead of after a folder of partial outputs.
        var allLeads = files.Select(ReadLead).ToArray();
        using var converter = OpenConverter(modelPath, device);
        Directory.CreateDirectory(outputFolder);
        var written = new List<string>();
        foreach (var (chunk, start) in files.Chunk(batchSize).Select((c, i) => (c, i * batchSize)))
        {
            var leads = allLeads[start..(start + chunk.Length)];
            var outputs = converter.Convert(leads, batchSize);
            for (int i = 0; i < chunk.Length; i++)
            {
                var name = Path.GetFileName(chunk[i]);
                NpyFile.Write(Path.Combine(outputFolder, name), NpyArray.Create(outputs[i], converter.Info.Leads, converter.Info.Length));
                written.Add(name);
            }
        }
        return new ConversionSummary(written, converter.Info.Leads, converter.Info.Length);
    }

    /// <summary>A converter from a run's model file (model.ecgmodel) or a reconstruction state file.</summary>
    public static ReconstructionConverter OpenConverter(string path, Device device)
    {
        if (!path.EndsWith(".ecgmodel", StringComparison.OrdinalIgnoreCase)) return ReconstructionModelFile.Load(path, device);
        var model = EcgModelFile.Load(path, device);
        if (model.Predictor is not ReconstructionPredictor predictor)
        {
            model.Dispose();
            throw new ArgumentException($"{path} holds a {model.Manifest.Task.Text()} model; convert needs a reconstruction model (bilstm_attention); use `ecg predict` for it");
        }
        var o = model.Manifest.ModelOptions;
        var schema = predictor.InputSchema;
        var info = new ReconstructionModelInfo((int)schema.ItemShape[1], o["hidden"]!.GetValue<int>(), o["layers"]!.GetValue<int>(),
            o["input_lead"]!.GetValue<string>(), schema.LeadNames ?? [],
            Enum.Parse<ReconstructorHead>(o["head"]!.GetValue<string>().Replace("_", ""), ignoreCase: true));
        return new ReconstructionConverter((Module<Tensor, Tensor>)predictor.Network, info, device);
    }

    private static int NonFiniteCount(float[] samples) => samples.Count(v => !float.IsFinite(v));

    private static float[] ReadLead(string path)
    {
        var a = NpyFile.Read(path);
        bool oneLead = a.Shape.Count == 1 || (a.Shape.Count == 2 && (a.Shape[0] == 1 || a.Shape[1] == 1));
        if (!oneLead || a.Count < 2)
            throw new EcgDataException($"expected one lead (a 1-D array of at least 2 samples), got shape ({string.Join(", ", a.Shape)})", path);
        var samples = a.DType switch
        {
            NpyDType.Float32 => a.As<float>(),
            NpyDType.Float64 => a.As<double>().Select(v => (float)v).ToArray(),
            _ => throw new EcgDataException($"expected float32 or float64 samples, got {a.DType}", path),
        };
        // A NaN or an overflow (±1e308 read as float) would come out as a NaN 12-lead ECG without a word.
        int bad = Array.FindIndex(samples, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new EcgDataException($"sample {bad} is {(float.IsNaN(samples[bad]) ? "NaN" : "beyond the float32 range")} ({NonFiniteCount(samples)} non-finite sample(s)); " +
                                       "a lead with gaps cannot be reconstructed: fill or drop them first", path);
        return samples;
    }
}
