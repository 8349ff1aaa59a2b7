package io.berth.bench;

import io.berth.agent.NodeAgent;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * berth in the benchmark's JVM, with a static pod directory, on a private containerd (its cgroup
 * parent and pod log root), HTTP on an ephemeral loopback port. {@link #close()} stops berth and
 * deletes its directory; the pods are the caller's to remove.
 */
final class InProcessBerth implements AutoCloseable {
  final Path dir;
  final Path manifests;
  final NodeAgent agent;

  private InProcessBerth(Path dir, Path manifests, NodeAgent agent) {
    this.dir = dir;
    this.manifests = manifests;
    this.agent = agent;
  }

  static InProcessBerth start(ContainerdLauncher containerd, String prefix) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    Path manifests = Files.createDirectories(dir.resolve("manifests"));
    NodeAgent agent =
        new NodeAgent(
            new NodeAgent.Settings(
                containerd.endpoint(),
                new InetSocketAddress("127.0.0.1", 0),
                "bench",
                dir,
                Duration.ofSeconds(1),
                manifests,
                containerd.cgroupParent(),
                containerd.podLogRoot()),
            Clock.systemUTC(),
            Map.of());
    try {
      agent.start();
    } catch (IOException | RuntimeException e) {
      agent.close();
      deleteTree(dir);
      throw e;
    }
    return new InProcessBerth(dir, manifests, agent);
  }

  /** {@code http://127.0.0.1:<port>}. */
  String baseUrl() {
    return "http://127.0.0.1:" + agent.httpAddress().getPort();
  }

  /**
   * Writes a one-container {@code sleep 3600} pod's manifest atomically (temp + rename); berth
   * names it {@code <name>-bench}.
   */
  void writeSleeper(String name, String image) throws IOException {
    Path tmp = manifests.resolve("." + name + ".tmp");
    Files.writeString(
        tmp,
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - {name: app, image: %s, command: [sleep, "3600"]}
        """
            .formatted(name, image));
    Files.move(tmp, manifests.resolve(name + ".yaml"));
  }

  void deleteManifest(String name) throws IOException {
    Files.deleteIfExists(manifests.resolve(name + ".yaml"));
  }

  @Override
  public void close() throws IOException {
    try {
      agent.close();
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * Deletes {@code dir}; entries that vanish meanwhile (berth's pod cleanup may still be removing
   * pod directories after close) are skipped instead of failing the walk and leaving the tree.
   */
  private static void deleteTree(Path dir) throws IOException {
    for (int attempt = 0; attempt < 3 && Files.exists(dir); attempt++) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
        // a directory vanished mid-walk: walk again
      }
    }
  }
}
