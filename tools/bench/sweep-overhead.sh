#!/usr/bin/env bash
# Per-trial overhead of the sweep engine: the time a trial spends in a sweep that is not training
# (trial wall time minus the run record's train_seconds), in this process and in worker processes.
# Runs the same small synthetic sweep (8 trials × 1 epoch, one thread) both ways into fresh result folders
# and prints the line the sweep itself reports, split into load+pipeline, evaluate/artefacts and the
# time outside the runner (worker start, libtorch load, spec parsing, record reading, index).
#   usage: tools/bench/sweep-overhead.sh [trials]     (build first: dotnet build EcgExperiments.sln -c Release)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
ecg="$repo/src/EcgExperiments.Cli/bin/Release/net10.0/ecg.dll"
[ -f "$ecg" ] || { echo "build first: dotnet build EcgExperiments.sln -c Release" >&2; exit 2; }
trials="${1:-8}"
work="$(mktemp -d -t ecg-overhead-XXXXXX)"
rates="$(python3 -c "print(', '.join(str(0.001 * (i + 1)) for i in range($trials)))")"
cat > "$work/overhead.yaml" <<YAML
name: sweep-overhead
seed: 7
device: cpu
threads: 1
data: { type: synthetic, records: 80, effect: 1.0 }
pipeline: [ { type: zscore } ]
model: { type: cnn2d, widths: [4, 8], kernel: 9, kernel_height: 3, padding: [1, 0], pool: [2, 4] }
training: { epochs: 1, batch_size: 16 }
evaluation: { bootstrap_resamples: 0 }
sweep:
  workers: 1
  parameters:
    training.learning_rate: [$rates]
YAML
echo "sweep of $trials trials × 1 epoch, synthetic 80 records, 1 thread, 1 trial at a time; $(nproc) cores"
for isolation in in_process process; do
  line="$(dotnet "$ecg" run "$work/overhead.yaml" --output "$work/$isolation" --isolation "$isolation" | grep '^per-trial time not training')"
  echo "$isolation: ${line#per-trial time not training }"
done
rm -rf "$work"
