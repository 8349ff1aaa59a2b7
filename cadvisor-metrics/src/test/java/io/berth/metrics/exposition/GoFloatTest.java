package io.berth.metrics.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast {@link GoFloat} against the straightforward BigDecimal formatting it replaced (the
 * shortest round-trip digits of {@link Double#toString}, exponent placed by Go's {@code %g} rule).
 */
class GoFloatTest {

  @Test
  void matchesTheBigDecimalFormattingOnValuesScrapesProduce() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 50_000; i++) {
      long bits = random.nextLong();
      double[] values = {
        random.nextLong(0, 1L << 40), // bytes, counters
        random.nextLong(0, 1L << 40) * 1024.0, // page-aligned byte counts
        random.nextLong(0, Long.MAX_VALUE) / 1e9, // nanoseconds as seconds
        random.nextLong(0, 1L << 40) / 1e6, // PSI microseconds as seconds
        random.nextLong(0, 10_000) / 100.0,
        Double.longBitsToDouble(bits), // anything, including subnormals
        Math.pow(10, random.nextInt(-30, 30)),
        Math.pow(10, random.nextInt(-30, 30)) * (1 + random.nextInt(0, 99)),
      };
      for (double v : values) {
        assertThat(GoFloat.format(v))
            .as("bits %x", Double.doubleToRawLongBits(v))
            .isEqualTo(reference(v));
        assertThat(GoFloat.format(-v)).isEqualTo(reference(-v));
      }
    }
  }

  @Test
  void edgesOfThePlainRange() {
    for (double v :
        new double[] {
          999_999,
          1_000_000,
          1e15 - 1,
          1e15,
          1e15 + 2,
          1e21,
          0.0001,
          0.00001,
          0.00012,
          123456.5,
          999999.9,
          1e-320,
          Double.MAX_VALUE,
          Double.MIN_VALUE
        }) {
      assertThat(GoFloat.format(v)).as("%s", v).isEqualTo(reference(v));
    }
    assertThat(GoFloat.format(1e15)).isEqualTo("1e+15");
    assertThat(GoFloat.format(999_999)).isEqualTo("999999");
    assertThat(GoFloat.format(1_000_000)).isEqualTo("1e+06");
    assertThat(GoFloat.format(-0.0)).isEqualTo("0");
  }

  /** The formatting before the fast path, kept as the reference. */
  private static String reference(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return "0";
    }
    BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
    String digits = d.unscaledValue().toString();
    int exp = digits.length() - d.scale() - 1;
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
      out.append("0.").append("0".repeat(-exp - 1)).append(digits);
    } else if (digits.length() <= exp + 1) {
      out.append(digits).append("0".repeat(exp + 1 - digits.length()));
    } else {
      out.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
    }
    return out.toString();
  }
}
