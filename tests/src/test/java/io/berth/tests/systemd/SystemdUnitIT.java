package io.berth.tests.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd/berth.service as an installer would lay it down (prefix substituted, an executable at
 * ExecStart) passes {@code systemd-analyze verify}, and keeps the settings a node agent needs.
 */
class SystemdUnitIT {
  @TempDir Path prefix;

  @Test
  void installedUnitPassesSystemdAnalyzeVerify() throws Exception {
    String unit = Files.readString(Path.of("..", "systemd", "berth.service"));
    Path bin = Files.createDirectories(prefix.resolve("bin")).resolve("berth");
    Files.writeString(bin, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path installed = prefix.resolve("berth.service");
    Files.writeString(installed, unit.replace("/opt/berth", prefix.toString()));

    Process verify =
        new ProcessBuilder("systemd-analyze", "verify", "--man=no", installed.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(output).as("systemd-analyze verify output").isEmpty();
    assertThat(verify.exitValue()).isZero();
  }

  @Test
  void unitKeepsPodsAliveAcrossRestartsAndSpeaksNotify() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("..", "systemd", "berth.service"));
    assertThat(lines)
        .contains(
            "Type=notify",
            "NotifyAccess=main",
            "KillMode=process",
            "Restart=always",
            "WatchdogSec=30s",
            "EnvironmentFile=-/etc/berth/berth.env")
        .anyMatch(l -> l.startsWith("After=") && l.contains("containerd.service"));
  }
}
