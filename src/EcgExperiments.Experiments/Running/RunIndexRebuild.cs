using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Running.Slurm;
using EcgExperiments.Experiments.Running.Tuning;
using Microsoft.Data.Sqlite;

namespace EcgExperiments.Experiments.Running;

/// <summary>Where a trial stood in its sweep: what a run record alone does not say (configuration number, swept values, tuner rung, budget and score).</summary>
public sealed record SweepPlace(int? Trial, string SweepValues, int Rung, int? Budget, double? Score);

/// <summary>
/// <c>ecg index</c>: rebuilds an experiment's <c>index.sqlite</c> from its <c>run.json</c> files, which stay the source of
/// truth (status, error, metrics, timings). What the records do not hold — each trial's place in its sweep — is taken
/// from the old index where it is readable, else from the Slurm array manifests beside the runs (a trial run on the
/// cluster after its controller died is placed by its manifest). The new index is written beside the old one and moved
/// over it, so a reader never sees half an index; no sweep may be writing the index meanwhile.
/// </summary>
/// <example><code>
/// var result = RunIndexRebuild.Rebuild("results/ptbxl-hyp-study-small");
/// Console.WriteLine($"{result.Runs} runs, {result.Unplaced} without a sweep position");
/// </code></example>
public static class RunIndexRebuild
{
    private static readonly Lazy<bool> SqliteReady = new(() => { SQLitePCL.Batteries.Init(); return true; });

    /// <summary>What a rebuild found.</summary>
    /// <param name="Path">The index written.</param>
    /// <param name="Runs">Run records indexed.</param>
    /// <param name="Unplaced">Runs whose place in the sweep is unknown (no old index row, no manifest): indexed without trial number and values.</param>
    /// <param name="Unreadable">Run records that could not be read (damaged, or from a newer version), with why.</param>
    public sealed record Result(string Path, int Runs, int Unplaced, IReadOnlyList<string> Unreadable);

    /// <summary>The experiment folders under <paramref name="path"/>: itself when it is one, else its subfolders that are.</summary>
    public static IReadOnlyList<string> ExperimentFolders(string path)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: no such results folder");
        if (IsExperimentFolder(path)) return [System.IO.Path.GetFullPath(path)];
        return Directory.GetDirectories(path).Where(IsExperimentFolder).Order(StringComparer.Ordinal).Select(System.IO.Path.GetFullPath).ToList();
    }

    /// <summary>A folder with trial folders, an index, Slurm submissions (whose trials may all be pending) or checkpoints (a trial training).</summary>
    private static bool IsExperimentFolder(string dir) =>
        TrialFolders(dir).Any() || File.Exists(System.IO.Path.Combine(dir, RunIndex.FileName)) || Directory.Exists(System.IO.Path.Combine(dir, SlurmJobArray.FolderName))
        || Directory.Exists(System.IO.Path.Combine(dir, ExperimentRunner.CheckpointFolder));

    /// <summary>The trial folders of an experiment that hold a run record (named by key; staging, replaced and Slurm folders are not trials).</summary>
    public static IEnumerable<string> TrialFolders(string experimentDirectory) =>
        Directory.GetDirectories(experimentDirectory)
            .Where(d => !System.IO.Path.GetFileName(d).Contains('.') && File.Exists(RunRecordFile.PathIn(d)))
            .Order(StringComparer.Ordinal);

    public static Result Rebuild(string experimentDirectory)
    {
        var path = System.IO.Path.Combine(experimentDirectory, RunIndex.FileName);
        var places = SweepPlaces(experimentDirectory);
        var unreadable = new List<string>();
        var records = new List<(string Folder, RunRecord Record)>();
        foreach (var folder in TrialFolders(experimentDirectory))
        {
            try { records.Add((folder, RunRecordFile.Read(folder))); }
            catch (RunRecordException e) { unreadable.Add(e.Message); }
        }
        var temporary = $"{path}.rebuild-{Guid.NewGuid():N}";
        int unplaced = 0;
        try
        {
            using (var index = new RunIndex(temporary))
                foreach (var (folder, r) in records)
                {
                    var place = places.GetValueOrDefault(r.TrialKey);
                    if (place is null) unplaced++;
                    index.Record(r.TrialKey, r.Experiment, place?.Trial, r.Status.Text(), folder, place?.SweepValues ?? "", r.Error?.Message,
                        r.Timings?.TotalSeconds, r.Metric(Evaluation.MetricNames.Accuracy), r.Metric(Evaluation.MetricNames.MacroF1),
                        r.Metric(Evaluation.MetricNames.RocAuc), place?.Rung ?? 0, place?.Budget, place?.Score, r.PeakMemoryBytes);
                }
            foreach (var side in new[] { "-wal", "-shm", "-journal" }) File.Delete(path + side);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
            File.Delete(temporary + "-journal");
        }
        return new Result(path, records.Count, unplaced, unreadable);
    }

    /// <summary>Each trial key's place in its sweep: from the Slurm manifests, overridden by the index where it has the trial (the engine wrote it).</summary>
    public static IReadOnlyDictionary<string, SweepPlace> SweepPlaces(string experimentDirectory)
    {
        var places = new Dictionary<string, SweepPlace>(StringComparer.Ordinal);
        foreach (var (_, manifest) in SlurmArrayManifest.Under(experimentDirectory))
            foreach (var t in manifest.Tasks)
            {
                double? score = null;
                if (manifest.Metric is { } metric && manifest.Direction is { } direction && RunRecordFile.TryRead(t.RunDirectory, t.TrialKey) is { Status: TrialStatus.Completed } r)
                    score = ValidationScore.Best(r, metric, direction);
                places[t.TrialKey] = new SweepPlace(t.Trial, t.SweepValues, t.Rung, t.Budget, score);
            }
        foreach (var (key, place) in ReadIndex(System.IO.Path.Combine(experimentDirectory, RunIndex.FileName)))
            if (place.Trial is not null || !places.ContainsKey(key)) places[key] = place;
        return places;
    }

    /// <summary>The sweep positions an existing index holds (empty when it is missing or unreadable: that is what a rebuild is for).</summary>
    private static IEnumerable<KeyValuePair<string, SweepPlace>> ReadIndex(string path)
    {
        if (!File.Exists(path)) return [];
        _ = SqliteReady.Value;
        var list = new List<KeyValuePair<string, SweepPlace>>();
        try
        {
            using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT trial_key, trial, sweep_values, rung, budget, score FROM runs";
            using var r = cmd.ExecuteReader();
            while (r.Read())
                list.Add(KeyValuePair.Create(r.GetString(0), new SweepPlace(
                    r.IsDBNull(1) ? null : r.GetInt32(1), r.IsDBNull(2) ? "" : r.GetString(2), r.IsDBNull(3) ? 0 : r.GetInt32(3),
                    r.IsDBNull(4) ? null : r.GetInt32(4), r.IsDBNull(5) ? null : r.GetDouble(5))));
        }
        catch (SqliteException)
        {
            return [];
        }
        return list;
    }
}
