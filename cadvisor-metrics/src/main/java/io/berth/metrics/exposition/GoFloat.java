package io.berth.metrics.exposition;

import java.math.BigDecimal;

/**
 * Formats doubles like Go's {@code strconv.FormatFloat(v, 'g', -1, 64)}, which client_golang uses
 * for sample values: the shortest digits that round-trip, in exponent form ({@code 6.7108864e+07})
 * when the decimal exponent is below -4 or at least 6 (Go's rule for shortest {@code %g}), plain
 * otherwise ({@code 516096}, {@code 0.5}).
 */
final class GoFloat {
  private GoFloat() {}

  static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return "0"; // client_golang writes -0 as 0 too
    }
    // Double.toString yields the shortest round-tripping digits (JDK 19+).
    BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
    String digits = d.unscaledValue().toString();
    int exp = digits.length() - d.scale() - 1; // decimal exponent of the first digit
    StringBuilder out = new StringBuilder(24);
    if (v < 0) {
      out.append('-');
    }
    if (exp < -4 || exp >= 6) {
      out.append(digits.charAt(0));
      if (digits.length() > 1) {
        out.append('.').append(digits, 1, digits.length());
      }
      out.append('e').append(exp < 0 ? '-' : '+');
      int abs = Math.abs(exp);
      if (abs < 10) {
        out.append('0');
      }
      out.append(abs);
    } else if (exp < 0) {
      out.append("0.");
      out.append("0".repeat(-exp - 1));
      out.append(digits);
    } else if (digits.length() <= exp + 1) {
      out.append(digits);
      out.append("0".repeat(exp + 1 - digits.length()));
    } else {
      out.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
    }
    return out.toString();
  }
}
