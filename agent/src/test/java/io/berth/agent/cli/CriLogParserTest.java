package io.berth.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CriLogParserTest {
  @Test
  void stripsThePrefixAndJoinsPartialChunksPerStream() {
    List<CriLogParser.Line> lines =
        CriLogParser.parseAll(
            List.of(
                "2026-11-24T06:41:44.734934105Z stdout F hello world",
                "2026-11-24T06:41:44.8Z stdout P first half, ",
                "2026-11-24T06:41:44.8Z stderr F an error in between",
                "2026-11-24T06:41:44.9Z stdout P second, ",
                "2026-11-24T06:41:45Z stdout F end",
                "2026-11-24T06:41:46Z stdout F ",
                "2026-11-24T06:41:47Z stdout F  leading space kept"));
    assertThat(lines)
        .extracting(CriLogParser.Line::text)
        .containsExactly(
            "hello world",
            "an error in between",
            "first half, second, end",
            "",
            " leading space kept");
    assertThat(lines.get(1).stream()).isEqualTo("stderr");
    assertThat(lines.get(2).time()).isEqualTo("2026-11-24T06:41:45Z");
  }

  @Test
  void aRecordNotInTheCriFormatIsShownAsItIs() {
    assertThat(CriLogParser.parseAll(List.of("plain text", "2026 stdin F x")))
        .extracting(CriLogParser.Line::text)
        .containsExactly("plain text", "2026 stdin F x");
  }
}
