#!/usr/bin/env bash
# Runs the probes benchmark (io.berth.probes.bench.ProbeBenchmark, in the probes module's test
# sources) with its test class path: bench/probes.sh [rate] [seconds] [kinds] [loops].
# Loopback only; see probes/README.md for what it measures.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/jdk.sh
berth_pick_jdk
berth_java_opts
./mvnw -B -ntp -q -pl probes test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cp="probes/target/classes:probes/target/test-classes:$(cat probes/target/bench-classpath.txt)"
exec "$JAVA_HOME/bin/java" "${BERTH_JAVA_OPTS[@]}" -cp "$cp" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn io.berth.probes.bench.ProbeBenchmark "$@"
