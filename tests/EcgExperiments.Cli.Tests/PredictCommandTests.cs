using System.IO.Compression;
using System.Text.Json.Nodes;
using EcgExperiments.Data.NumPy;
using EcgExperiments.Data.Wfdb;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Cli.Tests;

/// <summary>
/// A trained model file, loaded by `ecg predict` in a fresh process without the YAML, gives exactly the predictions the
/// training process wrote for the same records; new records it cannot take fail with a message naming the file.
/// </summary>
public sealed class PredictCommandTests
{
    private static (int code, string stdout, string stderr) Ecg(params string[] args) => EcgProcess.Run(null, null, args);

    private static readonly Lazy<string> TrainedModel = new(Train);

    /// <summary>The small §2.1 spec (NORM vs HYP on the shared PTB-XL records, z-score pipeline, ResNet1d), 2 epochs, in its own process.</summary>
    private static string Train()
    {
        var results = Directory.CreateTempSubdirectory("ecg-predict-").FullName;
        var spec = Path.Combine(EcgExperiments.Core.ProjectPaths.RepositoryRoot!, "experiments", "ptbxl-hyp-honest-small.yaml");
        var (code, stdout, stderr) = Ecg("run", spec, "--epochs", "2", "--threads", "1", "--output", results);
        Assert.True(code == 0, stdout + stderr);
        return Directory.GetFiles(results, "model.ecgmodel", SearchOption.AllDirectories).Single();
    }

