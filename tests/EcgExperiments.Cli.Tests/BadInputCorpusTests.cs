using EcgExperiments.Corpus;

namespace EcgExperiments.Cli.Tests;

/// <summary>One corpus workspace per test class, against the ecg.dll built beside the tests.</summary>
public sealed class CorpusFixture : IDisposable
{
    public CorpusWorkspace Workspace { get; } = CorpusWorkspace.Create(Path.Combine(AppContext.BaseDirectory, "ecg.dll"),
        Environment.GetEnvironmentVariable("ECG_DATA_ROOT") ?? Core.ProjectPaths.DataRoot);

    public void Dispose() => Workspace.Dispose();
}

/// <summary>
/// The bad-input corpus (tools/corpus): every case's exit code is the documented one, its message names the right place
/// (file:line:column, key, record, lead, flag or path), nothing prints a stack trace or hangs, and no completed run folder
/// changes. Split by category into classes so they run in parallel.
/// </summary>
public abstract class BadInputCorpusTests(CorpusFixture fixture)
{
    protected void Check(string name)
    {
        var c = CorpusCases.All.Single(x => x.Name == name);
        var o = fixture.Workspace.Run(c);
        Assert.False(o.ResultChanged, $"{name}: the completed run folder changed");
        Assert.True(o.Result.KilledFor is null, $"{name}: {o.Result.KilledFor}");
        Assert.DoesNotContain("\n   at ", o.Result.Output);
        Assert.True(o.Result.ExitCode == c.ExitCode, $"{name}: exit {o.Result.ExitCode}, expected {c.ExitCode}\n{o.Result.Output}");
        Assert.True(o.Verdict is Verdict.ClearError or Verdict.Ok, $"{name}: {CorpusWorkspace.Name(o.Verdict)}: {o.Why}\n{o.Result.Output}");
    }

    public static TheoryData<string> Cases(string category) => new(CorpusCases.All.Where(c => c.Category == category).Select(c => c.Name));
    public static TheoryData<string> SpecCases => Cases("spec");
    public static TheoryData<string> FlagCases => Cases("flags");
    // Data cases copy records of the real databases (skipped, saying how to get them, where the data is absent).
    public static TheoryData<string> DataCases(string dataset) =>
        new(CorpusCases.All.Where(c => c.Category == "data" && c.Name.StartsWith(dataset + "-", StringComparison.Ordinal)).Select(c => c.Name));
    public static TheoryData<string> PtbXlCases => DataCases("ptbxl");
    public static TheoryData<string> MitBihCases => DataCases("mitbih");
    public static TheoryData<string> Ecg5000Cases => DataCases("ecg5000");
    public static TheoryData<string> WfdbFolderCases => DataCases("wfdb");
    public static TheoryData<string> ProcessCases => Cases("process");
    public static TheoryData<string> ReportCases => Cases("report");
}

public sealed class BadSpecCorpusTests(CorpusFixture fixture) : BadInputCorpusTests(fixture), IClassFixture<CorpusFixture>
{
    [Theory, MemberData(nameof(SpecCases))]
    public void Spec_case(string name) => Check(name);

    [Fact]
    public void The_corpus_has_at_least_60_cases_across_every_category()
    {
        Assert.True(CorpusCases.All.Count >= 60, $"{CorpusCases.All.Count} cases");
        Assert.Equal(["data", "flags", "process", "report", "spec"], CorpusCases.All.Select(c => c.Category).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(CorpusCases.All.Count, CorpusCases.All.Select(c => c.Name).Distinct().Count());
    }
}

public sealed class BadFlagCorpusTests(CorpusFixture fixture) : BadInputCorpusTests(fixture), IClassFixture<CorpusFixture>
{
    [Theory, MemberData(nameof(FlagCases))]
    public void Flag_case(string name) => Check(name);
}

public sealed class BadDataCorpusTests(CorpusFixture fixture) : BadInputCorpusTests(fixture), IClassFixture<CorpusFixture>
{
    [TestSupport.RealDataTheory("ptbxl"), MemberData(nameof(PtbXlCases))]
    public void PtbXl_case(string name) => Check(name);

    [TestSupport.RealDataTheory("mitbih"), MemberData(nameof(MitBihCases))]
    public void MitBih_case(string name) => Check(name);

    [TestSupport.RealDataTheory("ecg5000"), MemberData(nameof(Ecg5000Cases))]
    public void Ecg5000_case(string name) => Check(name);

    // The WFDB-folder study is built from PTB-XL records.
    [TestSupport.RealDataTheory("ptbxl"), MemberData(nameof(WfdbFolderCases))]
    public void WfdbFolder_case(string name) => Check(name);

    [Fact]
    public void Every_data_case_belongs_to_one_dataset() =>
        Assert.All(CorpusCases.All.Where(c => c.Category == "data"), c => Assert.Matches("^(ptbxl|mitbih|ecg5000|wfdb)-", c.Name));
}

public sealed class ProcessFaultCorpusTests(CorpusFixture fixture) : BadInputCorpusTests(fixture), IClassFixture<CorpusFixture>
{
    [Theory, MemberData(nameof(ProcessCases))]
    public void Process_case(string name) => Check(name);

    [Theory, MemberData(nameof(ReportCases))]
    public void Report_case(string name) => Check(name);
}
