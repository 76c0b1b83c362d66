#!/usr/bin/env bash
# Screenshots a demo report with headless Chromium, to see it as a browser shows it.
#
#   examples/screenshot-report.sh DIR/report.html [OUT.png] [WIDTHxHEIGHT]
#
# OUT.png defaults to report.png next to the report; the window defaults to 1100x6000 (the whole
# report on one page). Without chromium (or chromium-browser, google-chrome) on the PATH it says
# so and exits 0; with a missing report it exits 2.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 ]]; then
  echo "usage: $0 DIR/report.html [OUT.png] [WIDTHxHEIGHT]" >&2
  exit 2
fi
report="$1"
if [[ ! -f "$report" ]]; then
  echo "screenshot-report: report '$report' is not a file (run ./gridtrade demo --out DIR first)" >&2
  exit 2
fi
report="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
out="${2:-$(dirname "$report")/report.png}"
size="${3:-1100x6000}"
if [[ ! "$size" =~ ^[0-9]+x[0-9]+$ ]]; then
  echo "screenshot-report: size '$size' must be WIDTHxHEIGHT, e.g. 1100x6000" >&2
  exit 2
fi

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then
    browser="$b"
    break
  fi
done
if [[ -z "$browser" ]]; then
  echo "screenshot-report: no chromium found; install it (e.g. apt-get install chromium) to screenshot $report"
  exit 0
fi

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --hide-scrollbars --screenshot="$out" --window-size="${size/x/,}" "file://$report" \
  >/dev/null 2>&1
if [[ ! -s "$out" ]]; then
  echo "screenshot-report: $browser wrote no screenshot to $out" >&2
  exit 1
fi
echo "screenshot-report: $out"
