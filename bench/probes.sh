#!/usr/bin/env bash
# Runs the probes benchmark (io.berth.probes.bench.ProbeBenchmark, in the probes module's test
# sources) with its test class path: bench/probes.sh [rate] [seconds] [kinds] [loops].
# Loopback only; see probes/README.md for what it measures.
#
# JVM flags: the ones berth runs with (bin/berth's `run` flags, printed by BERTH_PRINT_FLAGS=1),
# so the figure describes berth as it runs: SerialGC with a 6 MB young generation, C1 only with
# 10x compile thresholds. The shipped 36 MB heap cannot hold 10,000 probe workers (at least 3.5 KB each,
# four meters included: OutOfMemoryError while setting them up), so the heap is raised the way an
# operator raises it, through BERTH_JAVA_OPTS (default here -Xmx256m; bin/berth appends it last).
# Until session 5 this script ran with jdk.sh's flags (SerialGC, default heap: 100 MB young
# generation), whose young pauses (140-950 ms after the workers' set-up, 100-130 ms about once a
# second while probing HTTP) started the backlogs behind the published p99 (probes/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/jdk.sh
berth_pick_jdk
./mvnw -B -ntp -q -pl probes test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
mapfile -t flags < <(BERTH_PRINT_FLAGS=1 BERTH_CDS=0 BERTH_JAVA_OPTS="${BERTH_JAVA_OPTS:--Xmx256m}" \
  JAVA_HOME="$JAVA_HOME" agent/src/dist/bin/berth run)
echo "JVM flags (bin/berth run): ${flags[*]}"
cp="probes/target/classes:probes/target/test-classes:$(cat probes/target/bench-classpath.txt)"
exec "$JAVA_HOME/bin/java" "${flags[@]}" -cp "$cp" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn io.berth.probes.bench.ProbeBenchmark "$@"
