package io.berth.metrics.exposition;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * <p>Cost (a {@code /metrics/cadvisor} scrape at 110 pods is ~7,000 samples, 1.9 MB): each sample
 * is written at once as UTF-8 into its family's byte buffer; only its label text (a String the
 * caller usually shares across the samples of one container) and its offset are kept for the sort.
 * Callers that add samples in label order (the cAdvisor renderer) make the sort a check; {@link
 * #renderUtf8()} copies each family once into an exactly sized array.
 *
 * <p>Thread safety: not thread-safe; use one per scrape.
 */
public final class TextExposition {
  /** Content type of the output. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** The samples of one family: their bytes back to back, and each one's label text and start. */
  private static final class Family {
    final MetricFamily family;
    final byte[] name;
    final ByteSink lines = new ByteSink(4096);
    final List<String> labels = new ArrayList<>();
    int[] starts = new int[64];

    Family(MetricFamily family) {
      this.family = family;
      this.name = family.name().getBytes(StandardCharsets.UTF_8);
    }

    byte[] header() {
      StringBuilder h = new StringBuilder(family.help().length() + 64);
      h.append("# HELP ").append(family.name()).append(' ');
      escapeHelp(h, family.help());
      h.append('\n');
      h.append("# TYPE ").append(family.name()).append(' ').append(family.type().text());
      h.append('\n');
      return h.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The lines in label order (stable), as one array. */
    byte[] sortedLines() {
      int n = labels.size();
      boolean sorted = true;
      for (int i = 1; i < n && sorted; i++) {
        sorted = labels.get(i - 1).compareTo(labels.get(i)) <= 0;
      }
      if (sorted) {
        return lines.toArray();
      }
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparing(labels::get));
      byte[] out = new byte[lines.size()];
      int at = 0;
      for (int i : order) {
        int end = i + 1 < n ? starts[i + 1] : lines.size();
        at = lines.copyTo(starts[i], end, out, at);
      }
      return out;
    }
  }

  private final Map<String, Family> families = new HashMap<>();
  private final StringBuilder number = new StringBuilder(32);
  private String lastLabels;
  private byte[] lastLabelBytes;

  /**
   * Adds one sample.
   *
   * @param family the family (registered on first use; must not change between calls)
   * @param labels label text from {@link Labels}, {@code ""} for none
   * @param value sample value
   * @param timestampMillis epoch milliseconds, or a negative number for none
   */
  public void add(MetricFamily family, String labels, double value, long timestampMillis) {
    Family f = families.get(family.name());
    if (f == null) {
      f = new Family(family);
      families.put(family.name(), f);
    } else if (f.family != family && !f.family.equals(family)) {
      throw new IllegalArgumentException(
          "metric family " + family.name() + " registered twice with different help or type");
    }
    int index = f.labels.size();
    if (index == f.starts.length) {
      f.starts = Arrays.copyOf(f.starts, index * 2);
    }
    f.starts[index] = f.lines.size();
    f.labels.add(labels);
    ByteSink out = f.lines;
    out.write(f.name);
    out.write(labelBytes(labels));
    out.write((byte) ' ');
    if (value == Math.rint(value) && Math.abs(value) < 1_000_000) {
      out.writeLong((long) value); // Go writes these as plain integers too
    } else {
      number.setLength(0);
      GoFloat.append(number, value);
      out.writeAscii(number);
    }
    if (timestampMillis >= 0) {
      out.write((byte) ' ');
      out.writeLong(timestampMillis);
    }
    out.write((byte) '\n');
  }

  /** Writes the exposition. */
  public String render() {
    return new String(renderUtf8(), StandardCharsets.UTF_8);
  }

  /** Writes the exposition as UTF-8 bytes (what an HTTP answer carries). */
  public byte[] renderUtf8() {
    List<Family> sorted = new ArrayList<>(families.values());
    sorted.sort(Comparator.comparing(f -> f.family.name()));
    List<byte[]> parts = new ArrayList<>(sorted.size() * 2);
    int length = 0;
    for (Family f : sorted) {
      byte[] header = f.header();
      byte[] lines = f.sortedLines();
      parts.add(header);
      parts.add(lines);
      length += header.length + lines.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  /** The UTF-8 of {@code labels}, reused while consecutive samples share the same label text. */
  private byte[] labelBytes(String labels) {
    if (labels != lastLabels) {
      lastLabelBytes = labels.getBytes(StandardCharsets.UTF_8);
      lastLabels = labels;
    }
    return lastLabelBytes;
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
}
