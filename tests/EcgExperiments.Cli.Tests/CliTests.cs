using System.Diagnostics;

namespace EcgExperiments.Cli.Tests;

/// <summary>The `ecg` command as a user runs it: exit codes and what it prints.</summary>
public class CliTests
{
    [Fact]
    public void Progress_eta_counts_every_hour_of_a_long_run()
    {
        Assert.Equal("09:57", ConsoleObserver.Duration(TimeSpan.FromSeconds(9 * 60 + 57)));
        Assert.Equal("8:09:57", ConsoleObserver.Duration(new TimeSpan(8, 9, 57)));
        Assert.Equal("26:00:05", ConsoleObserver.Duration(new TimeSpan(1, 2, 0, 5)));
    }

    private static (int code, string stdout, string stderr) Ecg(IDictionary<string, string>? env, params string[] args) => EcgProcess.Run(null, env, args);

    [Fact]
    public void An_invalid_spec_exits_2_with_file_line_and_key_and_no_stack_trace()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-cli-").FullName;
        var spec = Path.Combine(dir, "bad.yaml");
        File.WriteAllText(spec, "name: x\ndata: { type: synthetic }\nmodel: { type: cnn2d }\ntraining: { epocs: 3 }\n");
        var (code, _, stderr) = Ecg(null, "validate", spec);
        Assert.Equal(2, code);
        Assert.Contains("bad.yaml:4:13: `training.epocs`: unknown key 'epocs' (did you mean 'epochs'?)", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [EcgExperiments.TestSupport.RealDataFact("ptbxl")]
    public void Card_shows_the_class_counts_of_a_chosen_PTB_XL_label_definition()
    {
        var (code, stdout, stderr) = Ecg(null, "card", "ptbxl", "--labels", "superdiagnostic");
        Assert.True(code == 0, stderr);
        foreach (var row in new[] { "| NORM | 243 |", "| STTC | 74 |", "| CD | 58 |", "| MI | 53 |", "| HYP | 32 |" }) Assert.Contains(row, stdout);
        Assert.Contains("Dropped (no_class): 10", stdout);

        (code, stdout, stderr) = Ecg(null, "card", "ptbxl", "--class", "NORM=NORM", "--only", "NORM", "--class", "HYP=HYP");
        Assert.True(code == 0, stderr);
        Assert.Contains("| NORM | 238 |", stdout);
        Assert.Contains("| HYP | 32 |", stdout);

        (code, _, stderr) = Ecg(null, "card", "ptbxl", "--class", "A=IMI", "--class", "B=NORM");
        Assert.Equal(ExitCodes.InvalidSpecOrFlag, code);
        Assert.Contains("write subclass:IMI or statement:IMI", stderr);
    }

    [Fact]
    public void A_relative_output_flag_is_taken_from_the_current_folder_and_parse_errors_name_the_flag_in_plain_words()
    {
        var here = Directory.CreateTempSubdirectory("ecg-cwd-").FullName;
        var spec = Path.Combine(here, "tiny.yaml");
        File.WriteAllText(spec, Corpus.CorpusWorkspace.FixtureSpecText.Replace("epochs: 200", "epochs: 1", StringComparison.Ordinal));
        var (code, stdout, error) = EcgProcess.Run(here, null, "run", "tiny.yaml", "--output", "mine");
        Assert.True(code == 0, error + stdout);
        var record = Assert.Single(Directory.GetFiles(Path.Combine(here, "mine"), "run.json", SearchOption.AllDirectories));
        Assert.StartsWith(Path.Combine(here, "mine", Corpus.CorpusWorkspace.FixtureExperiment), record);

        (code, _, error) = Ecg(null, "card", "ptbxl", "--labels", "superdiagnostic", "--min-count", "abc");
        Assert.Equal(2, code);
        Assert.Contains("error: --min-count: expected a whole number, got 'abc'", error);
        (code, _, error) = Ecg(null, "trial", spec, "--trial", "two");
        Assert.Equal(2, code);
        Assert.Contains("error: --trial: expected a whole number, got 'two'", error);
        Assert.DoesNotContain("System.", error);
    }

    [Fact]
    public void Index_refuses_a_folder_a_run_is_writing_naming_that_run_and_rebuilds_it_once_free()
    {
        var experiment = Path.Combine(Directory.CreateTempSubdirectory("ecg-index-lock-").FullName, "exp");
        Directory.CreateDirectory(experiment);
        File.WriteAllBytes(Path.Combine(experiment, Experiments.Running.RunIndex.FileName), []);
        int code;
        string error;
        using (Core.FolderLock.Acquire(experiment, "ecg run exp.yaml"))
        {
            (code, _, error) = Ecg(null, "index", experiment);
            Assert.Equal(ExitCodes.Busy, code);
            Assert.Contains($"in use by process {Environment.ProcessId}", error);
        }
        (code, var stdout, error) = Ecg(null, "index", experiment);
        Assert.True(code == 0, error);
        Assert.Contains("0 run(s) indexed", stdout);
    }

    [Fact]
    public void Dry_run_lists_every_stage_shape_without_reading_data()
    {
        var quickstart = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "experiments", "quickstart.yaml");
        var (code, stdout, stderr) = Ecg(null, "run", Path.GetFullPath(quickstart), "--dry-run");
        Assert.True(code == 0, stderr);
        Assert.Contains("zscore       → [12 × 1000] @ 100 Hz, classes [NORM, HYP]", stdout);
        Assert.Contains("trials: 1", stdout);
    }

