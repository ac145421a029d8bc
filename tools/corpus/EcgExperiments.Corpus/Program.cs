using EcgExperiments.Corpus;

// tools/corpus: runs the bad-input corpus against an ecg build and prints the verdict table.
//   dotnet EcgExperiments.Corpus.dll <path/to/ecg.dll> [--data-root DIR] [--only NAME,NAME] [--title TEXT]
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: EcgExperiments.Corpus <ecg.dll> [--data-root DIR] [--only case,case] [--title TEXT]");
    return 2;
}
string Option(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
var dataRoot = Option("--data-root", Environment.GetEnvironmentVariable("ECG_DATA_ROOT") ?? Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "..", "..", "shared", "data"));
var only = Option("--only", "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
var title = Option("--title", $"bad-input corpus against {args[0]}");
using var workspace = CorpusWorkspace.Create(args[0], dataRoot);
var outcomes = new List<CaseOutcome>();
foreach (var c in CorpusCases.All.Where(c => only.Count == 0 || only.Contains(c.Name)))
{
    var o = workspace.Run(c);
    Console.Error.WriteLine($"{c.Name}: {CorpusWorkspace.Name(o.Verdict)} (exit {o.Result.ExitCode}) {o.Why}");
    outcomes.Add(o);
}
Console.WriteLine(CorpusWorkspace.Table(outcomes, title));
return 0;
