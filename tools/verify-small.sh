#!/usr/bin/env bash
# Runs every small-scale experiment (experiments/*-small.yaml and the quick start) through `ecg verify`, one after
# the other, and prints each one's wall time and peak memory: the figures the closing notes quote.
# Usage: tools/verify-small.sh [RESULTS_DIR]   (default: a fresh temporary folder, so every trial really runs)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
"$ROOT/ecg" setup >/dev/null 2>&1 || "$ROOT/ecg" setup
status=0
for spec in "$ROOT"/experiments/quickstart.yaml "$ROOT"/experiments/*-small.yaml; do
  name=$(basename "$spec" .yaml)
  grep -q '^expect:' "$spec" || continue
  grep -q '^sweep:' "$spec" && continue          # sweeps: run them with ecg run and ecg report
  start=$(date +%s%N)
  if ! /usr/bin/time -f "%M" -o "$out/$name.rss" dotnet "$ROOT/src/EcgExperiments.Cli/bin/${ECG_CONFIGURATION:-Release}/net10.0/ecg.dll" \
      verify "$spec" --output "$out" > "$out/$name.log" 2>&1; then status=1; fi
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  printf '%-32s %4d.%d s  %5d MiB  %s\n' "$name" $((ms / 1000)) $((ms % 1000 / 100)) "$(( $(tail -1 "$out/$name.rss") / 1024 ))" \
    "$(grep -E '^verify:' "$out/$name.log" || echo 'see log')"
done
echo "logs and results: $out"
exit $status
