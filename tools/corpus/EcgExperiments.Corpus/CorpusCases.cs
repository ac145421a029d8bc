using System.Globalization;

namespace EcgExperiments.Corpus;

/// <summary>
/// The bad-input corpus (issue 16): specs, data, process faults, reports and flags. Each case states the exit code of the
/// current build and what its message must name; the runner also checks that no completed result changed.
/// </summary>
public static class CorpusCases
{
    /// <summary>Exit codes of the current build (see ExitCodes in the CLI).</summary>
    private const int Ok = 0, Incomplete = 1, Usage = 2, Data = 3, Machine = 4, Busy = 5, Interrupted = 130;

    private const string Base = "name: x\nseed: 1\ndevice: cpu\nthreads: 1\ndata: { type: synthetic, records: 40, duration_seconds: 4 }\n";
    private const string TinyModel = "model: { type: cnn2d, widths: [4], kernel: 5, kernel_height: 3, padding: [1, 0], pool: [2, 4] }\n";
    private const string Train1 = "training: { epochs: 1, batch_size: 8, select_by: loss }\nevaluation: { bootstrap_resamples: 0 }\n";

    private static readonly string[] Completed = ["already completed"];

    public static IReadOnlyList<CorpusCase> All { get; } = [.. Specs(), .. DataCases(), .. Process(), .. Reports(), .. FlagCases()];

    private static CorpusCase Validate(string name, string description, string yaml, int exit, params string[] needles) =>
        new(name, "spec", description, exit, needles, ctx => ctx.Ecg("validate", ctx.Write($"{name}.yaml", yaml)));

    private static IEnumerable<CorpusCase> Specs()
    {
        yield return Validate("spec-unknown-key", "a misspelt key", Base + TinyModel + "training: { epocs: 3 }\n", Usage,
            "spec-unknown-key.yaml:7:13", "training.epocs", "did you mean 'epochs'");
        yield return Validate("spec-tab-indent", "a tab used as indentation", "name: x\ndata: { type: synthetic }\nmodel:\n\ttype: cnn2d\n", Usage,
            "spec-tab-indent.yaml:4:1", "tab");
        yield return Validate("spec-unclosed-brace", "an unclosed flow mapping", Base + "model: { type: cnn2d\ntraining: { epochs: 2 }\n", Usage,
            "spec-unclosed-brace.yaml:", "invalid YAML");
        yield return Validate("spec-alias-bomb", "nested aliases that expand to 10^6 nodes in sweep.parameters", Base + TinyModel + AliasBomb, Usage,
            "spec-alias-bomb.yaml:", "alias", "100,000 nodes");
        yield return new CorpusCase("spec-alias-bomb-dry-run", "spec", "the alias bomb through run --dry-run", Usage, ["spec-alias-bomb-dry-run.yaml:", "alias"],
            ctx => ctx.Ecg("run", ctx.Write("spec-alias-bomb-dry-run.yaml", Base + TinyModel + AliasBomb), "--dry-run"));
        yield return Validate("spec-non-scalar-key", "a list used as a key", Base + TinyModel + "training:\n  ? [a, b]\n  : 1\n", Usage,
            "spec-non-scalar-key.yaml:8:5", "keys must be plain names");
        yield return Validate("spec-empty-file", "an empty file", "", Usage, "spec-empty-file.yaml", "empty");
        yield return new CorpusCase("spec-missing-file", "spec", "a spec path that does not exist", Usage, ["nowhere.yaml", "not found"],
            ctx => ctx.Ecg("validate", Path.Combine(ctx.Folder, "nowhere.yaml")));
        yield return Validate("spec-not-a-mapping", "a list instead of sections", "- name: x\n- model: cnn2d\n", Usage, "spec-not-a-mapping.yaml:1:1", "mapping of sections");
        yield return Validate("spec-wrong-type", "words where a number goes", Base + TinyModel + "training: { epochs: many }\n", Usage,
            "spec-wrong-type.yaml:7:21", "training.epochs", "expected an integer");
        yield return Validate("spec-unknown-model", "an unknown model type", Base + "model: { type: cnn3d }\n", Usage, "spec-unknown-model.yaml:6", "model.type", "cnn2d");
        yield return Validate("spec-unknown-data", "an unknown data type", "name: x\ndata: { type: ptbx }\n" + TinyModel, Usage, "spec-unknown-data.yaml:2", "data.type", "ptbxl");
        yield return Validate("spec-bad-enum", "an invalid split kind", Base + TinyModel + "split: { kind: randomly }\n", Usage,
            "spec-bad-enum.yaml:7", "split.kind", "random_stratified");
        yield return Validate("spec-fractions", "split fractions that do not sum to 1", Base + TinyModel + "split: { fractions: [0.5, 0.5, 0.5] }\n", Usage,
            "spec-fractions.yaml:7", "split.fractions");
        yield return Validate("spec-negative-epochs", "training.epochs: -3", Base + TinyModel + "training: { epochs: -3 }\n", Usage, "spec-negative-epochs.yaml:7", "training.epochs");
        yield return Validate("spec-select-by", "a select_by metric the model does not report", Base + TinyModel + "training: { select_by: auc99 }\n", Usage,
            "spec-select-by.yaml:7", "training.select_by", "macro_f1");
        yield return Validate("spec-sweep-empty", "a swept key without values", Base + TinyModel + "sweep:\n  parameters:\n    training.epochs: []\n", Usage,
            "spec-sweep-empty.yaml:", "sweep.parameters.training.epochs", "at least one value");
        yield return Validate("spec-sweep-bad-trial", "one sweep value that does not resolve", Base + TinyModel + "sweep:\n  parameters:\n    model.kernel: [5, -1]\n", Usage,
            "spec-sweep-bad-trial.yaml:", "sweep trial 2");
        yield return Validate("spec-duplicate-key", "a key given twice", Base + TinyModel + "seed: 2\n", Usage, "spec-duplicate-key.yaml:7", "seed");
        yield return new CorpusCase("spec-huge-file", "spec", "a 2 MB experiment file", Usage, ["spec-huge-file.yaml", "1 MB"],
            ctx => ctx.Ecg("validate", ctx.Write("spec-huge-file.yaml", Base + TinyModel + string.Concat(Enumerable.Repeat("# padding padding padding padding padding padding padding\n", 40_000)))));
        yield return new CorpusCase("spec-binary", "spec", "a binary file given as the spec", Usage, ["spec-binary.yaml", "binary"],
            ctx =>
            {
                var path = Path.Combine(ctx.Folder, "spec-binary.yaml");
                File.WriteAllBytes(path, [0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0, 0xff, 0xfe, 10, 0, 0]);
                return ctx.Ecg("validate", path);
            });
        yield return Validate("spec-moved-key", "a key that moved (training.class_weights)", Base + TinyModel + "training: { class_weights: [1, 3] }\n", Usage,
            "spec-moved-key.yaml:7", "training.class_weights", "imbalance");
        yield return Validate("spec-schema-derived-key", "a model key filled from the data", Base + "model: { type: cnn2d, in_channels: 3 }\n", Usage,
            "spec-schema-derived-key.yaml:6", "model.in_channels");
        yield return Validate("spec-shape-mismatch", "a model that cannot take the pipeline's output", Base + "model: { type: stft_cnn }\n", Usage,
            "spec-shape-mismatch.yaml:6", "cannot take");
        yield return Validate("spec-device", "an unknown device", Base.Replace("device: cpu", "device: tpu") + TinyModel, Usage, "spec-device.yaml:3", "device");
        yield return Validate("spec-threads", "threads that are not a number", Base.Replace("threads: 1", "threads: lots") + TinyModel, Usage, "spec-threads.yaml:4", "threads");
        yield return Validate("spec-unknown-stage", "an unknown pipeline stage", Base + "pipeline: [ { type: fft } ]\n" + TinyModel, Usage,
            "spec-unknown-stage.yaml:6", "pipeline[0].type");
        yield return Validate("spec-anomaly-folds-classifier", "the anomaly protocol on a classifier", Base + TinyModel + "split: { kind: anomaly_folds }\n", Usage,
            "spec-anomaly-folds-classifier.yaml:7", "split.kind", "anomaly");
        yield return Validate("spec-crlf-ok", "a valid spec with Windows line ends", (Base + TinyModel + Train1).Replace("\n", "\r\n"), Ok, "valid");
    }

