package io.berth.metrics.cgroup;

import static io.berth.metrics.cgroup.CgroupFile.firstKey;
import static io.berth.metrics.cgroup.CgroupFile.key;

import io.berth.metrics.stats.CgroupStats;
import io.berth.metrics.stats.CpuStats;
import io.berth.metrics.stats.MemoryStats;
import io.berth.metrics.stats.PressureStats;
import io.berth.metrics.stats.ProcessStats;
import io.berth.metrics.stats.SpecLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reader for cgroup v1 split hierarchies ({@code cpu}, {@code cpuacct}, {@code memory}, {@code
 * blkio}, {@code pids}), plus PSI from the unified mount of a hybrid host when present.
 *
 * <p>Files read per cgroup: {@code cpuacct.usage}, {@code cpuacct.stat}, {@code cpu.stat}, {@code
 * cpu.shares}, {@code cpu.cfs_quota_us}, {@code cpu.cfs_period_us}, {@code memory.stat}, {@code
 * memory.usage_in_bytes}, {@code memory.max_usage_in_bytes}, {@code memory.limit_in_bytes}, {@code
 * memory.memsw.limit_in_bytes}, {@code memory.failcnt}, {@code memory.oom_control}, {@code
 * blkio.throttle.io_service_bytes_recursive}, {@code blkio.throttle.io_serviced_recursive}, {@code
 * pids.current}, {@code pids.max}, {@code cgroup.procs} (unified hierarchy on hybrid hosts, else
 * pids) and, on hybrid hosts, {@code {cpu,memory,io}.pressure} in the unified hierarchy.
 *
 * <p>Per scrape ("cold", i.e. past the collector's short cache) it reads 14 files of a cgroup
 * without a CFS quota and 15 with one ({@code cpu.stat} only matters with a quota). The static
 * files ({@code cpu.shares}, {@code cpu.cfs_quota_us}, {@code cpu.cfs_period_us}, {@code
 * memory.limit_in_bytes}, {@code memory.memsw.limit_in_bytes}, {@code pids.max}) are read on a
 * cgroup's first scrape and then kept in a {@link CgroupSpecCache} (60 s; a replaced container has
 * a new path and is read fresh).
 */
public final class CgroupV1Reader implements CgroupReader {
  private static final Logger LOG = LoggerFactory.getLogger(CgroupV1Reader.class);

  /**
   * The files read on every (cold) read of a cgroup, as {@code controller/file}; {@code unified}
   * stands for the cgroup2 mount of a hybrid host ({@code cgroup.procs} comes from {@code pids/}
   * where there is none). For benchmarks and docs: the reader below is the authority.
   */
  public static final List<String> FILES_PER_READ =
      List.of(
          "cpuacct/cpuacct.usage",
          "cpuacct/cpuacct.stat",
          "memory/memory.usage_in_bytes",
          "memory/memory.stat",
          "memory/memory.max_usage_in_bytes",
          "memory/memory.failcnt",
          "memory/memory.oom_control",
          "unified/cgroup.procs",
          "pids/pids.current",
          "blkio/blkio.throttle.io_service_bytes_recursive",
          "blkio/blkio.throttle.io_serviced_recursive",
          "unified/cpu.pressure",
          "unified/memory.pressure",
          "unified/io.pressure");

  /** Read on every read too, but only for a cgroup with a CFS quota. */
  public static final String FILE_WITH_QUOTA = "cpu/cpu.stat";

  /** Read on a cgroup's first read, then kept in the {@link CgroupSpecCache}. */
  public static final List<String> STATIC_FILES =
      List.of(
          "cpu/cpu.shares",
          "cpu/cpu.cfs_quota_us",
          "cpu/cpu.cfs_period_us",
          "memory/memory.limit_in_bytes",
          "memory/memory.memsw.limit_in_bytes",
          "pids/pids.max");

  /** USER_HZ is 100 on every Linux architecture berth runs on; cpuacct.stat counts in it. */
  private static final long NANOS_PER_USER_HZ_TICK = 10_000_000L;

  private final Map<String, Path> mounts;
  private final Optional<Path> unified;
  private final Clock clock;
  private final CgroupSpecCache specCache;
  private final FileText files;

  /**
   * A reader that keeps static files for {@link CgroupSpecCache#DEFAULT_MAX_AGE}.
   *
   * @param mounts v1 controller name to mount point (see {@link CgroupMounts})
   * @param unified the cgroup2 mount of a hybrid host, for PSI files
   * @param clock stamps each read
   */
  public CgroupV1Reader(Map<String, Path> mounts, Optional<Path> unified, Clock clock) {
    this(mounts, unified, clock, new CgroupSpecCache(clock, CgroupSpecCache.DEFAULT_MAX_AGE));
  }

