package io.berth.metrics.exposition;

/** Prometheus metric types berth emits. */
public enum MetricType {
  COUNTER("counter"),
  GAUGE("gauge");

  private final String text;

  MetricType(String text) {
    this.text = text;
  }

  /** The word used on {@code # TYPE} lines. */
  public String text() {
    return text;
  }
}