    private const string AliasBomb = """
        a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
        a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
        a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
        a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
        a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
        a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
        a6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
        sweep:
          parameters:
            training.learning_rate: [*a6, *a6]

        """;

    // ---------------------------------------------------------------- data

    private static string Ecg5000Spec(string folder, string extra = "") => $$"""
        name: corpus-ecg5000
        seed: 1
        device: cpu
        threads: 1
        data: { type: ecg5000, folder: {{folder}}{{extra}} }
        model: { type: lstm, hidden: 4, layers: 1, bidirectional: false }
        training: { epochs: 1, batch_size: 64, select_by: loss }
        evaluation: { bootstrap_resamples: 0 }

        """;

    private static string PtbXlSpec(string folder, string extra = "") => $$"""
        name: corpus-ptbxl
        seed: 1
        device: cpu
        threads: 1
        data: { type: ptbxl, folder: {{folder}}{{extra}} }
        split: { level: example, allow_patient_overlap: true }
        {{TinyModel.TrimEnd()}}
        training: { epochs: 1, batch_size: 16, select_by: loss }
        evaluation: { bootstrap_resamples: 0 }

        """;

    private static string WfdbFolderSpec(string folder, string extra = "") => $$"""
        name: corpus-wfdb-folder
        seed: 1
        device: cpu
        threads: 1
        data: { type: wfdb_folder, folder: {{folder}}, classes: [NORM, ABNORMAL], leads: [I, II], target_rate: 100, seconds: 10{{extra}} }
        split: { level: example, allow_patient_overlap: true }
        model: { type: cnn2d, widths: [4], kernel: 5, kernel_height: 1, padding: [0, 0], pool: [1, 4] }
        training: { epochs: 1, batch_size: 8, select_by: loss }
        evaluation: { bootstrap_resamples: 0 }

        """;

