package io.berth.agent.logging;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import org.slf4j.event.Level;

/**
 * The process-wide log settings the SLF4J provider reads at every event: format, threshold, where
 * lines go and the clock that stamps them. Defaults: text (journal prefixes under systemd), INFO
 * ({@code $BERTH_LOG_LEVEL} to change), standard error. Netty's bootstrap logs only errors (its
 * warnings repeat what berth reports itself).
 */
public final class LogSettings {
  private static volatile LogFormat format = LogFormat.choose("", System.getenv());
  private static volatile Level threshold = level(System.getenv("BERTH_LOG_LEVEL"));
  private static volatile PrintStream target = System.err;
  private static volatile Clock clock = Clock.systemUTC();

  private static final Map<String, Level> PER_LOGGER =
      Map.of("io.netty.bootstrap.Bootstrap", Level.ERROR);

  private LogSettings() {}

  /** Sets the format (from {@code --log-format}); takes effect for loggers already made too. */
  public static void format(LogFormat f) {
    format = f;
  }

  /** For tests: where lines go and the clock that stamps them. */
  public static void target(PrintStream out, Clock c) {
    target = out;
    clock = c;
  }

  static boolean enabled(String logger, Level level) {
    Level min = PER_LOGGER.getOrDefault(logger, threshold);
    return level.toInt() >= min.toInt();
  }

  static void write(Level level, String logger, String message, Throwable error) {
    String line = LogLine.render(format, clock.instant(), level, logger, message, error);
    PrintStream out = target;
    synchronized (out) {
      out.print(line);
      out.flush();
    }
  }

  static Level level(String name) {
    if (name == null || name.isBlank()) {
      return Level.INFO;
    }
    try {
      return Level.valueOf(name.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return Level.INFO;
    }
  }
}
