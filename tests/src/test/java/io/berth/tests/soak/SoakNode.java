package io.berth.tests.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.cri.ContainerFilter;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.fixtures.BerthCommand;
import io.berth.tests.fixtures.Commands;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.CriPods;
import io.berth.tests.fixtures.NodeNetns;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One node for the soak tests: a node network namespace with its own containerd, a small tmpfs as
 * the pod log root (so the test can fill it), and {@code berth run} as a real process inside the
 * namespace with a static pod directory and a Service directory (nftables proxy). Everything the
 * test looks at is read from the outside: berth's {@code /pods}, the CRI, the kernel. {@link
 * #close()} stops berth, removes every sandbox, unmounts the tmpfs, stops containerd and removes
 * the namespace and directories, also after a failed start.
 */
final class SoakNode implements AutoCloseable {
  static final String LOG_DISK_SIZE = "4m";
  static final String NODE_NAME = "berth-soak-node";
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final Path manifests;
  final Path services;
  final NodeNetns netns;
  final ContainerdLauncher containerd;
  final CriRuntime cri;
  private boolean logDiskMounted;
  private Process berth;

  private SoakNode(Path dir, NodeNetns netns, ContainerdLauncher containerd, CriRuntime cri)
      throws IOException {
    this.dir = dir;
    this.manifests = Files.createDirectory(dir.resolve("manifests"));
    this.services = Files.createDirectory(dir.resolve("services"));
    this.netns = netns;
    this.containerd = containerd;
    this.cri = cri;
  }

  static SoakNode start() throws Exception {
    Path dir = Files.createTempDirectory("berth-soak-");
    NodeNetns netns = null;
    ContainerdLauncher containerd = null;
    SoakNode node = null;
    try {
      netns = NodeNetns.create("soak");
      containerd = ContainerdLauncher.launch(netns);
      node = new SoakNode(dir, netns, containerd, CriRuntime.connect(containerd.endpoint()));
      Commands.run(
          "mount",
          "-t",
          "tmpfs",
          "-o",
          "size=" + LOG_DISK_SIZE + ",mode=0755",
          "berth-soak-logs",
          containerd.podLogRoot().toString());
      node.logDiskMounted = true;
      return node;
    } catch (Exception | Error e) {
      if (node != null) {
        node.close();
      } else {
        for (AutoCloseable c : new AutoCloseable[] {containerd, netns}) {
          if (c != null) {
            c.close();
          }
        }
        deleteTree(dir);
      }
      throw e;
    }
  }

  /** Starts {@code berth run} in the namespace; its output goes to {@code berth.log}. */
  void startBerth() throws IOException {
    List<String> cmd =
        BerthCommand.of(
            "run",
            "--container-runtime-endpoint",
            containerd.endpoint(),
            "--node-name",
            NODE_NAME,
            "--root-dir",
            dir.resolve("root").toString(),
            "--pod-manifest-path",
            manifests.toString(),
            "--cgroup-root",
            containerd.cgroupParent(),
            "--pod-logs-dir",
            containerd.podLogRoot().toString(),
            "--service-dir",
            services.toString(),
            "--cluster-cidr",
            containerd.podCidr(),
            "--nodeport-addresses",
            netns.nodeIp() + "/32",
            "--proxy-sync-period",
            "2s");
    berth =
        new ProcessBuilder(netns.command(cmd.toArray(String[]::new)))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("berth.log").toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
  }

  /** SIGKILL, as the OOM killer or a node crash would; pods keep running meanwhile. */
  void killBerth() throws InterruptedException {
    berth.destroyForcibly(); // SIGKILL on Linux
    if (!berth.waitFor(20, TimeUnit.SECONDS)) {
      throw new IllegalStateException("berth (pid " + berth.pid() + ") did not die on SIGKILL");
    }
  }

  long berthPid() {
    return berth.pid();
  }

  boolean berthAlive() {
    return berth != null && berth.isAlive();
  }