    private static string MitBihSpec(string folder) => $$"""
        name: corpus-mitbih
        seed: 1
        device: cpu
        threads: 1
        data: { type: mitbih_beats, records: [100, 101], folder: {{folder}} }
        split: { level: example, allow_patient_overlap: true }
        model: { type: lstm, hidden: 4, layers: 1, bidirectional: false }
        training: { epochs: 1, batch_size: 256, select_by: loss }
        evaluation: { bootstrap_resamples: 0 }

        """;

    private static CorpusCase DataCase(string name, string description, int exit, string[] needles, Func<CaseContext, string> spec) =>
        new(name, "data", description, exit, needles, ctx => ctx.Ecg("run", ctx.Write($"{name}.yaml", spec(ctx)), "--output", Path.Combine(ctx.Folder, "out")));

    private static IEnumerable<CorpusCase> DataCases()
    {
        yield return DataCase("ecg5000-missing-folder", "data.folder that does not exist", Data, ["nothing-here", "not found"],
            ctx => Ecg5000Spec(Path.Combine(ctx.Folder, "nothing-here")));
        yield return DataCase("ecg5000-label-out-of-range", "a class label 9 in ECG5000", Data, ["ECG5000_TRAIN.txt:1", "class label 9"],
            ctx => Ecg5000Spec(CorpusData.Ecg5000(ctx, l => { var c = (string[])l.Clone(); c[0] = "   9.0000000e+00" + c[0][16..]; return c; })));
        yield return DataCase("ecg5000-garbage-value", "a word among the samples", Data, ["ECG5000_TRAIN.txt:3"],
            ctx => Ecg5000Spec(CorpusData.Ecg5000(ctx, l => CorpusData.SetValue(l, 2, 10, "abc"))));
        yield return DataCase("ecg5000-nan", "a NaN sample inside a row", Data, ["ECG5000_TRAIN.txt:5", "NaN"],
            ctx => Ecg5000Spec(CorpusData.Ecg5000(ctx, l => CorpusData.SetValue(l, 4, 20, "NaN"))));
        yield return DataCase("ecg5000-trailing-nan", "a NaN as a row's last sample (read as padding)", Data, ["TRAIN/4", "lead ECG", "sample 139", "NaN", "non_finite"],
            ctx => Ecg5000Spec(CorpusData.Ecg5000(ctx, l => CorpusData.SetValue(l, 4, 139, "NaN"))));
        yield return DataCase("ecg5000-1e308", "a ±1e308 sample (beyond float32)", Data, ["TRAIN/7", "lead ECG", "float32 range"],
            ctx => Ecg5000Spec(CorpusData.Ecg5000(ctx, l => CorpusData.SetValue(l, 7, 3, "-1e308"))));
        yield return DataCase("ecg5000-short-row", "a row with 139 of 140 samples", Data, ["ECG5000_TRAIN.txt:10", "139"],
            ctx => Ecg5000Spec(CorpusData.Ecg5000(ctx, l => { var c = (string[])l.Clone(); c[9] = c[9][..c[9].TrimEnd().LastIndexOf(' ')]; return c; })));
        yield return DataCase("ecg5000-nan-drop", "a NaN sample with data.non_finite: drop", Ok, ["left out 1 of 500", "TRAIN/4"],
            ctx => Ecg5000Spec(CorpusData.Ecg5000(ctx, l => CorpusData.SetValue(l, 4, 139, "NaN")), ", non_finite: drop"));
        yield return DataCase("ecg5000-nan-interpolate", "a NaN sample with data.non_finite: interpolate", Ok, ["status: completed"],
            ctx => Ecg5000Spec(CorpusData.Ecg5000(ctx, l => CorpusData.SetValue(l, 4, 139, "NaN")), ", non_finite: interpolate"));
        yield return DataCase("ecg5000-empty-file", "an empty TRAIN file", Data, ["ECG5000_TRAIN"],
            ctx => Ecg5000Spec(CorpusData.Ecg5000(ctx, _ => [])));

        yield return DataCase("ptbxl-truncated-dat", "a .dat cut to half its length", Data, ["00001_lr"],
            ctx =>
            {
                var folder = CorpusData.PtbXl(ctx);
                var dat = CorpusData.Own(CorpusData.PtbXlRecord(folder, 1) + ".dat");
                using (var f = new FileStream(dat, FileMode.Open)) f.SetLength(f.Length / 2);
                return PtbXlSpec(folder);
            });
        yield return DataCase("ptbxl-missing-dat", "a header whose .dat is missing", Data, ["00002_lr.dat"],
            ctx =>
            {
                var folder = CorpusData.PtbXl(ctx);
                File.Delete(CorpusData.PtbXlRecord(folder, 2) + ".dat");
                return PtbXlSpec(folder);
            });
        yield return DataCase("ptbxl-garbage-hea", "a header of random text", Data, ["00003_lr.hea"],
            ctx =>
            {
                var folder = CorpusData.PtbXl(ctx);
                File.WriteAllText(CorpusData.Own(CorpusData.PtbXlRecord(folder, 3) + ".hea"), "this is not a header\n%%%\n");
                return PtbXlSpec(folder);
            });
        yield return new CorpusCase("ptbxl-absent-record", "data", "a record listed in the table but absent", Data, ["00004_lr"],
            ctx =>
            {
                var folder = CorpusData.PtbXl(ctx);
                File.Delete(CorpusData.PtbXlRecord(folder, 4) + ".hea");
                File.Delete(CorpusData.PtbXlRecord(folder, 4) + ".dat");
                return ctx.Ecg("run", ctx.Write("ptbxl-absent-record.yaml", PtbXlSpec(folder)), "--output", Path.Combine(ctx.Folder, "out"));
            })
        { Forbidden = ["500 Hz"] };
        yield return DataCase("ptbxl-wrong-length", "a header that says 900 samples", Data, ["00005_lr.hea", "checksum"],
            ctx =>
            {
                var folder = CorpusData.PtbXl(ctx);
                var hea = CorpusData.Own(CorpusData.PtbXlRecord(folder, 5) + ".hea");
                var lines = File.ReadAllLines(hea);
                lines[0] = lines[0].Replace(" 1000", " 900", StringComparison.Ordinal);
                File.WriteAllLines(hea, lines);
                return PtbXlSpec(folder);
            });
        yield return DataCase("ptbxl-invalid-samples", "WFDB invalid-sample markers in lead III", Data, ["lead III", "NaN", "non_finite"],
            ctx =>
            {
                var folder = CorpusData.PtbXl(ctx);
                CorpusData.WriteInvalidSamples(CorpusData.PtbXlRecord(folder, 6), signal: 2, from: 100, count: 10);
                return PtbXlSpec(folder);
            });
        yield return DataCase("ptbxl-missing-table", "no ptbxl_database.csv", Data, ["ptbxl_database.csv"],
            ctx =>
            {
                var folder = CorpusData.PtbXl(ctx);
                File.Delete(Path.Combine(folder, "ptbxl_database.csv"));
                return PtbXlSpec(folder);
            });
        yield return DataCase("ptbxl-bad-row", "a table row whose ecg_id is a word", Data, ["ptbxl_database.csv:4"],
            ctx =>
            {
                var folder = CorpusData.PtbXl(ctx);
                var csv = Path.Combine(folder, "ptbxl_database.csv");
                var lines = File.ReadAllLines(csv);
                lines[3] = "abc" + lines[3][lines[3].IndexOf(',')..];
                File.WriteAllLines(csv, lines);
                return PtbXlSpec(folder);
            });
        yield return DataCase("ptbxl-bad-scp-codes", "scp_codes that do not parse", Data, ["ptbxl_database.csv:3"],
            ctx =>
            {
                var folder = CorpusData.PtbXl(ctx);
                var csv = Path.Combine(folder, "ptbxl_database.csv");
                var lines = File.ReadAllLines(csv);
                int open = lines[2].IndexOf("\"{", StringComparison.Ordinal), close = lines[2].IndexOf("}\"", StringComparison.Ordinal);
                lines[2] = lines[2][..open] + "\"{NORM 100\"" + lines[2][(close + 2)..];
                File.WriteAllLines(csv, lines);
                return PtbXlSpec(folder);
            });
        yield return DataCase("ptbxl-folder-is-file", "data.folder naming a file", Data, ["not-a-folder.txt"],
            ctx => PtbXlSpec(ctx.Write("not-a-folder.txt", "hello")));
        yield return new CorpusCase("ptbxl-no-data-root", "data", "PTB-XL with the data root pointing nowhere", Data, ["PTB-XL", "ECG_DATA_ROOT"],
            ctx => ctx.EcgWith(new Dictionary<string, string> { ["ECG_DATA_ROOT"] = Path.Combine(ctx.Folder, "no-data") },
                "run", ctx.Write("ptbxl-no-data-root.yaml", PtbXlSpec("~").Replace("folder: ~", "labels: [NORM, HYP]", StringComparison.Ordinal)),
                "--output", Path.Combine(ctx.Folder, "out")));

        yield return DataCase("wfdb-absent-record", "a WFDB-folder labels.csv listing a record that is not there", Data, ["labels.csv (line 42)", "ecgs/99999_lr"],
            ctx =>
            {
                var folder = CorpusData.WfdbFolder(ctx);
                File.AppendAllText(Path.Combine(folder, "labels.csv"), "ecgs/99999_lr,NORM,99,1\n");
                return WfdbFolderSpec(folder);
            });
        yield return DataCase("wfdb-garbage-hea", "a WFDB-folder header of random text", Data, ["00003_lr.hea"],
            ctx =>
            {
                var folder = CorpusData.WfdbFolder(ctx);
                File.WriteAllText(CorpusData.WfdbFolderRecord(folder, 3) + ".hea", "this is not a header\n%%%\n");
                return WfdbFolderSpec(folder);
            });
        // Record 6 with invalid-sample markers in lead II, under the given data.non_finite.
        static string InvalidSamples(CaseContext ctx, string extra)
        {
            var folder = CorpusData.WfdbFolder(ctx);
            CorpusData.WriteInvalidSamples(CorpusData.WfdbFolderRecord(folder, 6), signal: 1, from: 100, count: 10);
            return WfdbFolderSpec(folder, extra);
        }
        yield return DataCase("wfdb-invalid-samples", "WFDB invalid-sample markers in lead II of a WFDB-folder record", Data, ["00006_lr", "lead II", "NaN", "non_finite"],
            ctx => InvalidSamples(ctx, ""));
        yield return DataCase("wfdb-invalid-samples-drop", "the same markers with data.non_finite: drop", Ok, ["left out 1 of 40", "00006_lr"],
            ctx => InvalidSamples(ctx, ", non_finite: drop"));

        yield return DataCase("mitbih-truncated-dat", "MIT-BIH record 100 cut short", Data, ["100"],
            ctx =>
            {
                var folder = CorpusData.MitBih(ctx, "100", "101");
                var dat = CorpusData.Own(Path.Combine(folder, "100.dat"));
                using (var f = new FileStream(dat, FileMode.Open)) f.SetLength(f.Length / 3);
                return MitBihSpec(folder);
            });
        yield return DataCase("mitbih-garbage-atr", "an annotation file of random bytes", Data, ["101.atr"],
            ctx =>
            {
                var folder = CorpusData.MitBih(ctx, "100", "101");
                var atr = CorpusData.Own(Path.Combine(folder, "101.atr"));
                File.WriteAllBytes(atr, Enumerable.Range(0, 4000).Select(i => (byte)(i * 7919 % 251)).ToArray());
                return MitBihSpec(folder);
            });
        yield return DataCase("mitbih-missing-atr", "a record without its annotations", Data, ["101"],
            ctx =>
            {
                var folder = CorpusData.MitBih(ctx, "100", "101");
                File.Delete(Path.Combine(folder, "101.atr"));
                return MitBihSpec(folder);
            });
    }

