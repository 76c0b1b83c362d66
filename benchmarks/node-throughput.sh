#!/usr/bin/env bash
# Committed throughput and latency of a test network of separate node processes on this machine,
# after a long warm-up, with where the nodes' CPU time went (Linux: per-thread times from /proc).
#
#   benchmarks/node-throughput.sh [RATES...]          (default: 1000 2000)
#
# Environment: NODES (default 5), WARMUP (s at WARMUP_RATE before the first rate, default 300:
# five JVMs sharing two cores are still compiling hot code after a minute or two), WARMUP_RATE
# (default 1000), DURATION (s per rate, default 20), BATCH (default 1000), BLOCK_PERIOD_MS
# (default 1000), MAX_BLOCK (transactions, default 10000), HEAP_MB (each node's heap, default 512),
# GC (each node's collector, parallel or g1, default parallel), OUT (default target/node-throughput).
# Every rate runs against the same network with its own sending keys (rate / 2 of them), one after
# the other. Prints one Markdown row per rate: the load generator's JSON figures, and the shares of
# the nodes' CPU time spent by the JIT compilers, the engines' threads, the network event loops,
# the signature-checking pool and the garbage collectors. Every process it starts is stopped when
# it ends. A rate's committed tx/s is every transaction over the time from the first send to the
# last commit, so it stays below the sending rate by the wait for the last block (at 15,000 tx/s
# for 20 s with 1 s blocks, at most about 14,600): to show that a network commits R tx/s, send
# more than R, for longer (e.g. NODES=1 ... DURATION=40 with 17000 17000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nodes="${NODES:-5}"
warmup="${WARMUP:-300}"
warmup_rate="${WARMUP_RATE:-1000}"
duration="${DURATION:-20}"
batch="${BATCH:-1000}"
period="${BLOCK_PERIOD_MS:-1000}"
max_block="${MAX_BLOCK:-10000}"
heap_mb="${HEAP_MB:-512}"
gc="${GC:-parallel}"
out="${OUT:-$root/target/node-throughput}"
rates=("$@")
[[ ${#rates[@]} -gt 0 ]] || rates=(1000 2000)
for r in "${rates[@]}" "$nodes" "$warmup" "$warmup_rate" "$duration" "$batch" "$period" "$max_block" "$heap_mb"; do
  [[ "$r" =~ ^[1-9][0-9]*$ || "$r" == 0 ]] || { echo "node-throughput.sh: '$r' is not a whole number" >&2; exit 2; }
done
"$root/gridtrade" --help > /dev/null # builds the jar now if needed, not inside a measurement
jar="$root/examples/target/gridtrade.jar"
mkdir -p "$out"
net="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.2; done; done
  rm -rf "$net"
}
trap cleanup EXIT

java -jar "$jar" testnet --nodes "$nodes" --dir "$net/net" --block-period-ms "$period" \
  --max-block-transactions "$max_block" --heap-mb "$heap_mb" --gc "$gc" --detach > "$out/testnet.txt" 2>&1
mapfile -t pids < <(grep -o '"pid" : [0-9]*' "$net/net/testnet.json" | grep -o '[0-9]*$')
apis="$(grep -o '"api" : "[^"]*"' "$net/net/testnet.json" | cut -d'"' -f4 | paste -sd, -)"

# CPU ticks of every node thread, by thread kind: "kind ticks" lines.
threads() {
  for p in "${pids[@]}"; do
    for t in /proc/"$p"/task/*; do
      name="$(cat "$t/comm" 2>/dev/null)" || continue
      ticks="$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)" || continue
      case "$name" in
        C[12]\ CompilerThre*|C[12]\ CompilerThread*) kind=jit ;;
        gridtrade-engin*) kind=engine ;;
        multiThreadIoEv*) kind=netty ;;
        ForkJoinPool*) kind=verify-pool ;;
        GC\ Thread*|G1\ *) kind=gc ;;
        *) kind=other ;;
      esac
      echo "$kind $ticks"
    done
  done | awk '{s[$1] += $2} END {for (k in s) print k, s[k]}'
}
share() { # share KIND BEFORE AFTER
  awk -v k="$1" 'FNR == NR {b[$1] = $2; next} {d[$1] = $2 - b[$1]; t += d[$1]}
    END {if (t > 0) printf "%.0f %%", 100 * d[k] / t; else print "-"}' "$2" "$3"
}
field() { grep -o "\"$1\":[0-9.]*" "$2" | head -1 | cut -d: -f2; }

if [[ "$warmup" -gt 0 ]]; then
  java -jar "$jar" load --api "$apis" --users "$net/net/users" --rate "$warmup_rate" \
    --duration "$warmup" --batch "$batch" --senders $((warmup_rate / 2)) --seed 1 --json \
    > "$out/warmup.json" 2> "$out/warmup.err"
fi
echo "| nodes | sent tx/s | committed tx/s | latency p50 / p99 (ms) | committed / submitted | tx per block (mean, std) | node CPU: JIT / engine / event loops / verify pool / GC |"
echo "|---|---|---|---|---|---|---|"
for rate in "${rates[@]}"; do
  f="$out/rate-$rate.json"
  threads > "$out/cpu-before-$rate.txt"
  java -jar "$jar" load --api "$apis" --users "$net/net/users" --rate "$rate" --duration "$duration" \
    --batch "$batch" --senders $((rate / 2 > 4 ? rate / 2 : 4)) --seed "$rate" --json > "$f" 2> "$f.err" || true
  threads > "$out/cpu-after-$rate.txt"
  b="$out/cpu-before-$rate.txt"; a="$out/cpu-after-$rate.txt"
  if [[ -s "$f" ]]; then
    printf '| %s | %s | %s | %s / %s | %s / %s | %s (%s) | %s / %s / %s / %s / %s |\n' "$nodes" "$rate" \
      "$(field tps "$f")" "$(field latencyP50Ms "$f")" "$(field latencyP99Ms "$f")" \
      "$(field committed "$f")" "$(field submitted "$f")" "$(field txPerBlockMean "$f")" \
      "$(field blockSizeStd "$f")" "$(share jit "$b" "$a")" "$(share engine "$b" "$a")" \
      "$(share netty "$b" "$a")" "$(share verify-pool "$b" "$a")" "$(share gc "$b" "$a")"
  else
    printf '| %s | %s | failed: %s | | | | |\n' "$nodes" "$rate" "$(tail -1 "$f.err")"
  fi
done
