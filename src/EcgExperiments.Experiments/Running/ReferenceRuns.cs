using EcgExperiments.Core;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Training;

namespace EcgExperiments.Experiments.Running;

/// <summary>
/// One committed reference run checked without retraining: its metrics against its spec's <c>expect:</c> block, and its
/// trial key against the key the current code and spec compute. <see cref="Problem"/> says what is wrong (stale, spec
/// missing, not completed); null when the run is current.
/// </summary>
public sealed record ReferenceCheck(string RunDirectory, RunRecord Record, string? SpecFile, IReadOnlyList<VerifyRow> Rows, string? Problem)
{
    /// <summary>Current, and every expectation as its spec says (a pass, or a known miss that still misses).</summary>
    public bool Ok => Problem is null && Rows.All(r => r.AsExpected);
}

/// <summary>
/// A full-scale reproduction still training: the checkpoint its experiment folder carries (<c>results/reference/&lt;experiment&gt;/
/// .checkpoints/&lt;key&gt;.ckpt</c>), committed so that <c>ecg run &lt;spec&gt; --output results/reference</c> resumes it in another
/// session or on another machine. <see cref="Problem"/> says why it would not resume (stale, spec missing); null when it will.
/// </summary>
public sealed record InProgressReference(string ExperimentDirectory, string CheckpointFile, CheckpointInfo Checkpoint, string? SpecFile, string? Problem);

/// <summary>
/// Reference runs: full-scale reproductions written by the normal <c>ecg run &lt;spec&gt; --output results/reference</c> and
/// committed (<c>results/reference/&lt;experiment&gt;/&lt;key&gt;/run.json</c> with its tables, curves and small model files).
/// <c>ecg verify results/reference</c> and the test suite re-check them cheaply through <see cref="Check"/>: nothing is trained.
/// </summary>
public static class ReferenceRuns
{
    /// <summary>Where reference runs live, relative to the repository root.</summary>
    public const string Folder = "results/reference";

    /// <summary>Every run record under <paramref name="root"/> (recursively), in folder order.</summary>
    public static IReadOnlyList<string> RunDirectories(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateFiles(root, RunRecordFile.FileName, SearchOption.AllDirectories)
                .Select(f => Path.GetDirectoryName(f)!).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>
    /// Checks every reference run under <paramref name="root"/>. Each run's spec is found by its file name in
    /// <paramref name="experimentsDirectory"/> (the repository's <c>experiments/</c>), so a reference written on another
    /// machine is checked against the spec as committed here.
    /// </summary>
    public static IReadOnlyList<ReferenceCheck> Check(string root, string experimentsDirectory) =>
        RunDirectories(root).Select(dir => CheckOne(dir, experimentsDirectory)).ToList();

    /// <summary>Checks one reference run folder (see <see cref="Check"/>).</summary>
    public static ReferenceCheck CheckOne(string runDirectory, string experimentsDirectory)
    {
        var record = RunRecordFile.Read(runDirectory);
        if (record.SpecFile is null)
            return new(runDirectory, record, null, [], $"{runDirectory}: the run record names no spec file; re-run the experiment with `ecg run <spec> --output {Folder}`");
        var specFile = Path.Combine(experimentsDirectory, Path.GetFileName(record.SpecFile));
        if (!File.Exists(specFile))
            return new(runDirectory, record, null, [], $"{runDirectory}: its spec {Path.GetFileName(record.SpecFile)} is not in {experimentsDirectory} any more; delete the reference or restore the spec");
        var trials = SpecLoader.LoadTrials(specFile);
        var rows = Verifier.Check(trials[0].Experiment.Spec.Expect, record.MetricsTable);
        if (record.Status != TrialStatus.Completed)
            return new(runDirectory, record, specFile, rows, $"{runDirectory}: the reference run is {record.Status.Text()}, not completed; re-run `ecg run {Display(specFile)} --output {Folder}`");
        bool current = trials.Any(t => ExperimentRunner.TrialKey(t.Experiment) == record.TrialKey);
        if (!current)
            return new(runDirectory, record, specFile, rows,
                $"{runDirectory}: stale reference: the current code ({ExperimentRunner.CodeVersion}) and {Display(specFile)} compute a different trial key than the run's " +
                $"({record.CodeVersion}), so its numbers are no longer what this code produces; re-run `ecg run {Display(specFile)} --output {Folder}` and commit the new folder in place of this one");
        return new(runDirectory, record, specFile, rows, null);
    }

    /// <summary>
    /// The reproductions under <paramref name="root"/> that carry a checkpoint instead of a run record yet. Each one's spec is
    /// <c>&lt;experiment&gt;.yaml</c> in <paramref name="experimentsDirectory"/>; a checkpoint whose trial key the current code and
    /// spec no longer compute is stale: <c>ecg run</c> would set it aside and start that reproduction again from epoch 1.
    /// </summary>
    public static IReadOnlyList<InProgressReference> InProgress(string root, string experimentsDirectory)
    {
        if (!Directory.Exists(root)) return [];
        var found = new List<InProgressReference>();
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var specFile = Path.Combine(experimentsDirectory, Path.GetFileName(dir) + ".yaml");
            var hasSpec = File.Exists(specFile);
            foreach (var file in ExperimentRunner.CheckpointFiles(dir))
            {
                var info = TrainingCheckpoint.Peek(file)!; // strict, unlike `ecg status`: a damaged or foreign committed checkpoint throws, naming it
                string? problem = null;
                if (!hasSpec)
                    problem = $"{file}: no spec {Path.GetFileName(specFile)} in {experimentsDirectory} resumes this checkpoint; delete it or restore the spec";
                else if (!SpecLoader.LoadTrials(specFile).Any(t => ExperimentRunner.TrialKey(t.Experiment) == info.Key))
                    problem = $"{file}: stale checkpoint (after epoch {info.Epoch} of {info.Epochs}): the current code ({ExperimentRunner.CodeVersion}) and {Display(specFile)} " +
                              $"compute a different trial key, so `ecg run {Display(specFile)} --output {Folder}` would start again from epoch 1; restore what changed its results " +
                              "(a model revision, the spec, the code version) or delete the checkpoint";
                found.Add(new(dir, file, info, hasSpec ? specFile : null, problem));
            }
        }
        return found;
    }

    private static string Display(string path)
    {
        var relative = Path.GetRelativePath(ProjectPaths.RepositoryRoot ?? Directory.GetCurrentDirectory(), Path.GetFullPath(path));
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