    // ---------------------------------------------------------------- process faults


    private static IEnumerable<CorpusCase> Process()
    {
        yield return new CorpusCase("rerun-completed", "process", "running a finished single-trial experiment again", Ok, Completed,
            ctx => ctx.Ecg("run", ctx.Workspace.FixtureSpec, "--output", ctx.Results));

        yield return new CorpusCase("second-run-while-first-trains", "process", "a second ecg run into the results folder a first one is writing, then Ctrl-C of the first",
            Busy, ["in use by process"],
            ctx =>
            {
                // The first run trains a longer variant of the same experiment (same results folder, another trial).
                var slow = ctx.Write("slow.yaml", CorpusWorkspace.FixtureSpecText.Replace("epochs: 200", "epochs: 4000"));
                using var first = ctx.Workspace.Start(["run", slow, "--output", ctx.Results]);
                if (!first.WaitForLine(l => l.StartsWith("epoch ", StringComparison.Ordinal), ctx.Workspace.Timeout))
                    return first.WaitForExit(ctx.Workspace.Timeout) with { KilledFor = "the first run never started training" };
                var second = ctx.Ecg("run", ctx.Workspace.FixtureSpec, "--output", ctx.Results);
                first.Signal("INT");
                first.WaitForExit(ctx.Workspace.Timeout);
                return second with { Stderr = second.Stderr + $"\n(first run: pid {first.Pid})" };
            })
        { Check = (_, r) => r.Stderr.Contains($"in use by process {r.Stderr[(r.Stderr.LastIndexOf("pid ", StringComparison.Ordinal) + 4)..].TrimEnd(')', '\n')}", StringComparison.Ordinal) ? null : "the message does not name the first run's pid" };

        yield return new CorpusCase("ctrl-c-during-forced-rerun", "process", "Ctrl-C while --force re-runs a completed trial", Interrupted, ["interrupted"],
            ctx => Interrupt(ctx, "INT"));
        yield return new CorpusCase("kill-during-forced-rerun", "process", "SIGKILL while --force re-runs a completed trial, then a plain run", Ok, Completed,
            ctx =>
            {
                Interrupt(ctx, "KILL");
                return ctx.Ecg("run", ctx.Workspace.FixtureSpec, "--output", ctx.Results);
            })
        { Check = (ctx, _) => Directory.GetDirectories(ctx.ExperimentFolder, "*.partial-*").Length == 0 ? null : "the killed run's staging folder was left behind" };

        yield return new CorpusCase("stale-lock-file", "process", "a .lock file left by a process that died", Ok, Completed,
            ctx =>
            {
                File.WriteAllText(Path.Combine(ctx.ExperimentFolder, ".lock"), "pid: 999999\nhost: elsewhere\nstarted_utc: 2020-01-01T00:00:00Z\npurpose: ecg run old.yaml\n");
                return ctx.Ecg("run", ctx.Workspace.FixtureSpec, "--output", ctx.Results);
            });

        yield return new CorpusCase("output-unwritable", "process", "a results folder that cannot be created (/proc)", Machine, ["/proc/ecg-corpus-results"],
            ctx => ctx.Ecg("run", ctx.Workspace.FixtureSpec, "--output", "/proc/ecg-corpus-results"))
        { Forbidden = ["epoch "] };

        yield return new CorpusCase("output-through-a-file", "process", "a results folder below a regular file", Machine, ["not-a-dir"],
            ctx => ctx.Ecg("run", ctx.Workspace.FixtureSpec, "--output", Path.Combine(ctx.Write("not-a-dir", "x"), "results")))
        { Forbidden = ["epoch "] };

        yield return new CorpusCase("disk-too-full", "process", "less free space than a run needs (threshold raised past the disk)", Machine, ["free", "ECG_MIN_FREE_MB"],
            ctx => ctx.EcgWith(new Dictionary<string, string> { ["ECG_MIN_FREE_MB"] = "999999999" }, "run", ctx.Write("full.yaml", CorpusWorkspace.FixtureSpecText.Replace("seed: 7", "seed: 8")),
                "--output", ctx.Results))
        { Forbidden = ["epoch "] };

        yield return new CorpusCase("index-garbage", "process", "index.sqlite overwritten with garbage", Ok, ["rebuilt", "already completed"],
            ctx =>
            {
                File.WriteAllText(Path.Combine(ctx.ExperimentFolder, "index.sqlite"), "this is not a database, this is not a database, this is not a database");
                return ctx.Ecg("run", ctx.Workspace.FixtureSpec, "--output", ctx.Results);
            });

        yield return new CorpusCase("index-missing", "process", "index.sqlite deleted (disagrees with the run records)", Ok, ["rebuilt", "already completed"],
            ctx =>
            {
                foreach (var f in Directory.GetFiles(ctx.ExperimentFolder, "index.sqlite*")) File.Delete(f);
                return ctx.Ecg("run", ctx.Workspace.FixtureSpec, "--output", ctx.Results);
            });

        yield return new CorpusCase("index-is-a-folder", "process", "index.sqlite is a folder", Machine, ["index.sqlite"],
            ctx =>
            {
                foreach (var f in Directory.GetFiles(ctx.ExperimentFolder, "index.sqlite*")) File.Delete(f);
                Directory.CreateDirectory(Path.Combine(ctx.ExperimentFolder, "index.sqlite"));
                return ctx.Ecg("run", ctx.Workspace.FixtureSpec, "--output", ctx.Results);
            });

        yield return new CorpusCase("run-json-newer", "process", "a run.json from a newer version, then ecg run", Data, ["run.json", "newer version"],
            ctx =>
            {
                var run = Path.Combine(ctx.CompletedRun, "run.json");
                File.WriteAllText(run, File.ReadAllText(run).Replace("\"version\": 2", "\"version\": 99", StringComparison.Ordinal));
                ctx.Damaged();
                return ctx.Ecg("run", ctx.Workspace.FixtureSpec, "--output", ctx.Results);
            });

        yield return new CorpusCase("verify-truncated-run-json", "process", "ecg verify over a truncated run.json", Data, ["run.json", "truncated"],
            ctx =>
            {
                var results = ctx.Results;
                var run = Path.Combine(ctx.CompletedRun, "run.json");
                var text = File.ReadAllText(run);
                File.WriteAllText(run, text[..(text.Length / 2)]);
                ctx.Damaged();
                return ctx.Ecg("verify", ctx.Workspace.FixtureSpec, "--output", results);
            });

        yield return new CorpusCase("verify-no-expect", "process", "ecg verify of a spec without expect:", Usage, ["expect:"],
            ctx => ctx.Ecg("verify", ctx.Write("noexpect.yaml", Base + TinyModel + Train1)));
    }

