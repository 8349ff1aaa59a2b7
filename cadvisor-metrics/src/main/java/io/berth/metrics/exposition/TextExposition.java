package io.berth.metrics.exposition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds one Prometheus text exposition (format 0.0.4): one {@code # HELP} and {@code # TYPE} per
 * family, families sorted by name, samples sorted by their label text, label names sorted within a
 * sample, label values and HELP escaped per the format, floats written the way Go's client writes
 * them. Families without samples are left out.
 *
 * <p>Why not prometheus-metrics-core: its registry and snapshot objects are built for long-lived
 * instruments; here every scrape produces fresh constant samples with their own timestamps (as
 * cAdvisor does), and a direct writer keeps allocation and code small, output byte-for-byte
 * deterministic and the Go float formatting exact. promtool validates the output in the ITs.
 *
 * <p>Thread safety: not thread-safe; use one per scrape.
 */
public final class TextExposition {
  /** Content type of the output. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private record Line(String labels, String text) {}

  private final Map<String, MetricFamily> families = new TreeMap<>();
  private final Map<String, List<Line>> samples = new TreeMap<>();

  /**
   * Adds one sample.
   *
   * @param family the family (registered on first use; must not change between calls)
   * @param labels label text from {@link Labels}, {@code ""} for none
   * @param value sample value
   * @param timestampMillis epoch milliseconds, or a negative number for none
   */
  public void add(MetricFamily family, String labels, double value, long timestampMillis) {
    MetricFamily known = families.putIfAbsent(family.name(), family);
    if (known != null && !known.equals(family)) {
      throw new IllegalArgumentException(
          "metric family " + family.name() + " registered twice with different help or type");
    }
    StringBuilder line = new StringBuilder(family.name().length() + labels.length() + 32);
    line.append(family.name()).append(labels).append(' ');
    appendValue(line, value);
    if (timestampMillis >= 0) {
      line.append(' ').append(timestampMillis);
    }
    line.append('\n');
    samples
        .computeIfAbsent(family.name(), k -> new ArrayList<>())
        .add(new Line(labels, line.toString()));
  }

  /** Writes the exposition. */
  public String render() {
    StringBuilder out = new StringBuilder(samples.size() * 256);
    for (Map.Entry<String, List<Line>> entry : samples.entrySet()) {
      MetricFamily family = families.get(entry.getKey());
      out.append("# HELP ").append(family.name()).append(' ');
      escapeHelp(out, family.help());
      out.append('\n');
      out.append("# TYPE ").append(family.name()).append(' ').append(family.type().text());
      out.append('\n');
      List<Line> lines = entry.getValue();
      lines.sort(Comparator.comparing(Line::labels));
      for (Line line : lines) {
        out.append(line.text());
      }
    }
    return out.toString();
  }

  static void escapeHelp(StringBuilder out, String help) {
    for (int i = 0; i < help.length(); i++) {
      char c = help.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
  }

  /** Appends {@code value} as Go's {@code strconv.FormatFloat(v, 'g', -1, 64)} would. */
  static void appendValue(StringBuilder out, double value) {
    out.append(GoFloat.format(value));
  }
}
