package io.berth.agent;

import java.util.List;

/** kubectl-style plain tables for the CLI: left-aligned columns, three spaces apart. */
final class TextTable {
  private TextTable() {}

  /** The rows (the first is the header), each line ending in a newline; no trailing padding. */
  static String render(List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        sb.append(c == r.length - 1 ? r[c] : String.format("%-" + (width[c] + 3) + "s", r[c]));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
