package io.berth.agent.pod;

import io.berth.agent.kuberuntime.ContainerGc;
import io.berth.agent.kuberuntime.GcPolicy;
import io.berth.agent.kuberuntime.RuntimeLabels;
import io.berth.cri.Container;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.CriException;
import io.berth.cri.CriNotFoundException;
import io.berth.cri.CriUnavailableException;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.RuntimeService;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's container garbage collector (kuberuntime_gc.go {@code GarbageCollect}), run every
 * {@link #PERIOD} by berth: removes what {@link ContainerGc} plans (dead containers with their log
 * files, rotated ones included; dead sandboxes), then the pod log directories ({@code
 * <ns>_<name>_<uid>}) and the {@link PodCgroups} of pods whose content may be removed.
 *
 * <p>Thread safety: {@link #collect()} runs on one timer thread; it only reads the predicate.
 */
public final class ContainerGarbageCollector {
  private static final Logger log = LoggerFactory.getLogger(ContainerGarbageCollector.class);

  /** The kubelet's {@code ContainerGCPeriod}. */
  public static final Duration PERIOD = Duration.ofMinutes(1);

  private final Supplier<RuntimeService> runtime;
  private final GcPolicy policy;
  private final Supplier<Predicate<String>> podContentRemovable;
  private final Path podLogsRoot;
  private final PodCgroups podCgroups;
  private final Clock clock;

  /**
   * @param podContentRemovable a snapshot, taken once per collection, of whether a pod UID's
   *     content may go (deleted, or unknown with all sources ready); false for every pod while the
   *     sources are not ready
   */
  public ContainerGarbageCollector(
      Supplier<RuntimeService> runtime,
      GcPolicy policy,
      Supplier<Predicate<String>> podContentRemovable,
      Path podLogsRoot,
      PodCgroups podCgroups,
      Clock clock) {
    this.runtime = runtime;
    this.policy = policy;
    this.podContentRemovable = podContentRemovable;
    this.podLogsRoot = podLogsRoot;
    this.podCgroups = podCgroups;
    this.clock = clock;
  }

  /** One collection; failures are logged and retried on the next period. */
  public void collect() {
    try {
      collectOnce(podContentRemovable.get());
    } catch (RuntimeException e) { // keep the periodic task alive
      log.warn("container GC failed, retrying in the next period", e);
    }
  }

  private void collectOnce(Predicate<String> removable) {
    RuntimeService rt;
    try {
      rt = runtime.get();
    } catch (CriUnavailableException e) {
      log.debug("container GC waits for the runtime: {}", e.getMessage());
      return;
    }
    try {
      ContainerGc.Plan plan =
          ContainerGc.plan(
              policy,
              rt.listContainers(ContainerFilter.all()),
              rt.listPodSandbox(PodSandboxFilter.all()),
              removable,
              clock.instant());
      plan.containers().forEach(c -> removeContainer(rt, c));
      plan.sandboxes().forEach(s -> removeSandbox(rt, s));
    } catch (CriException e) {
      log.warn("container GC failed, retrying in the next period: {}", e.getMessage());
    }
    removePodLogDirectories(removable);
    podCgroups.removeOrphans(removable);
  }

  private void removeContainer(RuntimeService rt, Container c) {
    String what = "pod " + c.labels().get(RuntimeLabels.POD_NAME) + " container " + c.id();
    try {
      String logPath = rt.containerStatus(c.id()).logPath();
      if (c.state() == ContainerState.UNKNOWN) { // could be running: kill first, as the kubelet
        rt.stopContainer(c.id(), Duration.ZERO);
      }
      rt.removeContainer(c.id());
      removeLogs(logPath);
      log.debug("container GC: removed {} ({})", what, c.metadata().name());
    } catch (CriNotFoundException e) {
      log.debug("container GC: {} already gone", what);
    } catch (CriException e) {
      log.warn("container GC: could not remove {}: {}", what, e.getMessage());
    }
  }

  private static void removeSandbox(RuntimeService rt, PodSandbox s) {
    try {
      rt.stopPodSandbox(s.id()); // releases the network if that is still held
      rt.removePodSandbox(s.id());
      log.debug("container GC: removed sandbox {} ({})", s.id(), s.metadata().name());
    } catch (CriNotFoundException e) {
      log.debug("container GC: sandbox {} already gone", s.id());
    } catch (CriException e) {
      log.warn("container GC: could not remove sandbox {}: {}", s.id(), e.getMessage());
    }
  }

  /** The container's log file and its rotated files ({@code <path>.*}), as the kubelet's Clean. */
  private static void removeLogs(String logPath) {
    if (logPath == null || logPath.isEmpty()) {
      return;
    }
    Path file = Path.of(logPath);
    Path dir = file.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    String prefix = file.getFileName() + ".";
    List<Path> doomed = new ArrayList<>(List.of(file));
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (p.getFileName().toString().startsWith(prefix)) {
          doomed.add(p);
        }
      }
      for (Path p : doomed) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("container GC: could not remove the logs {}: {}", doomed, e.toString());
    }
  }

  /** Pod log directories {@code <ns>_<name>_<uid>} of pods whose content may be removed. */
  private void removePodLogDirectories(Predicate<String> removable) {
    if (!Files.isDirectory(podLogsRoot)) {
      return;
    }
    List<Path> dirs = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(podLogsRoot, Files::isDirectory)) {
      ds.forEach(dirs::add);
    } catch (IOException e) {
      log.warn("container GC: cannot list {}: {}", podLogsRoot, e.toString());
      return;
    }
    for (Path dir : dirs) {
      String[] parts = dir.getFileName().toString().split("_");
      if (parts.length != 3 || !removable.test(parts[2])) {
        continue;
      }
      try (var walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
        log.info("container GC: removed the log directory {} of a removed pod", dir);
      } catch (IOException e) {
        log.warn("container GC: could not remove {}: {}", dir, e.toString());
      }
    }
  }
}
