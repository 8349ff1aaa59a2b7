package io.berth.agent.kuberuntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TerminationMessagesTest {
  @TempDir Path dir;

  @Test
  void logTailJoinsPartialLinesAndKeepsTheLast80() throws Exception {
    StringBuilder log = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      log.append("2026-11-24T10:00:00.1Z stdout F line ").append(i).append('\n');
    }
    log.append("2026-11-24T10:00:01Z stderr P split ").append('\n');
    log.append("2026-11-24T10:00:01Z stderr F line\n");
    Path f = dir.resolve("0.log");
    Files.writeString(f, log);

    String tail = TerminationMessages.logTail(f);

    assertThat(tail).startsWith("line 21\n").endsWith("line 99\nsplit line\n");
    assertThat(tail.lines().count()).isEqualTo(80);
  }

  @Test
  void logTailIsCappedAt2KiB() throws Exception {
    Path f = dir.resolve("0.log");
    Files.writeString(f, "2026-11-24T10:00:00Z stdout F " + "x".repeat(5000) + "\n");

    assertThat(TerminationMessages.logTail(f)).hasSize(2048).endsWith("x\n");
  }
}
