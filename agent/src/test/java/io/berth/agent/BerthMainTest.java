package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BerthMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final BerthMain main =
      new BerthMain(
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));

  private List<String> errLines() {
    return err.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void versionPrintsBerthAndAVersion() {
    assertThat(main.run(List.of("version"))).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("berth ");
  }

  @Test
  void missingSocketIsOneClearLineAndExitOne(@TempDir Path dir) {
    String endpoint = "unix://" + dir.resolve("nothing.sock");

    int status = main.run(List.of("runtime-info", "--container-runtime-endpoint", endpoint));

    assertThat(status).isEqualTo(1);
    assertThat(errLines()).hasSize(1);
    assertThat(errLines().get(0))
        .startsWith("berth: ")
        .contains(dir.resolve("nothing.sock").toString())
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void unknownCommandAndOptionAreUsageErrors() {
    assertThat(main.run(List.of("fly"))).isEqualTo(2);
    assertThat(errLines().get(0)).isEqualTo("berth: unknown command 'fly'");
    err.reset();

    assertThat(main.run(List.of("runtime-info", "--colour=blue"))).isEqualTo(2);
    assertThat(errLines().get(0)).isEqualTo("berth: unknown option --colour for 'runtime-info'");
  }

  @Test
  void optionsTakeBothSpellings() {
    assertThat(CommandLine.parse(List.of("x", "--a", "1", "--b=2")).options())
        .containsEntry("a", "1")
        .containsEntry("b", "2");
    assertThat(main.run(List.of("runtime-info", "--container-runtime-endpoint"))).isEqualTo(2);
    assertThat(errLines().get(0))
        .isEqualTo("berth: option --container-runtime-endpoint needs a value");
  }

  @Test
  void shortOptionsSwitchesAndPositionalArgumentsParse() {
    CommandLine cmd =
        CommandLine.parse(List.of("logs", "web", "-c", "httpd", "-f", "--tail=5", "--previous"));
    assertThat(cmd.args()).containsExactly("web");
    assertThat(cmd.value("container", "")).isEqualTo("httpd");
    assertThat(cmd.flag("follow")).isTrue();
    assertThat(cmd.flag("previous")).isTrue();
    assertThat(cmd.flag("timestamps")).isFalse();
    assertThat(cmd.value("tail", "")).isEqualTo("5");
    assertThat(CommandLine.parse(List.of("--version")).command()).isEqualTo("version");
  }

  @Test
  void operatorCommandsRefuseWhatTheyCannotUse() {
    assertThat(main.run(List.of("pods", "extra"))).isEqualTo(2);
    assertThat(errLines().get(0)).isEqualTo("berth: unexpected argument 'extra' for 'pods'");
    err.reset();
    assertThat(main.run(List.of("describe", "web"))).isEqualTo(2);
    assertThat(errLines().get(0)).contains("give the kind and name");
    err.reset();
    assertThat(main.run(List.of("logs", "web", "--tail", "many"))).isEqualTo(2);
    assertThat(errLines().get(0)).contains("--tail must be a number");
    err.reset();
    assertThat(main.run(List.of("run", "--log-format", "xml"))).isEqualTo(2);
    assertThat(errLines().get(0))
        .isEqualTo("berth: option --log-format must be text or json, got 'xml'");
  }

  @Test
  void logsOfAnUnknownPodIsOneLineAndExitOne(@TempDir Path dir) {
    assertThat(main.run(List.of("logs", "web", "--pod-logs-dir", dir.toString()))).isEqualTo(1);
    assertThat(errLines()).hasSize(1);
    assertThat(errLines().get(0)).startsWith("berth: no logs for pod default/web under " + dir);
  }
}
