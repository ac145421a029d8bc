using System.Diagnostics;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using YamlDotNet.RepresentationModel;

namespace EcgExperiments.Experiments.Tests;

/// <summary>
/// The pieces that keep finished results safe and bad input clear: the results-folder lock, the storage check, the run
/// index reconciled with the run records, the non-finite sample policy, the YAML limits and the YamlDotNet internals the
/// sweep expander relies on.
/// </summary>
public class ReliabilityTests
{
    private static string TempDir(string prefix) => Directory.CreateTempSubdirectory(prefix).FullName;

    [Fact]
    public void A_folder_lock_is_exclusive_names_its_holder_and_is_released_on_dispose()
    {
        var folder = TempDir("ecg-lock-");
        using (var held = FolderLock.Acquire(folder, "ecg run a.yaml"))
        {
            var text = File.ReadAllText(Path.Combine(folder, FolderLock.FileName));
            Assert.Contains($"pid: {Environment.ProcessId}", text);
            Assert.Contains($"host: {Environment.MachineName}", text);
            Assert.Contains("purpose: ecg run a.yaml", text);
            var e = Assert.Throws<FolderLockedException>(() => FolderLock.Acquire(folder, "ecg run b.yaml"));
            Assert.Contains(folder, e.Message);
            Assert.Equal(Environment.ProcessId, FolderLock.HolderOf(folder)!.ProcessId);
        }
        Assert.Null(FolderLock.HolderOf(folder));
        using var again = FolderLock.Acquire(folder, "ecg run c.yaml");   // a lock file left behind is no lock
        Assert.Equal("ecg run c.yaml", again.Holder.Purpose);
    }

