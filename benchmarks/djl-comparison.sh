#!/usr/bin/env bash
# The V2V learners' network library, by measurement: DJL with the PyTorch CPU engine against
# GridTrade's own small network (benchmarks/djl/, not part of the GridTrade build: its PyTorch
# native jar alone is about 110 MB, fetched from Maven Central on the first run).
#
#   ./mvnw -B install -DskipTests && benchmarks/djl-comparison.sh
#
# Environment: THREADS (PyTorch's intra-op threads, default 1, as GridTrade's learner is
# single-threaded). Prints one Markdown table.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$root/benchmarks/djl"
"$root/mvnw" -B -q -f "$project/pom.xml" package dependency:build-classpath \
  -Dmdep.outputFile="$project/target/cp.txt"
OMP_NUM_THREADS="${THREADS:-1}" exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$project/target/gridtrade-djl-comparison-0.2.0-SNAPSHOT.jar:$(cat "$project/target/cp.txt")" \
  org.gridtrade.benchmarks.djl.DjlComparison
