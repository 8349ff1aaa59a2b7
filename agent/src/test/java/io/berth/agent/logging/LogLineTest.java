package io.berth.agent.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class LogLineTest {
  private static final Instant T = Instant.parse("2026-11-24T10:00:00.123456Z");
  private static final String LOGGER = "io.berth.agent.NodeAgent";

  @Test
  void textHasTimeLevelAndShortLoggerName() {
    assertThat(LogLine.render(LogFormat.TEXT, T, Level.WARN, LOGGER, "runtime gone", null))
        .isEqualTo("2026-11-24T10:00:00.123Z WARN  [NodeAgent] runtime gone\n");
  }

  @Test
  void journalLinesCarryTheSdDaemonPriorityOnEveryLine() {
    assertThat(LogLine.render(LogFormat.JOURNAL, T, Level.INFO, LOGGER, "ready", null))
        .isEqualTo("<6>[NodeAgent] ready\n");
    String withTrace =
        LogLine.render(
            LogFormat.JOURNAL,
            T,
            Level.ERROR,
            LOGGER,
            "sync failed",
            new IllegalStateException("x"));
    assertThat(withTrace.lines()).allMatch(l -> l.startsWith("<3>"));
    assertThat(withTrace).contains("<3>java.lang.IllegalStateException: x\n<3>\tat ");
    assertThat(LogLine.render(LogFormat.JOURNAL, T, Level.DEBUG, LOGGER, "d", null))
        .startsWith("<7>");
  }

  @Test
  void jsonIsOneEscapedObjectPerLine() {
    assertThat(LogLine.render(LogFormat.JSON, T, Level.INFO, LOGGER, "pod \"web\"\tstarted", null))
        .isEqualTo(
            "{\"ts\":\"2026-11-24T10:00:00.123456Z\",\"level\":\"info\",\"logger\":"
                + "\"io.berth.agent.NodeAgent\",\"msg\":\"pod \\\"web\\\"\\tstarted\"}\n");
    String error =
        LogLine.render(LogFormat.JSON, T, Level.ERROR, LOGGER, "boom", new RuntimeException("x"));
    assertThat(error.lines()).hasSize(1);
    assertThat(error).contains("\"error\":\"java.lang.RuntimeException: x\\n\\tat ");
  }

  @Test
  void theFormatFollowsTheFlagAndJournaldsEnvironment() {
    assertThat(LogFormat.choose("", Map.of())).isEqualTo(LogFormat.TEXT);
    assertThat(LogFormat.choose("", Map.of("JOURNAL_STREAM", "8:1234")))
        .isEqualTo(LogFormat.JOURNAL);
    assertThat(LogFormat.choose("json", Map.of("JOURNAL_STREAM", "8:1234")))
        .isEqualTo(LogFormat.JSON);
    assertThatThrownBy(() -> LogFormat.choose("xml", Map.of()))
        .hasMessage("option --log-format must be text or json, got 'xml'");
  }

  @Test
  void slf4jLoggersWriteThroughBerthsProvider() {
    var out = new java.io.ByteArrayOutputStream();
    LogSettings.target(
        new java.io.PrintStream(out, true), java.time.Clock.fixed(T, java.time.ZoneOffset.UTC));
    try {
      LogSettings.format(LogFormat.JOURNAL);
      org.slf4j.LoggerFactory.getLogger(LOGGER).info("pods {} of {}", 3, 4);
      org.slf4j.LoggerFactory.getLogger(LOGGER).debug("not shown at INFO");
      org.slf4j.LoggerFactory.getLogger("io.netty.bootstrap.Bootstrap").warn("quiet");
      assertThat(out.toString()).isEqualTo("<6>[NodeAgent] pods 3 of 4\n");
    } finally {
      LogSettings.format(LogFormat.TEXT);
      LogSettings.target(System.err, java.time.Clock.systemUTC());
    }
  }
}
