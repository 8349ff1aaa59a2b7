package io.berth.metrics.bench;

import io.berth.metrics.ContainerRef;
import io.berth.metrics.Fixtures;
import io.berth.metrics.PodRef;
import io.berth.metrics.StatsCollector;
import io.berth.metrics.cgroup.CgroupReader;
import io.berth.metrics.cgroup.CgroupV1Reader;
import io.berth.metrics.exposition.CadvisorMetricsRenderer;
import io.berth.metrics.exposition.DeviceNames;
import io.berth.metrics.live.TestCgroups;
import io.berth.metrics.procfs.NetDevReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Latency and CPU time of one {@code /metrics/cadvisor} scrape over 110 cgroups (10 pods × (pod
 * cgroup + 10 containers)), next to a minimal reader that reads exactly the same files with {@code
 * Files.readAllLines} and builds no model and no text. The two alternate within each iteration so
 * they see the same machine load. Not a unit test.
 *
 * <p>Run it through Surefire (works offline; the class name does not match {@code *Test}, so the
 * normal build never runs it, and it asserts nothing about time):
 *
 * <pre>
 * cd /work/main && . scripts/lib/jdk.sh && berth_pick_jdk && ./mvnw -B -ntp -o -q -pl cadvisor-metrics \
 *   test -Dtest=CadvisorScrapeBenchmark -Dberth.bench=true -Dberth.bench.args="--live 200"
 * </pre>
 *
 * or as a plain main class with the test classpath: {@code java -cp ...
 * io.berth.metrics.bench.CadvisorScrapeBenchmark --live 200}.
 *
 * <p>{@code --live} (needs root on a v1/hybrid host) creates 110 empty cgroups under a unique
 * {@code berth-metrics-test-bench-*} parent and removes them afterwards; {@code --fixtures} copies
 * the fixture cgroup 110 times into a temporary tree. The last argument is the measured iteration
 * count (default 200, after 100 warm-up iterations).
 */
public final class CadvisorScrapeBenchmark {
  // A public no-arg constructor lets JUnit instantiate the class for run().
  private static final int PODS = 10;
  private static final int CONTAINERS_PER_POD = 10;

  /** The files {@link CgroupV1Reader} reads, per hierarchy. */
  private static final List<String[]> FILES =
      List.of(
          new String[] {"cpuacct", "cpuacct.usage", "cpuacct.stat"},
          new String[] {"cpu", "cpu.stat", "cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us"},
          new String[] {
            "memory",
            "memory.stat",
            "memory.usage_in_bytes",
            "memory.max_usage_in_bytes",
            "memory.limit_in_bytes",
            "memory.memsw.limit_in_bytes",
            "memory.failcnt",
            "memory.oom_control"
          },
          new String[] {
            "blkio",
            "blkio.throttle.io_service_bytes_recursive",
            "blkio.throttle.io_serviced_recursive"
          },
          new String[] {"pids", "pids.current", "pids.max", "cgroup.procs"},
          new String[] {"unified", "cpu.pressure", "memory.pressure", "io.pressure"});

  /** Entry point for Surefire; enabled only with {@code -Dberth.bench=true}. */
  @Test
  @EnabledIfSystemProperty(named = "berth.bench", matches = "true")
  void run() throws Exception {
    String args = System.getProperty("berth.bench.args", "--fixtures");
    main(args.isBlank() ? new String[0] : args.trim().split("\\s+"));
  }

