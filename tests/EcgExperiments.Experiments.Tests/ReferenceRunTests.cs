using EcgExperiments.Core;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.TestSupport;

namespace EcgExperiments.Experiments.Tests;

/// <summary>
/// Reference runs (results/reference): checked without retraining against their spec's expectations and the trial key the
/// current code computes. The first test re-checks the repository's committed reproductions; the second shows on a tiny run
/// that the check notices a spec change, a known miss and a known miss gone stale.
/// </summary>
public sealed class ReferenceRunTests
{
    [RealDataFact("mitbih", "ptbxl", "ecg5000")]
    public void Committed_reference_runs_are_current_and_meet_their_expectations()
    {
        var root = ProjectPaths.RepositoryRoot ?? throw new InvalidOperationException("tests run from a checkout");
        var checks = ReferenceRuns.Check(Path.Combine(root, ReferenceRuns.Folder), Path.Combine(root, "experiments"));
        Assert.NotEmpty(checks);
        var problems = checks.Where(c => !c.Ok).Select(c => c.Problem ?? $"{c.RunDirectory}: " + string.Join("; ",
            c.Rows.Where(r => !r.AsExpected).Select(r => $"{r.Metric}{(r.Class is null ? "" : $"[{r.Class}]")} {r.Verdict}: measured {r.Measured}, target {r.Target} {r.Rule}"))).ToList();
        // A reproduction carried as a checkpoint between sessions must still resume with the current code.
        problems.AddRange(ReferenceRuns.InProgress(Path.Combine(root, ReferenceRuns.Folder), Path.Combine(root, "experiments")).Select(t => t.Problem).OfType<string>());
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void A_reference_is_current_until_its_spec_changes_and_known_misses_must_still_miss()
    {
        var spec = SpecFiles.Minimal + """

            expect:
              - { metric: accuracy, target: 0.5, minimum: 0.0, note: "any classifier" }
              - { metric: accuracy, target: 2.0, tolerance: 0.01, known_miss: "no classifier is right twice" }
            """;
        var specFile = SpecFiles.Write(spec, "tiny-reference.yaml");
        var experiments = Path.GetDirectoryName(specFile)!;
        var reference = Directory.CreateTempSubdirectory("ecg-reference-").FullName;
        var outcome = ExperimentRunner.Run(SpecLoader.Load(specFile), new RunOptions { OutputDirectory = reference }, new Quiet());
        Assert.Equal(TrialStatus.Completed, outcome.Status);

        var check = Assert.Single(ReferenceRuns.Check(reference, experiments));
        Assert.Null(check.Problem);
        Assert.True(check.Ok);
        Assert.Equal(["pass", "known miss"], check.Rows.Select(r => r.Verdict));

        // The known miss starts to pass (here: its target moves within reach): the check asks for the note to go.
        File.WriteAllText(specFile, spec.Replace("target: 2.0, tolerance: 0.01", "target: 0.5, tolerance: 0.5"));
        check = Assert.Single(ReferenceRuns.Check(reference, experiments));
        Assert.Null(check.Problem);   // expectations are not part of the trial key
        Assert.False(check.Ok);
        Assert.Equal("passes: remove known_miss", check.Rows[1].Verdict);

        // A change that alters results makes the reference stale, and the message says which spec to re-run.
        File.WriteAllText(specFile, spec.Replace("learning_rate: 0.003", "learning_rate: 0.004"));
        check = Assert.Single(ReferenceRuns.Check(reference, experiments));
        Assert.False(check.Ok);
        Assert.Contains("stale reference", check.Problem);
        Assert.Contains("tiny-reference.yaml --output results/reference", check.Problem);
    }

    [Fact]
    public void A_reproduction_carried_as_a_checkpoint_is_in_progress_until_its_key_goes_stale()
    {
        var spec = SpecFiles.Minimal;
        var specFile = SpecFiles.Write(spec, "tiny.yaml"); // named as its experiment, as the repository's specs are
        var experiments = Path.GetDirectoryName(specFile)!;
        var e = SpecLoader.Load(specFile);
        var scratch = new RunOptions { OutputDirectory = Directory.CreateTempSubdirectory("ecg-results-").FullName, CheckpointEvery = "epoch" };
        using (var cancel = new CancellationTokenSource())
            Assert.Equal(TrialStatus.Interrupted, ExperimentRunner.Run(e, scratch, new CancelInEpoch(3, cancel), cancel.Token).Status);

        // Only the checkpoint is carried (the interrupted run's record is not a reference): the folder holds no run record.
        var reference = Directory.CreateTempSubdirectory("ecg-reference-").FullName;
        var experimentFolder = Path.Combine(reference, Path.GetFileName(ExperimentRunner.ExperimentDirectory(e, scratch)));
        Directory.CreateDirectory(experimentFolder);
        Directory.Move(Path.Combine(ExperimentRunner.ExperimentDirectory(e, scratch), ExperimentRunner.CheckpointFolder),
                       Path.Combine(experimentFolder, ExperimentRunner.CheckpointFolder));
        Assert.Empty(ReferenceRuns.Check(reference, experiments));
        var training = Assert.Single(ReferenceRuns.InProgress(reference, experiments));
        Assert.True(training.Problem is null, training.Problem);
        Assert.Equal((2, ExperimentRunner.TrialKey(e)), (training.Checkpoint.Epoch, training.Checkpoint.Key));
        Assert.Equal(2, SweepStatus.Of(experimentFolder).Checkpoints[training.Checkpoint.Key].Epoch); // `ecg status` finds it too

        // A change that alters results orphans the checkpoint: `ecg run` would start again, and the check says so.
        File.WriteAllText(specFile, spec.Replace("learning_rate: 0.003", "learning_rate: 0.004"));
        training = Assert.Single(ReferenceRuns.InProgress(reference, experiments));
        Assert.Contains("stale checkpoint (after epoch 2 of", training.Problem);
        Assert.Contains("tiny.yaml --output results/reference", training.Problem);
    }
}
