#!/usr/bin/env bash
# GridTrade's Proof of Authority side by side with Apache Ratis (Raft): 5 processes each on this
# machine, the same signed transfers sent open loop in batches of 1,000 at the same rate.
#
#   benchmarks/ratis-comparison.sh [RATES...]          (default: 500 1000)
#
# Environment: DURATION (s, default 10), WARMUP (s at the same rate before each measurement,
# default 5), BATCH (default 1000), BLOCK_PERIOD_MS (GridTrade, default 1000), OUT (default
# target/ratis-comparison). The documented run: DURATION=20 WARMUP=10 ... 1000 2000 4000.
#
# For each rate, one after the other on the same machine:
#  (a) RatisComparison: a Ratis group of 5 peer processes on loopback (gRPC), whose state machine
#      decodes each batch, verifies every signature on every core and applies the transfers to a
#      balance and nonce map; the driver signs before the clock and sends with Ratis' async client.
#  (b) 'gridtrade testnet --nodes 5' (mutual TLS between the processes, blocks every
#      BLOCK_PERIOD_MS, room for twice the rate's share per block) and 'gridtrade load --batch'.
# Both start fresh for every rate and get the same warm-up. Prints one Markdown table; each run's
# JSON and the peers' logs stay in OUT. A failed run is a row that says so, and the script goes
# on. Every process it starts is stopped when it ends.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gt="$root/gridtrade"
duration="${DURATION:-10}"
warmup="${WARMUP:-5}"
batch="${BATCH:-1000}"
period="${BLOCK_PERIOD_MS:-1000}"
out="${OUT:-$root/target/ratis-comparison}"
rates=("$@")
[[ ${#rates[@]} -gt 0 ]] || rates=(500 1000)
for r in "${rates[@]}" "$duration" "$warmup" "$batch" "$period"; do
  [[ "$r" =~ ^[1-9][0-9]*$ || "$r" == 0 ]] || { echo "ratis-comparison.sh: '$r' is not a whole number" >&2; exit 2; }
done

jar="$root/benchmarks/target/benchmarks.jar"
if [[ ! -f "$jar" ]]; then
  echo "ratis-comparison.sh: building $jar ..." >&2
  (cd "$root" && ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests -Dfuzz.skip=true \
    -Dmaven.javadoc.skip=true -Dspotless.check.skip=true) >&2
fi
"$gt" --help > /dev/null # builds the gridtrade jar now if needed, not inside a measurement

mkdir -p "$out"
work="$(mktemp -d)"
pids=()
stop() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.2; done; done
  pids=()
}
ratis_pid=""
cleanup() {
  if [[ -n "$ratis_pid" ]]; then kill "$ratis_pid" 2>/dev/null || true; wait "$ratis_pid" 2>/dev/null || true; fi
  stop
  rm -rf "$work"
}
trap cleanup EXIT

field() { grep -o "\"$1\":[0-9.]*" "$2" | head -1 | cut -d: -f2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

echo "| system | sent tx/s | committed tx/s | latency p50 / p99 (ms) | committed / submitted | on all 5 | GridTrade / Ratis: tx/s, p50 |"
echo "|---|---|---|---|---|---|---|"
for rate in "${rates[@]}"; do
  senders=$((rate / 10 > 4 ? rate / 10 : 4))

  # (a) Ratis
  rf="$out/ratis-rate-$rate.json"
  rm -rf "$out/ratis-rate-$rate"
  java -cp "$jar" org.gridtrade.benchmarks.RatisComparison run --peers 5 --rate "$rate" \
    --duration "$duration" --warmup "$warmup" --batch "$batch" --senders "$senders" \
    --dir "$out/ratis-rate-$rate" > "$rf" 2> "$rf.err" &
  ratis_pid=$!
  if wait "$ratis_pid" && [[ -s "$rf" ]]; then
    ratis_pid=""
    rt="$(field tps "$rf")"
    r50="$(field latencyP50Ms "$rf")"
    applied="$(grep -o '"appliedPerPeer":\[[^]]*\]' "$rf" | cut -d'[' -f2 | tr -d ']')"
    printf '| Ratis (Raft, 5 peers) | %s | %s | %s / %s | %s / %s | %s (per peer, with warm-up: %s) | |\n' \
      "$rate" "$rt" "$r50" "$(field latencyP99Ms "$rf")" "$(field committed "$rf")" \
      "$(field submitted "$rf")" "$(field committedOnAll "$rf")" "$applied"
  else
    ratis_pid=""
    rt=""; r50=""
    printf '| Ratis (Raft, 5 peers) | %s | failed: %s | | | | |\n' "$rate" "$(tail -1 "$rf.err" 2>/dev/null)"
    rm -f "$rf"
  fi

  # (b) GridTrade: a fresh 5-node testnet
  gf="$out/gridtrade-rate-$rate.json"
  net="$work/net-$rate"
  per_block=$((rate * period / 1000 * 2))
  max_block=$((per_block > batch ? per_block : batch))
  if ! "$gt" testnet --nodes 5 --dir "$net" --block-period-ms "$period" \
    --max-block-transactions "$max_block" --detach > "$gf.testnet" 2>&1; then
    printf '| GridTrade (PoA, 5 nodes) | %s | failed: testnet: %s | | | | |\n' "$rate" "$(tail -1 "$gf.testnet")"
    continue
  fi
  mapfile -t pids < <(grep -o '"pid" : [0-9]*' "$net/testnet.json" | grep -o '[0-9]*$')
  apis="$(grep -o '"api" : "[^"]*"' "$net/testnet.json" | cut -d'"' -f4 | paste -sd, -)"
  ok=1
  if [[ "$warmup" -gt 0 ]] && ! "$gt" load --api "$apis" --users "$net/users" --rate "$rate" \
    --duration "$warmup" --batch "$batch" --senders "$senders" --json > "$gf.warmup" 2> "$gf.err"; then
    ok=0
  fi
  if [[ $ok == 1 ]] && "$gt" load --api "$apis" --users "$net/users" --rate "$rate" \
    --duration "$duration" --batch "$batch" --senders "$senders" --json > "$gf" 2> "$gf.err"; then
    # On all 5: every node's head, a few seconds after the load, against the first node's.
    sleep $(((period * 3 + 999) / 1000))
    heads=""
    for a in ${apis//,/ }; do
      heads+="$(curl -sfk --max-time 5 "$a/v1/status" | grep -o '"head" *: *"[^"]*"' | head -1) "$'\n'
    done
    same="$(printf '%s' "$heads" | grep -c . || true)"
    agree="$(printf '%s' "$heads" | grep . | sort | uniq -c | sort -rn | head -1 | awk '{print $1}')"
    gtps="$(field tps "$gf")"
    g50="$(field latencyP50Ms "$gf")"
    printf '| GridTrade (PoA, 5 nodes) | %s | %s | %s / %s | %s / %s | %s of %s nodes on one head | %s, %s |\n' \
      "$rate" "$gtps" "$g50" "$(field latencyP99Ms "$gf")" "$(field committed "$gf")" \
      "$(field submitted "$gf")" "${agree:-0}" "$same" "$(ratio "$gtps" "$rt")" "$(ratio "$g50" "$r50")"
  else
    printf '| GridTrade (PoA, 5 nodes) | %s | failed: %s | | | | |\n' "$rate" "$(tail -1 "$gf.err")"
    rm -f "$gf"
  fi
  stop
done
