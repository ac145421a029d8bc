using System.Text.Json;
using System.Text.Json.Nodes;
using EcgExperiments.Core;
using EcgExperiments.Evaluation;

using EcgExperiments.Experiments.Runs;
using Stored = EcgExperiments.Experiments.Runs.RunRecord;

namespace EcgExperiments.Reports;

/// <summary>
/// Finds and reads run folders. A path is either a run folder (it holds run.json) or a results root,
/// which is scanned recursively for run.json files. Runs are returned sorted by experiment, then trial key,
/// so reports are deterministic.
/// </summary>
/// <example><code>
/// IReadOnlyList&lt;RunRecord&gt; runs = RunLoader.Discover(["results"]);
/// </code></example>
public static class RunLoader
{
    public const string RunFileName = RunRecordFile.FileName;
    public const string MetricsFileName = "metrics.json";
    public const string ReconstructionFileName = "reconstruction.json";
    public const string MetricsTableField = "metrics_table";
    public const string BaselineTableField = "baseline_table";

    /// <exception cref="EcgDataException">A path does not exist, holds no run.json, or a run record cannot be read.</exception>
    public static IReadOnlyList<RunRecord> Discover(IEnumerable<string> paths) =>
        Folders(paths).Select(Load).OrderBy(r => r.Experiment, StringComparer.Ordinal).ThenBy(r => r.TrialKey, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Like <see cref="Discover"/>, but a run folder whose record cannot be read (truncated, damaged, from a newer version)
    /// is returned in <see cref="RunDiscovery.Unreadable"/> with the reason instead of failing the whole set: a report of a
    /// sweep still shows the other runs.
    /// </summary>
    /// <exception cref="EcgDataException">A path does not exist or holds no run.json.</exception>
    public static RunDiscovery DiscoverReadable(IEnumerable<string> paths)
    {
        var runs = new List<RunRecord>();
        var unreadable = new List<UnreadableRun>();
        foreach (var folder in Folders(paths))
        {
            try
            {
                runs.Add(Load(folder));
            }
            catch (EcgDataException e)
            {
                unreadable.Add(new UnreadableRun(folder, e.Message));
            }
        }
        return new RunDiscovery(runs.OrderBy(r => r.Experiment, StringComparer.Ordinal).ThenBy(r => r.TrialKey, StringComparer.Ordinal).ToList(), unreadable);
    }

    /// <summary>
    /// Trials still training under <paramref name="paths"/>: the checkpoints of an experiment folder given, or of the experiment
    /// folders directly inside a results root given. A trial with a run record (an interrupted one, listed as such) is left out.
    /// </summary>
    public static IReadOnlyList<IncompleteRun> InProgress(IEnumerable<string> paths, IReadOnlySet<string> recordedTrialKeys) =>
        paths.Select(Path.GetFullPath).Where(Directory.Exists).SelectMany(CheckpointedExperiments)
            .SelectMany(experiment => Experiments.Running.SweepStatus.CheckpointsIn(experiment).Values.OrderBy(c => c.Key, StringComparer.Ordinal)
                .Where(c => !recordedTrialKeys.Contains(StableHash.Short(c.Key))).Select(c => IncompleteRun.Of(c, experiment)))
            .ToList();

    /// <summary><paramref name="path"/> itself and its subfolders (a results root's experiments) that hold checkpoint files.</summary>
    private static IEnumerable<string> CheckpointedExperiments(string path) =>
        Directory.GetDirectories(path).Prepend(path).Order(StringComparer.Ordinal).Where(d => Experiments.Running.ExperimentRunner.CheckpointFiles(d).Any());

    private static SortedSet<string> Folders(IEnumerable<string> paths)
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in paths)
        {
            var path = Path.GetFullPath(raw);
            if (File.Exists(path) && Path.GetFileName(path) == RunFileName) { folders.Add(Path.GetDirectoryName(path)!); continue; }
            if (!Directory.Exists(path)) throw new EcgDataException("no such run folder or results root", file: path);
            var found = Directory.EnumerateFiles(path, RunFileName, SearchOption.AllDirectories).ToList();
            if (found.Count == 0 && !CheckpointedExperiments(path).Any())
                throw new EcgDataException($"no {RunFileName} in this folder or below it; pass a run folder or a results root", file: path);
            foreach (var f in found)
            {
                // Staging folders of a run in progress, and failed re-runs kept beside the completed run they did not replace, are not results.
                var name = Path.GetFileName(Path.GetDirectoryName(f)!);
                if (name.Contains(".partial-", StringComparison.Ordinal) || name.Contains(".old-", StringComparison.Ordinal) || name.Contains(".last-", StringComparison.Ordinal)) continue;
                folders.Add(Path.GetDirectoryName(f)!);
            }
        }
        return folders;
    }

    /// <summary>
    /// Reads one run folder: run.json's task (default classification), its <c>metrics_table</c> and <c>baseline_table</c>
    /// and, for classification and anomaly runs, metrics.json (or run.json's <c>metrics</c>). A record without
    /// <c>metrics_table</c> (written before it existed) takes the table of metrics.json.
    /// </summary>
    /// <exception cref="EcgDataException">run.json is missing, not an "ecg-run" record, names an unknown task, has a malformed
    /// table, or has neither a table nor metrics. The message names the file.</exception>
    public static RunRecord Load(string folder)
    {
        var runPath = Path.Combine(folder, RunFileName);
        if (!File.Exists(runPath)) throw new EcgDataException($"{RunFileName} not found", file: folder);
        Stored stored;
        try
        {
            stored = RunRecordFile.Read(runPath);   // the one place run records are parsed; it checks the version
        }
        catch (RunRecordException e)
        {
            throw new EcgDataException(e.Message[(e.Path.Length + 2)..], file: runPath, inner: e);
        }
        var config = stored.ResolvedConfig;
        var task = stored.Task?.Text() ?? TaskLayouts.Classification;   // records from before tasks were all classifiers

        // The full classification report (curves, confusion) of classification and anomaly runs; reconstruction has none,
        // and a multi-label run's metrics.json is a multi-label report (its tidy table is all a report reads).
        MetricReport? metrics = null;
        var metricsPath = Path.Combine(folder, MetricsFileName);
        if (task is not (TaskLayouts.Reconstruction or TaskLayouts.MultiLabel) && File.Exists(metricsPath))
            metrics = MetricJson.Deserialize<MetricReport>(File.ReadAllText(metricsPath), metricsPath);

        IReadOnlyList<MetricEntry> table, baseline;
        if (stored.MetricsTable.Count > 0)
        {
            table = WithMethods(stored.MetricsTable, metrics);
            baseline = stored.BaselineTable.Count > 0 ? WithMethods(stored.BaselineTable, metrics?.Baseline) : metrics?.Baseline?.ToTable() ?? [];
        }
        else if (metrics is not null)
        {
            table = metrics.ToTable();
            baseline = metrics.Baseline?.ToTable() ?? [];
        }
        else if (stored.Status != TrialStatus.Completed)
        {
            table = [];
            baseline = [];
        }
        else
        {
            var what = task is TaskLayouts.Reconstruction or TaskLayouts.MultiLabel
                ? $"a {task} run record needs \"{MetricsTableField}\""
                : $"run has no \"{MetricsTableField}\" and no {MetricsFileName}";
            throw new EcgDataException($"{what} (status: {stored.Status.Text()})", file: runPath);
        }

        var modelType = Str(config["model"], "type") ?? "unknown";
        var split = stored.Split;
        return new RunRecord
        {
            Folder = Path.GetFullPath(folder),
            Experiment = stored.Experiment,
            TrialKey = stored.TrialKey.Length > 12 ? stored.TrialKey[..12] : stored.TrialKey,
            Status = stored.Status.Text(),
            Protocol = split?.Protocol ?? Str(config["split"], "protocol") ?? split?.Kind ?? Str(config["split"], "kind") ?? "unspecified protocol",
            ModelType = modelType,
            ModelDescription = stored.Model?.Description ?? modelType,
            Strategy = Str((config["training"] as JsonObject)?["imbalance"], "strategy") ?? "none",
            ResolvedConfig = config,
            FlatConfig = ConfigFlattener.Flatten(config),
            History = stored.History.Select(h => new EpochLoss(h.Epoch, h.TrainLoss, h.ValidationLoss) { Partial = h.Partial is not null }).ToList(),
            BestEpoch = stored.BestEpoch,
            Task = task,
            Table = table,
            BaselineTable = baseline,
            BaselineKind = stored.BaselineKind ?? metrics?.BaselineKind,
            Metrics = metrics,
            TestSampleCount = metrics?.SampleCount ?? stored.Data?.Counts.Test.Sum() ?? ReconstructionRecordCount(folder),
            DataFingerprint = stored.Data?.Fingerprint,
            SplitFingerprint = split?.Fingerprint,
            Error = stored.Error?.Message,
            SpecFile = stored.SpecFile,
            Epochs = stored.History.Count == 0 ? null : stored.BestEpoch is { } best ? $"{stored.History.Count} (best {best})" : $"{stored.History.Count}",
            Hardware = Hardware(stored.Environment),
            WallSeconds = stored.Timings?.TotalSeconds,
            Sittings = stored.Timings?.Sittings,
            PeakMemoryBytes = stored.PeakMemoryBytes,
        };
    }

    /// <summary>"cpu, 2 threads, Intel Xeon …" or "cuda:0, NVIDIA H100" from a run's environment record.</summary>
    private static string? Hardware(JsonObject? environment)
    {
        if (environment is null) return null;
        var device = Str(environment, "device") ?? "cpu";
        var gpu = Str(environment["gpu"], "name");
        if (gpu is not null) return $"{device}, {gpu}";
        var threads = environment["threads"]?.ToString();
        var cpu = Str(environment, "cpu");
        return string.Join(", ", new[] { device, threads is null ? null : threads == "1" ? "1 thread" : $"{threads} threads", cpu }.Where(x => x is not null));
    }

    /// <summary>
    /// Rows with an interval but no method (records written before methods were recorded) take the method of the matching
    /// interval in <paramref name="report"/>, else "percentile_bootstrap": intervals were all bootstrap then.
    /// </summary>
    private static IReadOnlyList<MetricEntry> WithMethods(IReadOnlyList<MetricEntry> rows, MetricReport? report) =>
        rows.Select(r => r.Method is not null || r.Lower is null || r.Upper is null ? r
            : r with
            {
                Method = report is not null && report.Intervals.TryGetValue(r.Class is null ? r.Metric : MetricNames.PerClass(r.Metric, r.Class), out var ci)
                    ? ci.Method : IntervalMethods.PercentileBootstrap,
            }).ToList();

    /// <summary>recordCount of reconstruction.json, when the run wrote one.</summary>
    private static int? ReconstructionRecordCount(string folder)
    {
        var path = Path.Combine(folder, ReconstructionFileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) is JsonObject o && o["recordCount"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;
        }
        catch (JsonException e)
        {
            throw new EcgDataException($"not valid JSON: {e.Message}", file: path, inner: e);
        }
    }

    private static string? Str(JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}

/// <summary>The runs found under some paths: those that could be read, and the folders whose record could not (with why).</summary>
public sealed record RunDiscovery(IReadOnlyList<RunRecord> Runs, IReadOnlyList<UnreadableRun> Unreadable);

/// <summary>A run folder whose run.json could not be read, and the message saying why (naming the file).</summary>
public sealed record UnreadableRun(string Folder, string Reason);
