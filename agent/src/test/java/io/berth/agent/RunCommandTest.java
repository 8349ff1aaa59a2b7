package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void flagsOverrideTheConfigFileWhichOverridesTheDefaults(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        staticPodPath: /etc/from-file
        healthzPort: 10300
        cgroupRoot: /node
        podLogsDir: /srv/file-logs
        fileCheckFrequency: 5s
        clusterDNS: [10.96.0.10]
        containerLogMaxSize: 20Mi
        containerLogMaxFiles: 3
        ---
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        kind: KubeProxyConfiguration
        nftables:
          syncPeriod: 45s
        """);
    NodeAgent.Settings fromFile =
        RunCommand.settings(CommandLine.parse(List.of("run", "--config", file.toString())));
    assertThat(fromFile.podManifestPath()).isEqualTo(Path.of("/etc/from-file"));
    assertThat(fromFile.httpAddress().getPort()).isEqualTo(10300);
    assertThat(fromFile.cgroupRoot()).isEqualTo("/node/kubepods");
    assertThat(fromFile.podLogsDir()).isEqualTo(Path.of("/srv/file-logs"));
    assertThat(fromFile.tuning().fileCheckFrequency()).isEqualTo(Duration.ofSeconds(5));
    assertThat(fromFile.tuning().clusterDns()).containsExactly("10.96.0.10");
    assertThat(fromFile.tuning().proxy().syncPeriod()).isEqualTo(Duration.ofSeconds(45));
    assertThat(fromFile.runtimeHousekeeping().containerLogMaxSize()).isEqualTo(20L << 20);
    assertThat(fromFile.runtimeHousekeeping().containerLogMaxFiles()).isEqualTo(3);

    NodeAgent.Settings flagsWin =
        RunCommand.settings(
            CommandLine.parse(
                List.of(
                    "run",
                    "--config",
                    file.toString(),
                    "--pod-manifest-path",
                    "/etc/from-flag",
                    "--port",
                    "10400",
                    "--cgroup-root",
                    "/flag-pods")));
    assertThat(flagsWin.podManifestPath()).isEqualTo(Path.of("/etc/from-flag"));
    assertThat(flagsWin.httpAddress().getPort()).isEqualTo(10400);
    assertThat(flagsWin.cgroupRoot()).isEqualTo("/flag-pods");
    assertThat(flagsWin.podLogsDir()).isEqualTo(Path.of("/srv/file-logs")); // not given: file's
  }

  @Test
  void anInvalidConfigFileIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nhealthzPort: x\n");
    var err = new java.io.ByteArrayOutputStream();
    int status =
        new BerthMain(System.out, new java.io.PrintStream(err, true))
            .run(List.of("run", "--config", file.toString()));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString().lines().toList())
        .containsExactly(
            "berth: config "
                + file
                + ": KubeletConfiguration.healthzPort: must be an integer, got 'x'");
  }

  @Test
  void printDefaultsPrintsTheGoldenFile() throws Exception {
    var out = new java.io.ByteArrayOutputStream();
    int status =
        new BerthMain(new java.io.PrintStream(out, true), System.err)
            .run(List.of("config", "print-defaults"));
    assertThat(status).isZero();
    try (var in = getClass().getResourceAsStream("/nodeconfig/print-defaults.yaml")) {
      assertThat(out.toString()).isEqualTo(new String(in.readAllBytes()));
    }
  }
}
