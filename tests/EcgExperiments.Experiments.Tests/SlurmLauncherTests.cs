using System.Globalization;
using System.Text.Json.Nodes;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Running.Slurm;
using EcgExperiments.Experiments.Running.Workers;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Experiments.Tests;

/// <summary>
/// The Slurm launcher without a cluster: the generated sbatch script and manifest against goldens written independently
/// by tools/golden/make_slurm_goldens.py, the mapping of sweep limits to sbatch options, the launcher's YAML checks,
/// the parsing of squeue/sacct/scontrol answers (captured from Slurm 22.05), and how a task that left no record is described.
/// </summary>
public class SlurmLauncherTests
{
    private static readonly string Golden = Path.Combine(AppContext.BaseDirectory, "Golden", "slurm");

    private static readonly string Tiny = SpecFiles.Minimal.Replace("epochs: 4", "epochs: 1").Replace("bootstrap_resamples: 200", "bootstrap_resamples: 0");

    [Fact]
    public void The_sbatch_script_and_manifest_match_the_goldens()
    {
        var input = JsonNode.Parse(File.ReadAllText(Path.Combine(Golden, "inputs.json")))!.AsObject();
        string S(string key) => input[key]!.GetValue<string>();
        DateTime Utc(string text) => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var settings = new SweepSettings
        {
            TrialTimeout = TimeSpan.FromSeconds(input["trial_timeout_seconds"]!.GetValue<int>()),
            Slurm = new SlurmSettings
            {
                Partition = S("partition"), CpusPerTask = input["cpus_per_task"]!.GetValue<int>(), MemoryBytes = input["memory_bytes"]!.GetValue<long>(),
                MaxParallel = input["max_parallel"]!.GetValue<int>(), ExtraArgs = input["extra_args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList(),
            },
        };
        var resources = SlurmResources.For(settings, input["threads_per_trial"]!.GetValue<int>(), gpu: S("device").StartsWith("cuda", StringComparison.Ordinal));
        var worker = input["worker"]!.AsArray().Select(w => w!.GetValue<string>()).ToList();
        var options = new RunOptions { Device = S("device") };
        var tasks = input["tasks"]!.AsArray().Select((t, i) => new SlurmArrayTask(i + 1, t!["trial"]!.GetValue<int>(), t["rung"]!.GetValue<int>(), t["budget"]!.GetValue<int>(),
                t["trial_key"]!.GetValue<string>(), $"{S("results_root")}/{S("experiment")}/{t["trial_key"]!.GetValue<string>()[..12]}", t["sweep_values"]!.GetValue<string>(),
                SlurmJobArray.LogName(i + 1))
            {
                PreviousRecordStartedUtc = t["previous_record_started_utc"]?.GetValue<string>() is { } p ? Utc(p) : null,
            }).ToList();

        var directives = resources.Directives($"ecg-{S("experiment")}", tasks.Count, $"{S("submission")}/{SlurmJobArray.LogPattern}");
        var commands = tasks.Select(t => (IReadOnlyList<string>)SlurmJobArray.Command(new WorkerCommand(worker[0], worker[1..]), S("spec_file"), t.Trial, t.Budget,
            t.TrialKey, S("results_root"), options, settings.TrialTimeout)).ToList();
        var script = SlurmJobArray.Script(S("experiment"), S("spec_file"), [.. tasks.Select(t => t.Rung).Distinct()], directives, commands);
        Assert.Equal(File.ReadAllText(Path.Combine(Golden, "job.sbatch")), script);

        var manifest = new SlurmArrayManifest
        {
            Experiment = S("experiment"), SpecFile = S("spec_file"), JobId = S("job_id"), CreatedUtc = Utc(S("created_utc")), SubmittedUtc = Utc(S("submitted_utc")),
            Metric = input["tuner"]!["metric"]!.GetValue<string>(), Direction = MetricDirection.Max, Sbatch = directives, Tasks = tasks,
        };
        var golden = File.ReadAllText(Path.Combine(Golden, "manifest.json"));
        Assert.Equal(golden, SlurmArrayManifest.Serialize(manifest));
        // Round trip: what the controller, ecg status and ecg index read back is what was written.
        var path = Path.Combine(Directory.CreateTempSubdirectory("ecg-manifest-").FullName, SlurmArrayManifest.FileName);
        File.WriteAllText(path, golden);
        var read = SlurmArrayManifest.Read(path);
        Assert.Equal(manifest.Tasks, read.Tasks);
        Assert.Equal((manifest.JobId, manifest.SubmittedUtc, manifest.Direction), (read.JobId, read.SubmittedUtc, read.Direction));
        File.WriteAllText(path, golden.Replace("\"version\": 1", "\"version\": 9"));
        Assert.Contains("newer version", Assert.Throws<InvalidDataException>(() => SlurmArrayManifest.Read(path)).Message);
    }

    [Theory]
    // timeout (s) → --time (min), warning ahead (s): whole minutes rounded up; the warning covers the rounding gap and
    // leaves at least a tenth of the limit (30 s to 5 min) to finish the batch and write the record.
    [InlineData(10, 1, 50)]
    [InlineData(59, 1, 30)]
    [InlineData(60, 1, 30)]
    [InlineData(61, 2, 59)]
    [InlineData(90, 2, 30)]
    [InlineData(1800, 30, 180)]
    [InlineData(36000, 600, 300)]
    public void The_trial_timeout_becomes_whole_minutes_and_a_warning_ahead_of_them(double timeoutSeconds, int minutes, int warning)
    {
        var r = SlurmResources.For(new SweepSettings { TrialTimeout = TimeSpan.FromSeconds(timeoutSeconds), Slurm = new SlurmSettings() }, 1, gpu: false);
        Assert.Equal(minutes, r.TimeMinutes);
        Assert.Equal(warning, r.WarningSeconds);
        Assert.InRange(r.WarningSeconds!.Value, 1, minutes * 60 - 1);
        Assert.True(minutes * 60 - r.WarningSeconds <= timeoutSeconds, "the warning comes no later than the timeout");
        Assert.Contains($"--time={minutes}", r.Directives("j", 3, "x-%a.log"));
        Assert.Contains($"--signal=B:USR1@{warning}", r.Directives("j", 3, "x-%a.log"));
    }

    [Fact]
    public void Memory_cores_and_gpus_map_onto_sbatch_options()
    {
        var settings = new SweepSettings { TrialMemoryBytes = (512L << 20) + 1, Slurm = new SlurmSettings() };
        var r = SlurmResources.For(settings, threadsPerTrial: 2, gpu: false);
        Assert.Equal(["--job-name=j", "--array=1-5", "--output=x-%a.log", "--mem=513M", "--cpus-per-task=2"], r.Directives("j", 5, "x-%a.log"));
        // launcher.mem wins over trial_memory; CUDA trials ask for a GPU unless gres says otherwise; cpus_per_task wins over the thread demand.
        r = SlurmResources.For(settings with { Slurm = new SlurmSettings { MemoryBytes = 4L << 30, CpusPerTask = 6, MaxParallel = 2 } }, 2, gpu: true);
        Assert.Equal(["--job-name=j", "--array=1-5%2", "--output=x-%a.log", "--mem=4096M", "--cpus-per-task=6", "--gres=gpu:1"], r.Directives("j", 5, "x-%a.log"));
        r = SlurmResources.For(settings with { Slurm = new SlurmSettings { Gres = "gpu:a100:2" } }, 2, gpu: true);
        Assert.Contains("--gres=gpu:a100:2", r.Directives("j", 1, "x"));
        Assert.DoesNotContain(r.Directives("j", 1, "x"), d => d.StartsWith("--time", StringComparison.Ordinal) || d.StartsWith("--signal", StringComparison.Ordinal));
    }

    [Fact]
    public void A_slurm_launcher_section_loads_and_the_command_line_switches_launchers()
    {
        var path = SpecFiles.Write(Tiny + """

            sweep:
              trial_timeout: 30m
              launcher: { type: slurm, partition: gpu, cpus_per_task: 4, mem: 8GiB, max_parallel: 16, extra_args: [--account=cardio, --qos=short] }
              parameters:
                training.learning_rate: [0.003, 0.01]
            """);
        var space = SpecLoader.LoadSweep(path);
        var slurm = space.Settings.Slurm!;
        Assert.Equal(("gpu", 4, 8L << 30, 16), (slurm.Partition, slurm.CpusPerTask, slurm.MemoryBytes, slurm.MaxParallel));
        Assert.Equal(["--account=cardio", "--qos=short"], slurm.ExtraArgs);
        Assert.Null(new SweepOverrides(null, null, null, null) { Launcher = "local" }.Apply(space.Settings).Slurm);
        // --launcher slurm keeps the spec's options; on a spec without a launcher section it uses the defaults.
        Assert.Same(slurm, new SweepOverrides(null, null, null, null) { Launcher = "slurm" }.Apply(space.Settings).Slurm);
        Assert.NotNull(new SweepOverrides(null, null, null, null) { Launcher = "slurm" }.Apply(new SweepSettings()).Slurm);
        Assert.Contains("--launcher: expected local or slurm, got 'pbs'", Assert.Throws<ArgumentException>(() => new SweepOverrides(null, null, null, null) { Launcher = "pbs" }.Apply(space.Settings)).Message);
        // --workers N on Slurm: at most N array tasks at once (launcher.max_parallel wins when given).
        var throttled = new SweepOverrides("3", null, null, null) { Launcher = "slurm" }.Apply(new SweepSettings());
        Assert.Contains("--array=1-8%3", SlurmResources.For(throttled, 1, false).Directives("j", 8, "x"));
        Assert.Contains("--array=1-8%16", SlurmResources.For(space.Settings with { Workers = 3 }, 1, false).Directives("j", 8, "x"));
        Assert.Contains("sweep.isolation", Assert.Throws<ArgumentException>(() => new SweepOverrides(null, null, null, "in_process") { Launcher = "slurm" }.Apply(new SweepSettings())).Message);

        // The dry run shows the sbatch options of the first array, instead of local workers.
        var dry = DryRun.Describe(space, space.Settings, new RunOptions()).ToList();
        Assert.Contains(dry, l => l.Contains("launcher: Slurm, the pending trials of each rung as one job array (partition gpu, 4 CPU(s) per trial, 8192 MiB, at most 16 task(s) at once", StringComparison.Ordinal));
        Assert.Contains("    sbatch --job-name=ecg-tiny --array=1-2%16 --time=30 --signal=B:USR1@180 --mem=8192M --cpus-per-task=4 --partition=gpu --account=cardio --qos=short", dry);
        Assert.DoesNotContain(dry, l => l.TrimStart().StartsWith("workers:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_gpu_sweep_for_slurm_loads_on_a_machine_without_a_gpu_and_asks_for_one_per_task()
    {
        // The controller (e.g. a login node) has no GPU; the trials run on the cluster's GPU nodes.
        var path = SpecFiles.Write(Tiny.Replace("seed: 3", "seed: 3\ndevice: cuda") + """

            sweep:
              launcher: { type: slurm }
              parameters:
                training.learning_rate: [0.003, 0.01]
            """);
        var space = SpecLoader.LoadSweep(path);
        Assert.Contains(DryRun.Describe(space, space.Settings, new RunOptions()), l => l.StartsWith("    sbatch ", StringComparison.Ordinal) && l.EndsWith(" --gres=gpu:1", StringComparison.Ordinal));
        // A misspelt device is still refused at its key.
        var bad = SpecFiles.Write(Tiny.Replace("seed: 3", "seed: 3\ndevice: gpu") + "\nsweep:\n  launcher: { type: slurm }\n");
        Assert.Contains("`device`: unknown device 'gpu'", Assert.Throws<SpecException>(() => SpecLoader.LoadSweep(bad)).Message);
    }

    [Theory]
    [InlineData("launcher: { type: slrum }", "`sweep.launcher.type`: 'slrum' is not valid (did you mean 'slurm'?); valid: local, slurm")]
    [InlineData("launcher: { type: slurm, mem: 8 gigs }", "`sweep.launcher.mem`: expected a size with a unit such as 512MiB, 4GiB or 2GB, got '8 gigs'")]
    [InlineData("launcher: { type: slurm, cpus_per_task: 0 }", "`sweep.launcher.cpus_per_task`: must be ≥ 1, got 0")]
    [InlineData("launcher: { type: slurm, max_parallel: 0 }", "`sweep.launcher.max_parallel`: must be ≥ 1")]
    [InlineData("launcher: { type: slurm, partition: 'gpu long' }", "`sweep.launcher.partition`: must be a partition name without spaces, got 'gpu long'")]
    [InlineData("launcher: { type: slurm, extra_args: [--qos=short, --time=10] }", "`sweep.launcher.extra_args`: item 2 ('--time=10'): --time is written by the launcher: set sweep.trial_timeout")]
    [InlineData("launcher: { type: slurm, extra_args: [account=x] }", "`sweep.launcher.extra_args`: item 1 ('account=x'): expected an sbatch option such as --account=cardio")]
    [InlineData("launcher: { type: local, partition: gpu }", "`sweep.launcher.partition`: is only used by the Slurm launcher")]
    [InlineData("launcher: { type: slurm, partitions: gpu }", "`sweep.launcher.partitions`: unknown key 'partitions' (did you mean 'partition'?)")]
    [InlineData("isolation: in_process\n  launcher: { type: slurm }", "`sweep.isolation`: in_process cannot run on Slurm: every trial is an array task")]
    public void Bad_launcher_settings_fail_at_load_with_file_line_and_key(string settings, string expected)
    {
        var path = SpecFiles.Write(Tiny + "\n\nsweep:\n  " + settings + "\n  parameters:\n    training.learning_rate: [0.003, 0.01]\n");
        var e = Assert.Throws<SpecException>(() => SpecLoader.LoadSweep(path));
        Assert.Contains(expected, e.Message);
        Assert.Matches(@"spec\.yaml:(1[0-9]):\d+: ", e.Message); // a line of the sweep section
    }

    [Fact]
    public void Squeue_sacct_and_scontrol_answers_parse_into_task_states()
    {
        Assert.Equal([1, 2, 3, 5], SlurmCommands.TaskIds("[1-3,5%2]"));
        Assert.Equal([4], SlurmCommands.TaskIds("4"));

        // sacct --allocations --parsable2 --format=JobID,State,ExitCode,Elapsed,Start,Reason (a pending range cancelled, steps left out)
        const string sacct = """
            812_1|COMPLETED|0:0|00:01:05|2026-12-06T22:31:40|None
            812_1.batch|COMPLETED|0:0|00:01:05|2026-12-06T22:31:40|
            812_2|OUT_OF_MEMORY|0:125|00:00:16|2026-12-06T22:31:41|None
            812_3|TIMEOUT|0:0|1-00:00:09|2026-12-06T22:31:41|None
            812_[4-5%2]|CANCELLED by 1000|0:0|00:00:00|Unknown|JobArrayTaskLimit
            """;
        var s = SlurmCommands.ParseSacct("812", sacct);
        Assert.Equal([1, 2, 3, 4, 5], s.Keys.Order());
        Assert.Equal(("COMPLETED", 0, 0, TimeSpan.FromSeconds(65)), (s[1].State, s[1].ExitCode, s[1].Signal, s[1].Elapsed));
        Assert.Equal(("OUT_OF_MEMORY", 125), (s[2].State, s[2].Signal));
        Assert.Equal(new TimeSpan(1, 0, 0, 9), s[3].Elapsed);
        Assert.Equal(("CANCELLED", (DateTime?)null, "JobArrayTaskLimit"), (s[5].State, s[5].StartUtc, s[5].Reason));
        Assert.All(s.Values, t => Assert.False(t.IsActive));

        // scontrol --oneliner show job (Slurm 22.05 without accounting; lines shortened to the fields read)
        const string scontrol = """
            JobId=7 ArrayJobId=7 ArrayTaskId=3 JobName=ecg-limits JobState=FAILED Reason=JobLaunchFailure Dependency=(null) ExitCode=0:9 RunTime=00:00:16 TimeLimit=00:02:00 StartTime=2026-12-06T22:39:07 StdOut=/r/slurm/x/task-3.log Power=
            JobId=9 ArrayJobId=7 ArrayTaskId=2 JobName=ecg-limits JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=3:0 RunTime=00:01:15 TimeLimit=00:02:00 StartTime=2026-12-06T22:38:45 Power=
            JobId=8 ArrayJobId=7 ArrayTaskId=1 JobName=ecg-limits JobState=COMPLETED Reason=None Dependency=(null) ExitCode=0:0 RunTime=00:00:21 TimeLimit=00:02:00 StartTime=2026-12-06T22:38:45 Power=
            JobId=7 ArrayJobId=7 ArrayTaskId=4-6%2 JobName=ecg-limits JobState=PENDING Reason=JobArrayTaskLimit ExitCode=0:0 RunTime=00:00:00 StartTime=Unknown Power=
            """;
        var c = SlurmCommands.ParseScontrol(scontrol);
        Assert.Equal(("FAILED", 0, 9, "JobLaunchFailure"), (c[3].State, c[3].ExitCode, c[3].Signal, c[3].Reason));
        Assert.Equal((3, TimeSpan.FromSeconds(75)), (c[2].ExitCode, c[2].Elapsed));
        Assert.Null(c[1].Reason);
        Assert.All([4, 5, 6], t => Assert.True(c[t].IsActive));
    }

    [Fact]
    public void A_task_that_left_no_record_is_described_by_its_state_exit_and_log()
    {
        var r = SlurmResources.For(new SweepSettings { TrialTimeout = TimeSpan.FromMinutes(2), TrialMemoryBytes = 700L << 20, Slurm = new SlurmSettings() }, 1, false);
        // Killed for memory by slurmstepd's accounting poll (no cgroups): the state is FAILED with signal 9, the log says why.
        string[] log =
        [
            "epoch   1/1  train loss 0.6955",
            "slurmstepd-vm: error: StepId=7.batch exceeded memory limit (813305856 > 734003200), being killed",
            "slurmstepd-vm: error: Exceeded job memory limit",
            "slurmstepd-vm: error: *** JOB 7 ON vm CANCELLED AT 2026-12-06T22:39:23 ***",
        ];
        Assert.Equal(("TrialLimitExceeded", "memory limit 700 MiB exceeded (Slurm job 7_3 FAILED, signal 9: slurmstepd: StepId=7.batch exceeded memory limit (813305856 > 734003200), being killed)"),
            SlurmTaskEnd.Describe("7", new SlurmTaskState(3, "FAILED", 0, 9), r, log));
        // With cgroups the state says it.
        Assert.Equal(("TrialLimitExceeded", "memory limit 700 MiB exceeded (Slurm job 7_3 OUT_OF_MEMORY, signal 125)"),
            SlurmTaskEnd.Describe("7", new SlurmTaskState(3, "OUT_OF_MEMORY", 0, 125), r, []));
        Assert.Equal(("TrialLimitExceeded", "time limit 2 min exceeded (Slurm job 7_1 TIMEOUT: killed before the trial could record its end)"),
            SlurmTaskEnd.Describe("7", new SlurmTaskState(1, "TIMEOUT"), r, []));
        Assert.Equal(("TrialLimitExceeded", "time limit 2 min reached (Slurm job 7_1: Slurm's warning signal came before the trial listened for it)"),
            SlurmTaskEnd.Describe("7", new SlurmTaskState(1, "FAILED", 0, 10), r, []));
        Assert.Equal(("WorkerCrashed", "Slurm job 7_2 FAILED, exit code 2: error: trial 2 of spec.yaml now resolves to key 1a2b, not the sweep's 3c4d"),
            SlurmTaskEnd.Describe("7", new SlurmTaskState(2, "FAILED", 2), r, ["error: trial 2 of spec.yaml now resolves to key 1a2b, not the sweep's 3c4d", ""]));
        Assert.Equal(("WorkerCrashed", "Slurm job 7_2 NODE_FAIL (the node failed)"), SlurmTaskEnd.Describe("7", new SlurmTaskState(2, "NODE_FAIL"), r, []));
        Assert.Equal("JobCancelled", SlurmTaskEnd.Describe("7", new SlurmTaskState(2, "CANCELLED"), r, []).ErrorType);
    }
}
