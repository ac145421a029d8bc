using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Models;
using EcgExperiments.Torch;

namespace EcgExperiments.Training.Reconstruction;

/// <summary>What a saved reconstruction model needs to be rebuilt and fed: its architecture and its input/output leads.</summary>
/// <param name="Length">Samples per lead (the input is interpolated to this length).</param>
/// <param name="Hidden">BiLSTM hidden size per direction.</param>
/// <param name="Layers">BiLSTM layers.</param>
/// <param name="InputLead">Name of the input lead the model was trained on.</param>
/// <param name="LeadNames">Names of the output leads, in output order.</param>
/// <param name="Head">Output head (published attention head, or per-step).</param>
public sealed record ReconstructionModelInfo(int Length, int Hidden, int Layers, string InputLead, IReadOnlyList<string> LeadNames,
    ReconstructorHead Head = ReconstructorHead.Attention)
{
    public int Leads => LeadNames.Count;
}

/// <summary>
/// Saves and loads a trained <see cref="BiLstmAttentionReconstructor"/> as a <see cref="StateFile"/> whose metadata
/// carries <see cref="ReconstructionModelInfo"/> (format "ecg-reconstructor", version 1), so a file alone is
/// enough to convert leads: no code or YAML has to remember the hidden size.
/// </summary>
/// <example><code>
/// ReconstructionModelFile.Save("recon.ecgstate", model, new ReconstructionModelInfo(1000, 400, 3, "I", leadNames));
/// using var converter = ReconstructionModelFile.Load("recon.ecgstate", Device.CPU);
/// </code></example>
public static class ReconstructionModelFile
{
    public const string Format = "ecg-reconstructor";
    public const int FormatVersion = 1;

    public static void Save(string path, BiLstmAttentionReconstructor model, ReconstructionModelInfo info)
    {
        if (model.Length != info.Length || model.Leads != info.Leads || model.Head != info.Head)
            throw new ArgumentException($"model is {model.Leads} × {model.Length} but the info says {info.Leads} × {info.Length}", nameof(info));
        model.save(path, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["length"] = info.Length.ToString(CultureInfo.InvariantCulture),
            ["hidden"] = info.Hidden.ToString(CultureInfo.InvariantCulture),
            ["layers"] = info.Layers.ToString(CultureInfo.InvariantCulture),
            ["input_lead"] = info.InputLead,
            ["lead_names"] = string.Join(",", info.LeadNames),
            ["head"] = info.Head.ToString(),
        });
    }

    /// <summary>Rebuilds the model from <paramref name="path"/> on <paramref name="device"/>; errors name the file and the missing or newer field.</summary>
    public static ReconstructionConverter Load(string path, Device device)
    {
        var (tensors, meta) = StateFile.Load(path);
        try
        {
            string Get(string key) => meta.TryGetValue(key, out var v) ? v
                : throw new EcgDataException($"not a reconstruction model file: metadata '{key}' is missing (save it with ReconstructionModelFile.Save)", path);
            int GetInt(string key) => int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
                : throw new EcgDataException($"metadata '{key}' = '{Get(key)}' is not a positive integer", path);
            if (Get("format") != Format) throw new EcgDataException($"file format is '{meta["format"]}', expected '{Format}'", path);
            if (GetInt("format_version") > FormatVersion)
                throw new EcgDataException($"reconstruction model format version {meta["format_version"]} is newer than this build reads (≤ {FormatVersion}); update EcgExperiments", path);
            // Files written before the head was a choice have no "head": they are the published attention head.
            var head = meta.TryGetValue("head", out var h)
                ? Enum.TryParse<ReconstructorHead>(h, out var parsed) ? parsed : throw new EcgDataException($"metadata 'head' = '{h}' is not a known head ({string.Join(", ", Enum.GetNames<ReconstructorHead>())})", path)
                : ReconstructorHead.Attention;
            var info = new ReconstructionModelInfo(GetInt("length"), GetInt("hidden"), GetInt("layers"), Get("input_lead"), Get("lead_names").Split(','), head);
            var model = new BiLstmAttentionReconstructor(info.Length, info.Leads, info.Hidden, info.Layers, info.Head);
            try
            {
                model.load_state_dict(tensors);
                model.to(device);
                model.eval();
            }
            catch (TorchException e)
            {
                model.Dispose();
                throw new EcgDataException($"the weights do not fit the recorded architecture: {e.Message}", path);
            }
            return new ReconstructionConverter(model, info, device);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}

/// <summary>
/// A trained reconstruction model ready to convert recordings of one lead (any length, any units) into
/// <see cref="ReconstructionModelInfo.Leads"/> × <see cref="ReconstructionModelInfo.Length"/> signals, with the
/// training preprocessing applied. Owns the model.
/// </summary>
public sealed class ReconstructionConverter(Module<Tensor, Tensor> model, ReconstructionModelInfo info, Device device) : IDisposable
{
    public ReconstructionModelInfo Info { get; } = info;
    public Module<Tensor, Tensor> Model { get; } = model;

    /// <summary>Converts each lead; each result is leads × length, row-major (lead-major), as SPEC §2.3 saves it.</summary>
    public float[][] Convert(IReadOnlyList<float[]> leads, int batchSize = 64)
    {
        var result = new float[leads.Count][];
        int t = Info.Length, n = Info.Leads * t;
        Model.eval();
        using var _ = torch.no_grad();
        foreach (var idx in Batches.Sequential(leads.Count, batchSize))
        {
            using var scope = torch.NewDisposeScope();
            var x = new float[idx.Length * t];
            for (int i = 0; i < idx.Length; i++) ReconstructionPreprocessing.Prepare(leads[idx[i]], x.AsSpan(i * t, t));
            var flat = Model.forward(torch.tensor(x, [idx.Length, t], device)).to(ScalarType.Float32).cpu().data<float>();
            for (int i = 0; i < idx.Length; i++) result[idx[i]] = flat.AsSpan(i * n, n).ToArray();
        }
        return result;
    }

    public void Dispose() => Model.Dispose();
}
