# Sourced by berth's scripts: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $JAVA_HOME if it is 21+, then `java` on PATH, then the newest JDK under /usr/lib/jvm.
berth_java_major() { # $1 = path to a java binary; prints its feature version (17, 21, 25...)
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1
}

berth_pick_jdk() {
  local candidate major best="" best_major=0
  for candidate in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(berth_java_major "$candidate/bin/java")
    [ -n "$major" ] || continue
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
  done
  if [ -z "$best" ]; then
    echo "berth: no JDK 21 or newer found (checked \$JAVA_HOME, java on PATH, /usr/lib/jvm/*)." >&2
    echo "berth: install one, e.g. 'apt-get install openjdk-21-jdk-headless' (Debian 13) or a Temurin 21+ JDK, or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
}

# JVM flags berth runs with on the picked JDK: native access for Netty epoll and jnr-ffi, and on
# JDK 24+ the sun.misc.Unsafe memory access that protobuf and Netty still use (allowed quietly).
berth_java_opts() {
  local major
  major=$(berth_java_major "$JAVA_HOME/bin/java")
  BERTH_JAVA_OPTS=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC)
  if [ "$major" -ge 24 ]; then BERTH_JAVA_OPTS+=(--sun-misc-unsafe-memory-access=allow); fi
}
