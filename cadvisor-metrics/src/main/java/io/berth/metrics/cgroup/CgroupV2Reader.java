package io.berth.metrics.cgroup;

import static io.berth.metrics.cgroup.CgroupFile.key;

import io.berth.metrics.stats.CgroupStats;
import io.berth.metrics.stats.CpuStats;
import io.berth.metrics.stats.MemoryStats;
import io.berth.metrics.stats.ProcessStats;
import io.berth.metrics.stats.SpecLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reader for the cgroup v2 unified hierarchy.
 *
 * <p>Files read per cgroup: {@code cpu.stat}, {@code cpu.max}, {@code cpu.weight}, {@code
 * memory.current}, {@code memory.peak}, {@code memory.max}, {@code memory.stat}, {@code
 * memory.events}, {@code memory.swap.current}, {@code memory.swap.max}, {@code io.stat}, {@code
 * pids.current}, {@code pids.max}, {@code cgroup.procs}, {@code {cpu,memory,io}.pressure}. Files of
 * controllers not enabled in the parent's {@code cgroup.subtree_control} are simply absent and
 * leave their fields empty.
 */
public final class CgroupV2Reader implements CgroupReader {
  private static final Logger LOG = LoggerFactory.getLogger(CgroupV2Reader.class);

  private final Path root;
  private final Clock clock;

  /**
   * @param root the cgroup2 mount point (or a fixture directory laid out like it)
   * @param clock stamps each read
   */
  public CgroupV2Reader(Path root, Clock clock) {
    this.root = root;
    this.clock = clock;
  }

  /** Nothing is kept between collections: every file is opened, read and closed. */
  @Override
  public void endCollection() {}

  @Override
  public CgroupMode mode() {
    return CgroupMode.UNIFIED;
  }

  @Override
  public Optional<CgroupStats> read(String cgroupPath) {
    Path dir = CgroupReader.resolve(root, cgroupPath);
    if (!Files.isDirectory(dir)) {
      LOG.debug("cgroup {} not found under {}", cgroupPath, root);
      return Optional.empty();
    }
    Instant time = clock.instant();

    Map<String, Long> cpuStat = CgroupFile.readKeyed(dir.resolve("cpu.stat"));
    CpuStats cpu =
        new CpuStats(
            microsToNanos(key(cpuStat, "usage_usec")),
            microsToNanos(key(cpuStat, "user_usec")),
            microsToNanos(key(cpuStat, "system_usec")),
            key(cpuStat, "nr_periods"),
            key(cpuStat, "nr_throttled"),
            microsToNanos(key(cpuStat, "throttled_usec")));

    Map<String, Long> memStat = CgroupFile.readKeyed(dir.resolve("memory.stat"));
    Map<String, Long> events = CgroupFile.readKeyed(dir.resolve("memory.events"));
    OptionalLong usage = CgroupFile.readLong(dir.resolve("memory.current"));
    MemoryStats memory =
        new MemoryStats(
            usage,
            CgroupFile.readLong(dir.resolve("memory.peak")),
            MemoryStats.workingSet(usage, key(memStat, "inactive_file")),
            key(memStat, "anon"),
            key(memStat, "file"),
            key(memStat, "file_mapped"),
            CgroupFile.readLong(dir.resolve("memory.swap.current")),
            key(events, "max"),
            key(events, "oom_kill"),
            key(memStat, "pgfault"),
            key(memStat, "pgmajfault"));

    OptionalLong quota = OptionalLong.empty();
    OptionalLong period = OptionalLong.empty();
    Optional<String> cpuMax = CgroupFile.read(dir.resolve("cpu.max"));
    if (cpuMax.isPresent()) {
      String[] parts = cpuMax.get().trim().split(" ");
      if (parts.length == 2) {
        OptionalLong q = CgroupFile.parseLong(parts[0], dir.resolve("cpu.max"));
        quota = q.isPresent() && q.getAsLong() != CgroupFile.MAX ? q : OptionalLong.empty();
        period = CgroupFile.parseLong(parts[1], dir.resolve("cpu.max"));
      }
    }
    SpecLimits spec =
        new SpecLimits(
            weightToShares(CgroupFile.readLong(dir.resolve("cpu.weight"))),
            quota,
            period,
            SpecLimits.limitOrEmpty(CgroupFile.readLong(dir.resolve("memory.max"))),
            SpecLimits.limitOrEmpty(CgroupFile.readLong(dir.resolve("memory.swap.max"))));

    OptionalLong pidsMax = CgroupFile.readLong(dir.resolve("pids.max"));
    ProcessStats processes =
        new ProcessStats(
            CgroupFile.countLines(dir.resolve("cgroup.procs")),
            CgroupFile.readLong(dir.resolve("pids.current")),
            pidsMax.isPresent() && pidsMax.getAsLong() == CgroupFile.MAX
                ? OptionalLong.of(0)
                : pidsMax);

    var io = BlkioParser.v2(dir.resolve("io.stat"));
    var pressure = PressureReader.read(dir);
    if (!Files.isDirectory(dir)) {
      LOG.debug("cgroup {} vanished while being read", cgroupPath);
      return Optional.empty();
    }
    return Optional.of(
        new CgroupStats(cgroupPath, time, cpu, memory, io, processes, spec, pressure));
  }

  private static OptionalLong microsToNanos(OptionalLong micros) {
    return micros.isPresent() ? OptionalLong.of(micros.getAsLong() * 1000) : OptionalLong.empty();
  }

  /**
   * cgroup v2 {@code cpu.weight} (1..10000) back to v1 shares (2..262144), the inverse of runc's
   * shares→weight mapping; integer arithmetic, so the round trip is approximate.
   */
  static OptionalLong weightToShares(OptionalLong weight) {
    if (weight.isEmpty()) {
      return weight;
    }
    return OptionalLong.of(2 + ((weight.getAsLong() - 1) * 262142) / 9999);
  }
}
