package io.berth.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Latency samples of one operation, in nanoseconds, with nearest-rank percentiles. */
final class Samples {
  private final List<Long> nanos = new ArrayList<>();

  void add(long value) {
    nanos.add(value);
  }

  int count() {
    return nanos.size();
  }

  /** The nearest-rank percentile {@code p} (0 < p <= 100) in milliseconds. */
  double percentileMillis(double p) {
    if (nanos.isEmpty()) {
      return Double.NaN;
    }
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1)) / 1e6;
  }

  /** Every sample in milliseconds, in the order added. */
  List<Double> millis() {
    return nanos.stream().map(n -> n / 1e6).toList();
  }

  static String ms(double millis) {
    return String.format(Locale.ROOT, "%.1f", millis);
  }
}