    [Fact]
    public void A_bridge_whose_libtorch_is_missing_gives_one_actionable_message()
    {
        // A stand-in bridge that needs a libtorch library the loader cannot find, as on a machine without libtorch.
        var dir = Directory.CreateTempSubdirectory("ecg-nolibtorch-").FullName;
        var src = Path.Combine(dir, "stub.cpp");
        // It must call into the dependency: Debian links with --as-needed and drops unused libraries.
        File.WriteAllText(src, "extern \"C\" int torch_stub();\nextern \"C\" int ecg_abi_version() { return torch_stub(); }\n");
        File.WriteAllText(Path.Combine(dir, "dep.cpp"), "extern \"C\" int torch_stub() { return 0; }\n");
        Run("g++", "-shared", "-fPIC", "-o", Path.Combine(dir, "libtorch_missing.so"), Path.Combine(dir, "dep.cpp"));
        Run("g++", "-shared", "-fPIC", "-o", Path.Combine(dir, "libecgtorch.so"), src, "-L" + dir, "-ltorch_missing");
        File.Delete(Path.Combine(dir, "libtorch_missing.so"));

        var (code, _, stderr) = Ecg(new Dictionary<string, string> { ["ECG_NATIVE_LIB"] = Path.Combine(dir, "libecgtorch.so") }, "info");
        Assert.Equal(ExitCodes.Environment, code);
        Assert.Contains("needs libtorch, which is not installed", stderr);
        Assert.Contains("./ecg setup", stderr);
        Assert.Contains("apt-get install libtorch-dev", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void A_bridge_from_other_sources_is_refused_with_a_rebuild_hint()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-oldbridge-").FullName;
        File.WriteAllText(Path.Combine(dir, "old.cpp"), "extern \"C\" int ecg_abi_version() { return 1; }\n");
        Run("g++", "-shared", "-fPIC", "-o", Path.Combine(dir, "libecgtorch.so"), Path.Combine(dir, "old.cpp"));
        var (code, _, stderr) = Ecg(new Dictionary<string, string> { ["ECG_NATIVE_LIB"] = Path.Combine(dir, "libecgtorch.so") }, "info");
        Assert.Equal(ExitCodes.Environment, code);
        Assert.Matches(@"implements bridge ABI 1, this build needs [2-9]", stderr);   // any newer ABI: the bridge grows with the engine
        Assert.Contains("./ecg setup", stderr);
    }

    [Fact]
    public void Verify_runs_a_missing_trial_then_reads_it_and_exits_1_when_a_target_is_missed()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-verify-").FullName;
        const string body = """
            name: verify-tiny
            seed: 3
            data: { type: synthetic, records: 80, effect: 1.0 }
            pipeline: [ { type: zscore } ]
            model: { type: cnn2d, widths: [4, 8], kernel: 9, kernel_height: 3, padding: [1, 0], pool: [2, 4], squeeze_excitation: true, se_reduction: 2, dropout: 0.1 }
            training: { epochs: 8, batch_size: 16, learning_rate: 0.003, select_by: macro_f1 }
            evaluation: { bootstrap_resamples: 0 }
            """;
        var good = Path.Combine(dir, "good.yaml");
        File.WriteAllText(good, body + "\nexpect: [ { metric: balanced_accuracy, minimum: 0.8 } ]\n");
        var results = Path.Combine(dir, "results");
        var first = Ecg(null, "verify", good, "--output", results, "--device", "cpu");
        Assert.True(first.code == 0, first.stdout + first.stderr);
        Assert.Contains("run now", first.stdout);
        Assert.Contains("every expectation holds", first.stdout);
        var second = Ecg(null, "verify", good, "--output", results, "--device", "cpu");
        Assert.Equal(0, second.code);
        Assert.Contains("finished run", second.stdout);

        var bad = Path.Combine(dir, "bad.yaml");
        File.WriteAllText(bad, body + "\nexpect: [ { metric: accuracy, target: 0.5, tolerance: 0.01 } ]\n");
        var third = Ecg(null, "verify", bad, "--output", results, "--device", "cpu");
        Assert.Equal(ExitCodes.Incomplete, third.code);
        Assert.Contains("FAIL", third.stdout);
        Assert.Contains("finished run", third.stdout); // same trial key: the expect block is not part of the key
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} failed: {err}");
    }
}
