package io.berth.agent.config;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static pods from a manifest directory ({@code --pod-manifest-path}), as the kubelet's file source
 * ({@code pkg/kubelet/config/file.go}, {@code file_linux.go}): one pod per file, changes seen
 * through a {@link WatchService} and a periodic full re-scan as a safety net; every scan or change
 * sends the whole state as a {@link SourceSnapshot}.
 *
 * <p>Which files: regular files (symlinks followed) directly in the directory whose names end in
 * {@code .yaml}, {@code .yml} or {@code .json} and do not start with a dot. The kubelet tries every
 * non-dot file; berth's extension filter also skips editor and backup files ({@code a.yaml~},
 * {@code a.yaml.swp}, {@code #a.yaml#}, vim's {@code 4913}).
 *
 * <p>A file that cannot be decoded or is invalid is rejected with its path and reason (one log line
 * per distinct content, a {@link RejectedManifest} in the snapshot). If an earlier version of the
 * same file was valid, its pod is kept until the file becomes valid again or is removed: a bad edit
 * never stops a running static pod. (The kubelet's watch path keeps it too, but its periodic
 * re-list then drops it; berth keeps it consistently.) Two files that declare the same pod: the
 * file whose pod is already running keeps it, else the first file in name order wins; the other is
 * rejected.
 *
 * <p>Thread safety: {@link #rescan()} and the watch thread are serialized on this object.
 */
public final class FileSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileSource.class);
  private static final List<String> EXTENSIONS = List.of(".yaml", ".yml", ".json");
  private static final Duration SETTLE = Duration.ofMillis(20);

  private final Path dir;
  private final ManifestReader reader;
  private final SnapshotSink sink;
  private final Clock clock;
  private final Map<Path, Entry> entries = new TreeMap<>();
  private Map<String, Path> nameOwners = new HashMap<>();
  private Map<Path, RejectedManifest> duplicates = new HashMap<>();
  private volatile Thread thread;
  private volatile WatchService watcher;

  /** What berth knows about one file: its content digest, last valid pod, current rejection. */
  private record Entry(byte[] digest, Pod lastGood, RejectedManifest rejection) {}

  public FileSource(Path dir, ManifestReader reader, SnapshotSink sink, Clock clock) {
    this.dir = dir.toAbsolutePath().normalize();
    this.reader = Objects.requireNonNull(reader, "reader");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
    sink.register(ConfigSource.FILE);
  }

  /** The watched directory. */
  public Path directory() {
    return dir;
  }

  /** Which file currently provides which pod (full name): the last valid version of each file. */
  public synchronized Map<Path, String> podsByFile() {
    Map<Path, String> out = new TreeMap<>();
    entries.forEach(
        (file, entry) -> {
          if (entry.lastGood != null) {
            out.put(file, PodConfig.fullName(entry.lastGood));
          }
        });
    return out;
  }

  /** Whether {@code name} is a manifest file name berth reads. */
  public static boolean isManifestName(String name) {
    if (name.startsWith(".")) {
      return false;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    return EXTENSIONS.stream().anyMatch(lower::endsWith);
  }

  /**
   * Lists the directory, re-reads changed files, forgets removed ones and sends a snapshot. A
   * missing directory is an empty source (as in the kubelet); an unreadable one sends nothing.
   */
  public synchronized void rescan() {
    if (!Files.isDirectory(dir)) {
      log.warn("Static pod path {} does not exist or is not a directory; no static pods", dir);
      entries.clear();
      send();
      return;
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        if (isManifestName(p.getFileName().toString())) {
          files.add(p);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.error(
          "Cannot list static pod path {}; keeping the pods known from it: {}", dir, e.toString());
      return;
    }
    entries.keySet().retainAll(files);
    for (Path f : files) {
      refresh(f);
    }
    send();
  }

  /** Re-reads the named files (relative to the directory) and sends a snapshot. */
  public synchronized void filesChanged(List<Path> names) {
    for (Path name : names) {
      Path f = dir.resolve(name.getFileName());
      if (isManifestName(f.getFileName().toString())) {
        refresh(f);
      }
    }
    send();
  }

  /** Reads one file into {@link #entries}; a vanished or non-regular file is forgotten. */
  private void refresh(Path file) {
    if (!Files.isRegularFile(file)) {
      if (Files.isDirectory(file)) {
        log.debug("Not recursing into directory {}", file);
      }
      entries.remove(file);
      return;
    }
    Entry old = entries.get(file);
    byte[] data;
    try (InputStream in = Files.newInputStream(file)) {
      data = in.readNBytes(ManifestDecoder.MAX_MANIFEST_BYTES + 1);
    } catch (NoSuchFileException e) {
      entries.remove(file);
      return;
    } catch (IOException | RuntimeException e) {
      reject(file, old, null, "cannot read file: " + e);
      return;
    }
    byte[] digest = sha256(data);
    if (old != null && Arrays.equals(old.digest, digest)) {
      return;
    }
    switch (reader.read(data, ConfigSource.FILE, file.toString())) {
      case ManifestReader.Result.Accepted a -> {
        entries.put(file, new Entry(digest, a.pods().get(0), null));
        log.debug("Read static pod manifest {}", file);
      }
      case ManifestReader.Result.Rejected r -> reject(file, old, digest, r.reason());
    }
  }

  private void reject(Path file, Entry old, byte[] digest, String reason) {
    Pod kept = old == null ? null : old.lastGood;
    RejectedManifest rejection =
        old != null && old.rejection != null && old.rejection.reason().equals(reason)
            ? old.rejection
            : new RejectedManifest(ConfigSource.FILE, file.toString(), reason, clock.instant());
    if (rejection != (old == null ? null : old.rejection)) {
      log.warn(
          "Rejected static pod manifest {}{}: {}",
          file,
          kept == null ? "" : " (keeping its last valid version)",
          reason);
    }
    entries.put(file, new Entry(digest == null ? new byte[0] : digest, kept, rejection));
  }

  /** Builds the snapshot: one pod per file, duplicate names resolved, and sends it. */
  private void send() {
    List<Pod> pods = new ArrayList<>();
    List<RejectedManifest> rejected = new ArrayList<>();
    Map<String, Path> owners = new HashMap<>();
    Map<Path, RejectedManifest> newDuplicates = new HashMap<>();
    // Incumbents first: a file whose pod name it already owned keeps it.
    for (Map.Entry<Path, Entry> e : entries.entrySet()) {
      Pod pod = e.getValue().lastGood;
      if (pod != null && e.getKey().equals(nameOwners.get(PodConfig.fullName(pod)))) {
        owners.put(PodConfig.fullName(pod), e.getKey());
      }
    }
    for (Map.Entry<Path, Entry> e : entries.entrySet()) {
      Entry entry = e.getValue();
      if (entry.rejection != null) {
        rejected.add(entry.rejection);
      }
      Pod pod = entry.lastGood;
      if (pod == null) {
        continue;
      }
      String name = PodConfig.fullName(pod);
      Path owner = owners.putIfAbsent(name, e.getKey());
      if (owner == null || owner.equals(e.getKey())) {
        pods.add(pod);
      } else if (entry.rejection == null) {
        String reason = "duplicate pod name " + name + ": already defined in " + owner;
        RejectedManifest old = duplicates.get(e.getKey());
        RejectedManifest dup =
            old != null && old.reason().equals(reason)
                ? old
                : new RejectedManifest(
                    ConfigSource.FILE, e.getKey().toString(), reason, clock.instant());
        if (dup != old) {
          log.warn("Rejected static pod manifest {}: {}", e.getKey(), reason);
        }
        newDuplicates.put(e.getKey(), dup);
        rejected.add(dup);
      }
    }
    nameOwners = owners;
    duplicates = newDuplicates;
    sink.merge(new SourceSnapshot(ConfigSource.FILE, pods, rejected));
  }

  /**
   * Starts the watch thread: inotify events through a {@link WatchService}, a full re-scan right
   * away and every {@code rescanPeriod} (the kubelet's {@code --file-check-frequency}, 20 s).
   */
  public synchronized void start(Duration rescanPeriod) {
    if (thread != null) {
      throw new IllegalStateException("file source for " + dir + " already started");
    }
    thread =
        Thread.ofPlatform().daemon().name("berth-file-source").start(() -> runLoop(rescanPeriod));
  }

  private void runLoop(Duration rescanPeriod) {
    long nextRescan = clock.millis();
    Duration retry = Duration.ofSeconds(1);
    while (!Thread.currentThread().isInterrupted()) {
      try {
        if (watcher == null && Files.isDirectory(dir)) {
          try {
            WatchService ws = dir.getFileSystem().newWatchService();
            dir.register(
                ws,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
            watcher = ws;
            retry = Duration.ofSeconds(1);
            nextRescan = clock.millis();
          } catch (IOException e) {
            log.warn("Cannot watch {} (retrying, re-scans continue): {}", dir, e.toString());
            retry =
                retry.multipliedBy(2).compareTo(rescanPeriod) > 0
                    ? rescanPeriod
                    : retry.multipliedBy(2);
          }
        }
        long now = clock.millis();
        if (now >= nextRescan) {
          rescan();
          nextRescan = now + rescanPeriod.toMillis();
        }
        long wait = Math.max(1, nextRescan - clock.millis());
        WatchService ws = watcher;
        if (ws == null) {
          Thread.sleep(Math.min(wait, retry.toMillis()));
          continue;
        }
        WatchKey key = ws.poll(wait, TimeUnit.MILLISECONDS);
        if (key != null) {
          handle(ws, key);
        }
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        log.error("Static pod watch on {} failed; re-scanning", dir, e);
        closeWatcher();
        nextRescan = clock.millis();
      }
    }
  }

  /**
   * Handles one burst of events. Creations and modifications are handled at once, together with
   * whatever events are already queued (a new manifest should not wait). Once the burst holds the
   * removal of a manifest (a temporary file renamed into place does not count) or a manifest that
   * is still empty (created, not written yet), events that follow within {@link #SETTLE} (20 ms)
   * are taken into it too, so an editor's save (rename the old file away, write the new one) is
   * seen as one change of the file rather than a removal and an addition that would restart the
   * pod.
   */
  private void handle(WatchService ws, WatchKey first) throws InterruptedException {
    Set<Path> changed = new LinkedHashSet<>();
    boolean overflow = false;
    boolean removal = false;
    WatchKey key = first;
    while (key != null) {
      for (WatchEvent<?> event : key.pollEvents()) {
        if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
          overflow = true;
        } else if (event.context() instanceof Path p) {
          changed.add(p);
          removal |=
              event.kind() == StandardWatchEventKinds.ENTRY_DELETE
                  && isManifestName(p.getFileName().toString());
        }
      }
      if (!key.reset()) {
        log.warn("Watch on {} was cancelled (directory removed?); re-scanning", dir);
        closeWatcher();
        overflow = true;
        break;
      }
      key =
          removal || beingWritten(changed)
              ? ws.poll(SETTLE.toMillis(), TimeUnit.MILLISECONDS)
              : ws.poll();
    }
    if (overflow) {
      rescan();
    } else if (!changed.isEmpty()) {
      filesChanged(new ArrayList<>(changed));
    }
  }

  /** A changed manifest that is still empty: created, its content not written yet. */
  private boolean beingWritten(Set<Path> changed) {
    for (Path name : changed) {
      Path f = dir.resolve(name.getFileName());
      try {
        if (isManifestName(f.getFileName().toString()) && Files.size(f) == 0) {
          return true;
        }
      } catch (IOException gone) {
        // removed again: nothing is being written
      }
    }
    return false;
  }

  private void closeWatcher() {
    WatchService ws = watcher;
    watcher = null;
    if (ws != null) {
      try {
        ws.close();
      } catch (IOException e) {
        log.debug("Closing the watch service of {} failed: {}", dir, e.toString());
      }
    }
  }

  /** Stops the watch thread and waits for it. */
  @Override
  public void close() {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      closeWatcher();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
