package io.berth.agent.volume;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writes a payload of files into a volume directory so that readers see either the old or the new
 * set, never a mix (the kubelet's {@code AtomicWriter}):
 *
 * <pre>
 *   &lt;dir&gt;/key             → ..data/key          (user-visible symlink, one per top-level name)
 *   &lt;dir&gt;/..data          → ..2026_11_24_10_00_00.123456789   (swapped by rename)
 *   &lt;dir&gt;/..2026_11_24_…  (the files, written before the swap)
 * </pre>
 *
 * An unchanged payload writes nothing. Every path is checked by {@link PayloadPaths} first, so a
 * payload that would escape the directory changes nothing on disk.
 */
public final class AtomicWriter {
  static final String DATA_DIR = "..data";
  private static final String DATA_TMP = "..data_tmp";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss").withZone(ZoneOffset.UTC);

  private final Path dir;
  private final Clock clock;
  private final OptionalInt fsGroup;

  /**
   * @param fsGroup group that owns every written file and directory (the pod's {@code fsGroup}),
   *     empty to keep the writer's
   */
  public AtomicWriter(Path dir, Clock clock, OptionalInt fsGroup) {
    this.dir = dir;
    this.clock = clock;
    this.fsGroup = fsGroup;
  }

  /**
   * Makes {@code payload} the volume's content.
   *
   * @return true when something was written, false when the payload was already there
   */
  public boolean write(Map<String, FileProjection> payload) throws VolumeException {
    Map<String, FileProjection> clean = new TreeMap<>();
    for (Map.Entry<String, FileProjection> e : payload.entrySet()) {
      String p = PayloadPaths.check("path", e.getKey());
      clean.put(Path.of(p).normalize().toString(), e.getValue());
    }
    try {
      Files.createDirectories(dir);
      Path dataLink = dir.resolve(DATA_DIR);
      Path oldTs = currentTimestampDir(dataLink);
      if (oldTs != null && onDisk(oldTs, clean)) {
        ensureVisible(clean.keySet());
        return false;
      }
      Path ts = newTimestampDir();
      for (Map.Entry<String, FileProjection> e : clean.entrySet()) {
        writeFile(ts, e.getKey(), e.getValue());
      }
      Path tmp = dir.resolve(DATA_TMP);
      Files.deleteIfExists(tmp);
      Files.createSymbolicLink(tmp, ts.getFileName());
      try {
        Files.move(tmp, dataLink, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system of " + dir + " cannot rename atomically", e);
      }
      Set<String> visible = ensureVisible(clean.keySet());
      removeStaleVisible(visible);
      if (oldTs != null && !oldTs.equals(ts)) {
        deleteTree(oldTs);
      }
      return true;
    } catch (IOException e) {
      throw new VolumeException("writing " + dir + ": " + e.getMessage(), e);
    }
  }

  private Path currentTimestampDir(Path dataLink) throws IOException {
    if (!Files.isSymbolicLink(dataLink)) {
      return null;
    }
    Path target = Files.readSymbolicLink(dataLink);
    Path ts = dir.resolve(target.getFileName().toString());
    return Files.isDirectory(ts, LinkOption.NOFOLLOW_LINKS) ? ts : null;
  }

  private static boolean onDisk(Path ts, Map<String, FileProjection> payload) throws IOException {
    Set<String> found = new HashSet<>();
    try (Stream<Path> files = Files.walk(ts)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
          found.add(ts.relativize(f).toString());
        }
      }
    }
    if (!found.equals(payload.keySet())) {
      return false;
    }
    for (Map.Entry<String, FileProjection> e : payload.entrySet()) {
      Path f = ts.resolve(e.getKey());
      int mode = modeOf(Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS));
      if (!e.getValue().sameAs(Files.readAllBytes(f), mode)) {
        return false;
      }
    }
    return true;
  }

  private Path newTimestampDir() throws IOException {
    String stamp = ".." + STAMP.format(clock.instant()) + ".";
    while (true) {
      Path ts =
          dir.resolve(stamp + ThreadLocalRandom.current().nextInt(100_000_000, 1_000_000_000));
      try {
        Files.createDirectory(ts);
      } catch (FileAlreadyExistsException e) {
        continue;
      }
      Files.setPosixFilePermissions(ts, PosixFilePermissions.fromString("rwxr-xr-x"));
      own(ts);
      return ts;
    }
  }

  private void writeFile(Path ts, String relative, FileProjection file) throws IOException {
    Path target = ts.resolve(relative);
    for (Path p = target.getParent(); !p.equals(ts); p = p.getParent()) {
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        own(p);
      }
    }
    Files.write(target, file.data());
    Files.setPosixFilePermissions(target, permissions(file.mode()));
    own(target);
  }

  /** Creates {@code name → ..data/name} for each top-level name; returns the names. */
  private Set<String> ensureVisible(Set<String> paths) throws IOException {
    Set<String> top = new HashSet<>();
    for (String p : paths) {
      top.add(Path.of(p).getName(0).toString());
    }
    for (String name : top) {
      Path link = dir.resolve(name);
      if (!Files.isSymbolicLink(link)) {
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(DATA_DIR, name));
      }
    }
    return top;
  }

  private void removeStaleVisible(Set<String> visible) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        String name = e.getFileName().toString();
        if (!name.startsWith("..") && !visible.contains(name) && Files.isSymbolicLink(e)) {
          Files.delete(e);
        }
      }
    }
  }

  private void own(Path p) throws IOException {
    if (fsGroup.isPresent()) {
      Files.setAttribute(p, "unix:gid", fsGroup.getAsInt(), LinkOption.NOFOLLOW_LINKS);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = new HashSet<>();
    PosixFilePermission[] order = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if ((mode & (0400 >> i)) != 0) {
        set.add(order[i]);
      }
    }
    return set;
  }

  static int modeOf(Set<PosixFilePermission> perms) {
    int mode = 0;
    for (PosixFilePermission p : perms) {
      mode |= 0400 >> p.ordinal();
    }
    return mode;
  }
}