    /// <summary>Re-runs the completed fixture with --force and sends <paramref name="signal"/> once its first epoch is reported.</summary>
    private static EcgResult Interrupt(CaseContext ctx, string signal)
    {
        using var p = ctx.Workspace.Start(["run", ctx.Workspace.FixtureSpec, "--force", "--output", ctx.Results]);
        if (!p.WaitForLine(l => l.StartsWith("epoch ", StringComparison.Ordinal), ctx.Workspace.Timeout))
            return p.WaitForExit(ctx.Workspace.Timeout) with { KilledFor = "the forced re-run never started training" };
        p.Signal(signal);
        return p.WaitForExit(ctx.Workspace.Timeout);
    }

    // ---------------------------------------------------------------- reports

    /// <summary>A copy of the completed run under another key with its record edited (status, tables, error).</summary>
    private static string AddRun(CaseContext ctx, string key, Func<string, string> edit)
    {
        var folder = Path.Combine(ctx.ExperimentFolder, key);
        CorpusWorkspace.CopyTree(ctx.CompletedRun, folder);
        var run = Path.Combine(folder, "run.json");
        File.WriteAllText(run, edit(File.ReadAllText(run)));
        return folder;
    }

    private static string Status(string json, string status) => json.Replace("\"status\": \"completed\"", $"\"status\": \"{status}\"", StringComparison.Ordinal);

