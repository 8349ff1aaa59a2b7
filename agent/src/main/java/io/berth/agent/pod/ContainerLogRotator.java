package io.berth.agent.pod;

import io.berth.agent.kuberuntime.RuntimeLabels;
import io.berth.cri.Container;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.CriException;
import io.berth.cri.CriUnavailableException;
import io.berth.cri.RuntimeService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's container log manager ({@code pkg/kubelet/logs/container_log_manager.go}): every
 * monitor interval, each running container of berth's whose log file reached {@code maxSize} is
 * rotated:
 *
 * <ol>
 *   <li>leftovers of an interrupted round go ({@code *.tmp}, an uncompressed file whose {@code .gz}
 *       exists);
 *   <li>the oldest rotated files go until {@code maxFiles - 2} remain (the live file and the one
 *       about to be rotated make {@code maxFiles});
 *   <li>rotated files not compressed yet are gzipped ({@code N.log.<timestamp>.gz});
 *   <li>{@code N.log} is renamed to {@code N.log.<yyyyMMdd-HHmmss>} and the runtime is asked to
 *       reopen the log ({@code ReopenContainerLog}); when that fails the rename is undone, for the
 *       next round.
 * </ol>
 *
 * <p>Thread safety: {@link #rotateAll()} runs on one timer thread.
 */
public final class ContainerLogRotator {
  private static final Logger log = LoggerFactory.getLogger(ContainerLogRotator.class);
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final String GZ = ".gz";
  private static final String TMP = ".tmp";

  private final Supplier<RuntimeService> runtime;
  private final long maxSize;
  private final int maxFiles;
  private final Clock clock;

  public ContainerLogRotator(
      Supplier<RuntimeService> runtime, long maxSize, int maxFiles, Clock clock) {
    if (maxFiles < 2) {
      throw new IllegalArgumentException(
          "containerLogMaxFiles must be at least 2, was " + maxFiles);
    }
    this.runtime = runtime;
    this.maxSize = maxSize;
    this.maxFiles = maxFiles;
    this.clock = clock;
  }

  /** One round over the running containers; failures are logged, the next round retries. */
  public void rotateAll() {
    RuntimeService rt;
    List<Container> running;
    try {
      rt = runtime.get();
      running = rt.listContainers(ContainerFilter.all().inState(ContainerState.RUNNING));
    } catch (CriUnavailableException e) {
      log.debug("log rotation waits for the runtime: {}", e.getMessage());
      return;
    } catch (RuntimeException e) {
      log.warn("log rotation: cannot list containers: {}", e.toString());
      return;
    }
    for (Container c : running) {
      if (!c.labels().containsKey(RuntimeLabels.POD_UID)) {
        continue; // not berth's
      }
      try {
        String path = rt.containerStatus(c.id()).logPath();
        if (path != null && !path.isEmpty()) {
          rotateIfNeeded(rt, c.id(), Path.of(path));
        }
      } catch (IOException | RuntimeException e) {
        log.warn(
            "log rotation of pod {} container {} ({}) failed: {}",
            c.labels().get(RuntimeLabels.POD_NAME),
            c.metadata().name(),
            c.id(),
            e.toString());
      }
    }
  }

  void rotateIfNeeded(RuntimeService rt, String id, Path live) throws IOException {
    long size;
    try {
      size = Files.size(live);
    } catch (NoSuchFileException e) {
      // a rotation whose reopen was lost (e.g. berth stopped in between): ask for the file again
      rt.reopenContainerLog(id);
      return;
    }
    if (size < maxSize) {
      return;
    }
    List<Path> rotated = cleanupUnused(rotatedFiles(live));
    rotated = removeExcess(rotated);
    for (Path p : rotated) {
      if (!p.getFileName().toString().endsWith(GZ)) {
        compress(p);
      }
    }
    Path target = live.resolveSibling(live.getFileName() + "." + TIMESTAMP.format(clock.instant()));
    if (Files.exists(target) || Files.exists(Path.of(target + GZ))) {
      log.debug("log rotation of {}: {} exists, next round", id, target);
      return;
    }
    Files.move(live, target);
    try {
      rt.reopenContainerLog(id);
    } catch (CriException e) {
      Files.move(target, live); // rotate again next round
      throw e;
    }
    log.debug("rotated the log of container {} to {}", id, target);
  }

  /** {@code <live>.*}, sorted by name: oldest first (the timestamps sort). */
  private static List<Path> rotatedFiles(Path live) throws IOException {
    String prefix = live.getFileName() + ".";
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(live.getParent())) {
      for (Path p : ds) {
        if (p.getFileName().toString().startsWith(prefix)) {
          found.add(p);
        }
      }
    }
    found.sort(null);
    return found;
  }

  /** Removes {@code *.tmp} and uncompressed files that also exist compressed. */
  private static List<Path> cleanupUnused(List<Path> files) throws IOException {
    List<Path> kept = new ArrayList<>();
    for (Path p : files) {
      String n = p.getFileName().toString();
      if (n.endsWith(TMP) || (!n.endsWith(GZ) && files.contains(p.resolveSibling(n + GZ)))) {
        Files.deleteIfExists(p);
      } else {
        kept.add(p);
      }
    }
    return kept;
  }

  private List<Path> removeExcess(List<Path> rotated) throws IOException {
    int keep = Math.max(0, maxFiles - 2);
    int excess = rotated.size() - keep;
    for (int i = 0; i < excess; i++) {
      Files.deleteIfExists(rotated.get(i));
    }
    return excess > 0 ? rotated.subList(excess, rotated.size()) : rotated;
  }

  /** {@code f} → {@code f.gz} through {@code f.gz.tmp}, then {@code f} is removed. */
  private static void compress(Path f) throws IOException {
    Path gz = Path.of(f + GZ);
    Path tmp = Path.of(gz + TMP);
    try (InputStream in = Files.newInputStream(f);
        OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp))) {
      in.transferTo(out);
    }
    Files.move(tmp, gz, StandardCopyOption.ATOMIC_MOVE);
    Files.delete(f);
  }
}
