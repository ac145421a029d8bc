using System.Globalization;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Evaluation;
using EcgExperiments.Experiments.Running;
using EcgExperiments.Experiments.Spec;
using Spectre.Console;

namespace EcgExperiments.Cli;

/// <summary>The console tables printed after a run or a sweep (any task: the headline metrics come from the tidy table).</summary>
internal static class Summaries
{
    /// <summary>Sweep columns per task: the metrics that say most about it.</summary>
    public static IReadOnlyList<(string Metric, string Title)> Headline(TaskKind? task) => task switch
    {
        TaskKind.Reconstruction => [("mse", "MSE"), ("mean_pearson_r", "mean r"), ("mean_r2", "mean R²")],
        TaskKind.Anomaly => [(MetricNames.RocAuc, "ROC-AUC"), (MetricNames.AveragePrecision, "AP"), (MetricNames.F1 + "[anomaly]", "F1 anomaly")],
        TaskKind.MultiLabel => [(MetricNames.MacroRocAuc, "macro AUC"), (MetricNames.MicroRocAuc, "micro AUC"), (MetricNames.Fmax, "F-max"), (MetricNames.MacroF1, "macro F1")],
        _ => [(MetricNames.Accuracy, "accuracy"), (MetricNames.MacroF1, "macro F1"), (MetricNames.RocAuc, "ROC-AUC")],
    };

    public static double? Lookup(RunRecord o, string key)
    {
        var open = key.IndexOf('[');
        return open < 0 ? o.Metric(key) : o.Metric(key[..open], key[(open + 1)..^1]);
    }

    public static void Sweep(ResolvedExperiment e, IReadOnlyList<TrialOutcome> outcomes, int total)
    {
        var first = outcomes.FirstOrDefault(o => o.Record?.Split is not null)?.Record;
        var table = new Table().Title(Markup.Escape($"{e.Spec.Name}: {outcomes.Count}/{total} trials ({first?.Protocol ?? e.Spec.Split.Protocol ?? "protocol: see run records"})"));
        var keys = outcomes.FirstOrDefault()?.Trial.Values.Keys.ToList() ?? [];
        var headline = Headline(first?.Task).ToList();
        // Small classification tasks: each class's recall too (e.g. HYP recall, the §2.1 study's headline).
        if (first is { Task: TaskKind.Classification })
        {
            var classes = first.MetricsTable.Where(m => m.Metric == MetricNames.Recall && m.Class is not null).Select(m => m.Class!).ToList();
            if (classes.Count <= 5) headline.AddRange(classes.Select(c => ($"{MetricNames.Recall}[{c}]", $"recall {c}")));
        }
        table.AddColumn("#").AddColumn("trial");
        foreach (var k in keys) table.AddColumn(Markup.Escape(k.Split('.')[^1]));
        table.AddColumn("status");
        foreach (var (_, title) in headline) table.AddColumn(Markup.Escape(title));
        foreach (var o in outcomes)
        {
            var cells = new List<string> { o.Trial.Number.ToString(CultureInfo.InvariantCulture), StableHash.Short(o.TrialKey) };
            cells.AddRange(keys.Select(k => Markup.Escape(Compact(o.Trial.Values.GetValueOrDefault(k) ?? ""))));
            cells.Add(o.Status.Text() + (o.Skipped ? " (earlier)" : "") + (o.Error is null ? "" : $" ({Markup.Escape(o.Error)})"));
            cells.AddRange(headline.Select(h => Fmt3(o.Record is { Status: TrialStatus.Completed } r ? Lookup(r, h.Metric) : null)));
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"results: {Path.GetDirectoryName(outcomes.FirstOrDefault()?.RunDirectory)} (one folder per trial, index.sqlite); skipped trials were already complete");
        Console.WriteLine("full values: ecg run <spec> --dry-run; comparison report: ecg report <results folder>");
    }

    /// <summary>A sweep value for a table cell: a mapping shows its type/strategy and the values after it, without key names.</summary>
    internal static string Compact(string value)
    {
        var v = value.Trim();
        if (!(v.StartsWith('{') && v.EndsWith('}'))) return v;
        var parts = v[1..^1].Split(", ", StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split(": ", 2)).ToList();
        string Val(string[] p) => p.Length == 2 ? p[1] : p[0];
        var head = parts.FirstOrDefault(p => p[0] is "type" or "strategy");
        var text = head is null ? string.Join(" ", parts.Select(Val)) : Val(head);
        return text.Length > 24 ? text[..23] + "…" : text;
    }

    public static void Run(ResolvedExperiment e, TrialOutcome outcome)
    {
        if (outcome.Record is not { } o || o.Status != TrialStatus.Completed)
        {
            Console.WriteLine($"status: {outcome.Status.Text()}{(outcome.Error is { } err ? $" ({err})" : "")}; results: {outcome.RunDirectory}");
            return;
        }
        var level = o.MetricsTable.Select(r => r.Level).FirstOrDefault(l => l is not null);
        var table = new Table().Title(Markup.Escape($"{e.Spec.Name}: test split, {o.Task?.Text()} ({o.Protocol})"));
        table.AddColumn("metric").AddColumn("value").AddColumn(level is { } l ? $"{l:P0} CI" : "CI").AddColumn(Markup.Escape(o.BaselineKind ?? "baseline"));
        foreach (var r in o.MetricsTable.Where(r => r.Class is null))
            table.AddRow(r.Metric, r.Metric == "parameters" && r.Value is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : Fmt(r.Value),
                r.Lower is null ? "" : $"{Fmt(r.Lower)} – {Fmt(r.Upper)}{(r.Method is { } m ? $" ({m.Replace('_', ' ')})" : "")}", Fmt(o.BaselineMetric(r.Metric)));
        AnsiConsole.Write(table);
        var files = string.Join(", ", o.Artefacts.Values);
        Console.WriteLine($"status: {o.Status.Text()}{(outcome.Skipped ? " (an earlier run; --force runs it again)" : "")}; results: {outcome.RunDirectory} (run.json{(files.Length > 0 ? ", " + files : "")})");
    }

    private static string Fmt3(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    public static string Fmt(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "–";
}
