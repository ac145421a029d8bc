using System.CommandLine;
using EcgExperiments.Core;
using EcgExperiments.Data;
using EcgExperiments.Data.MitBih;
using EcgExperiments.Data.PtbXl;
using EcgExperiments.Data.Ucr;
using EcgExperiments.Data.WfdbFolder;
using EcgExperiments.Synthetic;

namespace EcgExperiments.Cli;

/// <summary>
/// <c>ecg card &lt;dataset&gt;</c>: prints a dataset card (name, licence, citation, counts, class balance, official splits),
/// with the class balance of a chosen label definition (<c>--labels superdiagnostic</c>, <c>--class NORM=NORM</c>),
/// beat mapping (<c>--mapping n_vs_v</c>), any UCR set (<c>ecg card ucr --name X</c>) or a researcher's WFDB folder
/// (<c>ecg card wfdb_folder --folder DIR</c>).
/// </summary>
internal static class CardCommand
{
    private sealed record Flags(string? DataRoot, string? Folder, string? Labels, string[] Classes, string[] Only, double? MinLikelihood,
        string? Multiple, string? None, int? MinCount, string? Mapping, string? Name, string? LabelsCsv, string? Leads, double? TargetRate);

    private static readonly string[] Datasets = ["ptbxl", "mitbih", "ecg5000", "ucr", "wfdb_folder", "synthetic"];

    public static Command Create(Func<Func<int>, int> guarded)
    {
        var dataset = new Argument<string>("dataset") { Description = string.Join(", ", Datasets) };
        var root = new Option<string?>("--data-root") { Description = $"folder holding ptbxl/, mitbih/, ecg5000/ (default: ${ProjectPaths.DataRootVariable})" };
        var folder = new Option<string?>("--folder") { Description = "the dataset's own folder (default: its folder under the data root); required for wfdb_folder" };
        var labels = new Option<string?>("--labels") { Description = "ptbxl: a label preset (all, diagnostic, subdiagnostic, superdiagnostic, form, rhythm)" };
        var classes = new Option<string[]>("--class") { Description = "ptbxl: a free class NAME=CODE,CODE (statements, subclasses, superclasses; repeat); mitbih: NAME=SYMBOL,SYMBOL" };
        var only = new Option<string[]>("--only") { Description = "ptbxl: a --class whose records may carry no other statement of its kind (repeat)" };
        var minLikelihood = new Option<double?>("--min-likelihood") { Description = "ptbxl: ignore diagnostic statements below this likelihood (0-100)" };
        var multiple = new Option<string?>("--multiple") { Description = "ptbxl: records with several classes: drop or multi_label" };
        var none = new Option<string?>("--none") { Description = "ptbxl: records with no class: drop, keep_empty or keep_as:NAME" };
        var minCount = EcgExperiments.Cli.Flags.Count("--min-count", "ptbxl: remove classes with fewer records (default 1)");
        var mapping = new Option<string?>("--mapping") { Description = "mitbih: aami, beatgan, n_vs_v or beat_vs_non_beat" };
        var name = new Option<string?>("--name") { Description = "ucr: the dataset name (prefix of its _TRAIN/_TEST files); wfdb_folder: the name on the card" };
        var labelsCsv = new Option<string?>("--labels-csv") { Description = "wfdb_folder: the labels CSV (default labels.csv in the folder)" };
        var leads = new Option<string?>("--leads") { Description = "wfdb_folder: leads to read, comma-separated (default: every lead of the first record)" };
        var targetRate = new Option<double?>("--target-rate") { Description = "wfdb_folder: resample records to this rate (Hz) when theirs differs" };
        var command = new Command("card", "Print a dataset card: licence, citation, records, rate, leads, class balance, official splits")
        {
            dataset, root, folder, labels, classes, only, minLikelihood, multiple, none, minCount, mapping, name, labelsCsv, leads, targetRate,
        };
        command.SetAction(p => guarded(() => Print(p.GetValue(dataset)!, new Flags(p.GetValue(root), p.GetValue(folder), p.GetValue(labels),
            p.GetValue(classes) ?? [], p.GetValue(only) ?? [], p.GetValue(minLikelihood), p.GetValue(multiple), p.GetValue(none), p.GetValue(minCount),
            p.GetValue(mapping), p.GetValue(name), p.GetValue(labelsCsv), p.GetValue(leads), p.GetValue(targetRate)))));
        return command;
    }

