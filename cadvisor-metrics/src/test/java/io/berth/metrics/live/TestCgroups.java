package io.berth.metrics.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Creates cgroups under one unique parent {@code berth-metrics-test-<id>} in the v1 controllers we
 * read (and in the unified hierarchy of a hybrid host), starts child processes that move themselves
 * into them, and removes everything again: children are killed by PID first, then the directories
 * are removed deepest first. Never touches any other cgroup.
 */
public final class TestCgroups {
  public static final Path ROOT = Path.of("/sys/fs/cgroup");
  public static final List<String> CONTROLLERS =
      List.of("cpu", "cpuacct", "memory", "blkio", "pids");

  private final String parent;
  private final List<Path> created = new ArrayList<>();
  private final List<Process> children = new ArrayList<>();
  private final boolean unified;

  public TestCgroups(String purpose) {
    this.parent =
        "/berth-metrics-test-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.unified = Files.isDirectory(ROOT.resolve("unified"));
  }

  /** True when this host has writable v1 hierarchies (root on a v1/hybrid host). */
  public static boolean available() {
    return Files.isWritable(ROOT.resolve("memory")) && Files.isDirectory(ROOT.resolve("cpuacct"));
  }

  /** The cgroup path of the parent, e.g. {@code /berth-metrics-test-it-1a2b3c4d}. */
  public String parent() {
    return parent;
  }

  /** Creates {@code parent/child} (and the parent) in every controller; returns its path. */
  public String create(String child) throws IOException {
    String path = child.isEmpty() ? parent : parent + "/" + child;
    for (Path mount : mounts()) {
      Path dir = mount.resolve(path.substring(1));
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        created.add(dir);
        if (!dir.getParent().equals(mount) && !created.contains(dir.getParent())) {
          created.add(dir.getParent());
        }
      }
    }
    return path;
  }

  /** Writes a control file of this test's cgroup. */
  public void write(String controller, String path, String file, String value) throws IOException {
    Files.writeString(ROOT.resolve(controller).resolve(path.substring(1)).resolve(file), value);
  }

  /**
   * Starts {@code busybox sh -c script} after a prologue that moves the shell into {@code path} in
   * every hierarchy, so everything the script does is charged to that cgroup.
   */
  public Process start(String path, String script) throws IOException {
    StringBuilder prologue = new StringBuilder();
    for (Path mount : mounts()) {
      prologue
          .append("echo $$ > ")
          .append(mount.resolve(path.substring(1)).resolve("cgroup.procs"))
          .append(" || exit 97; ");
    }
    Process p =
        new ProcessBuilder("busybox", "sh", "-c", prologue + script)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    children.add(p);
    return p;
  }

  /** Waits until {@code pid} is listed in the pids hierarchy's cgroup.procs of {@code path}. */
  public void awaitMember(String path, long pid) throws IOException, InterruptedException {
    Path procs = ROOT.resolve("pids").resolve(path.substring(1)).resolve("cgroup.procs");
    for (int i = 0; i < 200; i++) {
      if (Files.readAllLines(procs, StandardCharsets.US_ASCII).contains(Long.toString(pid))) {
        return;
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("process " + pid + " did not join cgroup " + path);
  }

  private List<Path> mounts() {
    List<Path> out = new ArrayList<>();
    for (String c : CONTROLLERS) {
      out.add(ROOT.resolve(c));
    }
    if (unified) {
      out.add(ROOT.resolve("unified"));
    }
    return out;
  }

  public Optional<Path> unifiedMount() {
    return unified ? Optional.of(ROOT.resolve("unified")) : Optional.empty();
  }

  /** Kills the children (by PID) and removes the cgroups, deepest first. */
  public void close() throws IOException, InterruptedException {
    for (Process p : children) {
      p.destroyForcibly(); // SIGKILL to our own child, by PID
    }
    for (Process p : children) {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("child " + p.pid() + " did not exit");
      }
    }
    created.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    IOException failure = null;
    for (Path dir : created) {
      for (int attempt = 0; ; attempt++) {
        try {
          Files.deleteIfExists(dir); // rmdir; the kernel refuses while tasks remain
          break;
        } catch (IOException e) {
          if (attempt >= 50) {
            failure = new IOException("cannot remove test cgroup " + dir, e);
            break;
          }
          Thread.sleep(20);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
