namespace EcgExperiments.Cli.Tests;

/// <summary>
/// Stub Slurm commands (sbatch, squeue, sacct, scancel) in a temporary bin folder, for testing the launcher's controller
/// without a cluster. The stub sbatch records its call and runs the array's tasks on this machine one after another in
/// the background, as slurmd would (SLURM_* variables, each task's log from the script's <c>--output</c>); squeue and
/// sacct answer from per-task state files; scancel cancels pending tasks or sends SIGINT to running ones. A scripted
/// end (<see cref="Script"/>) makes a task end with a given state, exit code and log line without running, as a task
/// killed for memory or lost with its node would.
/// </summary>
internal sealed class FakeSlurm
{
    public FakeSlurm()
    {
        var root = Directory.CreateTempSubdirectory("ecg-fake-slurm-").FullName;
        Bin = Path.Combine(root, "bin");
        State = Path.Combine(root, "state");
        Directory.CreateDirectory(Bin);
        Directory.CreateDirectory(Path.Combine(State, "scenario"));
        Write("sbatch", Sbatch);
        Write("squeue", Squeue);
        Write("sacct", Sacct);
        Write("scancel", Scancel);
    }

    /// <summary>The folder holding the stub commands (give it to <c>SlurmCommands</c>).</summary>
    public string Bin { get; }

    /// <summary>The stubs' state: call logs, job scripts, task states.</summary>
    public string State { get; }

    /// <summary>Every sbatch call's arguments, in order.</summary>
    public IReadOnlyList<string> SbatchCalls => Calls("sbatch");

    public IReadOnlyList<string> ScancelCalls => Calls("scancel");

    /// <summary>The batch script submitted as job <paramref name="jobId"/>.</summary>
    public string JobScript(string jobId) => File.ReadAllText(Path.Combine(State, $"job-{jobId}.sbatch"));

    /// <summary>Makes every array task number <paramref name="task"/> end as <paramref name="state"/> with Slurm's <paramref name="exitCode"/> ("0:9") and one log line, without running.</summary>
    public void Script(int task, string state, string exitCode, string logLine) =>
        File.WriteAllText(Path.Combine(State, "scenario", task.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{state}|{exitCode}|{logLine}\n");

    /// <summary>Lets every task run again (removes the scripted ends).</summary>
    public void ClearScripts()
    {
        foreach (var f in Directory.GetFiles(Path.Combine(State, "scenario"))) File.Delete(f);
    }

    private IReadOnlyList<string> Calls(string command)
    {
        var path = Path.Combine(State, $"{command}.calls");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    private void Write(string name, string body)
    {
        var path = Path.Combine(Bin, name);
        File.WriteAllText(path, body.Replace("STATE_DIR", State));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    // A task starts with SIGINT at its default disposition, as slurmstepd starts job steps: an ignored signal stays ignored
    // across exec, and the trial would never see scancel's SIGINT. Bash ignores SIGINT in background work without job
    // control (hence set -m), and the test run itself may have inherited it ignored (a suite started with `nohup … &` from a
    // script), hence env --default-signal on the task.
    private const string Sbatch = """
        #!/bin/bash
        set -eu
        state='STATE_DIR'
        script="${!#}"
        printf '%s\n' "$*" >> "$state/sbatch.calls"
        id=$(cat "$state/next-id" 2>/dev/null || echo 100)
        echo $((id + 1)) > "$state/next-id"
        cp "$script" "$state/job-$id.sbatch"
        count=$(sed -n 's/^#SBATCH --array=1-\([0-9]*\).*/\1/p' "$script")
        output=$(sed -n 's/^#SBATCH --output=//p' "$script")
        for i in $(seq 1 "$count"); do echo PENDING > "$state/$id.$i"; done
        run_tasks() {
          for i in $(seq 1 "$count"); do
            [ "$(cat "$state/$id.$i")" = PENDING ] || continue
            log="${output//%a/$i}"
            if [ -f "$state/scenario/$i" ]; then
              IFS='|' read -r end code line < "$state/scenario/$i"
              printf '%s\n' "$line" > "$log"
              echo "$end|$code" > "$state/$id.$i"
              continue
            fi
            echo RUNNING > "$state/$id.$i"
            rc=0
            SLURM_JOB_ID=$((id * 100 + i)) SLURM_ARRAY_JOB_ID=$id SLURM_ARRAY_TASK_ID=$i SLURM_CPUS_PER_TASK=1 \
              env --default-signal=INT bash -c 'echo $$ > "$1"; exec bash "$2"' _ "$state/$id.$i.pid" "$script" > "$log" 2>&1 || rc=$?
            rm -f "$state/$id.$i.pid"
            if [ "$rc" -eq 0 ]; then echo "COMPLETED|0:0" > "$state/$id.$i"; else echo "FAILED|$rc:0" > "$state/$id.$i"; fi
          done
        }
        set -m
        run_tasks </dev/null >/dev/null 2>&1 &
        echo "$id"
        """;

    private const string Squeue = """
        #!/bin/bash
        state='STATE_DIR'
        for a in "$@"; do case "$a" in --jobs=*) id="${a#--jobs=}" ;; esac; done
        ls "$state/$id".[0-9]* >/dev/null 2>&1 || { echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1; }
        for f in "$state/$id".[0-9]*; do
          case "$f" in *.pid) continue ;; esac
          s=$(cat "$f")
          # Elapsed (%M): a fixed 1:05 for running tasks, 0:00 for pending ones, as squeue shows before a task starts.
          case "$s" in PENDING) echo "${f##*.}|$s|None|0:00" ;; RUNNING) echo "${f##*.}|$s|None|1:05" ;; esac
        done
        """;

    private const string Sacct = """
        #!/bin/bash
        state='STATE_DIR'
        for a in "$@"; do case "$a" in --jobs=*) id="${a#--jobs=}" ;; esac; done
        for f in "$state/$id".[0-9]*; do
          [ -e "$f" ] || continue
          case "$f" in *.pid) continue ;; esac
          s=$(cat "$f")
          case "$s" in
            *'|'*) echo "${id}_${f##*.}|${s%%|*}|${s#*|}|00:00:01|Unknown|None" ;;
            *) echo "${id}_${f##*.}|$s|0:0|00:00:00|Unknown|None" ;;
          esac
        done
        """;

    private const string Scancel = """
        #!/bin/bash
        state='STATE_DIR'
        printf '%s\n' "$*" >> "$state/scancel.calls"
        id="${!#}"
        if [[ " $* " == *" --state=PENDING "* ]]; then
          for f in "$state/$id".[0-9]*; do
            case "$f" in *.pid) continue ;; esac
            if [ "$(cat "$f")" = PENDING ]; then echo "CANCELLED|0:0" > "$f"; fi
          done
        elif [[ " $* " == *" --signal=INT "* ]]; then
          for f in "$state/$id".*.pid; do [ -f "$f" ] && kill -INT "$(cat "$f")" 2>/dev/null || true; done
        fi
        """;
}
