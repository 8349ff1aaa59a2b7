package io.berth.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogsCommandTest {
  @TempDir Path logs;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private Path web;

  @BeforeEach
  void layOutLogsAsTheKubeletDoes() throws Exception {
    web = Files.createDirectories(logs.resolve("default_web-node_1111/httpd"));
    Files.writeString(
        web.resolve("0.log"),
        "2026-11-24T06:00:00Z stdout F first run\n2026-11-24T06:00:01Z stderr F crashed\n");
    Files.writeString(
        web.resolve("1.log"),
        """
        2026-11-24T06:01:00Z stdout F one
        2026-11-24T06:01:01Z stdout P tw
        2026-11-24T06:01:01Z stdout F o
        2026-11-24T06:01:02Z stderr F three
        """);
    Files.createDirectories(logs.resolve("default_pair-node_2222/a"));
    Files.createDirectories(logs.resolve("default_pair-node_2222/b"));
    Files.writeString(logs.resolve("default_pair-node_2222/a/0.log"), "");
  }

  private String run(String pod, String container, boolean follow, int tail, boolean previous)
      throws Exception {
    new LogsCommand(new PrintStream(out, true, StandardCharsets.UTF_8), Duration.ofMillis(10))
        .run(
            new LogsCommand.Request(
                logs, "default", pod, container, follow, tail, previous, false));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void printsTheCurrentInstancesLinesWithoutTheCriPrefix() throws Exception {
    assertThat(run("web-node", null, false, -1, false)).isEqualTo("one\ntwo\nthree\n");
  }

  @Test
  void tailAndPreviousAsKubectl() throws Exception {
    assertThat(run("web-node", "httpd", false, 2, false)).isEqualTo("two\nthree\n");
    out.reset();
    assertThat(run("web-node", "httpd", false, -1, true)).isEqualTo("first run\ncrashed\n");
    out.reset();
    assertThat(run("web-node", "httpd", false, 0, false)).isEmpty();
  }

  @Test
  void wrongPodContainerOrMissingPreviousAreOneLineErrors() {
    assertThatThrownBy(() -> run("web", null, false, -1, false))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("no logs for pod default/web under " + logs)
        .hasMessageContaining("pods of namespace default there: pair-node, web-node");
    assertThatThrownBy(() -> run("pair-node", null, false, -1, false))
        .hasMessage(
            "a container name must be specified for pod default/pair-node, choose one of: [a, b]"
                + " (-c NAME)");
    assertThatThrownBy(() -> run("pair-node", "c", false, -1, false))
        .hasMessageContaining("container c is not valid for pod default/pair-node");
    assertThatThrownBy(() -> run("pair-node", "a", false, -1, true))
        .hasMessage("previous terminated container \"a\" in pod \"default/pair-node\" not found");
  }

  @Test
  void followPrintsWhatIsAppendedUntilTheContainerRestarts() throws Exception {
    Thread follower =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    run("web-node", "httpd", true, 1, false);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
    // the follower has read the file as it was (its tail of 1 line) before anything is appended
    for (int i = 0; i < 2000 && !out.toString(StandardCharsets.UTF_8).equals("three\n"); i++) {
      Thread.sleep(10);
    }
    Files.writeString(
        web.resolve("1.log"),
        "2026-11-24T06:01:03Z stdout F four\n2026-11-24T06:01:04Z stdout P fi",
        StandardOpenOption.APPEND);
    Files.writeString(
        web.resolve("1.log"), "ve\n2026-11-24T06:01:04Z stdout F \n", StandardOpenOption.APPEND);
    Files.writeString(web.resolve("2.log"), "2026-11-24T06:02:00Z stdout F next instance\n");
    follower.join(Duration.ofSeconds(20));
    assertThat(follower.isAlive()).as("follow ends once a new instance logs").isFalse();
    assertThat(out.toString(StandardCharsets.UTF_8).lines().toList())
        .containsExactly("three", "four", "five");
  }

  @Test
  void theFollowerKeepsAPartialRecordForTheNextPoll() throws Exception {
    Path f = Files.writeString(logs.resolve("x.log"), "a\nb");
    LogFollower follower = new LogFollower(f);
    assertThat(follower.poll()).containsExactly("a");
    Files.writeString(f, "c\n", StandardOpenOption.APPEND);
    assertThat(follower.poll()).containsExactly("bc");
    assertThat(follower.poll()).isEmpty();
    Files.writeString(f, "new\n"); // truncated and rewritten: start over
    assertThat(follower.poll()).isEqualTo(List.of("new"));
  }
}
