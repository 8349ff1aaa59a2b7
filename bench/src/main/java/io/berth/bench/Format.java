package io.berth.bench;

import java.util.Locale;

/** Number formatting shared by the tables: up to 3 significant decimals, no trailing zeros. */
final class Format {
  private Format() {}

  static String number(double v) {
    if (Double.isNaN(v)) {
      return "—";
    }
    double abs = Math.abs(v);
    String s =
        abs >= 100
            ? String.format(Locale.ROOT, "%,.0f", v)
            : abs >= 10
                ? String.format(Locale.ROOT, "%.1f", v)
                : abs >= 1
                    ? String.format(Locale.ROOT, "%.2f", v)
                    : String.format(Locale.ROOT, "%.3f", v);
    if (s.contains(".") && abs < 100) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s;
  }
}
