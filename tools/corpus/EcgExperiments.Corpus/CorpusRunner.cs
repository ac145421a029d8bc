using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EcgExperiments.Corpus;

/// <summary>How a corpus case came out, worst first in the order the issue counts them.</summary>
public enum Verdict { ResultLost, Hang, StackTrace, UnclearError, ClearError, Ok }

/// <summary>What one <c>ecg</c> command did.</summary>
/// <param name="ExitCode">Exit code (-1 when it was killed).</param>
/// <param name="Stdout">Standard output.</param>
/// <param name="Stderr">Standard error.</param>
/// <param name="KilledFor">Why the corpus killed it (time or memory), or null.</param>
/// <param name="Pid">Its process id.</param>
public sealed record EcgResult(int ExitCode, string Stdout, string Stderr, string? KilledFor, int Pid)
{
    public string Output => Stdout + Stderr;
}

/// <summary>
/// One bad input or adverse situation: what it sets up and runs, the exit code the current build gives, the text its
/// message must hold (the file, line, record, key or flag), text it must not hold (internal names), and any check of
/// files it wrote.
/// </summary>
public sealed record CorpusCase(string Name, string Category, string Description, int ExitCode, IReadOnlyList<string> Needles, Func<CaseContext, EcgResult> Act)
{
    /// <summary>Text the output must not contain (internal property names, misleading advice).</summary>
    public IReadOnlyList<string> Forbidden { get; init; } = [];

    /// <summary>A check of what the command wrote (report files, run folders); returns a problem or null.</summary>
    public Func<CaseContext, EcgResult, string?>? Check { get; init; }

    public override string ToString() => Name;
}

/// <summary>What a case found, and why that verdict.</summary>
public sealed record CaseOutcome(CorpusCase Case, EcgResult Result, Verdict Verdict, string Why, bool ResultChanged);

/// <summary>
/// A case's sandbox: its own folder, the runner, and a copy of the completed fixture results whose trial folder is hashed
/// before the case acts and compared after (a changed or missing completed folder is a lost result).
/// </summary>
public sealed class CaseContext(CorpusWorkspace workspace, string folder)
{
    private string? _results;

    public CorpusWorkspace Workspace { get; } = workspace;

    /// <summary>The case's own folder.</summary>
    public string Folder { get; } = folder;

    /// <summary>The completed fixture's hash before the case acted (null when the case does not use the fixture results).</summary>
    public string? HashBefore { get; private set; }

    /// <summary>A results root holding a copy of the completed fixture run (copied on first use, then hashed).</summary>
    public string Results
    {
        get
        {
            if (_results is not null) return _results;
            Workspace.EnsureFixture();
            _results = Path.Combine(Folder, "results");
            CorpusWorkspace.CopyTree(Workspace.FixtureResults, _results);
            HashBefore = CorpusWorkspace.HashFolder(CompletedRun);
            return _results;
        }
    }

    /// <summary>
    /// For cases that damage the completed run on purpose (a truncated or newer run.json): the folder as damaged is what
    /// the command must leave alone.
    /// </summary>
    public void Damaged() => HashBefore = CorpusWorkspace.HashFolder(CompletedRun);

    /// <summary>The completed run folder inside <see cref="Results"/>.</summary>
    public string CompletedRun => Path.Combine(Results, CorpusWorkspace.FixtureExperiment, Workspace.FixtureKey);

    /// <summary>The experiment folder inside <see cref="Results"/>.</summary>
    public string ExperimentFolder => Path.Combine(Results, CorpusWorkspace.FixtureExperiment);

