using System.Globalization;
using System.Text.Json;
using EcgExperiments.Core;
using EcgExperiments.Data.NumPy;
using EcgExperiments.Data.Wfdb;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Sources;
using EcgExperiments.Pipeline;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Prediction;

/// <summary>
/// New records as the rows a saved model reads: WFDB records (one file, a folder, a PTB-XL or MIT-BIH folder) and
/// <c>.npy</c> arrays. Rows are built the way the model's data source built its training rows (a beat model cuts beats
/// at the annotated R peaks of each record; a record model takes the whole record), and each is checked against the
/// model's input (leads, length, sampling rate) with an error naming the file.
/// </summary>
/// <example><code>
/// using var model = EcgModelFile.Load("model.ecgmodel");
/// EcgDataView rows = EcgRecords.Load(model, "mitdb/208");      // a record path, a folder, or .npy files
/// foreach (var p in ModelPredictions.Read(model, model.Predict(rows))) Console.WriteLine($"{p.Id} {p.PredictedLabel}");
/// </code></example>
public static class EcgRecords
{
    /// <summary>Rows from <paramref name="input"/>: a <c>.npy</c> file or folder of them, a WFDB record (with or without <c>.hea</c>), or a folder of records.</summary>
    public static EcgDataView Load(EcgModel model, string input)
    {
        var full = Path.GetFullPath(input);
        if (File.Exists(full) && full.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) return FromNpy(model, [full]);
        if (Directory.Exists(full))
        {
            var npy = Directory.GetFiles(full, "*.npy").Order(StringComparer.Ordinal).ToArray();
            var headers = Directory.GetFiles(full, "*.hea").Order(StringComparer.Ordinal).ToArray();
            if (npy.Length > 0 && headers.Length == 0) return FromNpy(model, npy);
            if (model.Manifest.DataType == "mitbih_beats") return MitBihBeats(model, full, null);
            if (File.Exists(Path.Combine(full, "ptbxl_database.csv")) && model.Manifest.DataType == "ptbxl") return PtbXl(model, full);
            if (headers.Length == 0) throw new EcgDataException("no WFDB records (.hea) or .npy files in this folder", full);
            return FromWfdb(model, headers.Select(h => h[..^4]).ToArray());
        }
        var record = full.EndsWith(".hea", StringComparison.OrdinalIgnoreCase) ? full[..^4] : full;
        if (!File.Exists(record + ".hea")) throw new EcgDataException("not found: give a WFDB record (its .hea), a folder of records, or .npy files", input);
        if (model.Manifest.DataType == "mitbih_beats") return MitBihBeats(model, Path.GetDirectoryName(record)!, [Path.GetFileName(record)]);
        return FromWfdb(model, [record]);
    }

    /// <summary>Whole records as rows: the model's leads (by name), all samples.</summary>
    public static EcgDataView FromWfdb(EcgModel model, IReadOnlyList<string> records)
    {
        var input = model.InputSchema;
        if (input.ItemShape.Count != 2)
            throw new EcgDataException($"this model reads {input.ShapeText} items from its {model.Manifest.DataType} source, not whole records; give .npy arrays of that shape", records.FirstOrDefault());
        var wanted = input.LeadNames ?? [];
        var rows = new List<float[]>();
        var ids = new List<string>();
        EcgSchema? schema = null;
        foreach (var path in records)
        {
            var signal = WfdbReader.Read(path).ToEcgSignal();
            var leads = wanted.Count > 0 ? wanted : signal.LeadNames;
            var values = new float[leads.Count * signal.Length];
            for (int l = 0; l < leads.Count; l++)
            {
                int from = signal.IndexOfLead(leads[l]);
                if (from < 0)
                    throw new EcgDataException($"the model needs leads [{string.Join(", ", wanted)}]; this record has [{string.Join(", ", signal.LeadNames)}] (no {leads[l]})", path + ".hea");
                signal.Leads[from].CopyTo(values, l * signal.Length);
            }
            var s = new EcgSchema([leads.Count, signal.Length], signal.SamplingRate, input.ClassNames, leads.ToArray());
            if (schema is not null && !schema.SameAs(s))
                throw new EcgDataException($"records differ: {s} here, {schema} before; predict them separately or resample them to one rate and length", path + ".hea");
            schema ??= s;
            try { model.Check(s); }
            catch (SchemaException e) { throw new EcgDataException(e.Message, path + ".hea"); }
            rows.Add(values);
            ids.Add(Path.GetFileName(path));
        }
        return new InMemoryDataView(schema!, new ExampleIndex(ids, ids, new int[ids.Count]), rows);
    }

    /// <summary>
    /// Beats of MIT-BIH-style records (signals with <c>.atr</c> annotations) cut exactly as the model's training data
    /// was (window, lead, filter), from <paramref name="folder"/>; <paramref name="records"/> null = every record there.
    /// </summary>
    public static EcgDataView MitBihBeats(EcgModel model, string folder, IReadOnlyList<string>? records)
    {
        var options = model.Manifest.DataOptions.Deserialize<MitBihBeatsSourceOptions>(RunRecordFile.Json)!
            with { Folder = folder, Records = records, ExcludePaced = records is null && model.Manifest.DataOptions["exclude_paced"]?.GetValue<bool>() == true };
        var source = new MitBihBeatsSource(options);
        return source.Load();
    }

