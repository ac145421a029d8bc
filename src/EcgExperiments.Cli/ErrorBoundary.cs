using System.Globalization;
using System.Reflection;
using System.Text.Json;
using EcgExperiments.Core;
using EcgExperiments.Experiments.Runs;
using EcgExperiments.Experiments.Spec;
using EcgExperiments.Pipeline;
using EcgExperiments.Torch;

namespace EcgExperiments.Cli;

/// <summary>The exit codes of <c>ecg</c>, one per kind of outcome (listed by <c>ecg --help</c> and the README).</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Success = 0;
    /// <summary>The command ran, but a trial failed or did not complete, or (verify) an expectation was missed.</summary>
    public const int Incomplete = 1;
    /// <summary>An invalid experiment file or command-line flag (nothing ran).</summary>
    public const int InvalidSpecOrFlag = 2;
    /// <summary>Invalid input data: records, tables, model files or run records (the message names the file and record).</summary>
    public const int InvalidData = 3;
    /// <summary>The machine: results not writable, disk full, an I/O or run-index (SQLite) error, the native library or device.</summary>
    public const int Environment = 4;
    /// <summary>The results folder is in use by another run (the message names its process).</summary>
    public const int Busy = 5;
    /// <summary>An internal error (a bug): one line here, the stack trace in a log file.</summary>
    public const int Internal = 70;
    /// <summary>Stopped by Ctrl-C (the partial run is recorded as interrupted).</summary>
    public const int Interrupted = 130;

    /// <summary>The table <c>ecg --help</c> shows.</summary>
    public static string Table =>
        """
        Exit codes:
          0    success
          1    a trial failed or did not complete; verify: an expectation was missed
          2    invalid experiment file or flag (nothing ran)
          3    invalid input data (records, tables, model files, run records)
          4    the machine: results folder not writable or full, I/O or index.sqlite error, native library, device
          5    the results folder is in use by another run
          70   internal error (the stack trace is written to a log file, whose path is printed)
          130  interrupted (Ctrl-C)
        """;
}

/// <summary>
/// The one place the CLI turns exceptions into messages and exit codes. Expected failures (spec, flags, data, I/O, SQLite,
/// JSON, run records) print one <c>error: …</c> line that names the file, line, record or flag; anything else is a bug:
/// one line with its summary and the path of a log file holding the stack trace. Parallel loops' AggregateExceptions are
/// unwrapped to what actually went wrong.
/// </summary>
public static class ErrorBoundary
{
    /// <summary>Environment variable naming the folder for internal-error logs (default: ecg-logs in the temp folder).</summary>
    public const string LogFolderVariable = "ECG_LOG_DIR";

    /// <summary>Runs <paramref name="body"/> and returns its exit code, or the code of the exception it threw (printed to <paramref name="error"/>).</summary>
    public static int Run(Func<int> body, TextWriter? error = null)
    {
        error ??= Console.Error;
        try
        {
            return body();
        }
        catch (Exception e)
        {
            var (code, message) = Classify(e);
            if (code == ExitCodes.Internal) message = Internal(e, message);
            error.WriteLine($"error: {message}");
            return code;
        }
    }

    /// <summary>The exit code and one-line message of an exception (internal errors: the summary only).</summary>
    public static (int Code, string Message) Classify(Exception exception)
    {
        var e = Unwrap(exception);
        return e switch
        {
            OperationCanceledException => (ExitCodes.Interrupted, "interrupted"),
            SpecException => (ExitCodes.InvalidSpecOrFlag, e.Message),
            ArgumentNullException or ArgumentOutOfRangeException => (ExitCodes.Internal, Summary(e)),
            ArgumentException => (ExitCodes.InvalidSpecOrFlag, e.Message),
            FolderLockedException => (ExitCodes.Busy, e.Message),
            EcgDataException or RunRecordException or SchemaException => (ExitCodes.InvalidData, e.Message),
            JsonException j => (ExitCodes.InvalidData, $"invalid JSON{(j.Path is { Length: > 0 } p ? $" at {p}" : "")}: {j.Message}"),
            InvalidDataException => (ExitCodes.InvalidData, e.Message),
            StorageException or Experiments.Running.RunIndexException => (ExitCodes.Environment, e.Message),
            UnauthorizedAccessException => (ExitCodes.Environment, $"{e.Message} (permission denied: fix the permissions or choose another path)"),
            IOException => (ExitCodes.Environment, $"{e.Message}{(e.Message.Contains("space", StringComparison.OrdinalIgnoreCase) ? " (free some space or write elsewhere with --output)" : "")}"),
            TorchException => (ExitCodes.Environment, e.Message),
            _ => (ExitCodes.Internal, Summary(e)),
        };
    }

    /// <summary>What went wrong, without the wrappers of parallel loops, reflection and static constructors.</summary>
    public static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: > 0 } a:
                    // Parallel loaders fail on several records at once: the first record's error is the one to fix first.
                    e = a.Flatten().InnerExceptions[0];
                    continue;
                case TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    continue;
                case TypeInitializationException { InnerException: { } inner }:
                    e = inner;
                    continue;
                default:
                    return e;
            }
        }
    }

    private static string Summary(Exception e) => $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";

    /// <summary>Writes the full exception to a log file and returns the one-line message naming it.</summary>
    private static string Internal(Exception e, string summary)
    {
        var folder = System.Environment.GetEnvironmentVariable(LogFolderVariable) is { Length: > 0 } d ? d : Path.Combine(Path.GetTempPath(), "ecg-logs");
        var name = $"ecg-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{System.Environment.ProcessId}.log";
        var path = Path.Combine(folder, name);
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(path,
                $"ecg {typeof(ErrorBoundary).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion}\n" +
                $"command: {string.Join(' ', System.Environment.GetCommandLineArgs())}\n" +
                $"time (UTC): {DateTime.UtcNow:O}\n\n{e}\n");
            return $"internal error: {summary}. This is a bug in ecg; the stack trace is in {path} (please include it when reporting)";
        }
        catch (Exception logError) when (logError is IOException or UnauthorizedAccessException)
        {
            // Never hide the error because its log could not be written: print the trace itself.
            return $"internal error: {summary}. The log could not be written to {path} ({logError.Message}); the stack trace:\n{e}";
        }
    }
}
