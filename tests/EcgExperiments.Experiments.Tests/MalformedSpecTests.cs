using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Tests;

/// <summary>Every malformed experiment file fails with file:line:column, the offending key and what would be valid.</summary>
public class MalformedSpecTests
{
    public static TheoryData<string, string, string[]> Cases => new()
    {
        // name, YAML, fragments the message must contain
        { "misspelt top-level key", SpecFiles.Minimal + "\ntrainig: { epochs: 3 }\n", ["spec.yaml:9:1", "`trainig`", "did you mean 'training'"] },
        { "misspelt training key", SpecFiles.Minimal.Replace("learning_rate", "learning_rat"), ["spec.yaml:7:", "training.learning_rat", "did you mean 'learning_rate'"] },
        { "wrong type for epochs", SpecFiles.Minimal.Replace("epochs: 4", "epochs: four"), ["training.epochs", "expected an integer, got 'four'"] },
        { "negative epochs", SpecFiles.Minimal.Replace("epochs: 4", "epochs: -1"), ["spec.yaml:7:", "`training.epochs`", "epochs must be ≥ 1"] },
        { "unknown optimizer", SpecFiles.Minimal.Replace("select_by: macro_f1", "optimizer: adamm"), ["training.optimizer", "did you mean 'adam'", "adam_w", "sgd"] },
        { "unknown model type", SpecFiles.Minimal.Replace("type: cnn2d", "type: cnn2"), ["model.type", "unknown model type 'cnn2'", "did you mean 'cnn2d'"] },
        { "unknown transform", SpecFiles.Minimal.Replace("type: zscore", "type: zscor"), ["pipeline[0].type", "did you mean 'zscore'"] },
        { "unknown data source", SpecFiles.Minimal.Replace("type: synthetic", "type: synthetik"), ["data.type", "did you mean 'synthetic'"] },
        { "unknown model option", SpecFiles.Minimal.Replace("squeeze_excitation: true", "squeeze: true"), ["model.squeeze", "valid keys:", "squeeze_excitation"] },
        { "image too small for the model", SpecFiles.Minimal.Replace("widths: [4, 8]", "widths: [4, 8, 8, 8, 8, 8]"), ["model", "cannot take the pipeline's output [12 × 1000]", "need images of at least"] },
        { "split fractions do not sum to one", SpecFiles.Minimal + "\nsplit: { fractions: [0.5, 0.2, 0.2] }\n", ["split.fractions", "summing to 1"] },
        { "legacy class weights key", SpecFiles.Minimal.Replace("select_by: macro_f1", "class_weights: [3, 1]"), ["training.class_weights", "moved to `training.imbalance: { strategy: class_weights"] },
        { "class weights of the wrong length", SpecFiles.Minimal.Replace("select_by: macro_f1", "imbalance: { strategy: class_weights, class_weights: [3, 1, 1] }"),
            ["training.imbalance.class_weights", "3 value(s) but the data has 2 classes [NORM, HYP]"] },
        { "class weights naming an unknown class", SpecFiles.Minimal.Replace("select_by: macro_f1", "imbalance: { strategy: class_weights, class_weights: { HYP: 3, MI: 1 } }"),
            ["training.imbalance.class_weights", "'MI', not a class of the data [NORM, HYP]"] },
        { "a key of another strategy", SpecFiles.Minimal.Replace("select_by: macro_f1", "imbalance: { strategy: none, focal_gamma: 3 }"),
            ["training.imbalance.focal_gamma", "unknown key 'focal_gamma'"] },
        { "unknown imbalance strategy", SpecFiles.Minimal.Replace("select_by: macro_f1", "imbalance: { strategy: focall }"),
            ["training.imbalance.strategy", "did you mean 'focal'"] },
        { "select_by that the task does not report", SpecFiles.Minimal.Replace("select_by: macro_f1", "select_by: macro_f2"),
            ["spec.yaml:7:", "training.select_by", "'macro_f2' is not a validation metric", "did you mean 'macro_f1'", "balanced_accuracy"] },
        { "a schema-derived model option", SpecFiles.Minimal.Replace("dropout: 0.1 }", "dropout: 0.1, outputs: 3 }"),
            ["model.outputs", "is not a YAML key: it is set from the number of classes"] },
        { "GAN batch of one", "name: gan\ndata: { type: synthetic, records: 40 }\nmodel: { type: beatgan, width: 4 }\npipeline:\n  - { type: select_leads, leads: [II] }\n  - { type: interpolate, length: 320 }\ntraining: { batch_size: 1, select_by: roc_auc }\n",
            ["spec.yaml:7:", "training.batch_size", "batches of ≥ 2"] },
        { "GAN select_by a classifier metric", "name: gan\ndata: { type: synthetic, records: 40 }\nmodel: { type: beatgan, width: 4 }\npipeline:\n  - { type: select_leads, leads: [II] }\n  - { type: interpolate, length: 320 }\ntraining: { select_by: accuracy }\n",
            ["training.select_by", "'accuracy' is not a validation metric of model `beatgan`", "roc_auc"] },
        { "a non-scalar key", SpecFiles.Minimal + "\n? [a, b]\n: 1\n", ["(key)", "keys must be plain names"] },
        { "list where a number belongs", SpecFiles.Minimal.Replace("learning_rate: 0.003", "learning_rate: [0.1]"), ["training.learning_rate", "expected a number, got a list"] },
        { "missing name", SpecFiles.Minimal.Replace("name: tiny", "description: x"), ["`name`", "needs a `name:`"] },
        { "missing model", SpecFiles.Minimal.Split('\n').Where(l => !l.StartsWith("model:")).Aggregate((a, b) => a + "\n" + b), ["`model`", "missing `model:`"] },
        { "component without type", SpecFiles.Minimal.Replace("{ type: synthetic, records: 80, effect: 1.0 }", "{ records: 80 }"), ["`data`", "needs a `type:`"] },
        { "invalid YAML syntax", SpecFiles.Minimal.Replace("seed: 3", "seed: [3"), ["spec.yaml:", "invalid YAML"] },
        { "bad threads setting", SpecFiles.Minimal + "\nthreads: many\n", ["`threads`", "'auto' or a positive integer"] },
        { "dropout out of range", SpecFiles.Minimal.Replace("dropout: 0.1", "dropout: 1.5"), ["`model`", "model.dropout must be in [0, 1)"] },
        { "bad confidence level", SpecFiles.Minimal.Replace("bootstrap_resamples: 200", "confidence_level: 95"), ["evaluation.confidence_level", "(0, 1)"] },
        { "too few synthetic records", SpecFiles.Minimal.Replace("records: 80", "records: 2"), ["`data`", "data.records must be ≥ 4"] },
        { "bad pool pair", SpecFiles.Minimal.Replace("pool: [2, 4]", "pool: [2, 4, 8]"), ["model.pool", "expected [height, width]"] },
        { "focal alpha of the wrong length", SpecFiles.Minimal.Replace("select_by: macro_f1", "imbalance: { strategy: focal, focal_alpha: [0.2, 0.3, 0.5] }"),
            ["training.imbalance.focal_alpha", "3 value(s) but the data has 2 classes"] },
        { "cost matrix of the wrong size", SpecFiles.Minimal.Replace("select_by: macro_f1", "imbalance: { strategy: cost_sensitive, cost_matrix: [[0, 1, 1], [1, 0, 1], [1, 1, 0]] }"),
            ["training.imbalance.cost_matrix", "must be 2 × 2"] },
        { "imbalance strategy on an autoencoder", SpecFiles.Minimal.Replace("model: { type: cnn2d, widths: [4, 8], kernel: 9, kernel_height: 3, padding: [1, 0], pool: [2, 4], squeeze_excitation: true, se_reduction: 2, dropout: 0.1 }", "model: { type: lstm_ae, embedding: 4 }")
            .Replace("pipeline:\n  - type: zscore", "pipeline:\n  - type: select_leads\n    leads: [II]")
            .Replace("select_by: macro_f1", "imbalance: { strategy: focal }"), ["training.imbalance", "apply to classifiers", "solves the anomaly task"] },
        { "autoencoder on 12-lead records", SpecFiles.Minimal.Replace("model: { type: cnn2d, widths: [4, 8], kernel: 9, kernel_height: 3, padding: [1, 0], pool: [2, 4], squeeze_excitation: true, se_reduction: 2, dropout: 0.1 }", "model: { type: lstm_ae, embedding: 4 }"),
            ["model", "cannot take the pipeline's output [12 × 1000]", "single-lead series"] },
        { "reconstruction input lead missing", SpecFiles.Minimal.Replace("model: { type: cnn2d, widths: [4, 8], kernel: 9, kernel_height: 3, padding: [1, 0], pool: [2, 4], squeeze_excitation: true, se_reduction: 2, dropout: 0.1 }", "model: { type: bilstm_attention, hidden: 4, layers: 1, input_lead: X1 }"),
            ["model", "input_lead 'X1' is not among the data's leads"] },
        { "normal class not in the data", SpecFiles.Minimal.Replace("model: { type: cnn2d, widths: [4, 8], kernel: 9, kernel_height: 3, padding: [1, 0], pool: [2, 4], squeeze_excitation: true, se_reduction: 2, dropout: 0.1 }", "model: { type: transformer_ae }")
            .Replace("pipeline:\n  - type: zscore", "pipeline:\n  - type: select_leads\n    leads: [II]").Replace("evaluation: { bootstrap_resamples: 200 }", "evaluation: { normal_class: NORMAL }"),
            ["evaluation.normal_class", "'NORMAL' is not a class of the data [NORM, HYP]"] },
        { "fold outside the folds", SpecFiles.Minimal + "\nsplit: { kind: kfold, folds: 5, fold: 5 }\n", ["split.fold", "must be in [0, 4]"] },
        { "anomaly folds for a classifier", SpecFiles.Minimal + "\nsplit: { kind: anomaly_folds }\n", ["split.kind", "anomaly-detection protocol"] },
        { "expect without a metric", SpecFiles.Minimal + "\nexpect: [ { target: 0.9, tolerance: 0.01 } ]\n", ["expect[0].metric", "names a metric"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Malformed_specs_fail_with_location_key_and_choices(string name, string yaml, string[] fragments)
    {
        var path = SpecFiles.Write(yaml);
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(path));
        foreach (var f in fragments) Assert.True(e.Message.Contains(f, StringComparison.Ordinal), $"{name}: message lacks '{f}':\n{e.Message}");
        Assert.Matches(@"spec\.yaml:\d+:\d+: ", e.Message);
    }

    [Fact]
    public void A_missing_file_is_reported_by_path()
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load("/nonexistent/x.yaml"));
        Assert.Contains("/nonexistent/x.yaml", e.Message);
        Assert.Contains("not found", e.Message);
    }
}