    /// <summary>Every record of a PTB-XL folder, as the model's source reads them.</summary>
    public static EcgDataView PtbXl(EcgModel model, string folder)
    {
        var options = model.Manifest.DataOptions.Deserialize<PtbXlSourceOptions>(RunRecordFile.Json)! with { Folder = folder, Task = PtbXlTask.AllRecords };
        var view = new PtbXlSource(options).Load();
        return view;
    }

    /// <summary>Arrays shaped like the model's rows (or their flat size), one per file.</summary>
    public static EcgDataView FromNpy(EcgModel model, IReadOnlyList<string> files)
    {
        var input = model.InputSchema;
        var rows = new List<float[]>();
        foreach (var f in files)
        {
            var a = NpyFile.Read(f);
            if (a.Count != input.ItemSize)
                throw new EcgDataException($"holds shape ({string.Join(", ", a.Shape)}); the model reads {input.ShapeText} arrays ({input.ItemSize} values){(input.SamplingRate is { } fs ? $" at {fs.ToString("0.###", CultureInfo.InvariantCulture)} Hz" : "")}", f);
            var values = a.DType switch
            {
                NpyDType.Float32 => a.As<float>(),
                NpyDType.Float64 => a.As<double>().Select(v => (float)v).ToArray(),
                _ => throw new EcgDataException($"expected float32 or float64 samples, got {a.DType}", f),
            };
            if (Array.FindIndex(values, v => !float.IsFinite(v)) is var bad and >= 0)
                throw new EcgDataException($"sample {bad} is not a finite number ({values[bad]})", f);
            rows.Add(values);
        }
        var ids = files.Select(Path.GetFileNameWithoutExtension).Select(n => n!).ToArray();
        return new InMemoryDataView(input, new ExampleIndex(ids, ids, new int[ids.Length]), rows);
    }
}

/// <summary>
/// One prediction: the example, its class probabilities or anomaly score, and the decision (multi-label: the labels
/// predicted present, ';'-separated, each at its own threshold).
/// </summary>
public sealed record ModelPrediction(string Id, IReadOnlyDictionary<string, double> Probabilities, double? Score, string PredictedLabel, double? Threshold);

/// <summary>Reads a prediction view into typed rows (the prediction-engine-style output).</summary>
public static class ModelPredictions
{
    public static IReadOnlyList<ModelPrediction> Read(EcgModel model, PredictionView view)
    {
        var columns = view.ReadAll();
        var classes = model.Predictor.InputSchema.ClassNames;
        var list = new List<ModelPrediction>(view.Count);
        for (int i = 0; i < view.Count; i++)
        {
            var id = view.Index.Ids[i];
            switch (model.Manifest.Task)
            {
                case TaskKind.Classification when classes.Count == 2:
                    double p = columns[EcgColumns.Probability][i];
                    list.Add(new ModelPrediction(id, new Dictionary<string, double> { [classes[0]] = 1f - (float)p, [classes[1]] = p }, null,
                        columns[EcgColumns.PredictedLabel][i] != 0 ? classes[1] : classes[0], model.Manifest.Threshold ?? 0.5));
                    break;
                case TaskKind.MultiLabel:
                    var sigmoid = Enumerable.Range(0, classes.Count).ToDictionary(k => classes[k], k => (double)columns[EcgColumns.Score][i * classes.Count + k]);
                    var present = Enumerable.Range(0, classes.Count).Where(k => columns[EcgColumns.PredictedLabel][i * classes.Count + k] != 0).Select(k => classes[k]);
                    list.Add(new ModelPrediction(id, sigmoid, null, string.Join(";", present), null));
                    break;
                case TaskKind.Classification:
                    var probs = Enumerable.Range(0, classes.Count).ToDictionary(k => classes[k], k => (double)columns[EcgColumns.Score][i * classes.Count + k]);
                    list.Add(new ModelPrediction(id, probs, null, classes[(int)columns[EcgColumns.PredictedLabel][i] - 1], null));
                    break;
                case TaskKind.Anomaly:
                    double score = columns[EcgColumns.Score][i];
                    var label = columns.TryGetValue(EcgColumns.PredictedLabel, out var pl) ? (pl[i] != 0 ? "anomaly" : "normal") : "";
                    list.Add(new ModelPrediction(id, new Dictionary<string, double>(), score, label, model.Manifest.Threshold));
                    break;
                default:
                    throw new ArgumentException($"predictions of {model.Manifest.Task.Text()} models are reconstructed signals; use `ecg convert` for them");
            }
        }
        return list;
    }

    /// <summary>The tidy predictions CSV: id, one probability per class (or the score), the predicted label and the threshold.</summary>
    public static string Csv(EcgModel model, IReadOnlyList<ModelPrediction> rows)
    {
        var classes = model.Predictor.InputSchema.ClassNames;
        bool anomaly = model.Manifest.Task == TaskKind.Anomaly;
        string N(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";
        var header = anomaly ? new List<string> { "id", "score", "predicted_label", "threshold" }
            : ["id", .. classes.Select(c => $"p_{c}"), "predicted_label", "threshold"];
        return Core.Csv.Write(header, rows.Select(r => anomaly
            ? new[] { r.Id, N(r.Score), r.PredictedLabel, N(r.Threshold) }
            : [r.Id, .. classes.Select(c => N(r.Probabilities[c])), r.PredictedLabel, N(r.Threshold)]));
    }
}