    private static int Print(string dataset, Flags f)
    {
        var key = dataset.Trim().ToLowerInvariant();
        if (key == "synthetic")
        {
            var card = new SyntheticEcgDatabase(new SyntheticDatabaseOptions()).Card;
            Console.WriteLine($"# {card.Name}\n\n- source: {card.Source}\n- generator: {card.Generator}\n- citation: {card.Citation}\n- licence: {card.Licence}");
            Console.WriteLine($"- records (default options): {card.RecordCount}, {card.SamplingRate} Hz\n- classes: {string.Join(", ", card.ClassCounts.Select(kv => $"{kv.Key} {kv.Value}"))}");
            return 0;
        }
        DatasetCard result = key switch
        {
            "ptbxl" => PtbXlCard(f),
            "mitbih" => MitBihCard(f),
            "ecg5000" => Ecg5000Database.Open(ExistingFolder(f, "ecg5000")).Card,
            "ucr" => UcrCard(f),
            "wfdb_folder" or "wfdb-folder" => WfdbFolderCard(f),
            _ => throw new ArgumentException($"unknown dataset '{dataset}'; valid: {string.Join(", ", Datasets)}"),
        };
        Console.WriteLine(result.ToMarkdown());
        return 0;
    }

    private static DatasetCard PtbXlCard(Flags f)
    {
        var db = PtbXlDatabase.Open(ExistingFolder(f, "ptbxl"));
        if (f.Labels is null && f.Classes.Length == 0)
        {
            if (f.Only.Length > 0 || f.MinLikelihood is not null || f.Multiple is not null || f.None is not null || f.MinCount is not null)
                throw new ArgumentException("label options need --labels PRESET or --class NAME=CODES");
            return db.Card;
        }
        var unknownOnly = f.Only.FirstOrDefault(o => f.Classes.All(c => NameOf(c) != o));
        if (unknownOnly is not null) throw new ArgumentException($"--only {unknownOnly} names no --class");
        var (noneRule, noneClass) = f.None is null ? (NoClassPolicy.Drop, null) : LabelPolicyNames.ParseNone(f.None);
        var definition = new PtbXlLabelDefinition
        {
            Preset = f.Labels is null ? null : PtbXlLabelDefinition.ParsePreset(f.Labels),
            Classes = f.Classes.Length == 0 ? null : f.Classes.Select(c => new PtbXlClassDefinition(NameOf(c), CodesOf(c)) { Only = f.Only.Contains(NameOf(c)) }).ToArray(),
            MinLikelihood = f.MinLikelihood,
            Multiple = f.Multiple is null ? null : LabelPolicyNames.ParseMultiple(f.Multiple),
            None = noneRule,
            NoneClass = noneClass,
            MinCount = f.MinCount ?? 1,
        };
        return db.CardFor(definition);
    }

    private static DatasetCard MitBihCard(Flags f)
    {
        var db = MitBihDatabase.Open(ExistingFolder(f, "mitbih"));
        if (f.Mapping is null && f.Classes.Length == 0) return db.Card;
        var options = new BeatClassMappingOptions
        {
            Preset = f.Mapping is null ? null : BeatClassMappingOptions.ParsePreset(f.Mapping),
            Classes = f.Classes.Length == 0 ? null : f.Classes.Select(c => new BeatClassDefinition(NameOf(c), CodesOf(c))).ToArray(),
        };
        return db.CardFor(options.Build());
    }

    private static DatasetCard UcrCard(Flags f)
    {
        if (f.Name is null) throw new ArgumentException("ecg card ucr needs --name, the dataset's name (the prefix of its _TRAIN/_TEST files), e.g. ECG5000");
        var folder = f.Folder ?? (f.DataRoot is null ? null : Path.Combine(Path.GetFullPath(f.DataRoot), UcrPresets.Find(f.Name)?.DataFolder ?? f.Name.ToLowerInvariant()));
        return UcrDatabase.Open(new UcrDatabaseOptions(f.Name, folder is null ? null : Path.GetFullPath(folder))).Card;
    }

    private static DatasetCard WfdbFolderCard(Flags f)
    {
        if (f.Folder is null) throw new ArgumentException("ecg card wfdb_folder needs --folder, the folder holding the WFDB records and labels.csv");
        var options = new WfdbFolderOptions
        {
            Folder = Path.GetFullPath(f.Folder),
            Leads = f.Leads?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            TargetRate = f.TargetRate,
            Name = f.Name,
        };
        if (f.LabelsCsv is not null) options = options with { LabelsCsv = f.LabelsCsv };
        return WfdbFolderDatabase.Open(options).Card;
    }

    private static string ExistingFolder(Flags f, string name)
    {
        var folder = f.Folder is not null ? Path.GetFullPath(f.Folder)
            : Path.Combine(f.DataRoot is null ? ProjectPaths.DataRoot : Path.GetFullPath(f.DataRoot), name);
        if (!Directory.Exists(folder)) throw new EcgDataException($"dataset folder not found. {ProjectPaths.DataHelp}", folder);
        return folder;
    }

    private static string NameOf(string classFlag)
    {
        int eq = classFlag.IndexOf('=');
        if (eq <= 0 || eq == classFlag.Length - 1)
            throw new ArgumentException($"--class '{classFlag}' must look like NAME=CODE,CODE (e.g. HYP=HYP or AF=AFIB,AFLT)");
        return classFlag[..eq].Trim();
    }

    private static string[] CodesOf(string classFlag)
    {
        NameOf(classFlag);
        return classFlag[(classFlag.IndexOf('=') + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }
}
