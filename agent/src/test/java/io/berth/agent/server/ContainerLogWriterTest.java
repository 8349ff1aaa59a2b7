package io.berth.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.agent.testing.FakeClock;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLogWriterTest {
  @TempDir Path logs;
  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T10:00:00Z"));

  @BeforeEach
  void files() throws Exception {
    Path c = Files.createDirectories(logs.resolve("default_web_uid1/app"));
    Files.writeString(
        c.resolve("0.log"),
        "2026-11-24T09:00:00.1Z stdout F old one\n2026-11-24T09:00:01Z stdout F old two\n");
    Files.writeString(
        c.resolve("1.log"),
        "2026-11-24T09:58:00.5Z stdout F first\n"
            + "2026-11-24T09:59:30Z stderr F second\n"
            + "2026-11-24T09:59:40Z stdout P thi\n"
            + "2026-11-24T09:59:41Z stdout F rd\n");
  }

  private String run(Map<String, List<String>> query) throws Exception {
    ContainerLogOptions options = ContainerLogOptions.parse(query, clock);
    Path file = logs.resolve("default_web_uid1/app/" + (options.previous() ? "0.log" : "1.log"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new ContainerLogWriter(Duration.ofMillis(1))
        .write(
            file,
            options,
            b -> {
              out.writeBytes(b);
              return true;
            },
            () -> false);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void currentInstanceWithSplitLinesJoined() throws Exception {
    assertEquals("first\nsecond\nthird\n", run(Map.of()));
  }

  @Test
  void previousInstance() throws Exception {
    assertEquals("old one\nold two\n", run(Map.of("previous", List.of("true"))));
  }

  @Test
  void timestampsTailSinceAndLimit() throws Exception {
    assertEquals(
        "2026-11-24T09:59:30Z second\n2026-11-24T09:59:41Z third\n",
        run(Map.of("timestamps", List.of("true"), "tailLines", List.of("2"))));
    assertEquals("second\nthird\n", run(Map.of("sinceSeconds", List.of("60"))));
    assertEquals("third\n", run(Map.of("sinceTime", List.of("2026-11-24T09:59:35Z"))));
    assertEquals("first\nsec", run(Map.of("limitBytes", List.of("9"))));
    assertEquals("", run(Map.of("tailLines", List.of("0"))));
  }

  @Test
  void followEndsWhenTheContainerNoLongerRunsAndTheFileIsRead() throws Exception {
    assertEquals("first\nsecond\nthird\n", run(Map.of("follow", List.of("true"))));
  }
}
