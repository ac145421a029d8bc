#!/usr/bin/env bash
# Headless screenshot of a report page (ecg report … → report.html) for a quick visual check.
# Usage: tools/report-screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]   (default 1400x2000)
# Installs Debian's chromium with apt-get when no chromium is on PATH (needs root).
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTHxHEIGHT]" >&2
  exit 2
fi
html=$1
out=$2
size=${3:-1400x2000}
if [[ ! -f "$html" ]]; then
  echo "$0: report not found: $html" >&2
  exit 1
fi

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]]; then
  echo "chromium not found; installing Debian package 'chromium'…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  browser=$(command -v chromium)
fi

abs_html=$(realpath "$html")
mkdir -p "$(dirname "$out")"
abs_out=$(realpath -m "$out")
# Own profile dir so it neither touches nor waits on another chromium's profile lock.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --screenshot="$abs_out" --window-size="${size/x/,}" "file://$abs_html" 2>/dev/null
if [[ ! -s "$abs_out" ]]; then
  echo "$0: chromium wrote no screenshot to $abs_out" >&2
  exit 1
fi
echo "$abs_out"