  public static void main(String[] args) throws Exception {
    List<String> argv = Arrays.asList(args);
    boolean live = argv.contains("--live");
    int iterations = 200;
    if (!argv.isEmpty() && argv.get(argv.size() - 1).matches("\\d+")) {
      iterations = Integer.parseInt(argv.get(argv.size() - 1));
    }
    if (live && !TestCgroups.available()) {
      throw new IllegalStateException("--live needs root and writable cgroup v1 hierarchies");
    }
    TestCgroups cgroups = live ? new TestCgroups("bench") : null;
    Path fixtureRoot = live ? null : Files.createTempDirectory("berth-bench");
    try {
      List<PodRef> pods = new ArrayList<>();
      List<String> paths = new ArrayList<>();
      for (int p = 0; p < PODS; p++) {
        String podPath = live ? cgroups.create("pod" + p) : "/kubepods/burstable/pod" + p;
        paths.add(podPath);
        List<ContainerRef> containers = new ArrayList<>();
        for (int c = 0; c < CONTAINERS_PER_POD; c++) {
          String cPath;
          if (live) {
            cPath = cgroups.create("pod" + p + "/c" + c);
            cgroups.write("memory", cPath, "memory.limit_in_bytes", Long.toString(64L << 20));
            cgroups.write("cpu", cPath, "cpu.cfs_quota_us", "50000");
          } else {
            cPath = podPath + "/c" + c;
          }
          paths.add(cPath);
          containers.add(
              new ContainerRef("c" + c, "id-" + p + "-" + c, "img:" + c, cPath, Instant.EPOCH));
        }
        pods.add(
            new PodRef(
                "uid-" + p,
                "pod-" + p,
                "bench",
                podPath,
                OptionalLong.empty(),
                Instant.EPOCH,
                containers));
      }
      Path root = live ? TestCgroups.ROOT : fixtureRoot;
      if (!live) {
        for (String path : paths) {
          copyFixtureCgroup(fixtureRoot, path);
        }
      }
      CgroupReader reader =
          live
              ? CgroupReader.detect(Clock.systemUTC())
              : CgroupV1Reader.ofRoot(root, Clock.systemUTC());
      var node = Fixtures.node(Instant.EPOCH, 1);
      StatsCollector collector =
          new StatsCollector(
              reader,
              new NetDevReader(Path.of("/proc")),
              () -> node,
              () -> pods,
              Clock.systemUTC(),
              Duration.ZERO);
      CadvisorMetricsRenderer renderer =
          new CadvisorMetricsRenderer(DeviceNames.sysfs(Path.of("/sys")));

      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      long[] fullWall = new long[iterations];
      long[] fullCpu = new long[iterations];
      long[] minWall = new long[iterations];
      long[] minCpu = new long[iterations];
      long[] rawWall = new long[iterations];
      long[] rawCpu = new long[iterations];
      long sink = 0;
      String last = "";
      for (int i = -100; i < iterations; i++) {
        long w0 = System.nanoTime();
        long c0 = mx.getCurrentThreadCpuTime();
        last = renderer.render(collector.scrape().current());
        long c1 = mx.getCurrentThreadCpuTime();
        long w1 = System.nanoTime();
        sink += minimalRead(root, paths, false);
        long c2 = mx.getCurrentThreadCpuTime();
        long w2 = System.nanoTime();
        sink += minimalRead(root, paths, true);
        long c3 = mx.getCurrentThreadCpuTime();
        long w3 = System.nanoTime();
        if (i >= 0) {
          rawWall[i] = w3 - w2;
          rawCpu[i] = c3 - c2;
          fullWall[i] = w1 - w0;
          fullCpu[i] = c1 - c0;
          minWall[i] = w2 - w1;
          minCpu[i] = c2 - c1;
        }
      }
      long series = last.lines().filter(l -> !l.startsWith("#")).count();
      System.out.printf(
          "mode=%s cgroups=%d iterations=%d series=%d bytes=%d (sink %d)%n",
          live ? "live" : "fixtures", paths.size(), iterations, series, last.length(), sink);
      report("full scrape  (read+model+render)", fullWall, fullCpu);
      report("minimal read (readAllLines only)", minWall, minCpu);
      report("minimal read (readAllBytes only)", rawWall, rawCpu);
      System.out.printf(
          "ratio full/readAllLines: wall p50 %.2fx, cpu p50 %.2fx%n",
          (double) percentile(fullWall, 50) / percentile(minWall, 50),
          (double) percentile(fullCpu, 50) / percentile(minCpu, 50));
      System.out.printf(
          "ratio full/readAllBytes: wall p50 %.2fx, cpu p50 %.2fx%n",
          (double) percentile(fullWall, 50) / percentile(rawWall, 50),
          (double) percentile(fullCpu, 50) / percentile(rawCpu, 50));
    } finally {
      if (cgroups != null) {
        cgroups.close();
      }
      if (fixtureRoot != null) {
        deleteTree(fixtureRoot);
      }
    }
  }

  /**
   * Reads every file the reader reads (as lines, or as raw bytes) and returns a checksum so nothing
   * is elided.
   */
  private static long minimalRead(Path root, List<String> paths, boolean bytes) {
    long total = 0;
    for (String path : paths) {
      for (String[] group : FILES) {
        Path dir = root.resolve(group[0]).resolve(path.substring(1));
        for (int f = 1; f < group.length; f++) {
          try {
            Path file = dir.resolve(group[f]);
            total +=
                bytes
                    ? Files.readAllBytes(file).length
                    : Files.readAllLines(file, StandardCharsets.ISO_8859_1).size();
          } catch (NoSuchFileException e) {
            total--;
          } catch (IOException e) {
            throw new IllegalStateException("cannot read " + dir.resolve(group[f]), e);
          }
        }
      }
    }
    return total;
  }

  private static void report(String what, long[] wall, long[] cpu) {
    System.out.printf(
        "%s: wall p50 %.2f ms p90 %.2f ms max %.2f ms | cpu p50 %.2f ms p90 %.2f ms%n",
        what,
        percentile(wall, 50) / 1e6,
        percentile(wall, 90) / 1e6,
        percentile(wall, 100) / 1e6,
        percentile(cpu, 50) / 1e6,
        percentile(cpu, 90) / 1e6);
  }

  private static long percentile(long[] values, int p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static void copyFixtureCgroup(Path root, String path) throws IOException {
    Path source = Fixtures.resource("cgroup-fixtures/v1");
    String fixture = Fixtures.POD_CGROUP.substring(1) + "/" + Fixtures.C1;
    for (String controller : List.of("cpu", "cpuacct", "memory", "blkio", "pids", "unified")) {
      Path from = source.resolve(controller).resolve(fixture);
      Path to = Files.createDirectories(root.resolve(controller).resolve(path.substring(1)));
      try (Stream<Path> files = Files.list(from)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (Files.isRegularFile(f)) {
            Files.copy(f, to.resolve(f.getFileName().toString()));
          }
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
