using System.Text.Json.Nodes;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Tests;

/// <summary>
/// The non-classification tasks through the YAML runner on synthetic data (no real data needed): the run record
/// states the task, its tidy table, the baseline and the artefacts, and `verify` reads the same table back.
/// </summary>
public sealed class TaskRunTests
{
    private const string Common = """
        seed: 5
        threads: 1
        data: { type: synthetic, records: 120, hypertrophy_fraction: 0.3, effect: 1.0 }
        split: { kind: kfold, folds: 4, fold: 1, validation_fraction: 0.2, allow_patient_overlap: true }
        evaluation: { bootstrap_resamples: 100, normal_class: NORM, score_scaling: min_max_from_validation }
        """;

    private static (RunOutcome outcome, JsonObject record) Run(string yaml)
    {
        var e = SpecLoader.Load(SpecFiles.Write(yaml));
        var results = Directory.CreateTempSubdirectory("ecg-task-").FullName;
        var o = ExperimentRunner.Run(e, new RunOptions { OutputDirectory = results, Device = "cpu" }, new Quiet());
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(o.RunDirectory, "run.json")))!.AsObject();
        return (o, record);
    }

    [Fact]
    public void Autoencoder_anomaly_task_records_its_scores_table_threshold_and_baseline()
    {
        var (o, record) = Run("name: ae-task\n" + Common + """

            pipeline:
              - { type: select_leads, leads: [II] }
              - { type: resample, target_rate: 10 }
            model: { type: lstm_ae, embedding: 4 }
            training: { epochs: 2, batch_size: 8, learning_rate: 0.003 }
            """);
        Assert.Equal(TrialStatus.Completed, o.Status);
        Assert.Equal(TaskKind.Anomaly, o.Task);
        Assert.Equal("anomaly", record["task"]!.GetValue<string>());
        // classes [normal, anomaly], anomaly positive; kfold fold 1 of 4 → 30 test records
        Assert.Equal(30, o.Classification!.SampleCount);
        Assert.Equal(["normal", "anomaly"], o.Classification.ClassNames);
        Assert.InRange(o.Metric("roc_auc")!.Value, 0, 1);
        Assert.Equal(0.5, o.BaselineMetric("roc_auc")!.Value, 9);
        // the constant baseline's AP is the anomaly prevalence of the test fold
        var anomalies = o.Classification.PerClass[1].Support;
        Assert.Equal(anomalies / 30.0, o.BaselineMetric("average_precision")!.Value, 9);
        Assert.Equal("MinMaxFromValidation", record["task_details"]!["score_scaling"]!.GetValue<string>());
        Assert.NotNull(record["decision_threshold"]!["value"]);
        Assert.NotNull(record["task_details"]!["per_class_vs_normal"]!["HYP"]);
        // LSTM AE E=4: parameters of enc1 LSTM(1→8), enc2 LSTM(8→4), dec1 LSTM(4→4), dec2 LSTM(4→8), linear(8→1)
        int Lstm(int i, int h) => 4 * h * (i + h + 2);
        Assert.Equal(Lstm(1, 8) + Lstm(8, 4) + Lstm(4, 4) + Lstm(4, 8) + 9, (int)o.Metric("parameters")!.Value);
        var scores = File.ReadAllLines(Path.Combine(o.RunDirectory, "predictions.csv"));
        Assert.Equal(31, scores.Length);
        Assert.Equal(o.Metrics.Select(m => (m.Metric, m.Class, m.Value)), Verifier.FinishedTable(o.RunDirectory, o.TrialKey)!.Select(m => (m.Metric, m.Class, m.Value)));
    }

    [Fact]
    public void Reconstruction_task_records_per_lead_metrics_against_the_training_mean()
    {
        var (o, record) = Run("name: recon-task\n" + Common.Replace("normal_class: NORM, ", "") + """

            pipeline:
              - { type: resample, target_rate: 10 }
            model: { type: bilstm_attention, hidden: 8, layers: 1, head: per_step, input_lead: II }
            training: { epochs: 2, batch_size: 8, optimizer: adamw, learning_rate: 0.01, weight_decay: 0.01 }
            """);
        Assert.Equal(TrialStatus.Completed, o.Status);
        Assert.Equal(TaskKind.Reconstruction, o.Task);
        Assert.Null(o.Classification);
        Assert.Equal("training mean per lead", o.BaselineKind);
        // A constant prediction explains nothing: R² is 0 at the test set's own mean and slightly below at the training mean.
        Assert.InRange(o.BaselineMetric("mean_r2")!.Value, -0.05, 1e-9);
        foreach (var lead in new[] { "I", "II", "V1", "V6" }) Assert.NotNull(o.Metric("rmse", lead));
        var mse = MetricTable.Find(o.Metrics, "mse")!;
        Assert.True(mse.Lower <= mse.Value && mse.Value <= mse.Upper, "bootstrap interval around the MSE");
        Assert.True(File.Exists(Path.Combine(o.RunDirectory, "model.ecgmodel")));
        Assert.NotNull(record["task_details"]!["identity_baseline_table"]);
    }
}
