package io.berth.metrics.exposition;

/**
 * Renders a label set as exposition text: {@code {a="1",b="2"}}, names sorted, values escaped
 * (backslash, double quote, newline). Empty values are kept, as client_golang writes them.
 */
public final class Labels {
  private Labels() {}

  /**
   * @param namesAndValues alternating label names and values
   * @return the label text, {@code ""} for no labels
   */
  public static String of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("labels need name/value pairs");
    }
    int n = namesAndValues.length / 2;
    if (n == 0) {
      return "";
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> namesAndValues[2 * a].compareTo(namesAndValues[2 * b]));
    StringBuilder out = new StringBuilder(16 * n + 64);
    out.append('{');
    for (int k = 0; k < n; k++) {
      int i = order[k];
      if (k > 0) {
        out.append(',');
      }
      out.append(namesAndValues[2 * i]).append("=\"");
      escapeValue(out, namesAndValues[2 * i + 1]);
      out.append('"');
    }
    out.append('}');
    return out.toString();
  }

  static void escapeValue(StringBuilder out, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
  }
}