    private static string? EveryFormatSays(CaseContext ctx, params string[] words)
    {
        foreach (var file in new[] { "report.md", "report.csv", "report.json", "report.html" })
        {
            var path = Path.Combine(ctx.Folder, "report", file);
            if (!File.Exists(path)) return $"{file} was not written";
            var text = File.ReadAllText(path);
            foreach (var w in words)
                if (!text.Contains(w, StringComparison.Ordinal)) return $"{file} does not say '{w}'";
        }
        return null;
    }

    private static EcgResult Report(CaseContext ctx, params string[] extra) =>
        ctx.Ecg(["report", ctx.Results, "--output", Path.Combine(ctx.Folder, "report"), .. extra]);

    private static IEnumerable<CorpusCase> Reports()
    {
        yield return new CorpusCase("report-with-failed-trial", "report", "a sweep folder with one failed trial", Ok, ["report of 1 run(s)"],
            ctx =>
            {
                AddRun(ctx, "f00000000001", j => Status(j, "failed").Replace("\"trial_key\": \"", "\"error\": { \"type\": \"EcgDataException\", \"message\": \"record 17: truncated\" },\n  \"trial_key\": \"f00000000001", StringComparison.Ordinal));
                return Report(ctx);
            })
        { Check = (ctx, _) => EveryFormatSays(ctx, "failed", "record 17: truncated") };

        yield return new CorpusCase("report-with-interrupted-trial", "report", "a sweep folder with an interrupted (part-trained) trial", Ok, ["report of 1 run(s)"],
            ctx =>
            {
                AddRun(ctx, "100000000002", j => Status(j, "interrupted").Replace("\"trial_key\": \"", "\"trial_key\": \"100000000002", StringComparison.Ordinal));
                return Report(ctx);
            })
        { Check = (ctx, _) => EveryFormatSays(ctx, "interrupted") };

        yield return new CorpusCase("report-with-truncated-record", "report", "a sweep folder with one truncated run.json", Ok, ["report of 1 run(s)"],
            ctx =>
            {
                var folder = AddRun(ctx, "200000000003", j => j[..(j.Length / 3)]);
                return Report(ctx);
            })
        { Check = (ctx, _) => EveryFormatSays(ctx, "unreadable") };

        yield return new CorpusCase("report-only-failed", "report", "a folder whose only run failed", Ok, ["did not complete"],
            ctx =>
            {
                var run = Path.Combine(ctx.CompletedRun, "run.json");
                File.WriteAllText(run, Status(File.ReadAllText(run), "failed"));
                ctx.Damaged();
                return Report(ctx);
            })
        { Check = (ctx, _) => EveryFormatSays(ctx, "failed") };

        yield return new CorpusCase("report-newer-record", "report", "a run.json from a newer version", Data, ["run.json", "newer version"],
            ctx =>
            {
                var run = Path.Combine(ctx.CompletedRun, "run.json");
                File.WriteAllText(run, File.ReadAllText(run).Replace("\"version\": 2", "\"version\": 99", StringComparison.Ordinal));
                ctx.Damaged();
                return Report(ctx);
            });

        yield return new CorpusCase("report-empty-folder", "report", "a folder without runs", Data, ["empty-results", "no run.json"],
            ctx =>
            {
                var empty = Path.Combine(ctx.Folder, "empty-results");
                Directory.CreateDirectory(empty);
                return ctx.Ecg("report", empty, "--output", Path.Combine(ctx.Folder, "report"));
            });

        yield return new CorpusCase("report-missing-path", "report", "a path that does not exist", Data, ["no-such-results"],
            ctx => ctx.Ecg("report", Path.Combine(ctx.Folder, "no-such-results"), "--output", Path.Combine(ctx.Folder, "report")));

        yield return new CorpusCase("report-output-is-file", "report", "--output naming an existing file", Usage, ["--output", "existing file"],
            ctx => ctx.Ecg("report", ctx.Results, "--output", ctx.Write("report.txt", "x")));

        yield return new CorpusCase("report-decimals", "report", "--decimals 99", Usage, ["--decimals", "0..10"],
            ctx => Report(ctx, "--decimals", "99"))
        { Forbidden = ["ReportOptions"] };

        yield return new CorpusCase("report-decimals-text", "report", "--decimals three", Usage, ["--decimals", "three"],
            ctx => Report(ctx, "--decimals", "three"))
        { Forbidden = ["System.Int32"] };

        yield return new CorpusCase("report-unknown-reference", "report", "--reference naming no run", Usage, ["--reference", "nosuchrun"],
            ctx => Report(ctx, "--reference", "nosuchrun"));
    }

