#!/usr/bin/env bash
# Runs the JMH benchmarks and prints a table with each benchmark against its baseline.
#   benchmarks/run.sh quick [REGEX]   short profile (1 fork, 2 warm-up + 3 measured 1 s iterations)
#   benchmarks/run.sh full  [REGEX]   longer profile (2 forks, 5 warm-up + 10 measured iterations)
# REGEX selects benchmarks (JMH include pattern), e.g. "Merkle" or "BlockValidation".
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
profile="${1:-quick}"
filter="${2:-.*}"
jar="$root/benchmarks/target/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root" -name '*.java' -newer "$jar" -not -path '*/target/*' -print -quit)" ]; then
  echo "building benchmarks.jar ..." >&2
  (cd "$root" && ./mvnw -B -ntp -q -DskipTests -Dspotless.check.skip=true -Dmaven.javadoc.skip=true \
    -pl benchmarks -am package) >&2
fi
case "$profile" in
  quick) opts=(-f 1 -wi 2 -w 1s -i 3 -r 1s) ;;
  full) opts=(-f 2 -wi 5 -w 1s -i 10 -r 1s) ;;
  *) echo "run.sh: profile must be 'quick' or 'full', got '$profile'" >&2; exit 2 ;;
esac
out="$root/benchmarks/target/results-$profile.json"
java -jar "$jar" "${opts[@]}" -rf json -rff "$out" "$filter"
java -cp "$jar" org.gridtrade.benchmarks.Report "$out"
