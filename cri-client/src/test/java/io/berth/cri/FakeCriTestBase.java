package io.berth.cri;

import io.berth.cri.fake.FakeCriServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Starts a {@link FakeCriServer} on a private socket and connects a {@link CriRuntime} to it. */
abstract class FakeCriTestBase {
  static final Instant NOW = Instant.parse("2026-11-24T06:41:44.734934105Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir Path dir;
  FakeCriServer server;
  CriRuntime cri;
  RuntimeService runtime;
  ImageService images;

  CriOptions options() {
    return CriOptions.defaults()
        .withStatusTimeout(Duration.ofSeconds(3))
        .withUnavailableRetryWindow(Duration.ofSeconds(3));
  }

  @BeforeEach
  void startServer() {
    server = FakeCriServer.start(dir.resolve("cri.sock"), CLOCK);
    cri = CriRuntime.connect(server.endpoint(), options());
    runtime = cri.runtime();
    images = cri.images();
  }

  @AfterEach
  void stopServer() {
    if (cri != null) {
      cri.close();
    }
    server.close();
  }

  static PodSandboxConfig sandboxConfig(String name) {
    return PodSandboxConfig.builder(new PodSandboxMetadata(name, "uid-" + name, "default", 0))
        .hostname(name)
        .logDirectory("/var/log/pods/default_" + name + "_uid-" + name)
        .label("io.kubernetes.pod.name", name)
        .label("io.kubernetes.pod.uid", "uid-" + name)
        .annotation("berth.io/spec-hash", "abc123")
        .linux("/kubepods/besteffort/poduid-" + name, NamespaceOptions.podDefaults())
        .build();
  }

  static ContainerConfig containerConfig(String name) {
    return ContainerConfig.builder(new ContainerMetadata(name, 0), "docker.io/library/busybox:1.36")
        .command("/bin/sh", "-c")
        .args("sleep 3600")
        .label("io.kubernetes.container.name", name)
        .logPath(name + "/0.log")
        .build();
  }
}
