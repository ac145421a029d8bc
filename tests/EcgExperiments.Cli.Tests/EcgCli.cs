using System.Diagnostics;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Training;
using Microsoft.Data.Sqlite;

namespace EcgExperiments.Cli.Tests;

/// <summary>The <c>ecg</c> executable as the sweep tests start it, and the tiny spec their sweeps vary.</summary>
internal static class EcgCli
{
    /// <summary>The CLI built beside the tests.</summary>
    public static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "ecg.dll");

    /// <summary>A small CNN on 80 synthetic records, one thread, no bootstrap: a trial takes a few seconds.</summary>
    public const string TinySpec = """
        name: wtiny
        seed: 3
        device: cpu
        threads: 1
        data: { type: synthetic, records: 80, effect: 1.0 }
        pipeline: [ { type: zscore } ]
        model: { type: cnn2d, widths: [4, 8], kernel: 9, kernel_height: 3, padding: [1, 0], pool: [2, 4], squeeze_excitation: true, se_reduction: 2, dropout: 0.1 }
        training: { epochs: 2, batch_size: 16, learning_rate: 0.003, select_by: macro_f1 }
        evaluation: { bootstrap_resamples: 0 }
        """;

    public static (int code, string stdout, string stderr) Run(params string[] args) => Run(args, null, null);

    /// <summary>Runs <c>ecg</c> to its end with extra environment variables, handing each output line to <paramref name="onLine"/> as it comes.</summary>
    public static (int code, string stdout, string stderr) Run(string[] args, IReadOnlyDictionary<string, string>? environment, Action<string>? onLine)
    {
        var psi = new ProcessStartInfo("dotnet", [Dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            lock (stdout) stdout.AppendLine(line);
            onLine?.Invoke(line);
        };
        p.BeginOutputReadLine();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        lock (stdout) return (p.ExitCode, stdout.ToString(), stderr);
    }

    /// <summary>Rows of an experiment's index.sqlite as "a|b|…" of the given columns, ordered by trial.</summary>
    public static List<string> IndexRows(string experimentDir, string columns)
    {
        SQLitePCL.Batteries.Init();
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(experimentDir, RunIndex.FileName), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT {columns} FROM runs ORDER BY trial";
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read()) rows.Add(string.Join('|', Enumerable.Range(0, r.FieldCount).Select(i => Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        return rows;
    }
}

/// <summary>An observer that keeps the sweep's info lines (and can react to each as it comes); progress is dropped.</summary>
internal sealed class RecordingObserver : IRunObserver
{
    private readonly Lock _lock = new();
    public List<string> All { get; } = [];
    public Action<string>? OnLine { get; init; }

    public void Info(string message)
    {
        lock (_lock) All.Add(message);
        OnLine?.Invoke(message);
    }

    public void Progress(TrainingProgress progress) { }
}
