package io.berth.metrics.exposition;

/**
 * Formats doubles like Go's {@code strconv.FormatFloat(v, 'g', -1, 64)}, which client_golang uses
 * for sample values: the shortest digits that round-trip, in exponent form ({@code 6.7108864e+07})
 * when the decimal exponent is below -4 or at least 6 (Go's rule for shortest {@code %g}), plain
 * otherwise ({@code 516096}, {@code 0.5}).
 *
 * <p>Cost: a scrape formats thousands of values, most of them whole numbers (bytes, counts), so
 * whole numbers below 10^15 take their digits from the long (exact: doubles there are spaced at
 * most 1/8 apart, so no shorter digit string round-trips); others take the shortest digits from
 * {@link Double#toString} (JDK 19+) and only move the decimal point.
 */
final class GoFloat {
  private static final double EXACT_INTEGERS_BELOW = 1e15;

  private GoFloat() {}

  static String format(double v) {
    StringBuilder out = new StringBuilder(24);
    append(out, v);
    return out.toString();
  }

  /** Appends {@code v} formatted as {@link #format(double)} does. */
  static void append(StringBuilder out, double v) {
    if (Double.isNaN(v)) {
      out.append("NaN");
      return;
    }
    if (Double.isInfinite(v)) {
      out.append(v > 0 ? "+Inf" : "-Inf");
      return;
    }
    if (v == 0) {
      out.append('0'); // client_golang writes -0 as 0 too
      return;
    }
    double a = Math.abs(v);
    if (v < 0) {
      out.append('-');
    }
    if (a < EXACT_INTEGERS_BELOW && a == Math.rint(a)) {
      long n = (long) a;
      if (n < 1_000_000) {
        out.append(n); // exponent below 6: plain, and the digits are exact
        return;
      }
      String digits = Long.toString(n);
      int exp = digits.length() - 1;
      int end = digits.length();
      while (digits.charAt(end - 1) == '0') {
        end--;
      }
      exponent(out, digits, 0, end, exp);
      return;
    }
    // Double.toString: "ddd.ddd" (10^-3 <= a < 10^7) or "d.dddE-n" / "d.dddEn", shortest digits
    String s = Double.toString(a);
    int e = s.indexOf('E');
    int mantissaEnd = e < 0 ? s.length() : e;
    int exp10 = e < 0 ? 0 : Integer.parseInt(s, e + 1, s.length(), 10);
    int dot = s.indexOf('.');
    StringBuilder digits = new StringBuilder(20);
    digits.append(s, 0, dot).append(s, dot + 1, mantissaEnd);
    int exp = dot - 1 + exp10; // decimal exponent of digits' first character
    int start = 0;
    while (start < digits.length() - 1 && digits.charAt(start) == '0') {
      start++;
      exp--;
    }
    int end = digits.length();
    while (end > start + 1 && digits.charAt(end - 1) == '0') {
      end--;
    }
    String d = digits.substring(start, end);
    if (exp < -4 || exp >= 6) {
      exponent(out, d, 0, d.length(), exp);
    } else if (exp < 0) {
      out.append("0.");
      for (int i = -exp - 1; i > 0; i--) {
        out.append('0');
      }
      out.append(d);
    } else if (d.length() <= exp + 1) {
      out.append(d);
      for (int i = exp + 1 - d.length(); i > 0; i--) {
        out.append('0');
      }
    } else {
      out.append(d, 0, exp + 1).append('.').append(d, exp + 1, d.length());
    }
  }

  /** {@code d.ddde+XX} from {@code digits[start, end)} with the first digit at 10^exp. */
  private static void exponent(StringBuilder out, String digits, int start, int end, int exp) {
    out.append(digits.charAt(start));
    if (end - start > 1) {
      out.append('.').append(digits, start + 1, end);
    }
    out.append('e').append(exp < 0 ? '-' : '+');
    int abs = Math.abs(exp);
    if (abs < 10) {
      out.append('0');
    }
    out.append(abs);
  }
}
