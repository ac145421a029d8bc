using EcgExperiments.Experiments.Runs;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EcgExperiments.Experiments.Running;

/// <summary>
/// SQLite index of runs beside the JSON run records (<c>results/&lt;experiment&gt;/index.sqlite</c>): one row per trial
/// key with status, timings, the sweep values, tuner rung/budget/score and headline metrics. The JSON records stay
/// the source of truth; the index makes "which trials are done / failed" and cross-run queries cheap. Only the sweep
/// process writes it (worker processes write their run records only), so there is one writer at a time; <c>ecg index</c>
/// rebuilds it from the run records (<see cref="RunIndexRebuild"/>). It uses SQLite's rollback journal, not WAL: results
/// folders are often on shared (NFS, Lustre) filesystems, where WAL's shared-memory index does not work across hosts,
/// and the index is written once per trial, so WAL's speed buys nothing.
/// </summary>
public sealed class RunIndex : IDisposable
{
    public const string FileName = "index.sqlite";

    private static int _initialised;
    private readonly SqliteConnection _db;

    public RunIndex(string path)
    {
        if (Interlocked.Exchange(ref _initialised, 1) == 0) SQLitePCL.Batteries.Init();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Execute("PRAGMA journal_mode=DELETE; PRAGMA busy_timeout=10000;");
        Execute("""
            CREATE TABLE IF NOT EXISTS runs (
              trial_key TEXT PRIMARY KEY, experiment TEXT NOT NULL, trial INTEGER, status TEXT NOT NULL,
              run_dir TEXT NOT NULL, sweep_values TEXT, error TEXT, updated_utc TEXT NOT NULL,
              seconds REAL, accuracy REAL, macro_f1 REAL, roc_auc REAL)
            """);
        // Columns added after the first version: indexes written by older builds gain them here.
        var columns = new HashSet<string>(StringComparer.Ordinal);
        using (var info = _db.CreateCommand())
        {
            info.CommandText = "PRAGMA table_info(runs)";
            using var r = info.ExecuteReader();
            while (r.Read()) columns.Add(r.GetString(1));
        }
        foreach (var (name, type) in new[] { ("rung", "INTEGER"), ("budget", "INTEGER"), ("score", "REAL"), ("peak_rss_bytes", "INTEGER") })
            if (!columns.Contains(name)) Execute($"ALTER TABLE runs ADD COLUMN {name} {type}");
    }

    public string? StatusOf(string trialKey)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT status FROM runs WHERE trial_key = $k";
        cmd.Parameters.AddWithValue("$k", trialKey);
        return cmd.ExecuteScalar() as string;
    }

    /// <summary>Indexes one trial's outcome (its key, status, folder, sweep values, timings and headline metrics).</summary>
    public void Record(TrialOutcome o, string experiment) =>
        Record(o.TrialKey, experiment, o.Trial.Number, o.Status.Text(), o.RunDirectory,
            string.Join(", ", o.Trial.Values.Select(v => $"{v.Key}={v.Value}")), o.Error, o.Skipped ? null : o.Seconds,
            o.Record?.Metric(Evaluation.MetricNames.Accuracy), o.Record?.Metric(Evaluation.MetricNames.MacroF1), o.Record?.Metric(Evaluation.MetricNames.RocAuc),
            o.Rung, o.Budget, o.Score, o.PeakResidentBytes);

    public void Record(string trialKey, string experiment, int? trial, string status, string runDir, string sweepValues,
        string? error, double? seconds, double? accuracy, double? macroF1, double? rocAuc,
        int rung = 0, int? budget = null, double? score = null, long? peakResidentBytes = null)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            INSERT INTO runs (trial_key, experiment, trial, status, run_dir, sweep_values, error, updated_utc, seconds, accuracy, macro_f1, roc_auc,
              rung, budget, score, peak_rss_bytes)
            VALUES ($k, $e, $t, $s, $d, $v, $err, $u, $sec, $acc, $f1, $auc, $rung, $budget, $score, $peak)
            ON CONFLICT(trial_key) DO UPDATE SET status=$s, run_dir=$d, sweep_values=$v, error=$err, updated_utc=$u,
              seconds=COALESCE($sec, seconds), accuracy=$acc, macro_f1=$f1, roc_auc=$auc, trial=$t,
              rung=$rung, budget=$budget, score=$score, peak_rss_bytes=COALESCE($peak, peak_rss_bytes)
            """;
        cmd.Parameters.AddWithValue("$k", trialKey);
        cmd.Parameters.AddWithValue("$e", experiment);
        cmd.Parameters.AddWithValue("$t", (object?)trial ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$s", status);
        cmd.Parameters.AddWithValue("$d", runDir);
        cmd.Parameters.AddWithValue("$v", sweepValues);
        cmd.Parameters.AddWithValue("$err", (object?)error ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$u", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$sec", (object?)seconds ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$acc", (object?)accuracy ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$f1", (object?)macroF1 ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$auc", (object?)rocAuc ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$rung", rung);
        cmd.Parameters.AddWithValue("$budget", (object?)budget ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$score", (object?)score ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$peak", (object?)peakResidentBytes ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>(trial key, status) of every indexed run.</summary>
    public IReadOnlyList<(string key, string status)> All()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT trial_key, status FROM runs ORDER BY trial";
        using var r = cmd.ExecuteReader();
        var list = new List<(string, string)>();
        while (r.Read()) list.Add((r.GetString(0), r.GetString(1)));
        return list;
    }

    private void Execute(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}
