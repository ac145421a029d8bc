namespace EcgExperiments.Experiments.Tests;

/// <summary>Writes YAML snippets to temporary experiment files.</summary>
internal static class SpecFiles
{
    public const string Minimal = """
        name: tiny
        seed: 3
        data: { type: synthetic, records: 80, effect: 1.0 }
        pipeline:
          - type: zscore
        model: { type: cnn2d, widths: [4, 8], kernel: 9, kernel_height: 3, padding: [1, 0], pool: [2, 4], squeeze_excitation: true, se_reduction: 2, dropout: 0.1 }
        training: { epochs: 4, batch_size: 16, learning_rate: 0.003, select_by: macro_f1 }
        evaluation: { bootstrap_resamples: 200 }
        """;

    public static string Write(string yaml, string name = "spec.yaml")
    {
        var dir = Directory.CreateTempSubdirectory("ecg-spec-").FullName;
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, yaml.Replace("\r\n", "\n"));
        return path;
    }
}

/// <summary>An observer that prints nothing: it keeps the info lines for tests that check them and drops progress.</summary>
internal sealed class Quiet : EcgExperiments.Experiments.Running.IRunObserver
{
    public List<string> Lines { get; } = [];
    public void Info(string message) => Lines.Add(message);
    public void Progress(EcgExperiments.Training.TrainingProgress progress) { }
}

/// <summary>Cancels a run when training reports progress in <paramref name="epoch"/> (after the epoch before it was checkpointed).</summary>
internal sealed class CancelInEpoch(int epoch, CancellationTokenSource cts) : EcgExperiments.Experiments.Running.IRunObserver
{
    public void Info(string message) { }
    public void Progress(EcgExperiments.Training.TrainingProgress progress)
    {
        if (progress.Epoch == epoch) cts.Cancel();
    }
}