    /// <summary>Writes a file in the case folder and returns its path.</summary>
    public string Write(string name, string text)
    {
        var path = Path.Combine(Folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Runs ecg to the end.</summary>
    public EcgResult Ecg(params string[] args) => Workspace.Ecg(args);

    /// <summary>Runs ecg with extra environment variables.</summary>
    public EcgResult EcgWith(IDictionary<string, string> env, params string[] args) => Workspace.Ecg(args, env);
}

/// <summary>
/// The corpus's shared setup against one <c>ecg.dll</c>: a temp folder, a tiny synthetic experiment trained once (the
/// completed result every process-fault case guards), and the runner that judges each case.
/// </summary>
public sealed class CorpusWorkspace : IDisposable
{
    public const string FixtureExperiment = "corpus-tiny";

    /// <summary>The fixture: 40 synthetic 12-lead records of 4 s, a 77-parameter CNN, 200 epochs at one thread (seconds; a signal sent at the first epoch line lands while it trains).</summary>
    public const string FixtureSpecText = """
        name: corpus-tiny
        seed: 7
        device: cpu
        threads: 1
        data: { type: synthetic, records: 40, effect: 1.0, duration_seconds: 4 }
        pipeline: [ { type: zscore } ]
        model: { type: cnn2d, widths: [4], kernel: 5, kernel_height: 3, padding: [1, 0], pool: [2, 4] }
        training: { epochs: 200, batch_size: 8, learning_rate: 0.003, select_by: loss }
        evaluation: { bootstrap_resamples: 0 }
        expect: [ { metric: accuracy, minimum: 0.0 } ]
        """;

    /// <summary>The resident-memory cap of one command: past it the command is killed and counted as a hang.</summary>
    public const long MemoryCapBytes = 3L << 30;

    private CorpusWorkspace(string ecgDll, string dataRoot, string root)
    {
        EcgDll = ecgDll;
        DataRoot = dataRoot;
        Root = root;
        FixtureSpec = Path.Combine(root, "fixture", "tiny.yaml");
        FixtureResults = Path.Combine(root, "fixture", "results");
    }

    public string EcgDll { get; }
    public string DataRoot { get; }
    public string Root { get; }
    public string FixtureSpec { get; }
    public string FixtureResults { get; }
    public string FixtureKey { get; private set; } = "";

    /// <summary>Longest a command may run before it counts as a hang.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Creates the workspace (the fixture is trained when a case first needs it).</summary>
    public static CorpusWorkspace Create(string ecgDll, string dataRoot, TimeSpan? timeout = null)
    {
        var root = Directory.CreateTempSubdirectory("ecg-corpus-").FullName;
        var w = new CorpusWorkspace(Path.GetFullPath(ecgDll), Path.GetFullPath(dataRoot), root) { Timeout = timeout ?? TimeSpan.FromMinutes(3) };
        Directory.CreateDirectory(Path.GetDirectoryName(w.FixtureSpec)!);
        File.WriteAllText(w.FixtureSpec, FixtureSpecText);
        return w;
    }

    private readonly Lock _fixtureLock = new();

    /// <summary>Trains the fixture experiment once (throws when the build cannot train it).</summary>
    public void EnsureFixture()
    {
        lock (_fixtureLock)
        {
            if (FixtureKey.Length > 0) return;
            var r = Ecg(["run", FixtureSpec, "--output", FixtureResults]);
            var experiment = Path.Combine(FixtureResults, FixtureExperiment);
            var folders = Directory.Exists(experiment) ? Directory.GetDirectories(experiment).Select(Path.GetFileName).Where(n => n!.Length == 12).ToList() : [];
            if (r.ExitCode != 0 || folders.Count != 1)
                throw new InvalidOperationException($"the fixture experiment did not complete (exit {r.ExitCode}): {r.Output}");
            FixtureKey = folders[0]!;
        }
    }

    /// <summary>Runs <c>dotnet ecg.dll args</c> to the end (or kills it past the time or memory limit).</summary>
    public EcgResult Ecg(IReadOnlyList<string> args, IDictionary<string, string>? env = null)
    {
        using var p = Start(args, env);
        return p.WaitForExit(Timeout);
    }

    /// <summary>Starts <c>dotnet ecg.dll args</c> without waiting (process-fault cases).</summary>
    private static readonly bool DefaultSignalEnv = Probe("env", "--default-signal=INT", "true");

    private static bool Probe(string file, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public EcgProcess Start(IReadOnlyList<string> args, IDictionary<string, string>? env = null)
    {
        // A process started from a background job (`cmd &` in a script, as CI runners do) inherits SIGINT ignored, and the .NET
        // runtime keeps an ignored SIGINT ignored: the Ctrl-C cases would then test nothing. env --default-signal (coreutils
        // 8.31+) restores the default disposition before ecg starts, so ecg's own Ctrl-C handling is what is judged.
        var psi = new ProcessStartInfo(DefaultSignalEnv ? "env" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = Root };
        if (DefaultSignalEnv)
        {
            psi.ArgumentList.Add("--default-signal=INT");
            psi.ArgumentList.Add("dotnet");
        }
        psi.ArgumentList.Add(EcgDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ECG_DATA_ROOT"] = DataRoot;
        psi.Environment["ECG_LOG_DIR"] = Path.Combine(Root, "logs");
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return new EcgProcess(Process.Start(psi)!);
    }

    /// <summary>Runs one case in its own folder and judges it.</summary>
    public CaseOutcome Run(CorpusCase c)
    {
        var folder = Path.Combine(Root, "cases", c.Name);
        Directory.CreateDirectory(folder);
        var ctx = new CaseContext(this, folder);
        var result = c.Act(ctx);
        bool changed = ctx.HashBefore is { } before && (!Directory.Exists(ctx.CompletedRun) || HashFolder(ctx.CompletedRun) != before);
        var (verdict, why) = Judge(c, ctx, result, changed);
        return new CaseOutcome(c, result, verdict, why, changed);
    }

    private static (Verdict, string) Judge(CorpusCase c, CaseContext ctx, EcgResult r, bool changed)
    {
        if (changed) return (Verdict.ResultLost, "the completed run folder changed");
        if (r.KilledFor is { } k) return (Verdict.Hang, k);
        if (r.Output.Contains("\n   at ", StringComparison.Ordinal) || r.Output.Contains("Unhandled exception", StringComparison.Ordinal))
            return (Verdict.StackTrace, FirstLine(r.Stderr));
        var missing = c.Needles.Where(n => !r.Output.Contains(n, StringComparison.Ordinal)).ToList();
        var forbidden = c.Forbidden.Where(n => r.Output.Contains(n, StringComparison.Ordinal)).ToList();
        var problem = missing.Count > 0 ? $"message lacks: {string.Join(" | ", missing)}"
            : forbidden.Count > 0 ? $"message has: {string.Join(" | ", forbidden)}"
            : c.Check?.Invoke(ctx, r);
        if (c.ExitCode == 0)
            return r.ExitCode == 0 && problem is null ? (Verdict.Ok, "") : (Verdict.UnclearError, r.ExitCode != 0 ? $"exit {r.ExitCode}: {FirstLine(r.Stderr)}" : problem!);
        if (r.ExitCode == 0) return (Verdict.UnclearError, "exit 0: the bad input went unreported");
        return problem is null ? (Verdict.ClearError, "") : (Verdict.UnclearError, $"{problem} — got: {FirstLine(r.Stderr)}");
    }

    private static string FirstLine(string text) =>
        text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";

    /// <summary>SHA-256 over a folder's relative paths and contents.</summary>
    public static string HashFolder(string folder)
    {
        using var sha = SHA256.Create();
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Encoding.UTF8.GetBytes(Path.GetRelativePath(folder, file) + "\n");
            sha.TransformBlock(name, 0, name.Length, null, 0);
            var bytes = File.ReadAllBytes(file);
            sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
        }
        sha.TransformFinalBlock([], 0, 0);
        return Convert.ToHexString(sha.Hash!);
    }

    public static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
    }

    /// <summary>The verdict table: one row per case, then the count of each verdict.</summary>
    public static string Table(IReadOnlyList<CaseOutcome> outcomes, string title)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"## {title}").AppendLine();
        sb.AppendLine("| # | case | category | exit | verdict | note |").AppendLine("|---:|---|---|---:|---|---|");
        int i = 0;
        foreach (var o in outcomes)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {++i} | {o.Case.Name} | {o.Case.Category} | {o.Result.ExitCode} | {Name(o.Verdict)} | {Cell(o.Why)} |"));
        sb.AppendLine();
        sb.AppendLine(string.Join(", ", Enum.GetValues<Verdict>().Reverse().Select(v => $"{outcomes.Count(o => o.Verdict == v)} {Name(v)}")) + $" ({outcomes.Count} cases)");
        return sb.ToString();
    }

