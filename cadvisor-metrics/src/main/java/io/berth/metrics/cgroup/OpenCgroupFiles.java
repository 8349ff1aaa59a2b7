package io.berth.metrics.cgroup;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cgroup files kept open between collections and re-read with a positional read at offset 0.
 *
 * <pre>
 *   read(file) ──held?──no──▶ open, keep (unless {@code limit} files are held: open/read/close)
 *      │ yes
 *      ▼
 *   pread(fd, buf, offset 0)  ── ENODEV (cgroup removed) ──▶ close, forget, empty
 *   sweep() after each collection: close every file not read since the previous sweep
 * </pre>
 *
 * <p>Why: every cgroupfs file is a seq_file, and a read at offset 0 makes the kernel generate the
 * text again, so a held file gives current values for one {@code pread} instead of a path lookup,
 * open, read and close. A cold scrape at 110 pods reads about 3,100 such files; see the module
 * README for the measured cost per file both ways.
 *
 * <p>Bounds: files are keyed by path; a replaced container has a new id and so new paths, and the
 * files of vanished cgroups are closed by the next {@link #sweep()} (the collector sweeps after
 * every collection) or at once when a read answers ENODEV. Nothing is held while nobody scrapes
 * except the files of the last collection. At most {@code limit} files are held (by default a
 * quarter of the process's descriptor limit, at most {@value #MAX_DEFAULT_LIMIT}); past it, files
 * are read the one-shot way. Each held file costs one descriptor and kernel memory for its open
 * file, seq_file and the seq_file's page-sized buffer, which the kernel keeps until close.
 *
 * <p>Thread safety: {@link #read} may run on many threads; {@link #sweep()} and {@link #close()}
 * may run concurrently with reads (a read whose file is closed under it reads it once more, one
 * shot).
 */
public final class OpenCgroupFiles implements FileText, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpenCgroupFiles.class);

  /** Upper bound of the default limit. */
  public static final int MAX_DEFAULT_LIMIT = 16_384;

  private static final int BUFFER_BYTES = 16 * 1024;

  private static final class Held {
    final FileChannel channel;
    volatile long usedIn;

    Held(FileChannel channel) {
      this.channel = channel;
    }
  }

  /** A direct buffer for the kernel to fill and a heap copy to decode, reused between reads. */
  private static final class Scratch {
    ByteBuffer direct = ByteBuffer.allocateDirect(BUFFER_BYTES);
    byte[] heap = new byte[BUFFER_BYTES];

    void grow() {
      ByteBuffer bigger = ByteBuffer.allocateDirect(direct.capacity() * 2);
      direct.flip();
      bigger.put(direct);
      direct = bigger;
      heap = new byte[bigger.capacity()];
    }
  }

  private final Map<Path, Held> held = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Scratch> scratch = new ConcurrentLinkedQueue<>();
  private final int limit;
  private volatile long generation;

  /**
   * @param limit how many files may be held open at once; {@code 0} reads every file one-shot
   */
  public OpenCgroupFiles(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    this.limit = limit;
  }

  /** Holds up to a quarter of this process's descriptor limit, at most 16,384 files. */
  public static OpenCgroupFiles withDefaultLimit() {
    long maxFds = 4096;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      maxFds = unix.getMaxFileDescriptorCount();
    }
    return new OpenCgroupFiles((int) Math.min(MAX_DEFAULT_LIMIT, Math.max(0, maxFds / 4)));
  }

  @Override
  public Optional<String> read(Path file) {
    Held h = held.get(file);
    if (h == null) {
      if (held.size() >= limit) {
        return CgroupFile.read(file);
      }
      h = open(file);
      if (h == null) {
        return Optional.empty();
      }
    }
    h.usedIn = generation;
    Scratch s = scratch.poll();
    if (s == null) {
      s = new Scratch();
    }
    try {
      return Optional.of(readAtZero(h.channel, s));
    } catch (ClosedChannelException e) {
      // swept or closed while this read ran (or the reading thread was interrupted)
      held.remove(file, h);
      return CgroupFile.read(file);
    } catch (IOException e) {
      // ENODEV: the cgroup was removed; its files answer nothing any more
      forget(file, h);
      LOG.debug("cgroup file {} no longer readable, closed: {}", file, e.toString());
      return Optional.empty();
    } finally {
      scratch.offer(s);
    }
  }

  /**
   * Closes every file not read since the previous sweep (those of vanished or replaced containers).
   *
   * @return how many files were closed
   */
  public int sweep() {
    long current = generation;
    generation = current + 1;
    int closed = 0;
    for (Iterator<Map.Entry<Path, Held>> it = held.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Path, Held> e = it.next();
      if (e.getValue().usedIn < current) {
        it.remove();
        closeQuietly(e.getKey(), e.getValue());
        closed++;
      }
    }
    return closed;
  }

  /** How many files are held open now. */
  public int size() {
    return held.size();
  }

  /** Closes every held file; later reads open them again. */
  @Override
  public void close() {
    for (Iterator<Map.Entry<Path, Held>> it = held.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Path, Held> e = it.next();
      it.remove();
      closeQuietly(e.getKey(), e.getValue());
    }
  }

  private Held open(Path file) {
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return null; // optional files, or a cgroup that is gone: normal
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot open cgroup file {}: {}", file, e.toString());
      return null;
    }
    Held mine = new Held(channel);
    Held other = held.putIfAbsent(file, mine);
    if (other != null) {
      closeQuietly(file, mine); // another reader opened it first
      return other;
    }
    return mine;
  }

  /**
   * Reads the whole file from offset 0. A read that returns less than the space left ends the file
   * (seq_file fills the buffer unless it is at the end), as in {@link CgroupFile#read(Path)}.
   */
  private static String readAtZero(FileChannel channel, Scratch s) throws IOException {
    ByteBuffer buf = s.direct;
    buf.clear();
    long position = 0;
    while (true) {
      int asked = buf.remaining();
      int n = channel.read(buf, position);
      if (n <= 0) {
        break;
      }
      position += n;
      if (n < asked) {
        break;
      }
      if (!buf.hasRemaining()) {
        s.grow();
        buf = s.direct;
      }
    }
    int length = buf.position();
    buf.get(0, s.heap, 0, length);
    return new String(s.heap, 0, length, StandardCharsets.ISO_8859_1);
  }

  private void forget(Path file, Held h) {
    if (held.remove(file, h)) {
      closeQuietly(file, h);
    }
  }

  private static void closeQuietly(Path file, Held h) {
    try {
      h.channel.close();
    } catch (IOException e) {
      LOG.debug("closing cgroup file {}: {}", file, e.toString());
    }
  }
}