    [RealDataFact("ptbxl")]
    public void A_fresh_process_predicts_exactly_what_the_training_process_wrote()
    {
        var model = TrainedModel.Value;
        var written = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(model)!, "predictions.csv"));
        Assert.Equal("id,patient,label,p_NORM,p_HYP", written[0]);
        Assert.Equal(36, written.Length);

        // The run's test records, as plain WFDB records in a folder of their own (the same rows in the same order, so the
        // network sees the same batch at the same thread count: bit-identical, not just close).
        var folder = Directory.CreateTempSubdirectory("ecg-predict-records-").FullName;
        foreach (var id in written.Skip(1).Select(l => int.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture)))
            foreach (var ext in new[] { ".hea", ".dat" })
                File.CreateSymbolicLink(Path.Combine(folder, $"{id:D5}_lr{ext}"), Path.Combine(RealData.PtbXl, "records100", "00000", $"{id:D5}_lr{ext}"));
        var output = Path.Combine(Path.GetDirectoryName(model)!, "new-predictions.csv");
        var (code, _, stderr) = Ecg("predict", model, folder, "-o", output, "--threads", "1");
        Assert.True(code == 0, stderr);
        Assert.Contains("predictions/s", stderr);
        var predicted = File.ReadAllLines(output);
        Assert.Equal("id,p_NORM,p_HYP,predicted_label,threshold", predicted[0]);
        var byId = predicted.Skip(1).Select(l => l.Split(',')).ToDictionary(f => int.Parse(f[0].Replace("_lr", ""), System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(35, byId.Count);
        // The training process's predictions of its test records: identical to the last digit.
        foreach (var row in written.Skip(1).Select(l => l.Split(',')))
        {
            Assert.Equal(row[3], byId[row[0]][1]);
            Assert.Equal(row[4], byId[row[0]][2]);
        }

        // The whole PTB-XL folder (every record, read the way the model's source reads them) predicts too.
        (code, _, stderr) = Ecg("predict", model, RealData.PtbXl, "-o", output);
        Assert.True(code == 0, stderr);
        Assert.Equal(401, File.ReadAllLines(output).Length);
        // The threshold chosen on validation is the one in the run record, and the labels follow it.
        var threshold = JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(model)!, "run.json")))!["decision_threshold"]!["value"]!.GetValue<double>();
        Assert.All(byId.Values, f => Assert.Equal(threshold, double.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture), 12));
        Assert.Contains(byId.Values, f => f[3] == "HYP");
        Assert.All(byId.Values, f => Assert.Equal(double.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture) >= threshold ? "HYP" : "NORM", f[3]));
    }

    /// <summary>
    /// <c>--precision bf16</c> on every shared PTB-XL record: the same decisions as fp32 on at least 95 % of the records and
    /// p(HYP) within 0.01 of fp32's (bf16 keeps 8 significant bits, so a probability near the threshold may cross it;
    /// measured: 399 of 400 labels agree, p(HYP) differs by 0.0004 on average and 0.0017 at most).
    /// </summary>
    [Bf16Fact("ptbxl")]
    public void Bf16_predicts_the_same_labels_as_fp32_on_most_records_with_close_probabilities()
    {
        var model = TrainedModel.Value;
        var dir = Directory.CreateTempSubdirectory("ecg-predict-bf16-").FullName;
        var (fp32Csv, bf16Csv) = (Path.Combine(dir, "fp32.csv"), Path.Combine(dir, "bf16.csv"));
        var (code, _, stderr) = Ecg("predict", model, RealData.PtbXl, "-o", fp32Csv, "--threads", "1");
        Assert.True(code == 0, stderr);
        (code, _, stderr) = Ecg("predict", model, RealData.PtbXl, "-o", bf16Csv, "--threads", "1", "--precision", "bf16");
        Assert.True(code == 0, stderr);
        Assert.Contains("in bf16", stderr);

        var fp32 = File.ReadAllLines(fp32Csv);
        var bf16 = File.ReadAllLines(bf16Csv);
        Assert.Equal(fp32[0], bf16[0]);
        Assert.Equal(401, bf16.Length);
        var rows = fp32.Skip(1).Zip(bf16.Skip(1), (a, b) => (a: a.Split(','), b: b.Split(','))).ToArray();
        Assert.All(rows, r => Assert.Equal(r.a[0], r.b[0]));
        var pHyp = rows.Select(r => (a: Number(r.a[2]), b: Number(r.b[2]))).ToArray();
        double largest = pHyp.Max(p => Math.Abs(p.a - p.b));
        int sameLabel = rows.Count(r => r.a[3] == r.b[3]);
        Assert.True(largest <= 0.01, $"p(HYP) differs by up to {largest:F4}");
        Assert.True(largest > 0, "bf16 gave fp32's probabilities to the last digit: autocast did not run");
        Assert.True(sameLabel >= 0.95 * rows.Length, $"{sameLabel} of {rows.Length} labels agree");

        static double Number(string s) => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Bf16_is_refused_before_anything_is_read_where_the_processor_lacks_it()
    {
        // The processor check is injected: the refusal is tested on any machine, bf16 or not.
        var error = new StringWriter();
        var predict = PredictCommand.Create(body => ErrorBoundary.Run(body, error), cpuSupportsBf16: () => false);
        int code = new System.CommandLine.RootCommand { predict }.Parse(["predict", "no-such.ecgmodel", "no-such-records", "--precision", "bf16"]).Invoke();
        Assert.Equal(ExitCodes.InvalidSpecOrFlag, code);
        Assert.Equal("error: --precision bf16 needs a processor with AVX512-BF16 or AMX-BF16 (this one reports neither in /proc/cpuinfo); use --precision fp32",
            error.ToString().Trim());

        // fp32 is not refused there: the same command goes on to the model file (and fails on that instead).
        error.GetStringBuilder().Clear();
        code = new System.CommandLine.RootCommand { predict }.Parse(["predict", "no-such.ecgmodel", "no-such-records"]).Invoke();
        Assert.Equal(ExitCodes.InvalidData, code);
        Assert.Contains("no-such.ecgmodel", error.ToString());

        // A precision that does not exist fails while the command line is parsed, naming the flag.
        var (exit, _, stderr) = Ecg("predict", "no-such.ecgmodel", "no-such-records", "--precision", "fp16");
        Assert.Equal(ExitCodes.InvalidSpecOrFlag, exit);
        Assert.Contains("--precision: expected fp32 or bf16, got 'fp16'", stderr);
    }

    [RealDataFact("ptbxl", "mitbih")]
    public void New_records_the_model_cannot_take_fail_naming_the_file()
    {
        var model = TrainedModel.Value;
        var dir = Directory.CreateTempSubdirectory("ecg-predict-bad-").FullName;

        // Another lead layout: a two-lead MIT-BIH record for a 12-lead model.
        var (code, _, stderr) = Ecg("predict", model, Path.Combine(RealData.MitBih, "100"));
        Assert.Equal(ExitCodes.InvalidData, code);
        Assert.Contains("100.hea", stderr);
        Assert.Contains("the model needs leads [I, II, III, AVR, AVL, AVF, V1, V2, V3, V4, V5, V6]; this record has [MLII, V5]", stderr);

        // Another sampling rate, and the pipeline (z-score only) has no resample stage.
        var record = WfdbReader.Read(Path.Combine(RealData.PtbXl, "records100", "00000", "00001_lr"));
        var twice = WfdbRecordToWrite.From(record, "fast") with { SamplingFrequency = 200 };   // the same samples, claimed at 200 Hz
        var written = WfdbWriter.Write(dir, twice);
        (code, _, stderr) = Ecg("predict", model, written);
        Assert.Equal(ExitCodes.InvalidData, code);
        Assert.Contains("fast.hea", stderr);
        Assert.Contains("200 Hz", stderr);
        Assert.Contains("no resample stage", stderr);

        // An array of the wrong size.
        NpyFile.Write(Path.Combine(dir, "short.npy"), NpyArray.Create(new float[12 * 500], 12, 500));
        (code, _, stderr) = Ecg("predict", model, Path.Combine(dir, "short.npy"));
        Assert.Equal(ExitCodes.InvalidData, code);
        Assert.Contains("short.npy", stderr);
        Assert.Contains("the model reads [12 × 1000] arrays", stderr);

        // A model file written by a newer version of the framework.
        var newer = Path.Combine(dir, "newer.ecgmodel");
        File.Copy(model, newer);
        using (var zip = ZipFile.Open(newer, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("manifest.json")!;
            JsonObject manifest;
            using (var r = new StreamReader(entry.Open())) manifest = JsonNode.Parse(r.ReadToEnd())!.AsObject();
            manifest["version"] = 99;
            entry.Delete();
            using var w = new StreamWriter(zip.CreateEntry("manifest.json").Open());
            w.Write(manifest.ToJsonString());
        }
        (code, _, stderr) = Ecg("predict", newer, Path.Combine(dir, "short.npy"));
        Assert.Equal(ExitCodes.InvalidData, code);
        Assert.Contains("newer.ecgmodel", stderr);
        Assert.Contains("format version 99, newer than this build reads (1); update the framework", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
