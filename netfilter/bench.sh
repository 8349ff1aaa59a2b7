#!/usr/bin/env bash
# Runs the netfilter sync benchmark (io.berth.netfilter.bench.NftBenchmark) as root.
# It creates and deletes its own namespaces (berth-nf-bench*); the host is never touched.
#   netfilter/bench.sh                      # 1000 services × 10 endpoints (modest default)
#   netfilter/bench.sh -Dsizes=1000,5000,10000 -Dchanges=50 -DanchorChanges=5
# The test classpath is taken from the Surefire report of one unit test run (works offline).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/jdk.sh
berth_pick_jdk
berth_java_opts
./mvnw -B -ntp -q -pl netfilter test -Dtest=NftScriptTest -Dsurefire.failIfNoSpecifiedTests=false
report=netfilter/target/surefire-reports/TEST-io.berth.netfilter.nftables.NftScriptTest.xml
cp=$(sed -n 's/.*name="surefire.test.class.path" value="\([^"]*\)".*/\1/p' "$report")
exec "$JAVA_HOME/bin/java" "${BERTH_JAVA_OPTS[@]}" -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$@" io.berth.netfilter.bench.NftBenchmark
