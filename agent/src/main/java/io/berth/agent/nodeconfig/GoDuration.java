package io.berth.agent.nodeconfig;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Kubernetes configuration files write them ({@code metav1.Duration}, Go's {@code
 * time.ParseDuration}): {@code 20s}, {@code 1m30s}, {@code 500ms}, {@code 1h}, {@code 0}.
 */
public final class GoDuration {
  private static final Pattern PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  private GoDuration() {}

  /** Parses a Go duration; throws {@link IllegalArgumentException} saying what is wrong. */
  public static Duration parse(String text) {
    String s = text.strip();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    boolean negative = s.startsWith("-");
    if (negative || s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("not a duration: '" + text + "'");
    }
    Matcher m = PART.matcher(s);
    long nanos = 0;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(
            "not a duration: '" + text + "' (use a unit: ns, us, ms, s, m, h, e.g. 20s or 1m30s)");
      }
      double value = Double.parseDouble(m.group(1));
      long unit =
          switch (m.group(2)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      nanos += Math.round(value * unit);
      at = m.end();
    }
    return Duration.ofNanos(negative ? -nanos : nanos);
  }

  /** Formats as Go's {@code Duration.String()} does: {@code 20s}, {@code 1m0s}, {@code 500ms}. */
  public static String format(Duration d) {
    long nanos = d.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    if (nanos < 0) {
      sb.append('-');
      nanos = -nanos;
    }
    if (nanos < 1_000_000_000L) {
      if (nanos % 1_000_000L == 0) {
        return sb.append(nanos / 1_000_000L).append("ms").toString();
      }
      if (nanos % 1_000L == 0) {
        return sb.append(nanos / 1_000L).append("µs").toString();
      }
      return sb.append(nanos).append("ns").toString();
    }
    long hours = nanos / 3_600_000_000_000L;
    long minutes = (nanos / 60_000_000_000L) % 60;
    long fracNanos = nanos % 60_000_000_000L;
    if (hours > 0) {
      sb.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      sb.append(minutes).append('m');
    }
    long secs = fracNanos / 1_000_000_000L;
    long rest = fracNanos % 1_000_000_000L;
    sb.append(secs);
    if (rest != 0) {
      String f = String.format("%09d", rest).replaceAll("0+$", "");
      sb.append('.').append(f);
    }
    return sb.append('s').toString();
  }
}