    public static string Name(Verdict v) => v switch
    {
        Verdict.ResultLost => "result lost",
        Verdict.Hang => "hang",
        Verdict.StackTrace => "stack trace",
        Verdict.UnclearError => "unclear error",
        Verdict.ClearError => "clear error",
        _ => "ok",
    };

    private static string Cell(string text)
    {
        var t = text.Replace("|", "\\|").ReplaceLineEndings(" ");
        return t.Length > 140 ? t[..137] + "..." : t;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>A running ecg process: its output as it comes, signals, and its end under the corpus's time and memory limits.</summary>
public sealed class EcgProcess : IDisposable
{
    private readonly Process _p;
    private readonly StringBuilder _out = new(), _err = new();
    private readonly Lock _lock = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waits = [];
    private readonly TaskCompletionSource _outClosed = new(), _errClosed = new();

    public EcgProcess(Process p)
    {
        _p = p;
        p.StandardInput.Close();
        p.OutputDataReceived += (_, e) => Line(e.Data, _out, _outClosed);
        p.ErrorDataReceived += (_, e) => Line(e.Data, _err, _errClosed);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
    }

    public int Pid => _p.Id;

    private void Line(string? line, StringBuilder into, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (_lock)
        {
            into.Append(line).Append('\n');
            foreach (var (match, seen) in _waits)
                if (match(line)) seen.TrySetResult(line);
        }
    }

    /// <summary>Waits until a line of output matches (the observable event a fault is timed by); false when the process ended first or time ran out.</summary>
    public bool WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            foreach (var l in (_out.ToString() + _err.ToString()).Split('\n'))
                if (match(l)) return true;
            _waits.Add((match, seen));
        }
        var exited = _p.WaitForExitAsync();
        var first = Task.WhenAny(seen.Task, exited, Task.Delay(timeout)).GetAwaiter().GetResult();
        return first == seen.Task;
    }