    // ---------------------------------------------------------------- flags

    private static CorpusCase Flag(string name, string description, int exit, string[] needles, params string[] flags) =>
        new(name, "flags", description, exit, needles, ctx => ctx.Ecg(["run", ctx.Workspace.FixtureSpec, "--dry-run", .. flags]));

    private static IEnumerable<CorpusCase> FlagCases()
    {
        yield return Flag("flag-epochs-negative", "--epochs -3", Usage, ["--epochs", "-3"], "--epochs", "-3") with { Forbidden = ["training.epochs"] };
        yield return Flag("flag-epochs-zero", "--epochs 0", Usage, ["--epochs", "≥ 1"], "--epochs", "0") with { Forbidden = ["training.epochs"] };
        yield return Flag("flag-epochs-text", "--epochs ten", Usage, ["--epochs", "ten"], "--epochs", "ten") with { Forbidden = ["System."] };
        yield return Flag("flag-threads-999", "--threads 999 on a small machine", Ok, ["--threads 999", "core"], "--threads", "999");
        yield return Flag("flag-threads-zero", "--threads 0", Usage, ["--threads"], "--threads", "0");
        yield return Flag("flag-threads-text", "--threads many", Usage, ["--threads", "many"], "--threads", "many");
        yield return Flag("flag-device", "--device tpu", Usage, ["--device", "tpu"], "--device", "tpu");
        yield return Flag("flag-workers", "--workers -2", Usage, ["--workers"], "--workers", "-2");
        yield return Flag("flag-trial-timeout", "--trial-timeout soon", Usage, ["--trial-timeout", "soon"], "--trial-timeout", "soon");
        yield return Flag("flag-trial-memory", "--trial-memory lots", Usage, ["--trial-memory", "lots"], "--trial-memory", "lots");
        yield return Flag("flag-isolation", "--isolation container", Usage, ["--isolation", "container"], "--isolation", "container");
        yield return Flag("flag-unknown", "--epoch (a typo)", Usage, ["--epoch"], "--epoch", "3");
        yield return new CorpusCase("flag-output-is-file", "flags", "run --output naming an existing file", Usage, ["--output", "existing file"],
            ctx => ctx.Ecg("run", ctx.Workspace.FixtureSpec, "--output", ctx.Write("results.txt", "x")));
        yield return new CorpusCase("predict-missing-model", "flags", "predict with a model path that does not exist", Data, ["missing.ecgmodel"],
            ctx => ctx.Ecg("predict", Path.Combine(ctx.Folder, "missing.ecgmodel"), ctx.Folder));
        yield return new CorpusCase("predict-garbage-model", "flags", "predict with a model file of random bytes", Data, ["garbage.ecgmodel"],
            ctx => ctx.Ecg("predict", ctx.Write("garbage.ecgmodel", "PK\u0003\u0004 this is not a zip"), ctx.Folder));
        yield return new CorpusCase("predict-output-is-folder", "flags", "predict -o naming a folder", Usage, ["--output", "existing folder"],
            ctx => ctx.Ecg("predict", Path.Combine(ctx.CompletedRun, "model.ecgmodel"), ctx.Folder, "-o", ctx.Folder));
        yield return new CorpusCase("convert-nan-npy", "flags", "convert of a .npy lead holding NaN", Data, ["lead.npy", "NaN"],
            ctx => Convert(ctx, Npy([1f, 2f, float.NaN, 4f, 5f])));
        yield return new CorpusCase("convert-two-leads", "flags", "convert of a 2-lead .npy", Data, ["lead.npy", "one lead"],
            ctx => Convert(ctx, Npy([1f, 2f, 3f, 4f, 5f, 6f], "(2, 3)")));
        yield return new CorpusCase("convert-truncated-npy", "flags", "convert of a truncated .npy", Data, ["lead.npy"],
            ctx => Convert(ctx, Npy([1f, 2f, 3f, 4f, 5f, 6f])[..90]));
        yield return new CorpusCase("convert-wrong-model", "flags", "convert with a classification model", Usage, ["model.ecgmodel", "reconstruction"],
            ctx =>
            {
                var input = Path.Combine(ctx.Folder, "in");
                Directory.CreateDirectory(input);
                File.WriteAllBytes(Path.Combine(input, "lead.npy"), Npy([1f, 2f, 3f, 4f]));
                return ctx.Ecg("convert", Path.Combine(ctx.CompletedRun, "model.ecgmodel"), input, Path.Combine(ctx.Folder, "out"));
            });
        yield return new CorpusCase("card-unknown-dataset", "flags", "card of an unknown dataset", Usage, ["ptbxx"],
            ctx => ctx.Ecg("card", "ptbxx"));
        yield return new CorpusCase("card-min-count-text", "flags", "card --min-count abc", Usage, ["--min-count", "abc"],
            ctx => ctx.Ecg("card", "ptbxl", "--labels", "superdiagnostic", "--min-count", "abc")) { Forbidden = ["System."] };
        yield return new CorpusCase("trial-number-text", "flags", "trial --trial two", Usage, ["--trial", "two"],
            ctx => ctx.Ecg("trial", ctx.Workspace.FixtureSpec, "--trial", "two")) { Forbidden = ["System."] };
    }

    private static EcgResult Convert(CaseContext ctx, byte[] npy)
    {
        var input = Path.Combine(ctx.Folder, "in");
        Directory.CreateDirectory(input);
        File.WriteAllBytes(Path.Combine(input, "lead.npy"), npy);
        return ctx.Ecg("convert", Path.Combine(ctx.CompletedRun, "model.ecgmodel"), input, Path.Combine(ctx.Folder, "out"));
    }

    /// <summary>A float32 .npy file (version 1.0).</summary>
    private static byte[] Npy(float[] values, string? shape = null)
    {
        shape ??= $"({values.Length.ToString(CultureInfo.InvariantCulture)},)";
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        foreach (var v in values) bytes.AddRange(BitConverter.GetBytes(v));
        return bytes.ToArray();
    }
}
