package io.berth.tests.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.berth.tests.fixtures.BerthCommand;
import io.berth.tests.fixtures.NodeNetns;
import io.berth.tests.fixtures.Poll;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --proxy-mode} where nftables does not work: {@code berth run} as a real process without
 * CAP_NET_ADMIN (its capability bounding set drops it, so libnftables' probe transaction gets
 * EPERM), inside a namespace the test creates. {@code nftables} refuses to start with one clear
 * line; {@code auto} says what it found, runs without a proxy and creates no table; {@code ipvs}
 * (with CAP_NET_ADMIN) refuses with the detector's reason: this kernel has no ip_vs.
 */
class ProxyModeIT {
  @TempDir Path dir;
  private NodeNetns node;
  private Process berth;

  @BeforeEach
  void createNamespace() throws Exception {
    node = NodeNetns.create("pm");
    Files.createDirectories(dir.resolve("services"));
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (berth != null && berth.isAlive()) {
      berth.destroy();
      if (!berth.waitFor(20, TimeUnit.SECONDS)) {
        berth.destroyForcibly();
      }
    }
    node.close();
  }

  private List<String> berthWithoutNetAdmin(String mode) {
    return berth(mode, true);
  }

  private List<String> berth(String mode, boolean withoutNetAdmin) {
    List<String> cmd =
        new ArrayList<>(
            withoutNetAdmin ? List.of("setpriv", "--bounding-set", "-net_admin") : List.of());
    cmd.addAll(
        BerthCommand.of(
            "run",
            "--container-runtime-endpoint",
            "unix://" + dir.resolve("no-runtime.sock"),
            "--port",
            "0",
            "--root-dir",
            dir.toString(),
            "--service-dir",
            dir.resolve("services").toString(),
            "--proxy-healthz-bind-address",
            "127.0.0.1:0",
            "--proxy-mode",
            mode));
    return node.command(cmd.toArray(String[]::new));
  }

  @Test
  void nftablesModeRefusesToStartWithOneLine() throws Exception {
    Process p = new ProcessBuilder(berthWithoutNetAdmin("nftables")).start();
    p.getOutputStream().close();
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(stderr).isEqualTo(2);
    assertThat(stderr.lines().filter(l -> l.startsWith("berth: ")).toList())
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .startsWith(
                        "berth: --proxy-mode nftables, but nftables probe transaction failed")
                    .contains("Operation not permitted"));
    assertThat(stderr).doesNotContain("\tat ");
    assertThat(node.run("nft", "list", "tables").stdout()).isEmpty();
  }

  @Test
  void ipvsModeRefusesToStartSayingTheKernelHasNoIpvs() throws Exception {
    assumeFalse(Files.exists(Path.of("/proc/net/ip_vs")), "this kernel has ip_vs");
    // with CAP_NET_ADMIN: nftables works here, and ipvs is still refused
    Process p = new ProcessBuilder(berth("ipvs", false)).start();
    p.getOutputStream().close();
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(stderr).isEqualTo(2);
    assertThat(stderr.lines().filter(l -> l.startsWith("berth: ")).toList())
        .containsExactly(
            "berth: --proxy-mode ipvs, but IPVS not available: kernel has no ip_vs (generic"
                + " netlink family IPVS not found, /proc/net/ip_vs absent)");
    assertThat(stderr).doesNotContain("\tat ");
    assertThat(node.run("nft", "list", "tables").stdout()).isEmpty();
  }

  @Test
  void autoSaysWhatItFoundAndRunsWithoutAProxy() throws Exception {
    Path log = dir.resolve("berth.log");
    berth =
        new ProcessBuilder(berthWithoutNetAdmin("auto"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    String off =
        Poll.until(
            "the fallback warning",
            Duration.ofSeconds(60),
            Duration.ofMillis(200),
            () ->
                Files.readAllLines(log).stream()
                    .filter(l -> l.contains("service proxy off: --proxy-mode auto"))
                    .findFirst(),
            () -> "berth log:\n" + readQuietly(log));
    assertThat(off)
        .containsPattern(" WARN +\\[ServiceProxy\\] ")
        .contains("found no usable data plane (nftables probe transaction failed")
        .contains("Operation not permitted");
    String all = Files.readString(log);
    // what the detector found, in the log before the warning
    assertThat(all)
        .contains("nftables: NOT available")
        .contains("iptables: ")
        .contains("chosen: NONE");
    assertThat(berth.isAlive()).as("berth keeps running without a proxy").isTrue();
    assertThat(node.run("nft", "list", "tables").stdout()).isEmpty();
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return "(" + e.getMessage() + ")";
    }
  }
}
