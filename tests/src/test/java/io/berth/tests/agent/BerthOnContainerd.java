package io.berth.tests.agent;

import io.berth.agent.NodeAgent;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * An in-process berth with a static pod directory on a private containerd (its cgroup parent, pod
 * log root and CNI bridge), plus a CRI client of the test's own and berth's {@code /pods}. {@link
 * #close()} stops berth, removes every sandbox, stops containerd and deletes the directory, also
 * after a failed start.
 */
final class BerthOnContainerd implements AutoCloseable {
  final String node;
  final Path dir;
  final Path manifests;
  final ContainerdLauncher containerd;
  final CriRuntime cri;
  final BerthPods pods = new BerthPods(this::agent);
  private final UnaryOperator<NodeAgent.Settings> tweak;
  private NodeAgent agent;

  private BerthOnContainerd(
      String node,
      Path dir,
      ContainerdLauncher containerd,
      CriRuntime cri,
      UnaryOperator<NodeAgent.Settings> tweak)
      throws Exception {
    this.node = node;
    this.dir = dir;
    this.manifests = Files.createDirectory(dir.resolve("manifests"));
    this.containerd = containerd;
    this.cri = cri;
    this.tweak = tweak;
  }

  /** Starts containerd and berth; {@code tweak} adjusts berth's settings. */
  static BerthOnContainerd start(String node, UnaryOperator<NodeAgent.Settings> tweak)
      throws Exception {
    return start(node, null, tweak);
  }

  /**
   * Starts containerd inside {@code netns} (null: the test's own network namespace) and berth in
   * the test JVM; {@code tweak} adjusts berth's settings.
   */
  static BerthOnContainerd start(
      String node, io.berth.tests.fixtures.NodeNetns netns, UnaryOperator<NodeAgent.Settings> tweak)
      throws Exception {
    return start(node, netns, b -> {}, tweak);
  }

  /** What a test prepares on containerd and in the directories before berth first starts. */
  @FunctionalInterface
  interface BeforeStart {
    void prepare(BerthOnContainerd b) throws Exception;
  }

  /**
   * As {@link #start(String, io.berth.tests.fixtures.NodeNetns, UnaryOperator)}, running {@code
   * before} once containerd answers and before berth starts (images to import, manifests that must
   * be there at start-up, runtime state berth should find).
   */
  static BerthOnContainerd start(
      String node,
      io.berth.tests.fixtures.NodeNetns netns,
      BeforeStart before,
      UnaryOperator<NodeAgent.Settings> tweak)
      throws Exception {
    Path dir = Files.createTempDirectory("berth-" + node + "-");
    ContainerdLauncher containerd = null;
    CriRuntime cri = null;
    BerthOnContainerd b = null;
    try {
      containerd = netns == null ? ContainerdLauncher.launch() : ContainerdLauncher.launch(netns);
      cri = CriRuntime.connect(containerd.endpoint());
      b = new BerthOnContainerd(node, dir, containerd, cri, tweak);
      before.prepare(b);
      b.startAgent();
      return b;
    } catch (Exception | Error e) {
      if (b != null) {
        b.close();
      } else {
        if (cri != null) {
          cri.close();
        }
        if (containerd != null) {
          containerd.close();
        }
        BerthPods.deleteTree(dir);
      }
      throw e;
    }
  }

  /** The PID of a container's process, from the runtime's verbose status. */
  long pid(String containerId) throws java.io.IOException {
    String info = cri.runtime().containerStatus(containerId, true).info().get("info");
    long pid =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(info).path("pid").asLong();
    if (pid <= 0) {
      throw new IllegalStateException("no pid for container " + containerId + ": " + info);
    }
    return pid;
  }

  NodeAgent agent() {
    return agent;
  }

  private void startAgent() throws Exception {
    NodeAgent.Settings settings =
        new NodeAgent.Settings(
            containerd.endpoint(),
            new InetSocketAddress("127.0.0.1", 0),
            node,
            dir,
            Duration.ofSeconds(1),
            manifests,
            containerd.cgroupParent(),
            containerd.podLogRoot());
    agent = new NodeAgent(tweak.apply(settings), Clock.systemUTC(), Map.of());
    agent.start();
  }

  /** Closes berth and starts a new one on the same directories; pods keep running meanwhile. */
  void restartAgent() throws Exception {
    agent.close();
    startAgent();
  }

  /**
   * Stops and removes a sandbox; a container berth was starting when it closed can refuse removal
   * for a moment ("container is in starting state"), so try again once, then leave it to the
   * launcher's own cleanup.
   */
  private void removeSandbox(String id) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        cri.runtime().stopPodSandbox(id);
        cri.runtime().removePodSandbox(id);
        return;
      } catch (io.berth.cri.CriException e) {
        if (attempt == 2) {
          System.err.println(
              node + " cleanup: " + e.getMessage() + " (containerd.close() follows)");
          return;
        }
        Thread.sleep(1000);
      }
    }
  }

  @Override
  public void close() {
    List<RuntimeException> failures = new ArrayList<>();
    if (agent != null) {
      agent.close();
    }
    try {
      if (containerd.isRunning()) {
        for (PodSandbox s : cri.runtime().listPodSandbox(PodSandboxFilter.all())) {
          removeSandbox(s.id());
        }
      }
    } catch (RuntimeException e) {
      failures.add(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    cri.close();
    try {
      containerd.close();
    } catch (RuntimeException e) {
      failures.add(e);
    }
    BerthPods.deleteTree(dir);
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw first;
    }
  }
}