    /// <summary>Sends a signal (INT as Ctrl-C does, KILL as the out-of-memory killer does).</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + name, Pid.ToString(CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
    }

    /// <summary>Waits for the end; past <paramref name="timeout"/> or <see cref="CorpusWorkspace.MemoryCapBytes"/> the process is killed.</summary>
    public EcgResult WaitForExit(TimeSpan timeout)
    {
        string? killed = null;
        var clock = Stopwatch.StartNew();
        while (!_p.WaitForExit(200))
        {
            if (clock.Elapsed > timeout) killed = $"still running after {timeout.TotalSeconds:0} s";
            else if (ResidentBytes(_p.Id) is { } rss && rss > CorpusWorkspace.MemoryCapBytes) killed = $"resident memory passed {CorpusWorkspace.MemoryCapBytes >> 30} GiB";
            if (killed is null) continue;
            try { _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _p.WaitForExit();
            break;
        }
        Task.WaitAll([_outClosed.Task, _errClosed.Task], TimeSpan.FromSeconds(10));
        lock (_lock) return new EcgResult(killed is null ? _p.ExitCode : -1, _out.ToString(), _err.ToString(), killed, _p.Id);
    }

    private static long? ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    public void Dispose()
    {
        try { if (!_p.HasExited) _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _p.Dispose();
    }
}