  /**
   * @param specCache where limits, shares, quota/period and {@code pids.max} are kept between reads
   */
  public CgroupV1Reader(
      Map<String, Path> mounts, Optional<Path> unified, Clock clock, CgroupSpecCache specCache) {
    this(mounts, unified, clock, specCache, new OpenCgroupFiles(0));
  }

  /**
   * @param openFiles keeps the files read on every scrape open between scrapes ({@code new
   *     OpenCgroupFiles(0)} opens, reads and closes each file every time); swept by {@link
   *     #endCollection()}
   */
  public CgroupV1Reader(
      Map<String, Path> mounts,
      Optional<Path> unified,
      Clock clock,
      CgroupSpecCache specCache,
      OpenCgroupFiles openFiles) {
    this.mounts = Map.copyOf(mounts);
    this.unified = unified;
    this.clock = clock;
    this.specCache = specCache;
    this.files = openFiles;
  }

  /**
   * A reader over a directory laid out like {@code /sys/fs/cgroup}: {@code root/cpu}, {@code
   * root/cpuacct}, {@code root/memory}, {@code root/blkio}, {@code root/pids}, and {@code
   * root/unified} if it exists. Used for fixture trees and for the standard host layout.
   */
  public static CgroupV1Reader ofRoot(Path root, Clock clock) {
    return ofRoot(root, clock, new CgroupSpecCache(clock, CgroupSpecCache.DEFAULT_MAX_AGE));
  }

  /** {@link #ofRoot(Path, Clock)} with the given cache of static files. */
  public static CgroupV1Reader ofRoot(Path root, Clock clock, CgroupSpecCache specCache) {
    return ofRoot(root, clock, specCache, new OpenCgroupFiles(0));
  }

  /**
   * {@link #ofRoot(Path, Clock, CgroupSpecCache)} keeping per-scrape files open in {@code open}.
   */
  public static CgroupV1Reader ofRoot(
      Path root, Clock clock, CgroupSpecCache specCache, OpenCgroupFiles open) {
    Map<String, Path> mounts = new HashMap<>();
    for (String controller : CgroupMounts.READ_CONTROLLERS) {
      mounts.put(controller, root.resolve(controller));
    }
    Path unified = root.resolve("unified");
    return new CgroupV1Reader(
        mounts,
        Files.isDirectory(unified) ? Optional.of(unified) : Optional.empty(),
        clock,
        specCache,
        open);
  }

  @Override
  public CgroupMode mode() {
    return unified.isPresent() ? CgroupMode.HYBRID : CgroupMode.V1;
  }

  @Override
  public Optional<CgroupStats> read(String cgroupPath) {
    Path cpuacct = dir("cpuacct", cgroupPath);
    Path memory = dir("memory", cgroupPath);
    Instant time = clock.instant();
    OptionalLong cpuUsage = CgroupFile.readLong(files, cpuacct.resolve("cpuacct.usage"));
    OptionalLong usage = CgroupFile.readLong(files, memory.resolve("memory.usage_in_bytes"));
    if (cpuUsage.isEmpty() && usage.isEmpty() && !exists(cpuacct, memory)) {
      LOG.debug("cgroup {} not found under cpuacct or memory", cgroupPath);
      return Optional.empty();
    }
    Path cpu = dir("cpu", cgroupPath);
    Path blkio = dir("blkio", cgroupPath);
    Path pids = dir("pids", cgroupPath);
    CgroupSpecCache.Static fixed = specCache.get(cgroupPath, p -> readStatic(cpu, memory, pids));
    SpecLimits spec = fixed.spec();

    // cpu.stat holds only the CFS counters, which are exported only when a quota is set
    Map<String, Long> cpuStat =
        spec.cpuQuotaMicros().isPresent()
            ? CgroupFile.readKeyed(files, cpu.resolve("cpu.stat"))
            : Map.of();
    Map<String, Long> cpuacctStat = CgroupFile.readKeyed(files, cpuacct.resolve("cpuacct.stat"));
    CpuStats cpuStats =
        new CpuStats(
            cpuUsage,
            ticksToNanos(key(cpuacctStat, "user")),
            ticksToNanos(key(cpuacctStat, "system")),
            key(cpuStat, "nr_periods"),
            key(cpuStat, "nr_throttled"),
            key(cpuStat, "throttled_time"));

    Map<String, Long> memStat = CgroupFile.readKeyed(files, memory.resolve("memory.stat"));
    MemoryStats memoryStats =
        new MemoryStats(
            usage,
            CgroupFile.readLong(files, memory.resolve("memory.max_usage_in_bytes")),
            MemoryStats.workingSet(
                usage, firstKey(memStat, "total_inactive_file", "inactive_file")),
            firstKey(memStat, "total_rss", "rss"),
            firstKey(memStat, "total_cache", "cache"),
            firstKey(memStat, "total_mapped_file", "mapped_file"),
            firstKey(memStat, "total_swap", "swap"),
            CgroupFile.readLong(files, memory.resolve("memory.failcnt")),
            key(CgroupFile.readKeyed(files, memory.resolve("memory.oom_control")), "oom_kill"),
            firstKey(memStat, "total_pgfault", "pgfault"),
            firstKey(memStat, "total_pgmajfault", "pgmajfault"));

    ProcessStats processes =
        new ProcessStats(
            processes(pids, cgroupPath),
            CgroupFile.readLong(files, pids.resolve("pids.current")),
            fixed.pidsMax());

    var io =
        BlkioParser.v1(
            files,
            blkio.resolve("blkio.throttle.io_service_bytes_recursive"),
            blkio.resolve("blkio.throttle.io_serviced_recursive"));
    PressureStats pressure =
        unified
            .map(u -> PressureReader.read(files, CgroupReader.resolve(u, cgroupPath)))
            .orElse(PressureStats.NONE);

    if (!exists(cpuacct, memory)) {
      LOG.debug("cgroup {} vanished while being read", cgroupPath);
      return Optional.empty();
    }
    return Optional.of(
        new CgroupStats(cgroupPath, time, cpuStats, memoryStats, io, processes, spec, pressure));
  }

