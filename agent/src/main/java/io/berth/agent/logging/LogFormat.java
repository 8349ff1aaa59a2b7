package io.berth.agent.logging;

import java.util.Map;

/** How berth writes its own log lines. */
public enum LogFormat {
  /** {@code 2026-11-24T10:00:00.123Z INFO [NodeAgent] message}: for a terminal or a file. */
  TEXT,
  /** {@code <6>[NodeAgent] message}: journald stores the priority and adds the time itself. */
  JOURNAL,
  /**
   * One JSON object per line: {@code ts}, {@code level}, {@code logger}, {@code msg}, {@code
   * error}.
   */
  JSON;

  /**
   * The format for {@code --log-format VALUE}: {@code json}, {@code text}, or (empty) text with
   * journald prefixes when systemd connected standard error to the journal.
   */
  public static LogFormat choose(String flag, Map<String, String> env) {
    return switch (flag) {
      case "json" -> JSON;
      case "text" -> env.containsKey("JOURNAL_STREAM") ? JOURNAL : TEXT;
      case "" -> env.containsKey("JOURNAL_STREAM") ? JOURNAL : TEXT;
      default ->
          throw new IllegalArgumentException(
              "option --log-format must be text or json, got '" + flag + "'");
    };
  }
}
