using System.CommandLine;
using EcgExperiments.Core;
using EcgExperiments.Data;
using EcgExperiments.Data.MitBih;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.Data.Ucr;
using EcgExperiments.Synthetic;

namespace EcgExperiments.Cli;

/// <summary><c>ecg card &lt;dataset&gt;</c>: prints a dataset card (name, licence, citation, counts, class balance, official splits).</summary>
internal static class CardCommand
{
    private static readonly Dictionary<string, (string folder, Func<string, IEcgDatabase> open)> Databases = new()
    {
        ["ptbxl"] = ("ptbxl", PtbXlDatabase.Open),
        ["mitbih"] = ("mitbih", MitBihDatabase.Open),
        ["ecg5000"] = ("ecg5000", Ecg5000Database.Open),
    };

    public static Command Create(Func<Func<int>, int> guarded)
    {
        var dataset = new Argument<string>("dataset") { Description = "ptbxl, mitbih, ecg5000 or synthetic" };
        var root = new Option<string?>("--data-root") { Description = $"folder holding ptbxl/, mitbih/, ecg5000/ (default: ${ProjectPaths.DataRootVariable})" };
        var command = new Command("card", "Print a dataset card: licence, citation, records, rate, leads, class balance, official splits") { dataset, root };
        command.SetAction(p => guarded(() => Print(p.GetValue(dataset)!, p.GetValue(root))));
        return command;
    }

    private static int Print(string name, string? dataRoot)
    {
        var key = name.Trim().ToLowerInvariant();
        if (key == "synthetic")
        {
            var card = new SyntheticEcgDatabase(new SyntheticDatabaseOptions()).Card;
            Console.WriteLine($"# {card.Name}\n\n- source: {card.Source}\n- generator: {card.Generator}\n- citation: {card.Citation}\n- licence: {card.Licence}");
            Console.WriteLine($"- records (default options): {card.RecordCount}, {card.SamplingRate} Hz\n- classes: {string.Join(", ", card.ClassCounts.Select(kv => $"{kv.Key} {kv.Value}"))}");
            return 0;
        }
        if (!Databases.TryGetValue(key, out var db))
            throw new ArgumentException($"unknown dataset '{name}'; valid: {string.Join(", ", Databases.Keys.Append("synthetic"))}");
        var folder = Path.Combine(dataRoot is null ? ProjectPaths.DataRoot : Path.GetFullPath(dataRoot), db.folder);
        if (!Directory.Exists(folder)) throw new EcgDataException($"dataset folder not found. {ProjectPaths.DataHelp}", folder);
        Console.WriteLine(db.open(folder).Card.ToMarkdown());
        return 0;
    }
}
