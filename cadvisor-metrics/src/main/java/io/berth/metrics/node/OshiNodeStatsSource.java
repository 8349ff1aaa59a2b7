package io.berth.metrics.node;

import io.berth.metrics.stats.InterfaceStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;
import oshi.hardware.GlobalMemory;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSFileStore;
import oshi.software.os.OperatingSystem;

/**
 * Node stats through OSHI: CPU ticks, memory, the filesystem holding {@code nodefsPath}, network
 * interfaces, load and task counts.
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

  /** The file store whose mount point is the longest prefix of {@code path}. */
  FilesystemStats filesystem(Path path) {
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
    return new FilesystemStats(
        best.getMount(),
        best.getTotalSpace(),
        best.getUsableSpace(),
        best.getTotalSpace() - best.getFreeSpace(),
        best.getTotalInodes(),
        best.getFreeInodes());
  }

  private List<InterfaceStats> network() {
    List<InterfaceStats> out = new ArrayList<>();
    for (NetworkIF nif : systemInfo.getHardware().getNetworkIFs(false)) {
      if (nif.getName().equals("lo")) {
        continue;
      }
      out.add(
          new InterfaceStats(
              nif.getName(),
              nif.getBytesRecv(),
              nif.getPacketsRecv(),
              nif.getInErrors(),
              nif.getInDrops(),
              nif.getBytesSent(),
              nif.getPacketsSent(),
              nif.getOutErrors(),
              0)); // OSHI has no transmit-drop counter
    }
    out.sort(Comparator.comparing(InterfaceStats::name));
    return out;
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
