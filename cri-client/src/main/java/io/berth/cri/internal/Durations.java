package io.berth.cri.internal;

import java.time.Duration;

/** Duration helpers for CRI: whole seconds on the wire, short text in messages. */
final class Durations {
  private Durations() {}

  /** Whole seconds, rounded up so that 500 ms does not become "no timeout". */
  static long ceilSeconds(Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      return 0;
    }
    long seconds = d.getSeconds();
    return d.getNano() > 0 ? seconds + 1 : seconds;
  }

  /** e.g. "10s", "2m0s", "250ms". */
  static String human(Duration d) {
    if (d.toMillis() < 1000) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    if (s < 60) {
      long ms = d.toMillisPart();
      return ms == 0 ? s + "s" : String.format("%d.%03ds", s, ms);
    }
    return (s / 60) + "m" + (s % 60) + "s";
  }
}
