using System.CommandLine;
using EcgExperiments.Cli;
using EcgExperiments.Core;
using EcgExperiments.Data.NumPy;
using EcgExperiments.Models;
using EcgExperiments.Torch;
using EcgExperiments.Training.Reconstruction;

namespace EcgExperiments.Training.Generative.Tests;

/// <summary>SPEC §2.3 batch conversion: a folder of single-lead .npy files → a folder of 12 × 1000 float32 .npy files.</summary>
public sealed class ConvertCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecg-convert-").FullName;
    private static readonly string[] Leads = ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SaveModel(out BiLstmAttentionReconstructor model)
    {
        torch.manual_seed(5);
        model = new BiLstmAttentionReconstructor(1000, 12, hidden: 4, layers: 1);
        var path = Path.Combine(_dir, "recon.ecgstate");
        ReconstructionModelFile.Save(path, model, new ReconstructionModelInfo(1000, 4, 1, "I", Leads));
        return path;
    }

    [Fact]
    public void Ecg_convert_writes_12x1000_float32_files_with_the_same_names_and_the_models_outputs()
    {
        var modelPath = SaveModel(out var model);
        using var _ = model;
        var input = Directory.CreateDirectory(Path.Combine(_dir, "in")).FullName;
        var output = Path.Combine(_dir, "out");
        var rng = new Random(1);
        var a = Enumerable.Range(0, 1000).Select(i => (float)Math.Sin(i / 20.0)).ToArray();
        var b = Enumerable.Range(0, 740).Select(_ => rng.NextDouble()).ToArray();        // other length, float64
        var c = Enumerable.Range(0, 5000).Select(i => (float)(i % 360) / 360f).ToArray(); // 500 Hz, shape (1, n)
        NpyFile.Write(Path.Combine(input, "a.npy"), NpyArray.Create(a, 1000));
        NpyFile.Write(Path.Combine(input, "b.npy"), NpyArray.Create(b, 740));
        NpyFile.Write(Path.Combine(input, "c.npy"), NpyArray.Create(c, 1, 5000));

        int rc = new RootCommand { ConvertCommand.Create() }.Parse(["convert", modelPath, input, output]).Invoke();

        Assert.Equal(0, rc);
        Assert.Equal(new[] { "a.npy", "b.npy", "c.npy" }, Directory.GetFiles(output).Select(f => Path.GetFileName(f)).Order().ToArray());
        model.eval();
        foreach (var (name, lead) in new[] { ("a.npy", a), ("b.npy", b.Select(v => (float)v).ToArray()), ("c.npy", c) })
        {
            var written = NpyFile.Read(Path.Combine(output, name));
            Assert.Equal(NpyDType.Float32, written.DType);
            Assert.Equal([12, 1000], written.Shape);
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var x = torch.tensor(ReconstructionPreprocessing.Prepare(lead, 1000), [1, 1000]);
            var expected = model.forward(x).data<float>();                                   // 1 × 12 × 1000, lead-major
            var got = written.As<float>();
            for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 1e-5f);
        }
    }

    [Fact]
    public void Converter_refuses_files_that_are_not_reconstruction_models_and_multi_lead_inputs()
    {
        var modelPath = SaveModel(out var model);
        using var _ = model;
        var other = Path.Combine(_dir, "plain.ecgstate");
        model.save(other);
        Assert.Contains("metadata 'format' is missing", Assert.Throws<EcgDataException>(() => ReconstructionModelFile.Load(other, Device.CPU)).Message);

        var input = Directory.CreateDirectory(Path.Combine(_dir, "in2")).FullName;
        NpyFile.Write(Path.Combine(input, "two.npy"), NpyArray.Create(new float[2 * 100], 2, 100));
        var e = Assert.Throws<EcgDataException>(() => ConvertCommand.ConvertFolder(modelPath, input, Path.Combine(_dir, "o2"), Device.CPU));
        Assert.Contains("expected one lead", e.Message);
        Assert.Contains("two.npy", e.Message);
    }
}
