# shellcheck shell=bash
# registry: prints bench/benchmarks as "name|how|short args|full args" lines, without comments,
# blank lines and padding. Sourced by bench/run and bench/suite.
registry() {
  sed -e 's/#.*//' -e 's/[[:space:]]*|[[:space:]]*/|/g' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' \
    bench/benchmarks | grep -v '^$'
}
