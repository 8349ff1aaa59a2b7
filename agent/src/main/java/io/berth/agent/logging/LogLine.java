package io.berth.agent.logging;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.slf4j.event.Level;

/** Renders one log event as the line(s) berth writes, in each {@link LogFormat}. */
public final class LogLine {
  private LogLine() {}

  /** sd-daemon(3) priorities: err 3, warning 4, info 6, debug 7. */
  static int priority(Level level) {
    return switch (level) {
      case ERROR -> 3;
      case WARN -> 4;
      case INFO -> 6;
      case DEBUG, TRACE -> 7;
    };
  }

  /**
   * The text to write, ending in a newline. A throwable's stack trace follows the message; in the
   * journal format every line of it carries the priority, so journald keeps it at that level.
   */
  public static String render(
      LogFormat format, Instant time, Level level, String logger, String message, Throwable error) {
    String shortName = logger.substring(logger.lastIndexOf('.') + 1);
    String trace = error == null ? null : stackTrace(error);
    return switch (format) {
      case TEXT -> {
        StringBuilder sb =
            new StringBuilder()
                .append(DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.MILLIS)))
                .append(' ')
                .append(String.format("%-5s", level.name()))
                .append(" [")
                .append(shortName)
                .append("] ")
                .append(message)
                .append('\n');
        if (trace != null) {
          sb.append(trace);
        }
        yield sb.toString();
      }
      case JOURNAL -> {
        String prefix = "<" + priority(level) + ">";
        StringBuilder sb = new StringBuilder();
        String text = "[" + shortName + "] " + message + (trace == null ? "" : "\n" + trace);
        text.lines().forEach(l -> sb.append(prefix).append(l).append('\n'));
        yield sb.toString();
      }
      case JSON -> {
        StringBuilder sb =
            new StringBuilder("{\"ts\":\"")
                .append(DateTimeFormatter.ISO_INSTANT.format(time))
                .append("\",\"level\":\"")
                .append(level.name().toLowerCase(java.util.Locale.ROOT))
                .append("\",\"logger\":\"")
                .append(quote(logger))
                .append("\",\"msg\":\"")
                .append(quote(message))
                .append('"');
        if (trace != null) {
          sb.append(",\"error\":\"").append(quote(trace.stripTrailing())).append('"');
        }
        yield sb.append("}\n").toString();
      }
    };
  }

  private static String quote(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
