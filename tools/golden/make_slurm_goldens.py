#!/usr/bin/env python3
"""Goldens of the Slurm launcher's job array (tests/EcgExperiments.Experiments.Tests/Golden/slurm/):
job.sbatch and manifest.json for the submission described by inputs.json, written independently of the C# code from
the rules the launcher documents:

  --time        the trial timeout rounded up to whole minutes (at least 1)
  --signal      B:USR1@S, S = max(hard - timeout, clamp(hard / 10, 30, 300)), at most hard - 1 (hard = minutes * 60)
  --mem         the memory in MiB, rounded up ("M")
  --cpus-per-task, --partition, --gres (gpu:1 for CUDA trials unless given), %max_parallel, extra args verbatim
  each task:    exec <worker> trial <spec> --trial N --expect-key KEY --output ROOT [--budget B] [--device D] --time-limit SECONDS
  words         quoted with shlex.quote
  manifest      System.Text.Json's layout: snake_case, 2-space indent, nulls left out, ' and + escaped as \\u0027 / \\u002B

Run from the repository root: python3 tools/golden/make_slurm_goldens.py
"""
import json
import math
import shlex
from pathlib import Path

HERE = Path("tests/EcgExperiments.Experiments.Tests/Golden/slurm")
inp = json.loads((HERE / "inputs.json").read_text())

timeout = inp["trial_timeout_seconds"]
minutes = max(1, math.ceil(timeout / 60))
hard = minutes * 60
ahead = min(max(hard - math.floor(timeout), min(max(hard // 10, 30), 300)), hard - 1)
mem_mib = -(-inp["memory_bytes"] // (1 << 20))
gres = inp["gres"] or ("gpu:1" if inp["device"].startswith("cuda") else None)
n = len(inp["tasks"])
log_pattern = f'{inp["submission"]}/task-%a.log'

directives = [f'--job-name=ecg-{inp["experiment"]}', f'--array=1-{n}%{inp["max_parallel"]}', f"--output={log_pattern}",
              f"--time={minutes}", f"--signal=B:USR1@{ahead}", f"--mem={mem_mib}M", f'--cpus-per-task={inp["cpus_per_task"]}',
              f'--partition={inp["partition"]}']
if gres:
    directives.append(f"--gres={gres}")
directives += inp["extra_args"]

rungs = sorted({t["rung"] for t in inp["tasks"]})
lines = ["#!/bin/bash",
         f'# {inp["experiment"]}: {n} trial(s) of {inp["spec_file"]}, rung {"/".join(map(str, rungs))}, as one job array.',
         "# Written by `ecg run --launcher slurm`; manifest.json beside it maps each array task to its trial and trial key."]
lines += [f"#SBATCH {d}" for d in directives]
lines += ["set -u",
          "# .NET and libtorch use the cores Slurm gave this task, not every core of the node.",
          'export DOTNET_PROCESSOR_COUNT="${SLURM_CPUS_PER_TASK:-1}" OMP_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}" MKL_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}"',
          "# exec: the trial is the batch step, so the time-limit warning signal reaches it.",
          'case "${SLURM_ARRAY_TASK_ID:-}" in']
for i, t in enumerate(inp["tasks"], start=1):
    argv = inp["worker"] + ["trial", inp["spec_file"], "--trial", str(t["trial"]), "--expect-key", t["trial_key"],
                            "--output", inp["results_root"], "--budget", str(t["budget"]), "--device", inp["device"],
                            "--time-limit", str(math.ceil(timeout))]
    lines.append(f"  {i}) exec {' '.join(shlex.quote(a) for a in argv)} ;;")
lines.append(f"  *) echo \"array task '${{SLURM_ARRAY_TASK_ID:-}}' is not one of this job's 1-{n}\" >&2; exit 2 ;;")
lines.append("esac")
(HERE / "job.sbatch").write_text("\n".join(lines) + "\n")

tasks = []
for i, t in enumerate(inp["tasks"], start=1):
    task = {"task": i, "trial": t["trial"], "rung": t["rung"], "budget": t["budget"], "trial_key": t["trial_key"],
            "run_directory": f'{inp["results_root"]}/{inp["experiment"]}/{t["trial_key"][:12]}',
            "sweep_values": t["sweep_values"], "log": f"task-{i}.log"}
    if t["previous_record_started_utc"] is not None:
        task["previous_record_started_utc"] = t["previous_record_started_utc"]
    tasks.append(task)
manifest = {"format": "ecg-slurm-array", "version": 1, "experiment": inp["experiment"], "spec_file": inp["spec_file"],
            "job_id": inp["job_id"], "created_utc": inp["created_utc"], "submitted_utc": inp["submitted_utc"],
            "metric": inp["tuner"]["metric"], "direction": inp["tuner"]["direction"], "sbatch": directives, "tasks": tasks}
text = json.dumps(manifest, indent=2, ensure_ascii=True).replace("'", "\\u0027").replace("+", "\\u002B")
(HERE / "manifest.json").write_text(text + "\n")
print(f"wrote {HERE}/job.sbatch and {HERE}/manifest.json")
