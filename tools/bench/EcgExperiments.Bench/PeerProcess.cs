using System.Diagnostics;
using System.Globalization;

namespace EcgExperiments.Bench;

/// <summary>One training step's wall-clock seconds and its process CPU seconds (all threads).</summary>
internal readonly record struct StepTime(double Wall, double Cpu);

/// <summary>
/// The PyTorch peer (seed_models.py) as a server process: the bench asks it to build a case and to run steps
/// between its own, so both sides are timed under the same machine load.
/// </summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _command;

    private PeerProcess(Process process, string command)
    {
        _process = process;
        _command = command;
    }

    public static PeerProcess Start(string script)
    {
        var path = Path.Combine(AppContext.BaseDirectory, script);
        var psi = new ProcessStartInfo(PythonPeer.Python, [path, "serve"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false,
        };
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start the PyTorch peer: {PythonPeer.Python} {path}");
        return new PeerProcess(p, $"{PythonPeer.Python} {path}");
    }

    /// <summary>Builds a case in the peer; returns its parameter count.</summary>
    public long Build(string name, int threads, string device, int batch, string precision) =>
        long.Parse(Ask(string.Create(CultureInfo.InvariantCulture, $"build {name} {threads} {device} {batch} {precision}"))[0], CultureInfo.InvariantCulture);

    /// <summary>Runs <paramref name="n"/> steps; returns the wall and process-CPU seconds each took.</summary>
    public StepTime[] Steps(int n) =>
        Ask(string.Create(CultureInfo.InvariantCulture, $"steps {n}"))
            .Select(s => s.Split(','))
            .Select(f => new StepTime(double.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture)))
            .ToArray();

    /// <summary>Runs <paramref name="n"/> steps under torch.autograd.profiler; returns CPU and wall seconds and the per-op totals.</summary>
    public (double cpuSeconds, double wallSeconds, List<Torch.OpStats> ops) Profile(int n)
    {
        var head = Ask(string.Create(CultureInfo.InvariantCulture, $"profile {n}"));
        int count = int.Parse(head[2], CultureInfo.InvariantCulture);
        var ops = new List<Torch.OpStats>(count);
        for (int i = 0; i < count; i++)
        {
            var f = (_process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the PyTorch peer stopped mid-profile")).Split('\t');
            ops.Add(new Torch.OpStats(f[0], long.Parse(f[1], CultureInfo.InvariantCulture),
                double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture)));
        }
        return (double.Parse(head[0], CultureInfo.InvariantCulture), double.Parse(head[1], CultureInfo.InvariantCulture), ops);
    }

    private string[] Ask(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
        var reply = _process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"the PyTorch peer ({_command}) exited while answering '{line}' (exit code {(_process.HasExited ? _process.ExitCode : -1)})");
        var words = reply.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || words[0] != "ok")
            throw new InvalidOperationException($"the PyTorch peer ({_command}) failed on '{line}': {reply}");
        return words[1..];
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("quit");
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10_000)) _process.Kill();
            }
        }
        catch (InvalidOperationException) { }
        catch (IOException) { }
        _process.Dispose();
    }
}