    [TestSupport.PythonPeerFact("fcntl")]
    public void A_lock_held_by_another_process_is_refused_at_once_naming_that_process_and_freed_when_it_dies()
    {
        var folder = TempDir("ecg-lock-peer-");
        var lockFile = Path.Combine(folder, FolderLock.FileName);
        // An independent holder: Python's POSIX record lock on the first byte, as FolderLock takes it, with the holder's text.
        var script = $$"""
            import fcntl, os, sys
            f = open({{Quote(lockFile)}}, "a+")
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
            f.truncate(0); f.write("pid: %d\nhost: peer-host\nstarted_utc: 2030-01-02T03:04:05Z\npurpose: ecg run other.yaml\n" % os.getpid()); f.flush()
            print("held", flush=True)
            sys.stdin.read()
            """;
        using var peer = Process.Start(new ProcessStartInfo(TestSupport.PythonPeerFactAttribute.Python, ["-c", script])
            { RedirectStandardInput = true, RedirectStandardOutput = true })!;
        Assert.Equal("held", peer.StandardOutput.ReadLine());   // the observable event: the peer holds the lock
        var e = Assert.Throws<FolderLockedException>(() => FolderLock.Acquire(folder, "ecg run mine.yaml"));
        Assert.Equal(peer.Id, e.Holder.ProcessId);
        Assert.Contains($"in use by process {peer.Id} on peer-host (since 2030-01-02 03:04:05 UTC: ecg run other.yaml)", e.Message);
        peer.StandardInput.Close();   // the peer exits, and the operating system releases its lock
        peer.WaitForExit();
        using var mine = FolderLock.Acquire(folder, "ecg run mine.yaml");
        Assert.Equal(Environment.ProcessId, mine.Holder.ProcessId);
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    [Fact]
    public void The_storage_check_names_the_folder_and_what_to_do()
    {
        var dir = TempDir("ecg-storage-");
        var file = Path.Combine(dir, "results.txt");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<StorageException>(() => OutputStorage.EnsureWritable(file));
        Assert.StartsWith($"{file}: the results folder is a file", e.Message);
        e = Assert.Throws<StorageException>(() => OutputStorage.EnsureWritable(Path.Combine(file, "below")));
        Assert.Contains(Path.Combine(file, "below"), e.Message);
        Assert.Contains("--output", e.Message);
        e = Assert.Throws<StorageException>(() => OutputStorage.EnsureWritable(Path.Combine(dir, "ok"), minimumFreeBytes: long.MaxValue));
        Assert.Contains("free on the results folder's file system", e.Message);
        Assert.Contains(OutputStorage.MinimumFreeVariable, e.Message);
        OutputStorage.EnsureWritable(Path.Combine(dir, "ok"), minimumFreeBytes: 1);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(dir, "ok")));   // the write probe leaves nothing behind
    }

    private static RunRecord Record(string key, TrialStatus status) => new()
    {
        Experiment = "exp", Status = status, TrialKey = key, StartedUtc = DateTime.UtcNow,
        MetricsTable = status == TrialStatus.Completed ? [new Evaluation.MetricEntry("accuracy", null, 0.75, null, null, null)] : [],
    };

    [Fact]
    public void The_index_is_rebuilt_from_the_run_records_when_they_disagree_and_set_aside_when_damaged()
    {
        var experiment = TempDir("ecg-index-");
        foreach (var (key, status) in new[] { ("aaaaaaaaaaaa1111", TrialStatus.Completed), ("bbbbbbbbbbbb2222", TrialStatus.Failed) })
        {
            var dir = Path.Combine(experiment, key[..12]);
            Directory.CreateDirectory(dir);
            RunRecordFile.Write(dir, Record(key, status));
        }
        Directory.CreateDirectory(Path.Combine(experiment, "cccccccccccc.partial-1-abc"));   // a staging folder is not a record
        var path = Path.Combine(experiment, RunIndex.FileName);
        using (var index = new RunIndex(path))
        {
            index.Record("dddddddddddd4444", "exp", 3, "completed", Path.Combine(experiment, "dddddddddddd"), "", null, 1, null, null, null);   // no record
            var repaired = index.Reconcile(experiment);
            Assert.Contains("disagreed with the run records (1 indexed, 2 run.json: 2 not indexed, 1 without a record, 0 with another status)", repaired);
            Assert.Equal(new[] { ("aaaaaaaaaaaa1111", "completed"), ("bbbbbbbbbbbb2222", "failed") }, index.All().OrderBy(r => r.key).Select(r => (r.key, r.status)).ToArray());
            Assert.Null(index.Reconcile(experiment));   // now they agree
        }
        File.WriteAllText(path, "not a database, not a database, not a database, not a database, not a database");
        using (var index = new RunIndex(path))
        {
            Assert.Contains("was not a readable SQLite database", index.Reconcile(experiment));
            Assert.Equal(2, index.All().Count);
            Assert.Single(Directory.GetFiles(experiment, "index.sqlite.damaged-*"));
        }
    }

    [Fact]
    public void An_index_that_cannot_be_opened_names_the_database()
    {
        var experiment = TempDir("ecg-index-dir-");
        Directory.CreateDirectory(Path.Combine(experiment, RunIndex.FileName));
        var e = Assert.Throws<RunIndexException>(() => new RunIndex(Path.Combine(experiment, RunIndex.FileName)));
        Assert.StartsWith(Path.Combine(experiment, RunIndex.FileName) + ": cannot be opened", e.Message);
    }

    [Fact]
    public void The_bundled_sqlite_is_a_current_release()
    {
        var version = Version.Parse(RunIndex.SqliteVersion());
        Assert.True(version >= new Version(3, 45), $"SQLite {version}");
    }

    private static InMemoryDataView View(params float[][] rows)
    {
        var schema = new EcgSchema([2, 4], 100, ["a", "b"], ["I", "II"]);
        var ids = rows.Select((_, i) => $"rec{i}").ToArray();
        return new InMemoryDataView(schema, new ExampleIndex(ids, ids, rows.Select(_ => 0).ToArray()), rows);
    }

    [Fact]
    public void Non_finite_samples_stop_the_load_naming_the_record_lead_and_sample_or_are_dropped_or_interpolated()
    {
        var view = View([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, float.NaN, float.NaN, 8], [0, 0, 0, 0, float.PositiveInfinity, 1, 1, 1]);
        var checkedView = NonFiniteSamples.Apply(view, NonFinitePolicy.Error);
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8], checkedView.ReadSignal(0));
        var e = Assert.Throws<EcgDataException>(() => checkedView.ReadSignal(1));
        Assert.Equal("record rec1: lead II, sample 1: NaN (an invalid-sample marker or a gap), 2 non-finite sample(s) in this lead; " +
                     "set data.non_finite: drop to leave such examples out, or interpolate to fill them from their neighbours", e.Message);
        Assert.Contains("record rec2: lead II, sample 0: a value beyond the float32 range", Assert.Throws<EcgDataException>(() => checkedView.ReadSignal(2)).Message);

        var lines = new List<string>();
        var dropped = NonFiniteSamples.Apply(view, NonFinitePolicy.Drop, lines.Add);
        Assert.Equal(["rec0"], dropped.Index.Ids);
        Assert.Equal("data.non_finite: drop left out 2 of 3 example(s) with NaN or infinite samples: rec1 (lead II), rec2 (lead II)", Assert.Single(lines));

        var filled = NonFiniteSamples.Apply(view, NonFinitePolicy.Interpolate);
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8], filled.ReadSignal(1));   // 5 … 8: the gap filled on the line between its neighbours
        Assert.Equal([0f, 0, 0, 0, 1, 1, 1, 1], filled.ReadSignal(2));   // an edge takes its nearest finite sample
        var empty = NonFiniteSamples.Apply(View([1, 1, 1, 1, float.NaN, float.NaN, float.NaN, float.NaN]), NonFinitePolicy.Interpolate);
        Assert.Contains("lead II has no finite sample to interpolate from", Assert.Throws<EcgDataException>(() => empty.ReadSignal(0)).Message);
    }

    [Fact]
    public void The_non_finite_policy_binds_from_yaml_and_an_unset_one_keeps_the_trial_key()
    {
        var plain = SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal));
        var explicitError = SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal.Replace("effect: 1.0 }", "effect: 1.0, non_finite: error }")));
        var drop = SpecLoader.Load(SpecFiles.Write(SpecFiles.Minimal.Replace("effect: 1.0 }", "effect: 1.0, non_finite: drop }")));
        Assert.Null(ExperimentRunner.ResolvedConfig(plain)["data"]!["non_finite"]);
        Assert.Equal(NonFinitePolicy.Drop, Sources.DataSourceOptions.PolicyOf(drop.ComponentOptions["data"]));
        Assert.Equal(NonFinitePolicy.Error, Sources.DataSourceOptions.PolicyOf(plain.ComponentOptions["data"]));
        Assert.Equal("drop", ExperimentRunner.ResolvedConfig(drop)["data"]!["non_finite"]!.GetValue<string>());
        Assert.NotEqual(ExperimentRunner.TrialKey(plain), ExperimentRunner.TrialKey(drop));
        Assert.NotEqual(ExperimentRunner.TrialKey(plain), ExperimentRunner.TrialKey(explicitError));   // written, so part of the key
    }

    [Fact]
    public void An_alias_bomb_fails_at_its_alias_before_any_node_is_expanded()
    {
        const string bomb = """
            a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
            a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
            a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
            a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
            a4: &a4 [*a3, *a3, *a3, *a3, *a3]
            sweep:
              parameters:
                training.learning_rate: [*a4, *a4]
            """;
        var text = SpecFiles.Minimal + "\n" + bomb + "\n";
        var e = Assert.Throws<SpecException>(() => SpecLoader.LoadSweep(SpecFiles.Write(text)));
        var lines = text.Split('\n');
        int line = Array.FindIndex(lines, l => l.Contains("training.learning_rate: [*a4", StringComparison.Ordinal));
        Assert.Equal("(alias)", e.Where.Key);
        // The first *a4 of the sweep takes the document (about 68,000 nodes so far) past the bound with its 55,556.
        Assert.Equal((line + 1, lines[line].IndexOf("*a4", StringComparison.Ordinal) + 1), (e.Where.Line, e.Where.Column));
        Assert.Contains("larger than 100,000 nodes once expanded", e.Message);
        // A few aliases of ordinary size are fine.
        YamlLimits.Check("a: &x [1, 2, 3]\nb: *x\nc: [*x, *x]\n", "ok.yaml");
    }

    [Fact]
    public void A_tab_used_as_indentation_is_reported_at_the_tab()
    {
        var path = SpecFiles.Write("name: x\ndata: { type: synthetic }\nmodel:\n  type: cnn2d\n\tkernel: 3\n");
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(path));
        Assert.Equal((5, 1), (e.Where.Line, e.Where.Column));
        Assert.Contains("YAML indents with spaces only", e.Message);
    }

    /// <summary>
    /// The sweep expander copies YAML nodes and sets their private Start/End by reflection, so errors in a swept trial
    /// still point into the file: this fails if a YamlDotNet upgrade removes those setters.
    /// </summary>
    [Fact]
    public void Swept_trials_keep_the_source_positions_the_sweep_expander_copies_by_reflection()
    {
        Assert.NotNull(typeof(YamlNode).GetProperty(nameof(YamlNode.Start))!.GetSetMethod(nonPublic: true));
        Assert.NotNull(typeof(YamlNode).GetProperty(nameof(YamlNode.End))!.GetSetMethod(nonPublic: true));
        var yaml = SpecFiles.Minimal + "\nsweep:\n  parameters:\n    model.dropout: [0.1, 2.0]\n";
        var e = Assert.Throws<SpecException>(() => SpecLoader.LoadTrials(SpecFiles.Write(yaml)));
        var modelLine = yaml.Split('\n').ToList().FindIndex(l => l.StartsWith("model:", StringComparison.Ordinal)) + 1;
        Assert.Equal((modelLine, 8), (e.Where.Line, e.Where.Column));   // the copied `model` mapping still knows where it was written
        Assert.Contains("sweep trial 2: model.dropout=2.0", e.Message);
    }

    [Fact]
    public void The_commit_and_dirty_flag_are_read_in_a_worktree_where_git_is_a_file()
    {
        var root = TempDir("ecg-git-");
        var main = Path.Combine(root, "main");
        Git(root, "init", "-q", "-b", "main", main);
        File.WriteAllText(Path.Combine(main, "a.txt"), "one\n");
        Git(main, "add", "a.txt");
        Git(main, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q", "-m", "one");
        Git(main, "pack-refs", "--all");   // the branch then lives only in packed-refs of the common folder
        var tree = Path.Combine(root, "tree");
        Git(main, "worktree", "add", "-q", "-b", "side", tree);
        Assert.True(File.Exists(Path.Combine(tree, ".git")));
        var head = Git(tree, "rev-parse", "HEAD").Trim();
        Assert.Equal(head, EnvironmentInfo.GitCommit(tree));
        Assert.Equal(head, EnvironmentInfo.GitCommit(main));
        Assert.False(EnvironmentInfo.GitDirty(tree));
        File.WriteAllText(Path.Combine(tree, "a.txt"), "two\n");
        Assert.True(EnvironmentInfo.GitDirty(tree));
        Assert.Null(EnvironmentInfo.GitCommit(root));   // not a checkout
    }

    private static string Git(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output.Result;
    }
}
