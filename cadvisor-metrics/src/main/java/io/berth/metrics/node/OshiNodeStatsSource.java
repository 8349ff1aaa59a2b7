package io.berth.metrics.node;

import com.sun.jna.Native;
import com.sun.jna.platform.linux.LibC;
import io.berth.metrics.procfs.NetDevReader;
import io.berth.metrics.stats.InterfaceStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;
import oshi.hardware.GlobalMemory;
import oshi.software.os.OSFileStore;
import oshi.software.os.OperatingSystem;

/**
 * Node stats through OSHI: CPU ticks, memory, the filesystem holding {@code nodefsPath}, load and
 * task counts; network counters from {@code /proc/<own pid>/net/dev} (berth's network namespace,
 * the node's), as cAdvisor reads them.
 *
 * <p>Cost per read matters (it runs on every cold scrape): OSHI's {@code getNetworkIFs} reads about
 * 15 sysfs files and asks udev for the model of every interface, which at 110 pods (110 veths) was
 * two thirds of a {@code /metrics/cadvisor} collection; one {@code net/dev} read gives the same
 * counters plus transmit drops. The nodefs mount is found once through OSHI; its usage then comes
 * from one {@code statvfs(2)} of the nodefs path per read (OSHI's {@code updateAttributes} parses
 * the whole mount table again, hundreds of entries with 110 pods' shm, netns and rootfs mounts:
 * 40–130 ms measured under load, paid by every scrape of a Prometheus scraping less often than a
 * cache could cover).
 *
 * <p>Thread safety: OSHI objects are created once; {@link #read()} may be called from one scrape at
 * a time (the collector serialises collections).
 */
public final class OshiNodeStatsSource implements NodeStatsSource {
  private final CentralProcessor processor;
  private final GlobalMemory memory;
  private final OperatingSystem os;
  private final SystemInfo systemInfo;
  private final Path nodefsPath;
  private final Path pidMaxFile;
  private final Clock clock;
  private final NetDevReader netDev = new NetDevReader(Path.of("/proc"));
  private String nodefsMount;

  /**
   * @param nodefsPath the kubelet root directory (e.g. {@code /var/lib/berth}); its filesystem is
   *     nodefs
   * @param clock stamps each read
   */
  public OshiNodeStatsSource(Path nodefsPath, Clock clock) {
    this.systemInfo = new SystemInfo();
    this.processor = systemInfo.getHardware().getProcessor();
    this.memory = systemInfo.getHardware().getMemory();
    this.os = systemInfo.getOperatingSystem();
    this.nodefsPath = nodefsPath;
    this.pidMaxFile = Path.of("/proc/sys/kernel/pid_max");
    this.clock = clock;
  }

  @Override
  public NodeStats read() {
    Instant time = clock.instant();
    long[] ticks = processor.getSystemCpuLoadTicks(); // milliseconds per tick type
    long busyMillis = 0;
    for (TickType type : TickType.values()) {
      if (type != TickType.IDLE && type != TickType.IOWAIT) {
        busyMillis += ticks[type.getIndex()];
      }
    }
    long total = memory.getTotal();
    long available = memory.getAvailable();
    double[] load = processor.getSystemLoadAverage(3);
    return new NodeStats(
        time,
        Instant.ofEpochSecond(os.getSystemBootTime()),
        processor.getLogicalProcessorCount(),
        busyMillis * 1_000_000L,
        total,
        available,
        total - available,
        filesystem(nodefsPath),
        network(),
        List.of(load[0], load[1], load[2]),
        pidMax(),
        os.getThreadCount());
  }

  /** Usage of the filesystem holding {@code path}: its mount found once, one statvfs per read. */
  private FilesystemStats filesystem(Path path) {
    if (nodefsMount == null) {
      nodefsMount = findStore(path).getMount();
    }
    LibC.Statvfs vfs = new LibC.Statvfs();
    if (LibC.INSTANCE.statvfs(path.toString(), vfs) != 0) {
      nodefsMount = null; // searched again on the next read
      throw new NodeStatsException(
          "statvfs of nodefs path " + path + " failed (errno " + Native.getLastError() + ")", null);
    }
    long fragment = vfs.f_frsize.longValue();
    long total = vfs.f_blocks.longValue() * fragment;
    return new FilesystemStats(
        nodefsMount,
        total,
        vfs.f_bavail.longValue() * fragment,
        total - vfs.f_bfree.longValue() * fragment,
        vfs.f_files.longValue(),
        vfs.f_ffree.longValue());
  }

  /** The file store whose mount point is the longest prefix of {@code path}. */
  private OSFileStore findStore(Path path) {
    Path real;
    try {
      real = path.toRealPath();
    } catch (IOException e) {
      throw new NodeStatsException("cannot resolve nodefs path " + path, e);
    }
    OSFileStore best = null;
    for (OSFileStore store : os.getFileSystem().getFileStores(true)) {
      Path mount = Path.of(store.getMount());
      if (real.startsWith(mount)
          && (best == null || mount.getNameCount() > Path.of(best.getMount()).getNameCount())) {
        best = store;
      }
    }
    if (best == null) {
      throw new NodeStatsException("no filesystem found for nodefs path " + real, null);
    }
    return best;
  }

  private List<InterfaceStats> network() {
    return netDev.read(ProcessHandle.current().pid());
  }

  /**
   * Reads {@code pid_max} in a single read(2): sysctl files answer only a read at offset 0, so
   * {@code Files.readString} (which probes with a one-byte read first because procfs reports size
   * 0) would see just the first digit.
   */
  private long pidMax() {
    try (InputStream in = Files.newInputStream(pidMaxFile)) {
      byte[] buffer = new byte[64];
      int n = in.read(buffer);
      if (n <= 0) {
        throw new NodeStatsException("empty " + pidMaxFile, null);
      }
      return Long.parseLong(new String(buffer, 0, n, StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      throw new NodeStatsException("cannot read " + pidMaxFile, e);
    }
  }
}