  String berthLogTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("berth.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no berth.log: " + e.getMessage() + ")";
    }
  }

  /**
   * berth's {@code /pods} by manifest name (static pods are named {@code <name>-<node name>}), or
   * empty when berth does not answer (yet).
   */
  java.util.Optional<Map<String, JsonNode>> pods() {
    Curl c = curl("http://127.0.0.1:10248/pods");
    Map<String, JsonNode> pods = new LinkedHashMap<>();
    if (c.status() != 200) {
      return java.util.Optional.empty();
    }
    try {
      for (JsonNode p : JSON.readTree(c.body()).path("items")) {
        String name = p.path("metadata").path("name").asText();
        pods.put(name.substring(0, name.length() - ("-" + NODE_NAME).length()), p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("berth's /pods is not JSON: " + c.body(), e);
    }
    return java.util.Optional.of(pods);
  }

  record Curl(int exit, int status, String body) {}

  /** {@code curl} from inside the node namespace (3 s budget). */
  Curl curl(String url) {
    try {
      Process p =
          new ProcessBuilder(
                  netns.command("curl", "-sS", "--max-time", "3", "-w", "\n%{http_code}", url))
              .start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.getErrorStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      int nl = out.lastIndexOf('\n');
      return new Curl(
          p.exitValue(),
          Integer.parseInt(out.substring(nl + 1).strip()),
          out.substring(0, Math.max(nl, 0)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  void writeFile(Path dir, String name, String text) throws IOException {
    Path tmp = dir.resolve("." + name + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Fills the pod log tmpfs until the kernel answers ENOSPC; returns the bytes written. */
  long fillLogDisk() throws IOException {
    Path filler = containerd.podLogRoot().resolve("filler");
    byte[] chunk = new byte[64 << 10];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(chunk);
        out.flush();
        written += chunk.length;
      }
    } catch (IOException e) {
      if (e.getMessage() == null || !e.getMessage().contains("No space left")) {
        throw e;
      }
    }
    return written;
  }

  void freeLogDisk() throws IOException {
    Files.deleteIfExists(containerd.podLogRoot().resolve("filler"));
  }

  /** Counts what the node holds now (runtime, kernel, berth's process). */
  Census census() throws Exception {
    String parent = containerd.cgroupParent();
    return new Census(
        cri.runtime().listPodSandbox(PodSandboxFilter.all()).size(),
        cri.runtime().listContainers(ContainerFilter.all()).size(),
        count(
            containerd.layout().state(),
            p -> p.getParent().getFileName().toString().equals("netns")),
        (int) netns.run("ip", "-o", "link", "show", "type", "veth").stdout().lines().count(),
        directories(Path.of("/sys/fs/cgroup/memory", parent))
            + directories(Path.of("/sys/fs/cgroup/pids", parent)),
        (int)
            Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(
                    l ->
                        l.contains(containerd.layout().baseDir().toString())
                            || l.contains(dir.toString()))
                .count(),
        (int) netns.run("nft", "list", "ruleset").stdout().lines().count(),
        berthAlive() ? fds(berth.pid()) : -1,
        berthAlive() ? liveHeap(berth.pid()) : -1);
  }

  private static int count(Path root, java.util.function.Predicate<Path> file) throws IOException {
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return (int) walk.filter(p -> p.getParent() != null && file.test(p)).count();
    } catch (UncheckedIOException e) {
      return count(root, file); // something vanished under the walk: count again
    }
  }

  private static int directories(Path root) throws IOException {
    return count(root, Files::isDirectory);
  }

  private static int fds(long pid) throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return (int) s.count();
    }
  }

  /** The live heap after a full GC: the {@code Total} bytes of {@code jcmd GC.class_histogram}. */
  private static long liveHeap(long pid) {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    String out =
        Commands.run(
                List.of(jcmd, Long.toString(pid), "GC.class_histogram"), Duration.ofSeconds(60))
            .stdout();
    for (String line : out.lines().toList()) {
      if (line.startsWith("Total")) {
        String[] f = line.trim().split("\\s+");
        return Long.parseLong(f[2]);
      }
    }
    throw new IllegalStateException(
        "no Total line in jcmd GC.class_histogram of " + pid + ": " + out);
  }

  @Override
  public void close() throws Exception {
    List<Exception> failures = new ArrayList<>();
    if (berth != null && berth.isAlive()) {
      berth.destroy();
      if (!berth.waitFor(30, TimeUnit.SECONDS)) {
        berth.destroyForcibly();
        berth.waitFor(10, TimeUnit.SECONDS);
      }
    }
    try {
      if (containerd.isRunning()) {
        CriPods.removeAllSandboxes(cri.runtime());
      }
    } catch (RuntimeException e) {
      failures.add(e);
    }
    cri.close();
    if (logDiskMounted) {
      try {
        Commands.run("umount", containerd.podLogRoot().toString());
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    for (AutoCloseable c : new AutoCloseable[] {containerd, netns}) {
      try {
        c.close();
      } catch (Exception e) {
        failures.add(e);
      }
    }
    // pod volumes (emptyDir tmpfs) berth left mounted under its root dir would block the delete
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo")).reversed()) {
      String[] f = line.split(" ");
      if (f.length > 4 && f[4].startsWith(dir.toString() + "/")) {
        try {
          Commands.run("umount", "-l", f[4]);
        } catch (RuntimeException e) {
          failures.add(e);
        }
      }
    }
    deleteTree(dir);
    if (!failures.isEmpty()) {
      Exception first = failures.getFirst();
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw first;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