  /**
   * The number of processes. On a hybrid host from the unified hierarchy's {@code cgroup.procs},
   * held open: runc places every process at the same path there too (the PSI files come from it),
   * and cgroup2 restarts its task iteration on a read at offset 0. The v1 file is read one-shot
   * (and only where there is no unified copy): v1 keeps the pid list it built on the open file and
   * hands it to the next read within a second ({@code cgroup_pidlist_start}), so a held one can be
   * stale.
   */
  private OptionalLong processes(Path pids, String cgroupPath) {
    if (unified.isPresent()) {
      OptionalLong v2 =
          CgroupFile.countLines(
              files, CgroupReader.resolve(unified.get(), cgroupPath).resolve("cgroup.procs"));
      if (v2.isPresent()) {
        return v2;
      }
    }
    return CgroupFile.countLines(pids.resolve("cgroup.procs"));
  }

  /** Closes the held files of cgroups that were not read in the collection that just ended. */
  @Override
  public void endCollection() {
    if (files instanceof OpenCgroupFiles open) {
      open.sweep();
    }
  }

  /** The files that change only when the cgroup is reconfigured (cached in {@code specCache}). */
  private static CgroupSpecCache.Static readStatic(Path cpu, Path memory, Path pids) {
    OptionalLong quota = CgroupFile.readLong(cpu.resolve("cpu.cfs_quota_us"));
    SpecLimits spec =
        new SpecLimits(
            CgroupFile.readLong(cpu.resolve("cpu.shares")),
            quota.isPresent() && quota.getAsLong() > 0 ? quota : OptionalLong.empty(),
            CgroupFile.readLong(cpu.resolve("cpu.cfs_period_us")),
            SpecLimits.limitOrEmpty(CgroupFile.readLong(memory.resolve("memory.limit_in_bytes"))),
            SpecLimits.limitOrEmpty(
                CgroupFile.readLong(memory.resolve("memory.memsw.limit_in_bytes"))));
    OptionalLong pidsMax = CgroupFile.readLong(pids.resolve("pids.max"));
    return new CgroupSpecCache.Static(
        spec,
        pidsMax.isPresent() && pidsMax.getAsLong() == CgroupFile.MAX
            ? OptionalLong.of(0)
            : pidsMax);
  }

  private static boolean exists(Path cpuacct, Path memory) {
    return Files.isDirectory(cpuacct) || Files.isDirectory(memory);
  }

  private Path dir(String controller, String cgroupPath) {
    Path mount = mounts.get(controller);
    if (mount == null) {
      // Controller not mounted: point at a path that does not exist so every read is empty.
      return Path.of("/nonexistent-cgroup-controller", controller);
    }
    return CgroupReader.resolve(mount, cgroupPath);
  }

  private static OptionalLong ticksToNanos(OptionalLong ticks) {
    return ticks.isPresent()
        ? OptionalLong.of(ticks.getAsLong() * NANOS_PER_USER_HZ_TICK)
        : OptionalLong.empty();
  }
}
