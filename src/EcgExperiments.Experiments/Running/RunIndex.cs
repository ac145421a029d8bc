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
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        try
        {
            _db = Open(Path);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteNotADatabase or SqliteCorrupt)
        {
            // The index is derived from the run records: a damaged one is set aside and rebuilt (Reconcile), never trusted.
            var aside = $"{Path}.damaged-{DateTime.UtcNow:yyyyMMddHHmmss}";
            File.Move(Path, aside);
            foreach (var side in new[] { "-wal", "-shm" })
                if (File.Exists(Path + side)) File.Delete(Path + side);
            Recreated = $"{System.IO.Path.GetFileName(Path)} was not a readable SQLite database ({e.Message.TrimEnd('.')}); kept as {System.IO.Path.GetFileName(aside)} and rebuilt from the run records";
            _db = Open(Path);
        }
    }

    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The version of the SQLite library bundled with the framework (e.g. "3.46.1").</summary>
    public static string SqliteVersion()
    {
        if (Interlocked.Exchange(ref _initialised, 1) == 0) SQLitePCL.Batteries.Init();
        using var db = new SqliteConnection("Data Source=:memory:");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT sqlite_version()";
        return (string)cmd.ExecuteScalar()!;
    }

    /// <summary>Why the database was set aside and recreated on open (it was damaged), or null.</summary>
    public string? Recreated { get; }

    private SqliteConnection Open(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            db.Open();
            Execute(db, "PRAGMA journal_mode=DELETE; PRAGMA busy_timeout=10000;");
            Execute(db, """
                CREATE TABLE IF NOT EXISTS runs (
                  trial_key TEXT PRIMARY KEY, experiment TEXT NOT NULL, trial INTEGER, status TEXT NOT NULL,
                  run_dir TEXT NOT NULL, sweep_values TEXT, error TEXT, updated_utc TEXT NOT NULL,
                  seconds REAL, accuracy REAL, macro_f1 REAL, roc_auc REAL)
                """);
            // Columns added after the first version: indexes written by older builds gain them here.
            var columns = new HashSet<string>(StringComparer.Ordinal);
            using (var info = db.CreateCommand())
            {
                info.CommandText = "PRAGMA table_info(runs)";
                using var r = info.ExecuteReader();
                while (r.Read()) columns.Add(r.GetString(1));
            }
            foreach (var (name, type) in new[] { ("rung", "INTEGER"), ("budget", "INTEGER"), ("score", "REAL"), ("peak_rss_bytes", "INTEGER") })
                if (!columns.Contains(name)) Execute(db, $"ALTER TABLE runs ADD COLUMN {name} {type}");
            return db;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is not (SqliteNotADatabase or SqliteCorrupt))
        {
            db.Dispose();
            throw Failure(e, "cannot be opened");
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>An SQLite error as an I/O error naming the database and what to do.</summary>
    private RunIndexException Failure(SqliteException e, string doing) =>
        new(Path, $"{doing}: {e.Message.TrimEnd('.')}. The index is rebuilt from the run.json records: if it stays unreadable, delete it " +
                  "(and its -wal/-shm files) and run again", e);

    public string? StatusOf(string trialKey) => Guard("cannot be read", () =>
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT status FROM runs WHERE trial_key = $k";
        cmd.Parameters.AddWithValue("$k", trialKey);
        return cmd.ExecuteScalar() as string;
    });

    /// <summary>Indexes one trial's outcome (its key, status, folder, sweep values, timings and headline metrics).</summary>
    public void Record(TrialOutcome o, string experiment) =>
        Record(o.TrialKey, experiment, o.Trial.Number, o.Status.Text(), o.RunDirectory,
            string.Join(", ", o.Trial.Values.Select(v => $"{v.Key}={v.Value}")), o.Error, o.Skipped ? null : o.Seconds,
            o.Record?.Metric(Evaluation.MetricNames.Accuracy), o.Record?.Metric(Evaluation.MetricNames.MacroF1), o.Record?.Metric(Evaluation.MetricNames.RocAuc),
            o.Rung, o.Budget, o.Score, o.PeakResidentBytes);

    public void Record(string trialKey, string experiment, int? trial, string status, string runDir, string sweepValues,
        string? error, double? seconds, double? accuracy, double? macroF1, double? rocAuc,
        int rung = 0, int? budget = null, double? score = null, long? peakResidentBytes = null) => Guard("cannot be written", () =>
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
        return cmd.ExecuteNonQuery();
    });

    /// <summary>(trial key, status) of every indexed run.</summary>
    public IReadOnlyList<(string key, string status)> All() => Guard("cannot be read", () =>
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT trial_key, status FROM runs ORDER BY trial";
        using var r = cmd.ExecuteReader();
        var list = new List<(string, string)>();
        while (r.Read()) list.Add((r.GetString(0), r.GetString(1)));
        return (IReadOnlyList<(string, string)>)list;
    });

    /// <summary>
    /// Makes the index agree with the run records of <paramref name="experimentDir"/> (run.json is the source of truth):
    /// when the indexed keys or statuses differ from the records (a run killed between writing its record and the index,
    /// a damaged or deleted index, folders removed by hand), rows without a record are removed and every record is
    /// indexed again; trial numbers and sweep values already indexed are kept. Returns what disagreed, or null when the
    /// index already agreed.
    /// </summary>
    public string? Reconcile(string experimentDir)
    {
        var records = RecordsIn(experimentDir);
        var rows = All().ToDictionary(r => r.key, r => r.status, StringComparer.Ordinal);
        int missing = records.Keys.Count(k => !rows.ContainsKey(k));
        int extra = rows.Keys.Count(k => !records.ContainsKey(k));
        int differing = records.Count(r => rows.TryGetValue(r.Key, out var s) && s != r.Value.Record.Status.Text());
        if (missing == 0 && extra == 0 && differing == 0) return Recreated;
        Guard("cannot be rebuilt", () =>
        {
            using var tx = _db.BeginTransaction();
            foreach (var key in rows.Keys.Where(k => !records.ContainsKey(k)))
            {
                using var delete = _db.CreateCommand();
                delete.Transaction = tx;
                delete.CommandText = "DELETE FROM runs WHERE trial_key = $k";
                delete.Parameters.AddWithValue("$k", key);
                delete.ExecuteNonQuery();
            }
            foreach (var (key, (record, dir)) in records)
            {
                using var upsert = _db.CreateCommand();
                upsert.Transaction = tx;
                upsert.CommandText = """
                    INSERT INTO runs (trial_key, experiment, status, run_dir, error, updated_utc, seconds, accuracy, macro_f1, roc_auc, peak_rss_bytes)
                    VALUES ($k, $e, $s, $d, $err, $u, $sec, $acc, $f1, $auc, $peak)
                    ON CONFLICT(trial_key) DO UPDATE SET status=$s, run_dir=$d, error=$err, updated_utc=$u, seconds=COALESCE(seconds, $sec),
                      accuracy=$acc, macro_f1=$f1, roc_auc=$auc, peak_rss_bytes=COALESCE(peak_rss_bytes, $peak)
                    """;
                upsert.Parameters.AddWithValue("$k", key);
                upsert.Parameters.AddWithValue("$e", record.Experiment);
                upsert.Parameters.AddWithValue("$s", record.Status.Text());
                upsert.Parameters.AddWithValue("$d", dir);
                upsert.Parameters.AddWithValue("$err", (object?)record.Error?.Message ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$u", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                upsert.Parameters.AddWithValue("$sec", (object?)record.Timings?.TotalSeconds ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$acc", (object?)record.Metric(Evaluation.MetricNames.Accuracy) ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$f1", (object?)record.Metric(Evaluation.MetricNames.MacroF1) ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$auc", (object?)record.Metric(Evaluation.MetricNames.RocAuc) ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$peak", (object?)record.PeakMemoryBytes ?? DBNull.Value);
                upsert.ExecuteNonQuery();
            }
            tx.Commit();
            return 0;
        });
        var what = $"{System.IO.Path.GetFileName(Path)} disagreed with the run records ({rows.Count} indexed, {records.Count} run.json: " +
                   $"{missing} not indexed, {extra} without a record, {differing} with another status); rebuilt from the run records";
        return Recreated is null ? what : Recreated;
    }

    /// <summary>The readable run records of an experiment folder's trial folders, by trial key (staging and set-aside folders left out).</summary>
    public static IReadOnlyDictionary<string, (RunRecord Record, string Folder)> RecordsIn(string experimentDir)
    {
        var found = new Dictionary<string, (RunRecord, string)>(StringComparer.Ordinal);
        if (!Directory.Exists(experimentDir)) return found;
        foreach (var dir in Directory.GetDirectories(experimentDir).Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileName(dir);
            if (name.StartsWith('.') || name.Contains(".partial-", StringComparison.Ordinal) || name.Contains(".last-", StringComparison.Ordinal)
                || name.Contains(".old-", StringComparison.Ordinal) || !File.Exists(RunRecordFile.PathIn(dir))) continue;
            try
            {
                var record = RunRecordFile.Read(dir);
                found[record.TrialKey] = (record, dir);
            }
            catch (RunRecordException)
            {
                // A damaged record is not indexed: its trial runs again (or the reader names the file).
            }
        }
        return found;
    }

    private T Guard<T>(string doing, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (SqliteException e)
        {
            throw Failure(e, doing);
        }
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}

/// <summary>The run index (index.sqlite) cannot be opened, read or written: the message names the database and what to do.</summary>
public sealed class RunIndexException(string path, string message, Exception inner) : IOException($"{path}: {message}", inner)
{
    /// <summary>The database file.</summary>
    public string Path { get; } = path;
}
