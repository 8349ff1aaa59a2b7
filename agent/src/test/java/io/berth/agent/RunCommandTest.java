package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunCommandTest {
  @Test
  void podFlagsHaveTheKubeletsNamesAndDefaults() {
    NodeAgent.Settings defaults = RunCommand.settings(CommandLine.parse(List.of("run")));
    assertThat(defaults.podManifestPath()).isNull();
    assertThat(defaults.cgroupRoot()).isEqualTo("/kubepods");
    assertThat(defaults.podLogsDir()).isEqualTo(Path.of("/var/log/pods"));

    NodeAgent.Settings s =
        RunCommand.settings(
            CommandLine.parse(
                List.of(
                    "run",
                    "--pod-manifest-path",
                    "/etc/berth/manifests",
                    "--cgroup-root=/berth-pods",
                    "--pod-logs-dir",
                    "/srv/logs")));
    assertThat(s.podManifestPath()).isEqualTo(Path.of("/etc/berth/manifests"));
    assertThat(s.cgroupRoot()).isEqualTo("/berth-pods");
    assertThat(s.podLogsDir()).isEqualTo(Path.of("/srv/logs"));
  }

  @Test
  void relativePathsAreUsageErrors() {
    assertThatThrownBy(
            () ->
                RunCommand.settings(CommandLine.parse(List.of("run", "--pod-manifest-path", "m"))))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--pod-manifest-path must be an absolute path");
    assertThatThrownBy(
            () -> RunCommand.settings(CommandLine.parse(List.of("run", "--cgroup-root", "pods"))))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--cgroup-root");
  }

  @Test
  void manifestUrlMustBeAnHttpUrl() {
    var s =
        RunCommand.settings(
            CommandLine.parse(List.of("run", "--manifest-url", "http://127.0.0.1:8000/pods.json")));
    assertThat(s.manifestUrl()).hasToString("http://127.0.0.1:8000/pods.json");
    assertThat(RunCommand.settings(CommandLine.parse(List.of("run"))).manifestUrl()).isNull();
    assertThatThrownBy(
            () ->
                RunCommand.settings(
                    CommandLine.parse(List.of("run", "--manifest-url", "file:///etc/pods"))))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--manifest-url must be an http(s) URL");
  }
}
