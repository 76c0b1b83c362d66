#!/usr/bin/env bash
# Aggarwal's network figures on real node processes: throughput and latency against the sending
# rate (Fig. 3.9-3.10) and transactions per block with its standard deviation for 5, 10 and 20
# Proof of Authority sealers (Fig. 4.9-4.12, Table 4.1), with the sources' 2 s block time.
#
#   benchmarks/network-figures.sh [OUT_DIR]
#
# For each sealer count: 'gridtrade testnet' on loopback (mutual TLS between the processes), one
# 10 s warm-up load, then 'gridtrade load' for 20 s at each rate. Prints a Markdown table, leaves
# each run's JSON in OUT_DIR (default target/network-figures) and draws the charts into
# OUT_DIR/charts ('gridtrade load-charts'). Every node it starts is stopped when it ends. Needs
# only a JDK 17+ (the gridtrade script builds the jar).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gt="$root/gridtrade"
out="${1:-$root/target/network-figures}"
mkdir -p "$out"
work="$(mktemp -d)"
pids=()
stop() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.2; done; done
  pids=()
}
trap 'stop; rm -rf "$work"' EXIT

field() { grep -o "\"$1\":[0-9.]*" "$2" | head -1 | cut -d: -f2; }

echo "| sealers | sent tx/s | committed tx/s | latency p50 / p99 (ms) | tx per block (mean) | block size std | blocks |"
echo "|---|---|---|---|---|---|---|"
for sealers in 5 10 20; do
  case $sealers in
    5) rates="100 200 300 500 700 1000" ;;
    *) rates="200 500 1000" ;;
  esac
  net="$work/net-$sealers"
  "$gt" testnet --nodes "$sealers" --dir "$net" --block-period-ms 2000 \
    --max-block-transactions 5000 --detach > /dev/null
  mapfile -t pids < <(grep -o '"pid" : [0-9]*' "$net/testnet.json" | grep -o '[0-9]*$')
  apis="$(grep -o '"api" : "[^"]*"' "$net/testnet.json" | cut -d'"' -f4 | paste -sd, -)"
  "$gt" load --api "$apis" --users "$net/users" --rate 100 --duration 10 --batch 20 --json \
    > "$out/warmup-$sealers.json"
  for rate in $rates; do
    f="$out/sealers-$sealers-rate-$rate.json"
    if ! "$gt" load --api "$apis" --users "$net/users" --rate "$rate" --duration 20 --batch 20 \
      --senders $((rate / 2 > 4 ? rate / 2 : 4)) --json > "$f" 2> "$f.err"; then
      # An overloaded network may not even answer the funding: a row that says so, no chart point.
      printf '| %s | %s | failed: %s | | | | |\n' "$sealers" "$rate" "$(tail -1 "$f.err")"
      rm -f "$f"
      continue
    fi
    printf '| %s | %s | %s | %s / %s | %s | %s | %s |\n' "$sealers" "$rate" "$(field tps "$f")" \
      "$(field latencyP50Ms "$f")" "$(field latencyP99Ms "$f")" "$(field txPerBlockMean "$f")" \
      "$(field blockSizeStd "$f")" "$(field blocks "$f")"
  done
  stop
done
"$gt" load-charts --in "$out" --out "$out/charts" > /dev/null
echo
echo "charts: $out/charts"
