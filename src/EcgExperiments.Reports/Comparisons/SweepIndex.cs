using Microsoft.Data.Sqlite;

namespace EcgExperiments.Reports;

/// <summary>A run's place in its sweep: the trial number (1 = first combination) and the value given to each swept key.</summary>
/// <param name="Number">Trial number as the sweep numbered it; in a grid, trial 1 takes the first value of every axis.</param>
/// <param name="Values">Swept key (e.g. "training.imbalance") and the value it took, in the order the spec declares them.</param>
public sealed record SweepTrial(int Number, IReadOnlyList<KeyValuePair<string, string>> Values);

/// <summary>
/// Reads the sweep runner's <c>index.sqlite</c> beside the run folders (<c>results/&lt;experiment&gt;/index.sqlite</c>): per
/// trial key the trial number and the swept values (<c>"model={type: cnn2d}, training.imbalance={strategy: none}"</c>).
/// Run records do not say where a run stood in its sweep; the index does, and so gives the spec's first value of each
/// swept key — the default reference of a comparison. Read-only; a missing or unreadable index just means no sweep
/// order is known.
/// </summary>
public static class SweepIndex
{
    public const string FileName = "index.sqlite";

    private static readonly Lazy<bool> Initialised = new(() => { SQLitePCL.Batteries.Init(); return true; });

    /// <summary>The sweep trial of every run found in an index beside it, keyed by run folder.</summary>
    public static IReadOnlyDictionary<string, SweepTrial> Read(IEnumerable<RunRecord> runs)
    {
        var result = new Dictionary<string, SweepTrial>(StringComparer.Ordinal);
        foreach (var byParent in runs.GroupBy(r => Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(r.Folder)) ?? ""))
        {
            var path = Path.Combine(byParent.Key, FileName);
            if (!File.Exists(path)) continue;
            var trials = ReadFile(path);
            foreach (var run in byParent)
            {
                var match = trials.Where(t => t.Key.StartsWith(run.TrialKey, StringComparison.Ordinal)).ToList();
                if (match.Count == 1) result[run.Folder] = match[0].Value;
            }
        }
        return result;
    }

    private static List<KeyValuePair<string, SweepTrial>> ReadFile(string path)
    {
        _ = Initialised.Value;
        var list = new List<KeyValuePair<string, SweepTrial>>();
        try
        {
            var cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
            using var db = new SqliteConnection(cs);
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT trial_key, trial, sweep_values FROM runs WHERE trial IS NOT NULL";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var values = r.IsDBNull(2) ? "" : r.GetString(2);
                list.Add(KeyValuePair.Create(r.GetString(0), new SweepTrial(r.GetInt32(1), ParseValues(values))));
            }
        }
        catch (SqliteException)
        {
            // An index from another version or a locked file: the report goes on without sweep order.
            return [];
        }
        return list;
    }

    /// <summary>
    /// Splits "a.b={x: 1, y: [2, 3]}, c=0.1" into (a.b, "{x: 1, y: [2, 3]}") and (c, "0.1"): a new key starts after a
    /// ", " outside brackets and braces, followed by a dotted name and "=".
    /// </summary>
    internal static IReadOnlyList<KeyValuePair<string, string>> ParseValues(string text)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '[' or '{') depth++;
            else if (c is ']' or '}') depth = Math.Max(0, depth - 1);
            else if (c == ',' && depth == 0 && i + 1 < text.Length && text[i + 1] == ' ' && StartsKey(text, i + 2))
            {
                parts.Add(text[start..i]);
                start = i + 2;
            }
        }
        if (start < text.Length) parts.Add(text[start..]);
        return parts.Select(p => p.IndexOf('=') is var eq and > 0 ? KeyValuePair.Create(p[..eq], p[(eq + 1)..]) : KeyValuePair.Create(p, ""))
            .Where(kv => kv.Key.Length > 0).ToList();
    }

    private static bool StartsKey(string text, int at)
    {
        int i = at;
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.' or '-')) i++;
        return i > at && i < text.Length && text[i] == '=';
    }
}
