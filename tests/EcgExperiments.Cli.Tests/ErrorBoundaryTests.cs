using EcgExperiments.Core;
using EcgExperiments.Experiments.Spec;

namespace EcgExperiments.Cli.Tests;

/// <summary>The CLI's one error boundary: which exit code and message each kind of failure gets.</summary>
public class ErrorBoundaryTests
{
    private static (int Code, string Error) Run(Exception e)
    {
        var error = new StringWriter();
        int code = ErrorBoundary.Run(() => throw e, error);
        return (code, error.ToString());
    }

    [Fact]
    public void Expected_failures_get_one_line_and_their_documented_exit_code()
    {
        Assert.Equal((ExitCodes.InvalidSpecOrFlag, "error: a.yaml:3:5: `model.kernel`: must be odd\n"),
            Run(new SpecException(new SourceRef("a.yaml", 3, 5, "model.kernel"), "must be odd")));
        Assert.Equal((ExitCodes.InvalidData, "error: r.dat, record 7: truncated\n"), Run(new EcgDataException("truncated", "r.dat", record: "7")));
        Assert.Equal(ExitCodes.Environment, Run(new StorageException("/x", "not writable")).Code);
        Assert.Equal(ExitCodes.Busy, Run(new FolderLockedException("/r", new LockHolder(42, "h", null, ""), sameProcess: false)).Code);
        Assert.Equal(ExitCodes.Interrupted, Run(new OperationCanceledException()).Code);
    }

    [Fact]
    public void A_parallel_loader_failure_is_unwrapped_to_the_record_that_failed_first()
    {
        var aggregate = new AggregateException(new EcgDataException("checksum mismatch", "00001_lr.hea", record: "00001_lr"), new EcgDataException("truncated", "00002_lr.dat"));
        Assert.Equal((ExitCodes.InvalidData, "error: 00001_lr.hea, record 00001_lr: checksum mismatch\n"), Run(new AggregateException(aggregate)));
    }

    [Fact]
    public void An_internal_error_prints_one_line_and_writes_the_stack_trace_to_a_log_it_names()
    {
        var logs = Directory.CreateTempSubdirectory("ecg-logs-").FullName;
        Environment.SetEnvironmentVariable(ErrorBoundary.LogFolderVariable, logs);
        try
        {
            var (code, error) = Run(new NullReferenceException("bad pointer"));
            Assert.Equal(ExitCodes.Internal, code);
            Assert.Single(error.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("error: internal error: NullReferenceException: bad pointer. This is a bug in ecg; the stack trace is in ", error);
            var log = Assert.Single(Directory.GetFiles(logs));
            Assert.Contains(log, error);
            var text = File.ReadAllText(log);
            Assert.Contains("System.NullReferenceException: bad pointer", text);
            Assert.Contains("   at ", text);
            Assert.DoesNotContain("   at ", error);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ErrorBoundary.LogFolderVariable, null);
        }
    }
}
